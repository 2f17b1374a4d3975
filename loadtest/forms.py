"""Reading a page's form as a browser would, so the scenario submits what the page offers (standard library only).

``page_form`` finds the page's own form (a POST form with no ``action``, or one back to the page itself: not the
header's sign-out form) and returns the values a browser would send if the user pressed its button without changing
anything: text and hidden inputs as they are, ticked boxes and radios only, a select's chosen option (or its first),
a text area's text. The scenario then changes the fields the user would.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

_TEXT_TYPES = frozenset({"", "text", "hidden", "search", "email", "tel", "number", "date", "password", "url"})


@dataclass
class Form:
    action: str  # as written in the page ("" for the page's own address)
    method: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    options: dict[str, list[str]] = field(default_factory=dict)  # every value each select, radio or checkbox offers

    def data(self, **changes: str) -> dict[str, str]:
        """The values to send, with ``changes`` in place of the page's. Repeated names keep their last value."""
        values = dict(self.fields)
        values.update(changes)
        return values


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._select_values: list[str] = []
        self._select_chosen: str | None = None
        self._option_value: str | None = None
        self._option_text: list[str] = []
        self._option_selected = False
        self._textarea: str | None = None
        self._textarea_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attr = {name: value or "" for name, value in attrs}
        if tag == "form":
            self._form = Form(action=attr.get("action", ""), method=attr.get("method", "get").lower())
            self.forms.append(self._form)
            return
        form = self._form
        if form is None or "disabled" in attr:
            return
        name = attr.get("name", "")
        if tag == "input" and name:
            kind = attr.get("type", "").lower()
            if kind in ("checkbox", "radio"):
                form.options.setdefault(name, []).append(attr.get("value", "on"))
                if "checked" in attr:
                    form.fields.append((name, attr.get("value", "on")))
            elif kind in _TEXT_TYPES:
                form.fields.append((name, attr.get("value", "")))
        elif tag == "select" and name:
            self._select, self._select_values, self._select_chosen = name, [], None
        elif tag == "option" and self._select is not None:
            self._option_value = attr.get("value")
            self._option_text = []
            self._option_selected = "selected" in attr
        elif tag == "textarea" and name:
            self._textarea, self._textarea_text = name, []

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea_text.append(data)
        elif self._option_value is None and self._select is not None:
            self._option_text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "option" and self._select is not None:
            value = self._option_value if self._option_value is not None else "".join(self._option_text).strip()
            self._select_values.append(value)
            if self._option_selected and self._select_chosen is None:
                self._select_chosen = value
            self._option_value = None
        elif tag == "select" and self._select is not None and self._form is not None:
            self._form.options[self._select] = self._select_values
            chosen = self._select_chosen if self._select_chosen is not None else next(iter(self._select_values), None)
            if chosen is not None:
                self._form.fields.append((self._select, chosen))
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            # A browser drops the one newline that may follow <textarea>.
            self._form.fields.append((self._textarea, re.sub(r"^\r?\n", "", "".join(self._textarea_text))))
            self._textarea = None
        elif tag == "form":
            self._form = None


def forms_of(html: str) -> list[Form]:
    parser = _FormParser()
    parser.feed(html)
    parser.close()
    return parser.forms


def page_form(html: str, path: str) -> Form:
    """The form of the page at ``path``; ``ValueError`` when it has none (the page is not the one expected)."""
    for form in forms_of(html):
        if form.method == "post" and form.action in ("", path, urlsplit(path).path):
            return form
    raise ValueError(f"The page {path} has no form of its own.")
