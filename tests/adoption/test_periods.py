from datetime import date

import pytest

from adoption.periods import FinancialQuarter, financial_year_of


@pytest.mark.parametrize(
    ("day", "year", "number"),
    [
        (date(2025, 3, 31), 2024, 4),
        (date(2025, 4, 1), 2025, 1),
        (date(2025, 12, 31), 2025, 3),
        (date(2026, 1, 1), 2025, 4),
    ],
)
def test_a_day_falls_in_its_financial_quarter(day, year, number):
    assert FinancialQuarter.containing(day) == FinancialQuarter(year, number)
    assert financial_year_of(day) == year


def test_a_quarter_in_words_and_dates():
    q4 = FinancialQuarter(2025, 4)
    assert (q4.start, q4.end, q4.after) == (date(2026, 1, 1), date(2026, 3, 31), date(2026, 4, 1))
    assert (q4.months, q4.financial_year, q4.title) == (
        "January to March 2026",
        "2025-26",
        "Q4 2025-26 (January to March 2026)",
    )
    assert q4.next == FinancialQuarter(2026, 1) and FinancialQuarter(2026, 1).previous == q4
    assert FinancialQuarter.last_complete(date(2026, 4, 1)) == q4
