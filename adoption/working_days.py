"""Working days in England and Wales: weekends and bank holidays excluded.

Statutory deadlines (the ADM's 7 working days, telling adopters within 2) count these. Bank
holidays come from ``govuk-bank-holidays``, which ships a cached copy and so works offline.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

from govuk_bank_holidays.bank_holidays import BankHolidays


@lru_cache(maxsize=1)
def _calendar() -> BankHolidays:
    return BankHolidays(use_cached_holidays=True)


def is_working_day(day: date) -> bool:
    return _calendar().is_work_day(day, division=BankHolidays.ENGLAND_AND_WALES)


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (``start`` itself does not count)."""
    if days < 0:
        raise ValueError("days must not be negative")
    current = start
    remaining = days
    while remaining:
        current += timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current


def working_days_between(start: date, end: date) -> int:
    """Working days after ``start`` up to and including ``end`` (0 when ``end`` <= ``start``)."""
    count = 0
    current = start
    while current < end:
        current += timedelta(days=1)
        if is_working_day(current):
            count += 1
    return count


def subtract_working_days(end: date, days: int) -> date:
    """The date ``days`` working days before ``end`` (``end`` itself does not count): a deadline before an event."""
    if days < 0:
        raise ValueError("days must not be negative")
    current = end
    remaining = days
    while remaining:
        current -= timedelta(days=1)
        if is_working_day(current):
            remaining -= 1
    return current
