"""The plans of the records around a child's journey (903 episodes, early permanence, family-finding
statuses, featuring, proceedings, the CPR, sibling groups), and the facts of a journey the care
history follows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class EpisodePlan:
    started_on: date
    reason_new_episode: str
    legal_status: str
    category_of_need: str
    placement_type: str
    placement_provider: str
    home_postcode: str
    placement_postcode: str
    urn: str
    ended_on: date | None = None
    reason_ended: str = ""
    reason_place_change: str = ""  # why this placement ended, when the next episode changes it


@dataclass(frozen=True)
class EarlyPermanencePlan:
    kind: str  # EarlyPermanencePlacement.Kind
    household: str  # the household's reference
    started_on: date
    ended_on: date | None = None


@dataclass(frozen=True)
class StatusPlan:
    status: str  # FamilyFindingStatus.Status
    status_from: date
    note: str = ""


@dataclass(frozen=True)
class FeaturingPlan:
    channel: str  # Featuring.Channel
    featured_on: date


@dataclass(frozen=True)
class ProceedingsPlan:
    stage: str  # ProceedingsTracking.Stage
    stage_from: date
    final_hearing_on: date | None = None


@dataclass(frozen=True)
class CprPlan:
    status: str  # ChildPermanenceReport.Status
    started_on: date | None
    due_on: date | None
    completed_on: date | None = None


@dataclass(frozen=True)
class SiblingGroupPlan:
    key: str  # the first member's LA child id: names the group among the plans
    name: str
    plan: str  # SiblingGroup.Plan
    assessed_on: date | None = None
    assessment_outcome: str = ""


@dataclass(frozen=True)
class CarePlan:
    """Everything around one child's journey (shared by siblings planned together)."""

    episodes: tuple[EpisodePlan, ...] = ()
    early_permanence: tuple[EarlyPermanencePlan, ...] = ()
    family_finding: tuple[StatusPlan, ...] = ()
    featurings: tuple[FeaturingPlan, ...] = ()
    proceedings: tuple[ProceedingsPlan, ...] = ()
    cpr: CprPlan | None = None


@dataclass(frozen=True)
class HouseholdCarer:
    reference: str
    area: str
    at_vaa: bool
    approved_on: date | None


@dataclass(frozen=True)
class PlacementFacts:
    household: HouseholdCarer
    matched_on: date
    placed_on: date | None
    with_foster_carers: bool
    moved_in_with_carers_on: date | None
    ended_on: date | None


@dataclass(frozen=True)
class JourneyFacts:
    """The dates of a journey that the care history follows (see ``children.demo.plans._Journey``)."""

    entered: date
    ended: date | None
    reason_ended: str
    decided: date | None = None
    reversed_on: date | None = None
    order: date | None = None
    placements: tuple[PlacementFacts, ...] = ()
    outcome: tuple[str, date] | None = None  # (PermanenceOutcome.Kind, made on), other than adoption
    early_permanence: tuple[str, HouseholdCarer, date] | None = None  # (kind, carers, from), not linked
