"""Households at any point of the journey, built straight into the database, and a frozen "today".

``household_at`` skips the services on purpose: it is how a test gets a household to a status
quickly. The journey itself is walked through ``household_transition`` in ``test_workflow``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from adopters.models import Check, Household
from adopters.services import REQUIRED_CHECKS
from adoption.models import Role
from tests import factories

S = Household.Status
TODAY = date(2025, 6, 30)

# One consistent journey that ends before TODAY; each status adds its own dates to the ones before.
JOURNEY: tuple[tuple[str, dict[str, Any]], ...] = (
    (S.ENQUIRY, {"enquired_on": date(2025, 1, 2)}),
    (S.REGISTERED, {"registered_on": date(2025, 1, 6)}),
    (S.STAGE_1, {"stage1_started_on": date(2025, 1, 13)}),
    (S.BETWEEN_STAGES, {"stage1_ended_on": date(2025, 3, 10)}),
    (S.STAGE_2, {"stage2_notified_on": date(2025, 3, 17), "stage2_started_on": date(2025, 3, 24)}),
    (S.AWAITING_PANEL, {"stage2_ended_on": date(2025, 5, 30), "par_status": Household.ParStatus.COMPLETED}),
    (S.AWAITING_DECISION, {"panel_on": date(2025, 6, 10), "panel_recommendation": "suitable"}),
    (
        S.APPROVED,
        {
            "approved_on": date(2025, 6, 20),
            "approved_children_min": 1,
            "approved_children_max": 2,
            "approved_age_min": 0,
            "approved_age_max": 4,
        },
    ),
)
STAGE_1_ONLY = {"stage1_started_on", "stage1_ended_on", "stage2_notified_on"}
AFTER_APPROVAL = (S.MATCHED, S.PLACED, S.ADOPTED)
EMPTY_DATES = {
    "enquired_on": None,
    "registered_on": None,
    "approved_on": None,
}


def bare_household(agency, **fields: Any) -> Household:
    """A household with no dates but the ones given (the factory's defaults would clash with them)."""
    return factories.HouseholdFactory(approving_agency=agency, **{**EMPTY_DATES, **fields})


def household_at(
    status: str,
    agency,
    *,
    route: str = Household.Route.STANDARD,
    checks: bool = True,
    **fields: Any,
) -> Household:
    """A household that has reached ``status`` along ``JOURNEY`` (with one applicant, checks received)."""
    reached = {S.LEFT: S.STAGE_1, **dict.fromkeys(AFTER_APPROVAL, S.APPROVED)}.get(status, status)
    values: dict[str, Any] = {}
    for step, step_fields in JOURNEY:
        values.update(step_fields)
        if step == reached:
            break
    if route == Household.Route.FAST_TRACK and reached not in (S.STAGE_1, S.BETWEEN_STAGES):
        values = {name: value for name, value in values.items() if name not in STAGE_1_ONLY}
    if status == S.LEFT:
        values.update(
            left_on=date(2025, 2, 3), leaving_reason=Household.LeavingReason.WITHDREW, left_from_status=S.STAGE_1
        )
    household = bare_household(agency, status=status, route=route, **{**values, **fields})
    applicant = factories.ApplicantFactory(household=household, first_name="Jo", last_name="Okafor")
    if checks:
        for kind in REQUIRED_CHECKS:
            factories.CheckFactory(
                applicant=applicant,
                kind=kind,
                requested_on=date(2025, 1, 13),
                received_on=date(2025, 2, 3),
                outcome=Check.Outcome.SATISFACTORY,
            )
    return household


@pytest.fixture
def frozen_today():
    """Freeze the clock at midday on ``TODAY`` in England."""
    with time_machine.travel(datetime(2025, 6, 30, 12, 0, tzinfo=ZoneInfo("Europe/London")), tick=False):
        yield TODAY


@pytest.fixture
def deciding_manager(raa):
    """A manager who is also an agency decision maker: every step in the table is open to them."""
    user = factories.staff(raa, Role.MANAGER, username="manager.adm")
    factories.MembershipFactory(user=user, organisation=raa, role=Role.ADM)
    return user
