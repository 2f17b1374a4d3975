"""Checks and their due dates, and the lists assessing teams work from: outstanding checks, the
pipeline board, the household search and the reviews due. Each list is compared with a set of
households built by hand, so the expected rows and counts are written out in the test.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError

from adopters import selectors, services
from adopters.models import Check, CheckTurnaround, Household, Pause, Review
from adoption.models import Role
from tests import factories
from tests.adopters.conftest import TODAY, bare_household, household_at

S = Household.Status
FAST_TRACK = Household.Route.FAST_TRACK

pytestmark = pytest.mark.django_db


@pytest.fixture
def adams(raa):
    return factories.staff(
        raa, Role.ASSESSING_SOCIAL_WORKER, username="asw.adams", first_name="Alex", last_name="Adams"
    )


@pytest.fixture
def brown(raa):
    return factories.staff(raa, Role.ASSESSING_SOCIAL_WORKER, username="asw.brown", first_name="Bea", last_name="Brown")


def check_due(household: Household, kind: str, due_on: date, **fields) -> Check:
    """A check on the household's first applicant, requested four weeks before it is due."""
    return factories.CheckFactory(
        applicant=household.applicants.first(),
        kind=kind,
        requested_on=due_on - timedelta(days=28),
        due_on=due_on,
        **fields,
    )


# --- checks --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "due_on"),
    [
        ("dbs", date(2025, 2, 28)),  # 28 days
        ("medical", date(2025, 3, 14)),  # 42 days
        ("reference", date(2025, 2, 28)),
        ("la_check", date(2025, 2, 28)),
        ("employer", date(2025, 2, 21)),  # 21 days
        ("ex_partner", date(2025, 2, 28)),
    ],
)
def test_a_check_is_due_after_the_configured_turnaround(frozen_today, raa, assessing_social_worker, kind, due_on):
    applicant = household_at(S.STAGE_1, raa, checks=False).applicants.get()
    check = services.check_request(
        actor=assessing_social_worker, applicant_id=applicant.pk, kind=kind, requested_on=date(2025, 1, 31)
    )
    assert (check.requested_on, check.due_on, check.received_on) == (date(2025, 1, 31), due_on, None)


def test_a_new_turnaround_applies_to_checks_requested_from_its_date(frozen_today, raa, assessing_social_worker):
    CheckTurnaround.objects.create(kind="dbs", effective_from=date(2025, 3, 1), days=14)
    applicant = household_at(S.STAGE_1, raa, checks=False).applicants.get()

    def due(requested_on: date) -> date:
        return services.check_request(
            actor=assessing_social_worker, applicant_id=applicant.pk, kind="dbs", requested_on=requested_on
        ).due_on

    assert due(date(2025, 2, 28)) == date(2025, 3, 28)  # the 28 days in force when it was asked for
    assert due(date(2025, 3, 1)) == date(2025, 3, 15)  # 14 days


def test_a_check_cannot_be_requested_before_interest_is_registered(frozen_today, raa, assessing_social_worker):
    applicant = household_at(S.STAGE_1, raa, checks=False).applicants.get()
    with pytest.raises(ValidationError) as caught:
        services.check_request(
            actor=assessing_social_worker, applicant_id=applicant.pk, kind="dbs", requested_on=date(2025, 1, 5)
        )
    assert caught.value.message_dict == {
        "requested_on": ["Checks are requested once interest is registered (6 January 2025)"]
    }
    assert not Check.objects.exists()


