from datetime import date

from adoption.working_days import add_working_days, is_working_day, working_days_between


def test_weekends_and_bank_holidays_are_not_working_days():
    assert not is_working_day(date(2026, 11, 21))  # Saturday
    assert not is_working_day(date(2026, 12, 25))  # Christmas Day
    assert not is_working_day(date(2026, 12, 28))  # Boxing Day substitute (26th is a Saturday)
    assert is_working_day(date(2026, 11, 23))


def test_seven_working_days_over_christmas():
    # Decision due 7 working days after final minutes received on Tuesday 22 December 2026:
    # 23, 24, 29, 30, 31 December, 4 and 5 January (25, 28 December and 1 January are bank holidays).
    assert add_working_days(date(2026, 12, 22), 7) == date(2027, 1, 5)
    assert working_days_between(date(2026, 12, 22), date(2027, 1, 5)) == 7


def test_zero_days_is_the_same_day():
    assert add_working_days(date(2026, 11, 23), 0) == date(2026, 11, 23)
