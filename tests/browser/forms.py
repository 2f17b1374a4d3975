"""Filling in GOV.UK forms as a person would, for the browser tests."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import Page

from tests.browser.keyboard import Actions, Pointer


def fill_date(page: Page, legend: str, day: date, act: Actions | None = None) -> None:
    """Type ``day`` into the three boxes (day, month, year) of the date question ``legend`` (with ``act``'s way)."""
    act = act or Pointer(page)
    boxes = page.get_by_role("group", name=legend)
    act.fill(boxes.get_by_label("Day"), str(day.day))
    act.fill(boxes.get_by_label("Month"), str(day.month))
    act.fill(boxes.get_by_label("Year"), str(day.year))