@pytest.mark.parametrize(
    ("received_on", "message"),
    [
        (date(2025, 3, 1), "This check came back 1 day late: choose the reason"),
        (date(2025, 3, 3), "This check came back 3 days late: choose the reason"),
    ],
)
def test_a_check_back_late_needs_a_reason(frozen_today, raa, assessing_social_worker, received_on, message):
    household = household_at(S.STAGE_1, raa, checks=False)
    check = check_due(household, "dbs", date(2025, 2, 28))
    with pytest.raises(ValidationError) as caught:
        services.check_receive(
            actor=assessing_social_worker, check_id=check.pk, received_on=received_on, outcome="satisfactory"
        )
    assert caught.value.message_dict == {"delay_reason": [message]}
    check.refresh_from_db()
    assert (check.received_on, check.outcome, check.delay_reason) == (None, "", "")

    received = services.check_receive(
        actor=assessing_social_worker,
        check_id=check.pk,
        received_on=received_on,
        outcome="satisfactory",
        delay_reason=Check.DelayReason.DBS_BACKLOG,
    )
    received.refresh_from_db()
    assert (received.received_on, received.delay_reason) == (received_on, "dbs_backlog")


def test_a_check_back_on_its_due_date_needs_no_reason(frozen_today, raa, assessing_social_worker):
    check = check_due(household_at(S.STAGE_1, raa, checks=False), "medical", date(2025, 2, 28))
    services.check_receive(
        actor=assessing_social_worker, check_id=check.pk, received_on=date(2025, 2, 28), outcome="concerns"
    )
    check.refresh_from_db()
    assert (check.received_on, check.outcome, check.delay_reason) == (date(2025, 2, 28), "concerns", "")


def test_a_reason_recorded_while_the_check_was_out_is_kept(frozen_today, raa, assessing_social_worker):
    check = check_due(household_at(S.STAGE_1, raa, checks=False), "medical", date(2025, 2, 28))
    services.check_delay_record(actor=assessing_social_worker, check_id=check.pk, delay_reason="gp")
    services.check_receive(
        actor=assessing_social_worker, check_id=check.pk, received_on=date(2025, 3, 20), outcome="satisfactory"
    )
    check.refresh_from_db()
    assert (check.received_on, check.delay_reason) == (date(2025, 3, 20), "gp")
    assert selectors.late_checks_by_reason(actor=assessing_social_worker, since=date(2025, 1, 1), today=TODAY) == [
        {"kind": "Medical (agency medical adviser)", "reason": "Waiting for the GP's report", "n": 1}
    ]


# --- outstanding checks -------------------------------------------------------------------------------------------


@pytest.fixture
def checks_out(raa, vaa, adams, brown, vaa_worker):
    """Checks of households at every point, by hand. Today is 30 June 2025."""
    brown_stage1 = household_at(S.STAGE_1, raa, checks=False, assessing_worker=brown)
    adams_stage2 = household_at(S.STAGE_2, raa, checks=False, assessing_worker=adams)
    adams_approved = household_at(S.APPROVED, raa, checks=False, assessing_worker=adams)
    adams_left = household_at(S.LEFT, raa, checks=False, assessing_worker=adams)
    unallocated = household_at(S.STAGE_1, raa, checks=False)
    vaa_stage1 = household_at(S.STAGE_1, vaa, checks=False, assessing_worker=vaa_worker)
    received = {"received_on": date(2025, 5, 10), "outcome": "satisfactory"}
    return {
        "brown_dbs": check_due(brown_stage1, "dbs", date(2025, 6, 1)),  # 29 days overdue
        "brown_medical": check_due(brown_stage1, "medical", date(2025, 6, 30)),  # due today: not overdue yet
        "brown_la_check": check_due(brown_stage1, "la_check", date(2025, 5, 1), **received),
        "adams_reference": check_due(adams_stage2, "reference", date(2025, 6, 20)),  # 10 days
        "adams_employer": check_due(adams_stage2, "employer", date(2025, 6, 10)),  # 20 days
        "approved_ex_partner": check_due(adams_approved, "ex_partner", date(2025, 3, 1)),  # no longer in assessment
        "left_dbs": check_due(adams_left, "dbs", date(2025, 1, 20)),  # left the process
        "unallocated_dbs": check_due(unallocated, "dbs", date(2025, 6, 25)),  # 5 days
        "vaa_dbs": check_due(vaa_stage1, "dbs", date(2025, 6, 15)),
    }


