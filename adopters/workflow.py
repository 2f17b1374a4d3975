"""The one transition table for a household's journey, and the messages when a move is not allowed.

Each row says which action moves a household from which statuses to which, on which route, who
may take it, which date it records, and what must already be true (the guards live in
``adopters.services``, which is the only caller). Matching, placement and the adoption order move
households on from "approved" through the children's journey.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models

from adopters.models import Household
from adoption.models import Role

S = Household.Status
R = Household.Route


class Action(models.TextChoices):
    ACCEPT_REGISTRATION = "accept-registration", "Accept the registration of interest"
    START_STAGE_1 = "start-stage-1", "Start stage 1"
    COMPLETE_STAGE_1 = "complete-stage-1", "Complete stage 1"
    START_STAGE_2 = "start-stage-2", "Start stage 2"
    COMPLETE_STAGE_2 = "complete-stage-2", "Complete stage 2"
    RECORD_PANEL = "record-panel", "Record the panel's recommendation"
    RECORD_DECISION = "record-decision", "Record the agency decision"
    LEAVE = "leave", "Record that they left the process"
    DEREGISTER = "deregister", "De-register the family"


ASSESSORS = frozenset({Role.ASSESSING_SOCIAL_WORKER, Role.MANAGER})
PANEL = frozenset({Role.PANEL_ADVISER, Role.MANAGER})
DECIDERS = frozenset({Role.ADM, Role.PANEL_ADVISER})
BOTH_ROUTES = frozenset(R.values)
BEFORE_APPROVAL = frozenset(
    {S.ENQUIRY, S.REGISTERED, S.STAGE_1, S.BETWEEN_STAGES, S.STAGE_2, S.AWAITING_PANEL, S.AWAITING_DECISION}
)


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[str]
    target: str
    date_field: str
    roles: frozenset[str]
    routes: frozenset[str] = field(default=BOTH_ROUTES)

    @property
    def label(self) -> str:
        return str(self.action.label)


TRANSITIONS: tuple[Transition, ...] = (
    Transition(Action.ACCEPT_REGISTRATION, frozenset({S.ENQUIRY}), S.REGISTERED, "registered_on", ASSESSORS),
    Transition(
        Action.START_STAGE_1,
        frozenset({S.REGISTERED}),
        S.STAGE_1,
        "stage1_started_on",
        ASSESSORS,
        frozenset({R.STANDARD}),
    ),
    Transition(Action.COMPLETE_STAGE_1, frozenset({S.STAGE_1}), S.BETWEEN_STAGES, "stage1_ended_on", ASSESSORS),
    Transition(
        Action.START_STAGE_2,
        frozenset({S.BETWEEN_STAGES}),
        S.STAGE_2,
        "stage2_started_on",
        ASSESSORS,
        frozenset({R.STANDARD}),
    ),
    # Fast track (previous adopters, approved foster carers) goes from registration straight to stage 2.
    Transition(
        Action.START_STAGE_2,
        frozenset({S.REGISTERED}),
        S.STAGE_2,
        "stage2_started_on",
        ASSESSORS,
        frozenset({R.FAST_TRACK}),
    ),
    Transition(Action.COMPLETE_STAGE_2, frozenset({S.STAGE_2}), S.AWAITING_PANEL, "stage2_ended_on", ASSESSORS),
    Transition(Action.RECORD_PANEL, frozenset({S.AWAITING_PANEL}), S.AWAITING_DECISION, "panel_on", PANEL),
    # A decision not to approve ends the application instead (status "left", reason "application refused").
    Transition(Action.RECORD_DECISION, frozenset({S.AWAITING_DECISION}), S.APPROVED, "approved_on", DECIDERS),
    Transition(Action.LEAVE, BEFORE_APPROVAL, S.LEFT, "left_on", ASSESSORS),
    Transition(Action.DEREGISTER, frozenset({S.APPROVED}), S.LEFT, "deregistered_on", DECIDERS | ASSESSORS),
)


def transition_for(status: str, route: str, action: str) -> Transition | None:
    return next(
        (t for t in TRANSITIONS if t.action == action and status in t.sources and route in t.routes),
        None,
    )


def available(status: str, route: str) -> list[Transition]:
    """The moves open from here, in the table's order (one per action)."""
    seen: set[str] = set()
    found = []
    for t in TRANSITIONS:
        if status in t.sources and route in t.routes and t.action not in seen:
            seen.add(t.action)
            found.append(t)
    return found


def refusal(status: str, route: str, action: str) -> str:
    """Why ``action`` cannot be taken from ``status``, and what can be done instead, in plain words."""
    status_label = S(status).label
    try:
        label = Action(action).label
    except ValueError:
        return f"There is no step called {action!r}."
    route_only = [t for t in TRANSITIONS if t.action == action and status in t.sources and route not in t.routes]
    if route_only:
        return f"{label} is not a step on the {R(route).label.lower()} route."
    options = available(status, route)
    instead = (
        " From here you can: " + "; ".join(t.label.lower() for t in options) + "."
        if options
        else " No further steps can be recorded here."
    )
    return f"{label} is not possible: the household's stage is {status_label.lower()}.{instead}"
