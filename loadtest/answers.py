"""What the simulated staff type into the pages' forms (plain data, checked against the real forms by
``tests/test_load_scenario.py``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Final

# What the simulated staff choose on the children's lists: the list's filters by stage (children.journey.Stage),
# the children-waiting page's tabs (children.selectors.lists.WaitingView), and the lists' second pages.
CHILD_LIST_QUERIES: Final[tuple[dict[str, str], ...]] = (
    {},
    {"page": "2"},
    {"stage": "in_care"},
    {"stage": "decision"},
)
WAITING_QUERIES: Final[tuple[dict[str, str], ...]] = ({}, {"view": "over_90_days"}, {"view": "order_18_months"})

FAMILY_FINDING_STATUSES: Final = ("active", "on_hold", "link_identified")
FAMILY_FINDING_NOTE: Final = "Reviewed at the team's family-finding meeting."


def family_finding(*, status: str, on: date) -> dict[str, str]:
    """The family-finding status form: ``status`` from the day ``on`` (the GOV.UK date input's three boxes)."""
    return {
        "status": status,
        "status_from_day": str(on.day),
        "status_from_month": str(on.month),
        "status_from_year": str(on.year),
        "note": FAMILY_FINDING_NOTE,
    }


# The stages (children.journey.Stage) at which an LA system records an ADM decision (in care, or after a reversal)
# or, at "decision", the decision's reversal: a cycle the journey's rules allow on one day, so it never runs out.
DECIDABLE_STAGES: Final = ("in_care", "reversed", "decision")


def next_decision_event(child: Mapping[str, Any], *, on: date) -> dict[str, str] | None:
    """The journey event an LA system records next on ``child`` (a row of the API's children list) on the day
    ``on``: a decision for a child in care or whose plan was reversed, the reversal of a decision; ``None`` for the
    rest. A child with a placement order is left alone: a new decision must come before its placement order (903
    rule 554), so the journey's rules refuse one made today."""
    if child["placement_order_on"] is not None or child["stage"] not in DECIDABLE_STAGES:
        return None
    if child["stage"] == "decision":
        return {"type": "adm_decision_reversal", "reversed_on": on.isoformat(), "reason": "RD1"}
    return {"type": "adm_decision", "decided_on": on.isoformat()}