def listed(checks) -> list[tuple[int, int]]:
    return [(check.pk, check.days_overdue) for check in checks]


def test_outstanding_checks_are_the_overdue_ones_of_households_in_assessment_by_worker(
    checks_out, manager, adams, brown
):
    c = checks_out
    rows = selectors.outstanding_checks(actor=manager, today=TODAY)
    assert listed(rows) == [
        (c["adams_employer"].pk, 20),
        (c["adams_reference"].pk, 10),
        (c["brown_dbs"].pk, 29),
        (c["unallocated_dbs"].pk, 5),
    ]
    assert [row.applicant.household.assessing_worker for row in rows] == [adams, adams, brown, None]


def test_outstanding_checks_not_yet_due_and_for_one_worker(checks_out, manager, adams):
    c = checks_out
    assert listed(selectors.outstanding_checks(actor=manager, today=TODAY, overdue_only=False)) == [
        (c["adams_employer"].pk, 20),
        (c["adams_reference"].pk, 10),
        (c["brown_dbs"].pk, 29),
        (c["brown_medical"].pk, 0),
        (c["unallocated_dbs"].pk, 5),
    ]
    assert listed(selectors.outstanding_checks(actor=manager, today=TODAY, worker=adams.pk)) == [
        (c["adams_employer"].pk, 20),
        (c["adams_reference"].pk, 10),
    ]


def test_outstanding_checks_are_scoped_to_the_agency(checks_out, vaa_worker, social_worker_a, family_finder):
    assert listed(selectors.outstanding_checks(actor=vaa_worker, today=TODAY)) == [(checks_out["vaa_dbs"].pk, 15)]
    assert listed(selectors.outstanding_checks(actor=social_worker_a, today=TODAY)) == []
    assert len(listed(selectors.outstanding_checks(actor=family_finder, today=TODAY))) == 4  # RAA-wide


# --- the pipeline board -------------------------------------------------------------------------------------------


@pytest.fixture
def pipeline_households(raa, vaa):
    """Households at each stage, some overdue. Today is 30 June 2025."""
    for _ in range(2):
        household_at(S.ENQUIRY, raa)
    household_at(S.REGISTERED, raa)
    household_at(S.STAGE_1, raa, stage1_started_on=date(2025, 4, 30))  # due 30 June: today, not overdue
    household_at(S.STAGE_1, raa, stage1_started_on=date(2025, 4, 29))  # due 29 June: overdue
    paused = household_at(S.STAGE_1, raa, stage1_started_on=date(2025, 4, 1))  # due 1 June + 40 days paused
    Pause.objects.create(
        household=paused, stage=1, started_on=date(2025, 5, 1), ended_on=date(2025, 6, 10), reason="Surgery"
    )
    household_at(S.BETWEEN_STAGES, raa)
    household_at(S.STAGE_2, raa, route=FAST_TRACK, stage2_started_on=date(2025, 2, 1))  # due 1 June: overdue
    household_at(
        S.STAGE_2, raa, route=FAST_TRACK, stage2_started_on=date(2025, 2, 1), stage2_extension_reason="Medical"
    )  # due 1 August
    household_at(S.AWAITING_DECISION, raa)
    for _ in range(2):
        household_at(S.APPROVED, raa)
    household_at(S.MATCHED, raa)
    household_at(S.LEFT, raa)
    household_at(S.ADOPTED, raa)
    household_at(S.STAGE_1, vaa, stage1_started_on=date(2025, 1, 13))  # another agency's, overdue


def test_the_pipeline_counts_each_stage_and_its_overdue_households(pipeline_households, manager):
    board = {row["status"]: (row["count"], row["overdue"]) for row in selectors.pipeline(actor=manager, today=TODAY)}
    assert board == {
        S.ENQUIRY: (2, 0),
        S.REGISTERED: (1, 0),
        S.STAGE_1: (3, 1),
        S.BETWEEN_STAGES: (1, 0),
        S.STAGE_2: (2, 1),
        S.AWAITING_PANEL: (0, 0),
        S.AWAITING_DECISION: (1, 0),
        S.APPROVED: (2, 0),
        S.MATCHED: (1, 0),
        S.PLACED: (0, 0),
    }
    labels = [row["label"] for row in selectors.pipeline(actor=manager, today=TODAY)]
    assert labels[:3] == ["Enquiry", "Registration of interest accepted", "Stage 1"]


