"""The one transition table for a household's journey, and the messages when a move is not allowed.

Each row says which action moves a household from which statuses to which, on which route, who
may take it, which date it records, and what must already be true (the guards live in
``adopters.services``, which is the only caller).

From "approved" on, the household's stage follows its children's records: the match, the move,
the adoption order and a match or placement that ended are recorded on the child, and
``adopters.services.household_follow_placements`` then takes the ``PlacementAction`` rows (those
not ``by_hand``); no page or API operation on the household can. So the household and its children
cannot drift apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models

from adopters.models import Household
from adoption import tenancy
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


class PlacementAction(models.TextChoices):
    """The steps that follow the children's records; no page or API operation takes them by hand."""

    MATCH = "match", "Match a child with the family"
    PLACE = "place", "A child moves in with the family"
    ADOPTION_ORDER = "adoption-order", "The adoption order is made"
    MATCH_ENDED = "match-ended", "The match or placement ended: back to waiting"


ASSESSORS = frozenset({Role.ASSESSING_SOCIAL_WORKER, Role.MANAGER})
PANEL = tenancy.PANEL_RECORDERS
DECIDERS = tenancy.DECISION_RECORDERS
# Who records a child's match, move, order or disruption: the roles that record children's journeys (an LA's
# API client writes its own children's records too, see household_follow_placements).
CHILD_RECORDERS = tenancy.JOURNEY_ROLES
BOTH_ROUTES = frozenset(R.values)
BEFORE_APPROVAL = frozenset(
    {S.ENQUIRY, S.REGISTERED, S.STAGE_1, S.BETWEEN_STAGES, S.STAGE_2, S.AWAITING_PANEL, S.AWAITING_DECISION}
)


@dataclass(frozen=True)
class Transition:
    action: Action | PlacementAction
    sources: frozenset[str]
    target: str
    date_field: str  # "" where the date is the child's (the match, the move, the order), not the household's
    roles: frozenset[str]
    routes: frozenset[str] = field(default=BOTH_ROUTES)

    @property
    def label(self) -> str:
        return str(self.action.label)

    @property
    def by_hand(self) -> bool:
        """Taken on the household's page or API; otherwise it follows the children's records."""
        return isinstance(self.action, Action)


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
    # The children's journey. The dates are on the children's records (the placement, the order).
    Transition(PlacementAction.MATCH, frozenset({S.APPROVED}), S.MATCHED, "", CHILD_RECORDERS),
    Transition(PlacementAction.PLACE, frozenset({S.MATCHED}), S.PLACED, "", CHILD_RECORDERS),
    Transition(PlacementAction.ADOPTION_ORDER, frozenset({S.PLACED}), S.ADOPTED, "", CHILD_RECORDERS),
    # After a disruption, or a match that did not go ahead: the family is approved and waiting again.
    Transition(PlacementAction.MATCH_ENDED, frozenset({S.MATCHED, S.PLACED}), S.APPROVED, "", CHILD_RECORDERS),
)


def roles_for(action: str) -> frozenset[str]:
    """The roles that may take ``action`` by hand, from any status (the union of its transitions' roles)."""
    return frozenset().union(*(t.roles for t in TRANSITIONS if t.by_hand and t.action == action))


def transition_for(status: str, route: str, action: str) -> Transition | None:
    """The step a person may take by hand (the ones that follow the children are never found here)."""
    return next(
        (t for t in TRANSITIONS if t.by_hand and t.action == action and status in t.sources and route in t.routes),
        None,
    )


def follow_path(status: str, target: str) -> tuple[Transition, ...] | None:
    """The shortest run of the steps that follow the children from ``status`` to ``target``; None if there is none.

    Usually one step; two where one record does two things at once (a match recorded with the date the
    child moved in: match, then place).
    """
    paths: dict[str, tuple[Transition, ...]] = {status: ()}
    frontier = [status]
    while frontier and target not in paths:
        reached = []
        for here in frontier:
            for t in TRANSITIONS:
                if not t.by_hand and here in t.sources and t.target not in paths:
                    paths[t.target] = (*paths[here], t)
                    reached.append(t.target)
        frontier = reached
    return paths.get(target)


def available(status: str, route: str) -> list[Transition]:
    """The moves open from here by hand, in the table's order (one per action)."""
    seen: set[str] = set()
    found = []
    for t in TRANSITIONS:
        if t.by_hand and status in t.sources and route in t.routes and t.action not in seen:
            seen.add(t.action)
            found.append(t)
    return found


def refusal(status: str, route: str, action: str) -> str:
    """Why ``action`` cannot be taken from ``status``, and what can be done instead, in plain words."""
    status_label = S(status).label
    if action in PlacementAction.values:
        return (
            f"{PlacementAction(action).label} is recorded on the child's record, not here: "
            "the household's stage follows the children's matches, placements and orders."
        )
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
