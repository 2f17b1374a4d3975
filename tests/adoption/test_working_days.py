from datetime import date

from adoption.working_days import add_working_days, is_working_day, subtract_working_days, working_days_between


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


def test_papers_due_ten_working_days_before_a_panel_after_easter():
    # A panel on Thursday 16 April 2026: Good Friday (3 April) and Easter Monday (6 April) are bank holidays,
    # so ten working days back is Tuesday 31 March (15, 14, 13, 10, 9, 8, 7, 2, 1 April, 31 March).
    assert subtract_working_days(date(2026, 4, 16), 10) == date(2026, 3, 31)
    assert working_days_between(date(2026, 3, 31), date(2026, 4, 16)) == 10


def test_counting_back_skips_weekends_and_bank_holidays():
    # Ten working days before a panel on Thursday 7 January 2027: back over 1 January and 25 and 28 December.
    assert subtract_working_days(date(2027, 1, 7), 10) == date(2026, 12, 21)
    assert working_days_between(date(2026, 12, 21), date(2027, 1, 7)) == 10
    assert subtract_working_days(date(2026, 11, 23), 1) == date(2026, 11, 20)  # Monday back to Friday
    assert subtract_working_days(date(2026, 11, 23), 0) == date(2026, 11, 23)
