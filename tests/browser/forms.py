"""Filling in GOV.UK forms as a person would, for the browser tests."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import Page


def fill_date(page: Page, legend: str, day: date) -> None:
    """Type ``day`` into the three boxes (day, month, year) of the date question ``legend``."""
    boxes = page.get_by_role("group", name=legend)
    boxes.get_by_label("Day").fill(str(day.day))
    boxes.get_by_label("Month").fill(str(day.month))
    boxes.get_by_label("Year").fill(str(day.year))
