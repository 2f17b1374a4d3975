"""A child at each point of the journey, built through the services (as the pages would build them)."""

from __future__ import annotations

from datetime import date

import pytest

from children import services

ENTERED_CARE = date(2022, 1, 10)
DECISION = date(2022, 6, 1)
PLACEMENT_ORDER = date(2022, 9, 1)
MATCHED = date(2023, 1, 10)
PLACED = date(2023, 2, 1)


def date_fields(name: str, day: date | None = None, *, text: tuple[str, str, str] | None = None) -> dict[str, str]:
    """The three boxes of a GOV.UK date input as the browser posts them."""
    parts = text or ((str(day.day), str(day.month), str(day.year)) if day else ("", "", ""))
    return {f"{name}_day": parts[0], f"{name}_month": parts[1], f"{name}_year": parts[2]}


def enter_care(actor, child, on: date = ENTERED_CARE):
    return services.period_of_care_start(
        actor=actor, child_id=child.pk, started_on=on, legal_status="C2", category_of_need="N1", placement_type="U6"
    )


@pytest.fixture
def child_in_care(child_a, social_worker_a):
    enter_care(social_worker_a, child_a)
    return child_a


@pytest.fixture
def child_with_decision(child_in_care, social_worker_a):
    services.adoption_decision_record(actor=social_worker_a, child_id=child_in_care.pk, decided_on=DECISION)
    return child_in_care


@pytest.fixture
def child_with_order(child_with_decision, social_worker_a):
    services.placement_order_record(actor=social_worker_a, child_id=child_with_decision.pk, made_on=PLACEMENT_ORDER)
    return child_with_decision


@pytest.fixture
def child_placed(child_with_order, social_worker_a):
    services.adoptive_placement_record(
        actor=social_worker_a, child_id=child_with_order.pk, matched_on=MATCHED, placed_on=PLACED
    )
    return child_with_order
