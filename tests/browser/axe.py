"""axe-core in the browser tests: run it on the page Chromium shows and report what it finds, readably.

axe-core comes from npm (``package.json``, pinned; ``make setup`` installs it with the front-end build) and is
loaded into every page of a browser context before the page's own scripts (:func:`install`: cheaper than
injecting it into each page afterwards, which :func:`axe_violations` does for a page without it). Pages send a
Content-Security-Policy that refuses inline scripts, so a context that injects axe afterwards is made with
``bypass_csp=True`` (:data:`CONTEXT_OPTIONS`); the page's own scripts are unchanged by either.

Only the WCAG 2.x A and AA rules run (the tags below): best-practice rules are advice, not the standard the
service is held to (WCAG 2.2 AA).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Page

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")
CONTEXT_OPTIONS: dict[str, Any] = {"bypass_csp": True}

_RUN = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
    targets: v.nodes.map((n) => n.target.join(" ")),
    summaries: v.nodes.map((n) => n.failureSummary || ""),
  }));
}"""


@dataclass(frozen=True)
class Violation:
    """One axe rule broken on one page, with every element that breaks it."""

    where: str  # what the page was: its address and the state or role it was seen in
    rule: str
    impact: str
    help: str
    targets: tuple[str, ...]
    summary: str  # axe's "fix any of the following" for the first element

    def __str__(self) -> str:
        shown = ", ".join(self.targets[:5]) + (f" (and {len(self.targets) - 5} more)" if len(self.targets) > 5 else "")
        return f"{self.where}: {self.rule} [{self.impact}] {self.help}: {shown}\n    {self.summary}"


def install(context: BrowserContext) -> None:
    """Load axe-core into every page ``context`` opens from now on."""
    _check_installed()
    context.add_init_script(path=str(AXE_JS))


def _check_installed() -> None:
    if not AXE_JS.exists():
        raise AssertionError(f"axe-core is not installed at {AXE_JS}: run `make setup` (npm ci).")


def axe_violations(page: Page, where: str) -> list[Violation]:
    """Run axe's WCAG 2.2 A and AA rules on ``page`` as it is now; ``where`` names it in the report."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        _check_installed()
        page.add_script_tag(path=str(AXE_JS))
    found = page.evaluate(_RUN, list(WCAG_TAGS))
    return [
        Violation(
            where=where,
            rule=v["id"],
            impact=v["impact"] or "",
            help=v["help"],
            targets=tuple(v["targets"]),
            summary=" ".join((v["summaries"][0] if v["summaries"] else "").split()),
        )
        for v in found
    ]


def report(violations: list[Violation]) -> str:
    """Every violation, one page after another, for an assertion message."""
    if not violations:
        return "no violations"
    rules = sorted({v.rule for v in violations})
    pages = len({v.where for v in violations})
    head = f"{len(violations)} axe violations on {pages} pages (rules: {', '.join(rules)}):"
    return "\n".join([head, *(str(v) for v in violations)])


def assert_accessible(page: Page, where: str) -> None:
    """Fail, listing every problem, unless axe finds no WCAG 2.2 A or AA violation on ``page``."""
    found = axe_violations(page, where)
    assert not found, report(found)
