"""The plans family finding makes (links, the match's details, disruptions and their learning
actions) and the facts of the families and the children it works with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from children.demo.care_plans import CarePlan, PlacementFacts, StatusPlan


@dataclass(frozen=True)
class LinkPlan:
    household: str  # the household's reference
    origin: str  # Link.Origin
    started_on: date
    outcome: str = "open"  # Link.Outcome
    outcome_on: date | None = None
    decline_reason: str = ""  # Link.DeclineReason, when declined


@dataclass(frozen=True)
class ActionPlan:
    action: str
    owner: str  # a demo staff username
    due_on: date
    done_on: date | None = None


@dataclass(frozen=True)
class DisruptionPlan:
    reason: str  # Disruption.Reason
    meeting_on: date
    actions: tuple[ActionPlan, ...]


@dataclass(frozen=True)
class PlacementDetails:
    """The match a placement belongs to (the same for siblings matched together), and what followed it."""

    panel_on: date
    placement_report_status: str  # Match.ReportStatus
    support_plan_status: str
    adoption_applied_on: date | None = None
    disruption: DisruptionPlan | None = None


@dataclass(frozen=True)
class FamilyFacts:
    """What family finding needs of an approved household."""

    reference: str
    area: str
    approved_on: date
    age_range: tuple[int, int]  # approved for children of these ages (years)
    children: int  # at most this many children together (1: not approved for siblings)
    spans: tuple[tuple[date, date], ...]  # when the family was available for family finding (both ends in)
    available_now: bool  # approved, and available for family finding on the reference date


@dataclass(frozen=True)
class UnitFacts:
    """A child, or siblings planned together: they share every date and record but their birth dates."""

    stage: str  # children.journey.Stage
    towns: tuple[str, ...]  # the LA's towns
    born: tuple[date | None, ...]
    decided: date | None
    reversed_on: date | None
    reversal_reason: str
    order: date | None
    placements: tuple[PlacementFacts, ...]
    adopted_on: date | None
    care: CarePlan


@dataclass(frozen=True)
class Findings:
    birth_family_area: str
    avoid_birth_family_area: bool
    early_permanence_sought: bool
    links: tuple[LinkPlan, ...]
    placements: tuple[PlacementDetails, ...]  # one for each of the unit's placements, in order
    family_finding: tuple[StatusPlan, ...]  # the care plan's statuses, "link identified" once a link is open
