"""Quarters and years of the financial year (April to March), as English agencies and the DfE report them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

# The months each quarter covers, in words (quarter 1 is April to June).
QUARTER_MONTHS = {1: "April to June", 2: "July to September", 3: "October to December", 4: "January to March"}


def financial_year_of(day: date) -> int:
    """The financial year a day falls in, by its first year: 2025 for 1 April 2025 to 31 March 2026."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year_label(year: int) -> str:
    """2025 -> "2025-26"."""
    return f"{year}-{(year + 1) % 100:02d}"


@dataclass(frozen=True)
class FinancialQuarter:
    """A quarter of the financial year: ``year`` 2025, quarter 1 is April to June 2025, 4 January to March 2026."""

    year: int
    number: int

    def __post_init__(self) -> None:
        if self.number not in (1, 2, 3, 4):
            raise ValueError("A quarter is 1 to 4")

    @classmethod
    def containing(cls, day: date) -> FinancialQuarter:
        return cls(financial_year_of(day), (day.month - 4) % 12 // 3 + 1)

    @classmethod
    def last_complete(cls, today: date) -> FinancialQuarter:
        """The last quarter that ended before ``today``."""
        return cls.containing(today).previous

    @property
    def start(self) -> date:
        month = 4 + 3 * (self.number - 1)
        return date(self.year + (month - 1) // 12, (month - 1) % 12 + 1, 1)

    @property
    def after(self) -> date:
        """The first day after the quarter."""
        return self.next.start

    @property
    def end(self) -> date:
        """The quarter's last day."""
        return self.after - timedelta(days=1)

    @property
    def months(self) -> str:
        """For example "April to June 2025"."""
        return f"{self.start:%B} to {self.end:%B %Y}"

    @property
    def financial_year(self) -> str:
        """For example "2025-26"."""
        return financial_year_label(self.year)

    @property
    def title(self) -> str:
        """For example "Q2 2025-26 (July to September 2025)"."""
        return f"Q{self.number} {self.financial_year} ({self.months})"

    @property
    def previous(self) -> FinancialQuarter:
        return FinancialQuarter(self.year, self.number - 1) if self.number > 1 else FinancialQuarter(self.year - 1, 4)

    @property
    def next(self) -> FinancialQuarter:
        return FinancialQuarter(self.year, self.number + 1) if self.number < 4 else FinancialQuarter(self.year + 1, 1)
