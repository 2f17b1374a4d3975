"""Two ways of using a page in the browser tests: the pointer (Playwright's clicks) and the keyboard alone.

A journey written against :class:`Actions` runs both ways (the ``act`` fixture). With the keyboard, every control is
reached by pressing Tab (or Shift+Tab) from wherever the focus is, as a keyboard user moves through a page, and used
with the keys a keyboard user has: Enter on a link or a button, Space on a checkbox, the arrow keys in a group of
radios and in a select, typing in a field. A control that Tab never reaches fails the journey, and so does one that
shows no visible focus when it is reached (WCAG 2.2: 2.1.1 Keyboard, 2.4.7 Focus Visible, 2.4.3 Focus Order).

Choosing a file is the one step the keyboard hands to the browser's own file dialog, which is not the page's: the
file input is reached with Tab like any control, then given the file.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Locator, Page

MAX_TABS = 250  # more presses than any page of the product has controls before its last one

# Whether the focused element (``el``) shows where the focus is: the GOV.UK focus style is a yellow outline, a
# yellow background or a box shadow; a radio's or a checkbox's is drawn on its label's pseudo-elements (the input
# itself is invisible).
FOCUS_SHOWN = """el => {
  const shows = (style) => style && (
    (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0 && style.outlineColor !== 'rgba(0, 0, 0, 0)')
    || (style.boxShadow && style.boxShadow !== 'none')
  );
  if (shows(getComputedStyle(el))) return true;
  if (el.type === 'radio' || el.type === 'checkbox') {
    const label = el.labels && el.labels[0];
    return !!label && (shows(getComputedStyle(label, '::before')) || shows(getComputedStyle(label, '::after')));
  }
  const before = getComputedStyle(el);
  return before.backgroundColor === 'rgb(255, 221, 0)';  // a link's yellow focus background
}"""

DESCRIBE = """el => (el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' ' +
  (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 60))"""


class Actions:
    """What a journey does on a page; :class:`Pointer` and :class:`Keyboard` do it their own way."""

    name = ""

    def __init__(self, page: Page) -> None:
        self.page = page

    def click(self, target: Locator) -> None:
        raise NotImplementedError

    def fill(self, target: Locator, text: str) -> None:
        raise NotImplementedError

    def check(self, target: Locator) -> None:
        raise NotImplementedError

    def select(self, target: Locator, *, label: str | None = None, value: str | None = None) -> None:
        raise NotImplementedError

    def upload(self, target: Locator, path: str) -> None:
        raise NotImplementedError


class Pointer(Actions):
    name = "pointer"

    def click(self, target: Locator) -> None:
        target.click()

    def fill(self, target: Locator, text: str) -> None:
        target.fill(text)

    def check(self, target: Locator) -> None:
        target.check()

    def select(self, target: Locator, *, label: str | None = None, value: str | None = None) -> None:
        if label is not None:
            target.select_option(label=label)
        else:
            target.select_option(value=value)

    def upload(self, target: Locator, path: str) -> None:
        target.set_input_files(path)


class Keyboard(Actions):
    name = "keyboard"

    def _focused(self, handle: Any) -> bool:
        return bool(self.page.evaluate("el => el === document.activeElement", handle))

    def focus(self, target: Locator) -> None:
        """Press Tab until ``target`` has the focus; then it must show it."""
        target.wait_for(state="attached")
        handle = target.element_handle()
        for _ in range(MAX_TABS):
            if self._focused(handle):
                self._assert_focus_shown(handle)
                return
            self.page.keyboard.press("Tab")
        wanted = self.page.evaluate(DESCRIBE, handle)
        raise AssertionError(f"Tab never reached {wanted} on {self.page.url}")

    def _assert_focus_shown(self, handle: Any) -> None:
        if not self.page.evaluate(FOCUS_SHOWN, handle):
            raise AssertionError(f"{self.page.evaluate(DESCRIBE, handle)} has the focus but does not show it")

    def click(self, target: Locator) -> None:
        self.focus(target)
        # Pressed on the focused element through its locator, so that a navigation it starts is waited for (as
        # Playwright waits after a click) before the journey goes on.
        target.press("Enter")

    def fill(self, target: Locator, text: str) -> None:
        self.focus(target)
        self.page.keyboard.press("ControlOrMeta+a")
        self.page.keyboard.press("Delete")
        self.page.keyboard.type(text)

    def check(self, target: Locator) -> None:
        kind = target.get_attribute("type")
        if kind == "checkbox":
            self.focus(target)
            if not target.is_checked():
                self.page.keyboard.press("Space")
        else:
            self._choose_radio(target)
        if not target.is_checked():
            raise AssertionError(f"{self.page.evaluate(DESCRIBE, target.element_handle())} was not checked")

    def _choose_radio(self, target: Locator) -> None:
        """Tab into the radios' group (the focus lands on the checked one, or the first), then the arrow keys."""
        handle = target.element_handle()
        name = target.get_attribute("name")
        in_group = "name => document.activeElement.type === 'radio' && document.activeElement.name === name"
        for _ in range(MAX_TABS):
            if self.page.evaluate(in_group, name):
                break
            self.page.keyboard.press("Tab")
        else:
            raise AssertionError(f"Tab never reached the radios {name!r} on {self.page.url}")
        count = self.page.locator(f"input[type=radio][name='{name}']").count()
        for _ in range(count + 1):
            if self._focused(handle):
                self._assert_focus_shown(handle)
                if not target.is_checked():
                    self.page.keyboard.press("Space")
                return
            self.page.keyboard.press("ArrowDown")
        raise AssertionError(f"The arrow keys never reached {self.page.evaluate(DESCRIBE, handle)}")

    def select(self, target: Locator, *, label: str | None = None, value: str | None = None) -> None:
        """Tab to the select, then Home and the down arrow to the option (a closed select changes as it goes)."""
        self.focus(target)
        options = target.locator("option")
        texts = [options.nth(i).inner_text().strip() for i in range(options.count())]
        values = [options.nth(i).get_attribute("value") for i in range(options.count())]
        index = texts.index(label) if label is not None else values.index(value)
        self.page.keyboard.press("Home")
        for _ in range(index):
            self.page.keyboard.press("ArrowDown")
        chosen = target.input_value()
        if chosen != values[index]:
            raise AssertionError(f"The arrow keys chose {chosen!r}, not {values[index]!r}")

    def upload(self, target: Locator, path: str) -> None:
        self.focus(target)  # reached like any control; the file itself comes from the browser's dialog
        target.set_input_files(path)


ACTIONS = {Pointer.name: Pointer, Keyboard.name: Keyboard}