def test_the_pipeline_a_day_later(pipeline_households, manager):
    board = {row["status"]: row["overdue"] for row in selectors.pipeline(actor=manager, today=date(2025, 7, 1))}
    assert (board[S.STAGE_1], board[S.STAGE_2]) == (2, 1)


def test_the_pipeline_is_scoped_to_the_agency(pipeline_households, vaa_worker, social_worker_a):
    vaa_board = {
        row["status"]: (row["count"], row["overdue"]) for row in selectors.pipeline(actor=vaa_worker, today=TODAY)
    }
    assert vaa_board[S.STAGE_1] == (1, 1)
    assert sum(count for count, _ in vaa_board.values()) == 1
    assert sum(row["count"] for row in selectors.pipeline(actor=social_worker_a, today=TODAY)) == 0


# --- the household search -----------------------------------------------------------------------------------------


@pytest.fixture
def searchable(raa, vaa, adams, brown):
    patel = bare_household(
        raa,
        name="Patel household",
        reference="HH-000101",
        status=S.STAGE_1,
        registered_on=date(2025, 3, 3),
        stage1_started_on=date(2025, 4, 1),  # due 1 June: overdue
        assessing_worker=adams,
    )
    factories.ApplicantFactory(household=patel, first_name="Priya", last_name="Patel")
    factories.ApplicantFactory(household=patel, first_name="Sam", last_name="Patel")
    nowak = bare_household(
        raa,
        name="Nowak household",
        reference="HH-000102",
        status=S.STAGE_2,
        route=FAST_TRACK,
        stage2_started_on=date(2025, 5, 12),  # due 12 September
        assessing_worker=brown,
    )
    factories.ApplicantFactory(household=nowak, first_name="Marta", last_name="Nowak")
    smith_jones = bare_household(
        raa, name="Smith-Jones household", reference="HH-000042", status=S.APPROVED, approved_on=date(2025, 1, 9)
    )
    factories.ApplicantFactory(household=smith_jones, first_name="Chris", last_name="Smith")
    factories.ApplicantFactory(household=smith_jones, first_name="Pat", last_name="Jones")
    vaa_patel = bare_household(vaa, name="Patel family", reference="VA-000001", status=S.STAGE_1)
    factories.ApplicantFactory(household=vaa_patel, first_name="Anil", last_name="Patel")
    return {"patel": patel, "nowak": nowak, "smith_jones": smith_jones, "vaa_patel": vaa_patel}


def names(actor, **filters) -> list[str]:
    return [h.name for h in selectors.household_search(actor=actor, today=TODAY, **filters)]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, ["Nowak household", "Patel household", "Smith-Jones household"]),
        ({"q": "patel"}, ["Patel household"]),  # two applicants match, one row
        ({"q": "PRIYA"}, ["Patel household"]),
        ({"q": "marta"}, ["Nowak household"]),
        ({"q": "pat"}, ["Patel household", "Smith-Jones household"]),  # Pat Jones
        ({"q": "chris jones"}, ["Smith-Jones household"]),  # every word matches somewhere
        ({"q": "priya jones"}, []),
        ({"q": "HH-000042"}, ["Smith-Jones household"]),
        ({"q": "0010"}, ["Nowak household", "Patel household"]),
        ({"status": S.STAGE_2}, ["Nowak household"]),
        ({"status": S.APPROVED}, ["Smith-Jones household"]),
        ({"route": FAST_TRACK}, ["Nowak household"]),
        ({"route": Household.Route.STANDARD}, ["Patel household", "Smith-Jones household"]),
        ({"overdue": True}, ["Patel household"]),
        ({"sort": "due"}, ["Patel household", "Nowak household", "Smith-Jones household"]),
        ({"sort": "reference"}, ["Smith-Jones household", "Patel household", "Nowak household"]),
    ],
)
def test_household_search(searchable, manager, filters, expected):
    assert names(manager, **filters) == expected


