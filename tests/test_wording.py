"""The words the product shows, checked: the terms of DOMAIN.md spelt one way everywhere, and plain English (the
GOV.UK style guide's words to avoid). Every template's visible text (tags, variables and comments removed) and every
string in the apps' Python (labels, hints, messages; not docstrings) is read; a variant found names the file and
the word to use instead."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
APPS = ("adoption", "adopters", "children", "panels", "support", "reporting")

# A variant -> the word DOMAIN.md (or plain English) uses. Matched case-sensitively where case is the variant.
TERMS: dict[str, str] = {
    r"\bChilds? Permanence Report": "Child's Permanence Report (CPR)",
    r"\bProspective Adopters'? Report": "Prospective Adopter's Report (PAR)",
    r"\bAdoption placement report": "Adoption Placement Report (APR)",
    r"\b[Dd]ecision-maker": "agency decision maker",
    r"\bStage (?:One|Two)\b|\bstage (?:one|two)\b": "stage 1, stage 2",
    r"\b[Ff]ostering to [Aa]dopt\b": "fostering for adoption",
    r"\b[Ll]ife-story\b": "life story",
    r"\b[Ll]ater-life letter": "later life letter",
}
PLAIN: dict[str, str] = {
    r"(?i)\bplease note\b": "say it",
    r"(?i)\butilis": "use",
    r"(?i)\bcommenc": "start",
    r"(?i)\bin order to\b": "to",
    r"(?i)\bclick here\b": "link text that says where it goes",
    r"\be\.g\.": "for example",
    r"\bi\.e\.": "that is",
    r"\betc\.": "name them",
    r"\bN/A\b": "say what is missing",
    r"(?i)\bvia\b": "through, by, with",
}
WORDS = {**TERMS, **PLAIN}


def _visible_text(template: Path) -> str:
    text = template.read_text()
    text = re.sub(r"{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", " ", text, flags=re.S)
    text = re.sub(r"{#.*?#}|{%.*?%}|{{.*?}}", " ", text, flags=re.S)
    return re.sub(r"<(script|style)\b.*?</\1>", " ", text, flags=re.S)


def _strings(module: Path) -> list[str]:
    """A module's string literals, not its docstrings (what it may show a user)."""
    tree = ast.parse(module.read_text())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    # Words have spaces between them: a string without one is a name, an address or a code, not text.
    return [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
        and " " in node.value.strip()
    ]


def _templates() -> list[Path]:
    return sorted(p for app in (*APPS, "templates") for p in (ROOT / app).glob("**/*.html"))


# Not the product's own words: migrations (history), commands and the benchmark and demo data (for developers), and
# the DfE's code lists (children/codes.py: the 903's own descriptions, kept as the DfE writes them).
SKIP = {"migrations", "management", "bench", "national", "demo", "codes.py"}


def _modules() -> list[Path]:
    return sorted(p for app in APPS for p in (ROOT / app).glob("**/*.py") if not set(p.parts) & SKIP)


def _found(text: str) -> list[tuple[str, str]]:
    return [(m.group(0), good) for pattern, good in WORDS.items() for m in re.finditer(pattern, text)]


def test_the_templates_use_domains_terms_and_plain_english():
    templates = _templates()
    assert len(templates) > 100  # guards the walk itself
    found = [
        f"{t.relative_to(ROOT)}: {word!r} (use {good!r})" for t in templates for word, good in _found(_visible_text(t))
    ]
    assert found == []


def test_the_apps_labels_hints_and_messages_use_domains_terms_and_plain_english():
    modules = _modules()
    assert len(modules) > 100
    found = [
        f"{m.relative_to(ROOT)}: {word!r} (use {good!r})"
        for m in modules
        for string in _strings(m)
        for word, good in _found(string)
    ]
    assert found == []


def test_a_variant_is_found():
    """The checks find what they look for (a check that finds nothing anywhere proves nothing)."""
    assert _found("Attach the Child Permanence Report, e.g. the draft, via the upload") == [
        ("Child Permanence Report", TERMS[r"\bChilds? Permanence Report"]),
        ("e.g.", "for example"),
        ("via", "through, by, with"),
    ]
