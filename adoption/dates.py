"""Dates as the pages and messages write them: "3 May 2025"."""

from __future__ import annotations

from datetime import date


def in_words(day: date) -> str:
    """A date as people write it in English: day without a leading zero, month in full, year."""
    return f"{day.day} {day:%B %Y}"
