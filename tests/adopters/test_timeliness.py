"""Stage timescales, pauses and the waiting flag: hand-worked dates, then the database against Python.

Every expected date below was counted by hand on a calendar. Months are calendar months: a day the
target month lacks becomes its last day (31 December + 2 months = 28 February, or 29th in a leap year).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adopters import selectors
from adopters.models import Household, Pause, TimelinessStandard
from adopters.timeliness import (
    State,
    add_months,
    household_timeliness,
    review_due_on,
    standard_on,
    waiting_flag_on,
)
from tests.adopters.conftest import bare_household

pytestmark = pytest.mark.django_db

S = Household.Status
STANDARD, FAST_TRACK = Household.Route.STANDARD, Household.Route.FAST_TRACK


def stage1(started: date, ended: date | None = None, *pauses: Pause, today: date):
    household = Household(status=S.STAGE_1, stage1_started_on=started, stage1_ended_on=ended)
    return household_timeliness(household, pauses, today=today).stage1


def stage2(started: date, ended: date | None = None, *pauses: Pause, today: date, extension: str = ""):
    household = Household(
        status=S.STAGE_2, stage2_started_on=started, stage2_ended_on=ended, stage2_extension_reason=extension
    )
    return household_timeliness(household, pauses, today=today).stage2


def pause(stage: int, started: date, ended: date | None = None) -> Pause:
    return Pause(stage=stage, started_on=started, ended_on=ended, reason="Applicants asked for a pause")


# --- calendar months ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2023, 12, 31), 2, date(2024, 2, 29)),  # leap year
        (date(2024, 12, 31), 2, date(2025, 2, 28)),
        (date(2023, 11, 30), 3, date(2024, 2, 29)),
        (date(2024, 11, 30), 3, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
        (date(2024, 8, 31), 3, date(2024, 11, 30)),
        (date(2024, 3, 15), 4, date(2024, 7, 15)),
    ],
)
def test_add_months_counts_calendar_months(day, months, expected):
    assert add_months(day, months) == expected


# --- stage 1 and stage 2 due dates -------------------------------------------------------------------------


def test_stage_1_from_31_december_is_due_on_the_last_day_of_february():
    leap = stage1(date(2023, 12, 31), today=date(2024, 1, 15))
    assert (leap.limit_months, leap.due_on, leap.state) == (2, date(2024, 2, 29), State.IN_PROGRESS)
    plain = stage1(date(2024, 12, 31), today=date(2025, 1, 15))
    assert plain.due_on == date(2025, 2, 28)


def test_three_months_from_30_november_ends_in_february():
    standard = TimelinessStandard.objects.get()
    standard.stage1_months = 3
    standard.save()
    assert stage1(date(2023, 11, 30), today=date(2024, 1, 1)).due_on == date(2024, 2, 29)
    assert stage1(date(2024, 11, 30), today=date(2025, 1, 1)).due_on == date(2025, 2, 28)


def test_stage_2_takes_four_months_or_six_with_a_recorded_reason():
    normal = stage2(date(2024, 3, 15), today=date(2024, 4, 1))
    assert (normal.limit_months, normal.due_on) == (4, date(2024, 7, 15))
    extended = stage2(date(2024, 3, 15), today=date(2024, 4, 1), extension="Second applicant's medical awaited")
    assert (extended.limit_months, extended.due_on) == (6, date(2024, 9, 15))
    # A month end: 31 October + 4 months is 28 February; + 6 months is 30 April.
    assert stage2(date(2024, 10, 31), today=date(2024, 11, 1)).due_on == date(2025, 2, 28)
    assert stage2(date(2024, 10, 31), today=date(2024, 11, 1), extension="Court case").due_on == date(2025, 4, 30)


def test_a_blank_extension_reason_does_not_extend_stage_2():
    assert stage2(date(2024, 3, 15), today=date(2024, 4, 1), extension="   ").due_on == date(2024, 7, 15)


# --- pauses -----------------------------------------------------------------------------------------------------


def test_a_closed_ten_day_pause_moves_the_due_date_by_ten_days():
    # Stage 1 from 10 January 2024 is due 10 March; paused 20 January, resumed 30 January: 10 days.
    timeliness = stage1(date(2024, 1, 10), None, pause(1, date(2024, 1, 20), date(2024, 1, 30)), today=date(2024, 2, 5))
    assert timeliness.paused_days == 10
    assert timeliness.due_on == date(2024, 3, 20)
    assert timeliness.calendar_days == 26  # 10 January to 5 February
    assert timeliness.working_days == 16


def test_an_open_pause_counts_up_to_today():
    # Paused since 1 February 2024; today is 15 February: 14 days so far, and tomorrow 15.
    open_pause = pause(1, date(2024, 2, 1))
    assert stage1(date(2024, 1, 10), None, open_pause, today=date(2024, 2, 15)).paused_days == 14
    assert stage1(date(2024, 1, 10), None, open_pause, today=date(2024, 2, 15)).due_on == date(2024, 3, 24)
    assert stage1(date(2024, 1, 10), None, open_pause, today=date(2024, 2, 16)).due_on == date(2024, 3, 25)


def test_closed_and_open_pauses_add_up():
    pauses = (pause(1, date(2024, 1, 20), date(2024, 1, 30)), pause(1, date(2024, 2, 1)))
    timeliness = stage1(date(2024, 1, 10), None, *pauses, today=date(2024, 2, 15))
    assert timeliness.paused_days == 24
    assert timeliness.due_on == date(2024, 4, 3)  # 10 March + 24 days


def test_pauses_of_the_other_stage_do_not_count():
    household = Household(
        status=S.STAGE_2,
        stage1_started_on=date(2024, 1, 10),
        stage1_ended_on=date(2024, 3, 20),
        stage2_started_on=date(2024, 4, 2),
    )
    pauses = [pause(1, date(2024, 1, 20), date(2024, 1, 30))]
    timeliness = household_timeliness(household, pauses, today=date(2024, 5, 1))
    assert (timeliness.stage1.paused_days, timeliness.stage1.due_on) == (10, date(2024, 3, 20))
    assert (timeliness.stage2.paused_days, timeliness.stage2.due_on) == (0, date(2024, 8, 2))
    assert timeliness.stage1.state == State.ON_TIME  # ended on the paused-adjusted due date


def test_when_pauses_do_not_extend_deadlines_they_are_still_shown():
    TimelinessStandard.objects.update(pauses_extend_deadlines=False)
    timeliness = stage1(date(2024, 1, 10), None, pause(1, date(2024, 1, 20), date(2024, 1, 30)), today=date(2024, 2, 5))
    assert (timeliness.due_on, timeliness.paused_days, timeliness.working_days) == (date(2024, 3, 10), 10, 16)


# --- on time, late, overdue --------------------------------------------------------------------------------------


def test_ending_on_the_due_date_is_on_time_and_the_day_after_is_late():
    on_the_day = stage1(date(2024, 1, 10), date(2024, 3, 10), today=date(2024, 6, 1))
    assert (on_the_day.state, on_the_day.label, on_the_day.days_over) == (State.ON_TIME, "On time", 0)
    day_after = stage1(date(2024, 1, 10), date(2024, 3, 11), today=date(2024, 6, 1))
    assert (day_after.state, day_after.label, day_after.days_over) == (State.LATE, "Late", 1)


def test_a_running_stage_is_overdue_from_the_day_after_its_due_date():
    due_today = stage1(date(2024, 1, 10), today=date(2024, 3, 10))
    assert (due_today.state, due_today.days_over) == (State.IN_PROGRESS, 0)
    overdue = stage1(date(2024, 1, 10), today=date(2024, 3, 15))
    assert (overdue.state, overdue.label) == (State.OVERDUE, "Overdue")
    assert (overdue.calendar_days, overdue.days_over) == (65, 0)  # days over are counted once the stage ends


def test_a_stage_not_started_has_no_due_date():
    timeliness = household_timeliness(Household(status=S.REGISTERED), [], today=date(2024, 3, 1))
    assert [stage.state for stage in timeliness.stages] == [State.NOT_STARTED] * 3
    assert timeliness.stage1.due_on is None


def test_fast_track_has_no_stage_1_and_no_gap_between_the_stages():
    household = Household(status=S.STAGE_2, route=FAST_TRACK, stage2_started_on=date(2024, 2, 29))
    timeliness = household_timeliness(household, [], today=date(2024, 3, 1))
    assert (timeliness.stage1.state, timeliness.between.state) == (State.NOT_STARTED, State.NOT_STARTED)
    assert timeliness.stage2.due_on == date(2024, 6, 29)


def test_the_applicants_have_six_months_between_the_stages():
    household = Household(
        status=S.BETWEEN_STAGES, stage1_started_on=date(2023, 6, 1), stage1_ended_on=date(2023, 8, 31)
    )
    between = household_timeliness(household, [], today=date(2024, 2, 29)).between
    assert (between.due_on, between.state) == (date(2024, 2, 29), State.IN_PROGRESS)
    assert household_timeliness(household, [], today=date(2024, 3, 1)).between.state == State.OVERDUE


# --- waiting and reviews -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("approved_on", "flag_on"),
    [
        (date(2023, 11, 30), date(2024, 2, 29)),
        (date(2024, 11, 30), date(2025, 2, 28)),
        (date(2024, 5, 31), date(2024, 8, 31)),
        (date(2024, 8, 31), date(2024, 11, 30)),
        (date(2023, 12, 31), date(2024, 3, 31)),
        (date(2024, 3, 1), date(2024, 6, 1)),
    ],
)
def test_the_waiting_flag_is_raised_at_exactly_three_months(approved_on, flag_on):
    assert waiting_flag_on(approved_on, standard_on(approved_on)) == flag_on


def test_a_review_is_due_twelve_months_after_approval_or_the_last_review():
    standard = standard_on(date(2024, 2, 29))
    assert review_due_on(date(2024, 2, 29), None, standard) == date(2025, 2, 28)
    assert review_due_on(date(2024, 2, 29), date(2025, 3, 10), standard) == date(2026, 3, 10)


# --- configuration by period -------------------------------------------------------------------------------------


@pytest.fixture
def standard_2024(db):
    """A second standard from 1 April 2024, different in every number."""
    return TimelinessStandard.objects.create(
        effective_from=date(2024, 4, 1),
        stage1_months=3,
        stage2_months=5,
        stage2_extended_months=8,
        waiting_flag_months=2,
        review_months=6,
    )


def test_a_later_standard_applies_to_households_that_started_after_it(raa, manager, standard_2024):
    today = date(2024, 5, 15)
    before = bare_household(raa, name="Before", status=S.STAGE_1, stage1_started_on=date(2024, 3, 31))
    after = bare_household(raa, name="After", status=S.STAGE_1, stage1_started_on=date(2024, 4, 1))
    fast = bare_household(raa, name="Fast", status=S.STAGE_2, route=FAST_TRACK, stage2_started_on=date(2024, 4, 1))
    # Started stage 1 under the old standard: stage 2 keeps the old four months, though it began after 1 April.
    straddles = bare_household(
        raa,
        name="Straddles",
        status=S.STAGE_2,
        stage1_started_on=date(2024, 1, 2),
        stage1_ended_on=date(2024, 3, 1),
        stage2_started_on=date(2024, 4, 2),
    )
    expected = {
        before.pk: date(2024, 5, 31),  # 2 months
        after.pk: date(2024, 7, 1),  # 3 months
        fast.pk: date(2024, 9, 1),  # 5 months
        straddles.pk: date(2024, 8, 2),  # 4 months
    }
    in_database = dict(selectors.with_stage_due(Household.objects.all(), today).values_list("pk", "stage_due_on"))
    assert in_database == expected
    for household in Household.objects.all():
        timeliness = household_timeliness(household, [], today=today)
        current = timeliness.stage1 if household.status == S.STAGE_1 else timeliness.stage2
        assert current.due_on == expected[household.pk], household.name


def test_a_later_standard_sets_the_waiting_flag_and_reviews_of_families_approved_after_it(raa, manager, standard_2024):
    old = bare_household(raa, name="Old", status=S.APPROVED, approved_on=date(2024, 3, 31))
    new = bare_household(raa, name="New", status=S.APPROVED, approved_on=date(2024, 4, 1))
    flags = dict(selectors.waiting_households(actor=manager, today=date(2024, 6, 1)).values_list("name", "flag_on"))
    assert flags == {"Old": date(2024, 6, 30), "New": date(2024, 6, 1)}
    assert waiting_flag_on(old.approved_on, standard_on(old.approved_on)) == date(2024, 6, 30)
    assert waiting_flag_on(new.approved_on, standard_on(new.approved_on)) == date(2024, 6, 1)
    assert list(selectors.waiting_households(actor=manager, today=date(2024, 6, 1), flagged_only=True)) == [new]
    # Reviews: 12 months for the old family, 6 for the new one.
    assert list(selectors.reviews_due(actor=manager, today=date(2024, 10, 1))) == [new]
    assert set(selectors.reviews_due(actor=manager, today=date(2025, 3, 31))) == {old, new}


def test_a_household_that_started_before_every_standard_uses_the_earliest(raa, standard_2024):
    household = bare_household(raa, status=S.STAGE_1, stage1_started_on=date(2013, 6, 3))
    assert household_timeliness(household, [], today=date(2013, 7, 1)).stage1.due_on == date(2013, 8, 3)
    row = selectors.with_stage_due(Household.objects.filter(pk=household.pk), date(2013, 7, 1)).get()
    assert row.stage_due_on == date(2013, 8, 3)


# --- the database and Python agree -----------------------------------------------------------------------------


def assert_lists_agree_with_pages(actor, today: date) -> tuple[int, int]:
    """Every household's stage due date and waiting flag, as the lists compute them and as a page does.

    Returns how many stage due dates and waiting flags were compared, so a test knows none was skipped.
    """
    stages = waiting = 0
    for household in selectors.with_stage_due(Household.objects.all(), today).prefetch_related("pauses"):
        timeliness = household_timeliness(household, household.pauses.all(), today=today)
        current = {S.STAGE_1: timeliness.stage1, S.STAGE_2: timeliness.stage2}.get(household.status)
        assert household.stage_due_on == (current.due_on if current else None), household.name
        if current:
            paused = household.stage1_paused if household.status == S.STAGE_1 else household.stage2_paused
            assert paused == current.paused_days, household.name
            stages += 1
    for household in selectors.waiting_households(actor=actor, today=today):
        flag_on = waiting_flag_on(household.approved_on, standard_on(household.approved_on))
        assert household.flag_on == flag_on, household.name
        assert household.flagged == (flag_on <= today), household.name
        assert household.days_waiting == (today - household.approved_on).days
        waiting += 1
    return stages, waiting


# (status, route, start of the current stage, extension reason, pauses (stage, from, to), today, due date by hand)
HAND_BUILT = [
    (S.STAGE_1, STANDARD, date(2023, 12, 31), "", [], date(2024, 1, 5), date(2024, 2, 29)),
    (S.STAGE_1, STANDARD, date(2024, 12, 31), "", [], date(2025, 1, 5), date(2025, 2, 28)),
    (S.STAGE_1, STANDARD, date(2024, 2, 29), "", [], date(2024, 3, 5), date(2024, 4, 29)),
    (S.STAGE_1, STANDARD, date(2024, 1, 31), "", [], date(2024, 2, 5), date(2024, 3, 31)),
    (S.STAGE_1, STANDARD, date(2024, 1, 10), "", [(1, date(2024, 1, 20), date(2024, 1, 30))], date(2024, 2, 5),
     date(2024, 3, 20)),
    (S.STAGE_1, STANDARD, date(2024, 1, 10), "", [(1, date(2024, 1, 20), date(2024, 1, 30)),
                                                   (1, date(2024, 2, 1), None)], date(2024, 2, 15), date(2024, 4, 3)),
    (S.STAGE_2, STANDARD, date(2024, 10, 31), "", [], date(2024, 11, 5), date(2025, 2, 28)),
    (S.STAGE_2, STANDARD, date(2024, 10, 31), "Court case", [], date(2024, 11, 5), date(2025, 4, 30)),
    (S.STAGE_2, FAST_TRACK, date(2024, 2, 29), "Medical", [], date(2024, 3, 5), date(2024, 8, 29)),
    (S.STAGE_2, STANDARD, date(2023, 12, 31), "", [(1, date(2023, 11, 1), date(2023, 11, 11)),
                                                   (2, date(2024, 1, 2), None)], date(2024, 1, 9), date(2024, 5, 7)),
]  # fmt: skip


@pytest.mark.parametrize(("status", "route", "started", "extension", "pauses", "today", "due"), HAND_BUILT)
def test_hand_built_due_dates_in_python_and_in_the_database(
    raa, manager, status, route, started, extension, pauses, today, due
):
    fields = {"stage1_started_on": started} if status == S.STAGE_1 else {"stage2_started_on": started}
    if status == S.STAGE_2 and route == STANDARD:
        fields |= {"stage1_started_on": date(2023, 9, 1), "stage1_ended_on": date(2023, 11, 30)}
    household = bare_household(raa, status=status, route=route, stage2_extension_reason=extension, **fields)
    for stage, begin, end in pauses:
        Pause.objects.create(household=household, stage=stage, started_on=begin, ended_on=end, reason="Family illness")
    row = selectors.with_stage_due(Household.objects.filter(pk=household.pk), today).get()
    assert row.stage_due_on == due
    assert assert_lists_agree_with_pages(manager, today) == (1, 0)


@pytest.mark.parametrize(
    ("approved_on", "today", "flag_on", "flagged"),
    [
        (date(2023, 11, 30), date(2024, 2, 28), date(2024, 2, 29), False),
        (date(2023, 11, 30), date(2024, 2, 29), date(2024, 2, 29), True),
        (date(2024, 5, 31), date(2024, 8, 31), date(2024, 8, 31), True),
        (date(2024, 11, 30), date(2025, 2, 27), date(2025, 2, 28), False),
        (date(2020, 2, 29), date(2020, 5, 29), date(2020, 5, 29), True),
    ],
)
def test_waiting_flag_in_the_database_matches_the_hand_count(raa, manager, approved_on, today, flag_on, flagged):
    bare_household(raa, status=S.APPROVED, approved_on=approved_on)
    row = selectors.waiting_households(actor=manager, today=today).get()
    assert (row.flag_on, row.flagged) == (flag_on, flagged)
    assert assert_lists_agree_with_pages(manager, today) == (0, 1)


def test_pauses_that_do_not_extend_deadlines_are_ignored_in_the_database_too(raa, manager):
    TimelinessStandard.objects.update(pauses_extend_deadlines=False)
    household = bare_household(raa, status=S.STAGE_1, stage1_started_on=date(2024, 1, 10))
    Pause.objects.create(
        household=household, stage=1, started_on=date(2024, 1, 20), ended_on=date(2024, 1, 30), reason="Illness"
    )
    row = selectors.with_stage_due(Household.objects.all(), date(2024, 2, 5)).get()
    assert (row.stage_due_on, row.stage1_paused) == (date(2024, 3, 10), 10)
    assert assert_lists_agree_with_pages(manager, date(2024, 2, 5)) == (1, 0)


@st.composite
def journeys(draw):
    """A household in stage 1 or 2 started 2019 to 2028, with pauses, an approved family, and maybe a new standard."""
    stage = draw(st.sampled_from([1, 2]))
    started = draw(st.dates(date(2019, 1, 1), date(2028, 12, 31)))
    pauses, cursor = [], started
    for _ in range(draw(st.integers(0, 3))):
        begin = cursor + timedelta(days=draw(st.integers(0, 45)))
        cursor = begin + timedelta(days=draw(st.integers(1, 60)))
        pauses.append([stage, begin, cursor])
    if pauses and draw(st.booleans()):
        pauses[-1][2] = None  # still paused
    today = cursor + timedelta(days=draw(st.integers(0, 250)))
    return {
        "stage": stage,
        "route": draw(st.sampled_from([STANDARD, FAST_TRACK])) if stage == 2 else STANDARD,
        "started": started,
        "extension": draw(st.sampled_from(["", "Awaiting a second medical"])) if stage == 2 else "",
        "pauses": pauses,
        "today": today,
        "approved_on": draw(st.dates(date(2019, 1, 1), today)),
        "extend_for_pauses": draw(st.booleans()),
        "second_standard": draw(
            st.none()
            | st.fixed_dictionaries(
                {
                    "effective_from": st.dates(date(2019, 1, 1), date(2028, 12, 31)),
                    "stage1_months": st.integers(1, 4),
                    "stage2_months": st.integers(3, 6),
                    "stage2_extended_months": st.integers(6, 9),
                    "waiting_flag_months": st.integers(1, 6),
                    "pauses_extend_deadlines": st.booleans(),
                }
            )
        ),
    }


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(journey=journeys())
def test_random_journeys_agree_in_the_database_and_in_python(raa, manager, journey):
    with transaction.atomic():
        TimelinessStandard.objects.update(pauses_extend_deadlines=journey["extend_for_pauses"])
        if journey["second_standard"]:
            TimelinessStandard.objects.create(**journey["second_standard"])
        started = journey["started"]
        if journey["stage"] == 1:
            fields = {"status": S.STAGE_1, "stage1_started_on": started}
        else:
            fields = {"status": S.STAGE_2, "stage2_started_on": started}
            if journey["route"] == STANDARD:
                # Stage 1 three months earlier, with a pause of its own that must not count against stage 2.
                fields |= {"stage1_started_on": started - timedelta(days=92), "stage1_ended_on": started}
        household = bare_household(raa, route=journey["route"], stage2_extension_reason=journey["extension"], **fields)
        if journey["stage"] == 2 and journey["route"] == STANDARD:
            Pause.objects.create(
                household=household,
                stage=1,
                started_on=started - timedelta(days=60),
                ended_on=started - timedelta(days=50),
                reason="Holiday",
            )
        for stage, begin, end in journey["pauses"]:
            Pause.objects.create(household=household, stage=stage, started_on=begin, ended_on=end, reason="Illness")
        bare_household(raa, name="Waiting family", status=S.APPROVED, approved_on=journey["approved_on"])
        assert assert_lists_agree_with_pages(manager, journey["today"]) == (1, 1)
        transaction.set_rollback(True)
