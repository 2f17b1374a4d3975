"""The child list's leaner query shapes give the same children as the full list.

``stage_filter`` tests each stage as EXISTS and NOT EXISTS instead of computing every child's journey dates; the page
(``child_list_page``) and the API list (``child_list(dates_only=True)``) select only the journey dates. None of this
may change who is listed, in what order, or the stage and days waiting shown.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
import time_machine
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from children import selectors
from children.journey import Stage, days_waiting, stage_of
from children.models import AdoptionDecision, Child, PermanenceOutcome
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = date(2025, 6, 30)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(datetime(2025, 6, 30, 12, 0, tzinfo=UTC), tick=False):
        yield


@given(
    care=st.sampled_from(["none", "in_care", "left", "left_then_back", "back_then_left"]),
    decisions=st.sampled_from(["none", "open", "reversed", "reversed_then_open"]),
    order=st.booleans(),
    match=st.sampled_from(["none", "matched", "placed", "ended", "ended_then_matched"]),
    outcome=st.sampled_from(["none", "adoption_order", "sgo", "both"]),
    born=st.booleans(),
)
@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_the_stage_filter_picks_exactly_the_stage_of_any_journey(
    social_worker_a, la_a, care, decisions, order, match, outcome, born
):
    """Several records of a kind too (a reversed and an open decision, an ended and a current placement, an earlier
    period of care open and the latest ended): the child is listed under its own stage and under no other."""
    with transaction.atomic():
        child = factories.ChildFactory(
            responsible_la=la_a,
            first_name="Any",
            last_name="Child",
            date_of_birth=date(2021, 1, 1) if born else None,
            expected_date_of_birth=None if born else date(2025, 8, 1),
        )
        periods = {
            "none": [],
            "in_care": [(date(2022, 1, 1), None)],
            "left": [(date(2022, 1, 1), date(2023, 1, 1))],
            "left_then_back": [(date(2021, 6, 1), date(2021, 12, 1)), (date(2022, 1, 1), None)],
            "back_then_left": [(date(2021, 6, 1), None), (date(2022, 1, 1), date(2023, 1, 1))],
        }[care]
        for started, ended in periods:
            factories.PeriodOfCareFactory(
                child=child, started_on=started, ended_on=ended, reason_ended="E4A" if ended else ""
            )
        if decisions in ("reversed", "reversed_then_open"):
            AdoptionDecision.objects.create(
                child=child, decided_on=date(2022, 3, 1), reversed_on=date(2022, 5, 1), reversal_reason="RD4"
            )
        if decisions in ("open", "reversed_then_open"):
            AdoptionDecision.objects.create(child=child, decided_on=date(2022, 6, 1))
        if order:
            factories.PlacementOrderFactory(child=child, made_on=date(2022, 9, 1))
        if match == "ended_then_matched":
            factories.AdoptivePlacementFactory(
                child=child, matched_on=date(2023, 1, 1), placed_on=date(2023, 1, 15), ended_on=date(2023, 2, 1)
            )
        if match != "none":
            factories.AdoptivePlacementFactory(
                child=child,
                matched_on=date(2023, 2, 1),
                placed_on=None if match in ("matched", "ended_then_matched") else date(2023, 3, 1),
                ended_on=date(2023, 4, 1) if match == "ended" else None,
            )
        kinds = {"none": [], "adoption_order": ["adoption_order"], "sgo": ["sgo"], "both": ["sgo", "adoption_order"]}
        for kind in kinds[outcome]:
            PermanenceOutcome.objects.create(child=child, kind=kind, made_on=date(2024, 1, 1))
        row = selectors.child_list(actor=social_worker_a).get(pk=child.pk)
        expected = stage_of(selectors.journey_dates(row))
        assert row.journey_stage == expected
        listed_under = {
            stage for stage in Stage.values if Child.objects.filter(selectors.stage_filter(stage), pk=child.pk).exists()
        }
        assert listed_under == {expected}
        transaction.set_rollback(True)


def test_an_unknown_stage_lists_nobody(social_worker_a, la_a):
    factories.ChildFactory(responsible_la=la_a)
    assert not selectors.child_list(actor=social_worker_a, stage="no_such_stage").exists()
    assert not selectors.child_list(actor=social_worker_a, stage="no_such_stage", dates_only=True).exists()


@pytest.fixture
def children(la_a, la_b):
    """Children of both LAs at a few stages, with names that sort in a known order."""
    made = {}
    for name, la, care, decision, order in [
        ("Amy Able", la_a, date(2024, 1, 1), date(2024, 6, 1), date(2024, 7, 1)),
        ("Ben Able", la_a, date(2024, 1, 1), date(2025, 3, 1), None),
        ("Cal Brown", la_b, date(2023, 1, 1), date(2023, 6, 1), date(2023, 8, 1)),
        ("Dee Brown", la_a, date(2024, 2, 1), None, None),
        ("Eve Cole", la_a, None, None, None),
    ]:
        first, last = name.split()
        child = factories.ChildFactory(
            responsible_la=la, first_name=first, last_name=last, date_of_birth=date(2021, 5, 1)
        )
        if care:
            factories.PeriodOfCareFactory(child=child, started_on=care)
        if decision:
            factories.AdoptionDecisionFactory(child=child, decided_on=decision)
        if order:
            factories.PlacementOrderFactory(child=child, made_on=order)
        made[first] = child
    return made


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"stage": Stage.PLACEMENT_ORDER},
        {"stage": Stage.IN_CARE},
        {"sort": "-name"},
        {"sort": "waiting"},
        {"band": "over_18_months"},
        {"family_finding": "none", "sort": "date_of_birth"},
    ],
)
def test_the_page_and_the_api_list_are_the_full_list(family_finder, children, filters):
    """The same children in the same order, and the page's stage and days waiting are the full list's."""
    full = list(selectors.child_list(actor=family_finder, today=TODAY, **filters))
    lean = list(selectors.child_list(actor=family_finder, today=TODAY, dates_only=True, **filters))
    listed = selectors.child_list_page(actor=family_finder, number=1, page_size=3, today=TODAY, **filters)
    assert [c.pk for c in lean] == [c.pk for c in full]
    assert [row.child.pk for row in listed.rows] == [c.pk for c in full[:3]]
    assert listed.page.paginator.count == len(full)
    for row, child in zip(listed.rows, full, strict=False):
        assert row.stage == child.journey_stage
        assert row.days_waiting == days_waiting(selectors.journey_dates(child), TODAY)


def test_the_page_shows_the_stage_and_days_waiting(family_finder, children):
    """Worked by hand: Amy has a placement order (decision 1 June 2024: 394 days to 30 June 2025); Ben a decision
    only (1 March 2025: 121 days); Cal is LA B's, at the same stage as Amy."""
    listed = selectors.child_list_page(actor=family_finder, today=TODAY, stage=Stage.PLACEMENT_ORDER)
    assert [(row.child.first_name, row.stage, row.days_waiting) for row in listed.rows] == [
        ("Amy", Stage.PLACEMENT_ORDER, 394),
        ("Cal", Stage.PLACEMENT_ORDER, 760),
    ]
    listed = selectors.child_list_page(actor=family_finder, today=TODAY, stage=Stage.DECISION)
    assert [(row.child.first_name, row.days_waiting) for row in listed.rows] == [("Ben", 121)]
