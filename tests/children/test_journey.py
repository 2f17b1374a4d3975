"""The pure journey functions: waiting-time bands, calendar arithmetic, next steps and what is overdue."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from children import journey
from children.journey import JourneyDates, Situation, Stage, WaitingBand, next_steps

TODAY = date(2025, 6, 30)


def dates(**given_dates) -> JourneyDates:
    base = dict.fromkeys(JourneyDates.__dataclass_fields__)
    base["date_of_birth"] = date(2021, 5, 1)
    return JourneyDates(**{**base, **given_dates})


def texts(steps) -> list[tuple[str, date | None, bool]]:
    return [(step.text, step.due_on, step.overdue) for step in steps]


# --- calendar arithmetic and bands --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2025, 6, 30), 12, date(2024, 6, 30)),
        (date(2025, 6, 30), 18, date(2023, 12, 30)),
        (date(2025, 3, 31), 1, date(2025, 2, 28)),  # no 31 February: the month's last day
        (date(2024, 3, 31), 1, date(2024, 2, 29)),
        (date(2025, 1, 15), 1, date(2024, 12, 15)),
        (date(2025, 1, 15), -13, date(2026, 2, 15)),
    ],
)
def test_months_before(day, months, expected):
    assert journey.months_before(day, months) == expected


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)), st.dates(max_value=date(2030, 12, 31)))
def test_aged_5_by_cutoff_agrees_with_age_in_years(today, born):
    """The database filter (born on or before the cutoff) and the age in years give the same answer."""
    if born > today:
        return
    cutoff = journey.years_before(today, journey.HARDER_TO_PLACE_AGE)
    assert (born <= cutoff) == (journey.age_in_years(born, today) >= 5)


@given(
    st.dates(min_value=date(2015, 1, 1), max_value=TODAY),
    st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1)),
)
def test_every_waiting_child_is_in_exactly_one_band(decision, today):
    if decision > today:
        return
    found = [
        band
        for band in WaitingBand
        if (lambda lo_hi: (lo_hi[0] is None or decision >= lo_hi[0]) and (lo_hi[1] is None or decision <= lo_hi[1]))(
            journey.waiting_band_bounds(band, today)
        )
    ]
    assert len(found) == 1
    band = journey.waiting_band(dates(decision_on=decision), today)
    assert band == found[0]
    days = (today - decision).days
    assert (band == WaitingBand.UNDER_90_DAYS) == (days < 90)
    assert (band == WaitingBand.OVER_18_MONTHS) == (decision < journey.months_before(today, 18))


def test_a_child_who_is_placed_is_not_waiting():
    placed = dates(decision_on=date(2024, 1, 1), matched_on=date(2024, 5, 1), placed_on=date(2024, 6, 1))
    assert journey.days_waiting(placed, TODAY) is None
    assert journey.waiting_band(placed, TODAY) is None
    matched = dates(decision_on=date(2024, 1, 1), matched_on=date(2024, 5, 1))
    assert journey.days_waiting(matched, TODAY) == 546


# --- harder to place -------------------------------------------------------------------------------------


def test_harder_to_place():
    flags = journey.harder_to_place(
        dates=dates(date_of_birth=date(2020, 6, 30), decision_on=date(2023, 12, 29)),
        ethnicity="WIRI",
        has_disability=True,
        in_sibling_group=True,
        today=TODAY,
    )
    assert flags == list(journey.HarderToPlace)
    for ethnicity, minority in [("WBRI", False), ("REFU", False), ("NOBT", False), ("", False), ("BAFR", True)]:
        assert journey.is_minority_ethnic(ethnicity) is minority


# --- next steps and overdue -----------------------------------------------------------------------------


def test_the_next_step_after_the_decision_is_the_placement_order():
    decision = date(2025, 3, 1)
    steps = next_steps(Situation(dates(entered_care_on=date(2025, 1, 1), decision_on=decision)), TODAY)
    assert texts(steps)[0] == ("Apply for a placement order", decision + timedelta(days=182), False)
    late = next_steps(Situation(dates(entered_care_on=date(2024, 1, 1), decision_on=date(2024, 12, 29))), TODAY)
    assert texts(late)[0] == ("Apply for a placement order", date(2025, 6, 29), True)


def test_after_the_placement_order_the_match_is_due_and_long_waits_are_flagged():
    order = date(2024, 1, 1)
    situation = Situation(
        dates(entered_care_on=date(2023, 1, 1), decision_on=date(2023, 6, 1), placement_order_on=order),
        family_finding_status="active",
    )
    assert texts(next_steps(situation, TODAY)) == [
        ("Find a family and record the match", order + timedelta(days=121), True),
        (
            "Waiting over 12 months since the placement order: review the family-finding plan",
            date(2025, 1, 1),
            True,
        ),
    ]
    assert [s.overdue for s in next_steps(situation, order + timedelta(days=121))] == [False]


def test_waiting_over_90_days_without_active_family_finding_is_overdue():
    situation = Situation(dates(entered_care_on=date(2024, 9, 1), decision_on=date(2025, 3, 1)))
    review = "Waiting over 90 days since the decision with no active family finding: review the plan"
    assert (review, date(2025, 5, 30), True) in texts(next_steps(situation, TODAY))
    active = Situation(situation.dates, family_finding_status="active")
    assert review not in [s.text for s in next_steps(active, TODAY)]


def test_a_cpr_past_its_due_date_is_overdue_until_completed():
    base = dates(entered_care_on=date(2025, 1, 1))
    due = Situation(base, cpr_status="in_progress", cpr_due_on=date(2025, 6, 1), in_care=True)
    assert ("Complete the Child's Permanence Report", date(2025, 6, 1), True) in texts(next_steps(due, TODAY))
    done = Situation(base, cpr_status="completed", cpr_due_on=date(2025, 6, 1), in_care=True)
    assert all("Permanence Report" not in s.text for s in next_steps(done, TODAY))


def test_an_unborn_baby_past_the_expected_date_and_proceedings_past_26_weeks():
    unborn = Situation(dates(date_of_birth=None), expected_date_of_birth=date(2025, 6, 1))
    assert texts(next_steps(unborn, TODAY)) == [("Record the baby's date of birth", date(2025, 6, 1), True)]
    court = Situation(
        dates(),
        proceedings_stage="care_proceedings",
        proceedings_from=date(2024, 12, 1),
        final_hearing_on=date(2025, 5, 20),
    )
    assert texts(next_steps(court, TODAY)) == [
        ("Care proceedings to finish", date(2025, 6, 1), True),
        ("Record the outcome of the final hearing", date(2025, 5, 20), True),
    ]


def test_placed_then_adopted():
    placed = dates(decision_on=date(2024, 1, 1), matched_on=date(2025, 4, 1), placed_on=date(2025, 5, 1))
    assert texts(next_steps(Situation(placed), TODAY)) == [
        ("The adopters may apply for an adoption order", date(2025, 7, 10), False)
    ]
    adopted = dates(placed_on=date(2024, 1, 1), adoption_order_on=date(2024, 9, 1))
    assert journey.stage_of(adopted) == Stage.ADOPTED
    assert next_steps(Situation(adopted), TODAY) == []