def test_household_search_by_worker(searchable, manager, adams, brown):
    assert names(manager, worker=adams.pk) == ["Patel household"]
    assert names(manager, worker=brown.pk) == ["Nowak household"]
    assert names(manager, worker=adams.pk, overdue=True) == ["Patel household"]
    assert names(manager, worker=brown.pk, overdue=True) == []


def test_household_search_shows_the_due_date(searchable, manager):
    due = {h.name: h.stage_due_on for h in selectors.household_search(actor=manager, today=TODAY)}
    assert due == {
        "Patel household": date(2025, 6, 1),
        "Nowak household": date(2025, 9, 12),
        "Smith-Jones household": None,
    }


def test_household_search_is_scoped(searchable, vaa_worker, social_worker_a):
    assert names(vaa_worker, q="patel") == ["Patel family"]
    assert names(vaa_worker) == ["Patel family"]
    assert names(social_worker_a) == []


# --- reviews due --------------------------------------------------------------------------------------------------


@pytest.fixture
def families(raa, vaa):
    """Approved families and their reviews. Today is 30 June 2025."""

    def family(name: str, status: str, approved_on: date, *reviews: date, agency=raa) -> Household:
        household = bare_household(agency, name=name, status=status, approved_on=approved_on)
        for held_on in reviews:
            Review.objects.create(household=household, held_on=held_on, outcome=Review.Outcome.CONTINUE)
        return household

    return {
        "due_today": family("Due today", S.APPROVED, date(2024, 6, 30)),
        "due_tomorrow": family("Due tomorrow", S.APPROVED, date(2024, 7, 1)),
        "reviewed_and_due": family("Reviewed, due again", S.MATCHED, date(2023, 5, 15), date(2024, 5, 15)),
        "reviewed_recently": family("Reviewed recently", S.APPROVED, date(2023, 5, 15), date(2024, 8, 1)),
        "placed": family("Placed", S.PLACED, date(2023, 1, 2)),
        "leap_day": family("Leap day", S.APPROVED, date(2024, 2, 29)),
        "leap_day_reviewed": family(
            "Leap day, reviewed", S.APPROVED, date(2024, 2, 29), date(2024, 9, 1), date(2025, 2, 28)
        ),
        "vaa": family("VAA family", S.APPROVED, date(2023, 1, 2), agency=vaa),
    }


def test_reviews_due_twelve_months_after_approval_or_the_last_review(families, manager):
    due = [(h.name, h.review_due_on) for h in selectors.reviews_due(actor=manager, today=TODAY)]
    assert due == [
        ("Leap day", date(2025, 2, 28)),
        ("Reviewed, due again", date(2025, 5, 15)),
        ("Due today", date(2025, 6, 30)),
    ]
    for household in selectors.reviews_due(actor=manager, today=TODAY):
        summary = selectors.household_summary(household, today=TODAY)
        assert summary.review_due_on == household.review_due_on, household.name


def test_a_review_recorded_today_takes_the_family_off_the_list(frozen_today, families, manager):
    services.review_record(actor=manager, household_id=families["due_today"].pk, held_on=TODAY, outcome="continue")
    assert [h.name for h in selectors.reviews_due(actor=manager, today=TODAY)] == ["Leap day", "Reviewed, due again"]
    assert selectors.household_summary(families["due_today"], today=TODAY).review_due_on == date(2026, 6, 30)


def test_reviews_due_are_scoped(families, vaa_worker):
    assert [h.name for h in selectors.reviews_due(actor=vaa_worker, today=TODAY)] == ["VAA family"]
