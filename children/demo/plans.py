"""What the demo children are planned to be: how many at each stage, who they are (LA, ethnicity),
what the children's plans need of a household (``adopters.demo.HouseholdPlan``), and the plain frozen
plans of each child and their journey."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from adopters.models import Household
from adoption.demo import STAFF, DemoLa
from adoption.models import Role
from children.demo.care_plans import CarePlan, SiblingGroupPlan
from children.demo.finding_plans import LinkPlan, PlacementDetails
from children.journey import Stage
from children.models import Child, Ethnicity, PermanenceOutcome

TOTAL_CHILDREN = 250

# Children not linked to a household, by stage; OTHER_PERMANENCE takes whatever is left so the
# total is exactly TOTAL_CHILDREN.
UNLINKED_COUNTS: dict[Stage, int] = {
    Stage.PRE_BIRTH: 8,
    Stage.NOT_IN_CARE: 6,
    Stage.IN_CARE: 18,
    Stage.LEFT_CARE: 6,
    Stage.DECISION: 20,
    Stage.PLACEMENT_ORDER: 34,
    Stage.REVERSED: 16,
}
# Households (by status) whose match was of a pair of siblings placed together.
SIBLING_PAIRS: dict[str, int] = {Household.Status.ADOPTED: 8, Household.Status.PLACED: 4, Household.Status.MATCHED: 2}
# Sibling pairs among the children waiting with a placement order (harder to place).
WAITING_SIBLING_PAIRS = 3
DISRUPTIONS = 5

# Rough share of children looked after in the West Midlands by 903 ethnicity code.
ETHNICITY_WEIGHTS: tuple[tuple[str, float], ...] = (
    (Ethnicity.WBRI, 67),
    (Ethnicity.WIRI, 0.5),
    (Ethnicity.WIRT, 0.5),
    (Ethnicity.WOTH, 4),
    (Ethnicity.WROM, 1),
    (Ethnicity.MWBC, 6),
    (Ethnicity.MWBA, 2),
    (Ethnicity.MWAS, 3),
    (Ethnicity.MOTH, 4),
    (Ethnicity.AIND, 1.5),
    (Ethnicity.APKN, 2.5),
    (Ethnicity.ABAN, 0.5),
    (Ethnicity.AOTH, 1),
    (Ethnicity.BCRB, 1.5),
    (Ethnicity.BAFR, 2.5),
    (Ethnicity.BOTH, 0.5),
    (Ethnicity.CHNE, 0.3),
    (Ethnicity.OOTH, 1.2),
    (Ethnicity.REFU, 0.2),
    (Ethnicity.NOBT, 0.3),
)
# Share of children by LA (the bigger authorities have more children).
LA_WEIGHTS: dict[str, float] = {
    "coventry": 25,
    "solihull": 15,
    "warwickshire": 24,
    "worcestershire": 24,
    "herefordshire": 12,
}
LA_CHILD_ID_PREFIX: dict[str, str] = {
    "coventry": "CCC",
    "solihull": "SMB",
    "warwickshire": "WCC",
    "worcestershire": "WOR",
    "herefordshire": "HFD",
}
OTHER_PERMANENCE: tuple[tuple[str, str, float], ...] = (
    # (outcome, 903 reason the period of care ended or "" if the child stays in care, weight)
    (PermanenceOutcome.Kind.SPECIAL_GUARDIANSHIP, "E47", 35),
    (PermanenceOutcome.Kind.SPECIAL_GUARDIANSHIP, "E48", 10),
    (PermanenceOutcome.Kind.SPECIAL_GUARDIANSHIP, "E45", 8),
    (PermanenceOutcome.Kind.SPECIAL_GUARDIANSHIP, "E46", 3),
    (PermanenceOutcome.Kind.CHILD_ARRANGEMENTS, "E41", 10),
    (PermanenceOutcome.Kind.RETURN_HOME, "E13", 12),
    (PermanenceOutcome.Kind.LONG_TERM_FOSTERING, "", 22),
)
# Outcomes the court makes (the demo names the LA's usual family court on them).
COURT_ORDERS = frozenset(
    {
        PermanenceOutcome.Kind.ADOPTION_ORDER,
        PermanenceOutcome.Kind.SPECIAL_GUARDIANSHIP,
        PermanenceOutcome.Kind.CHILD_ARRANGEMENTS,
    }
)
# Who owns the learning actions after a disruption: the RAA's family finder and manager logins.
LEARNING_OWNERS: dict[str, str] = {
    key: next(s.username for s in STAFF if s.role == role and s.organisation == "raa")
    for key, role in (("family_finder", Role.FAMILY_FINDER), ("manager", Role.MANAGER))
}


class ApprovalFacts(Protocol):
    """What a family is approved for (an ``adopters.demo.ApprovalPlan``)."""

    @property
    def children_max(self) -> int: ...

    @property
    def age_min(self) -> int: ...

    @property
    def age_max(self) -> int: ...

    @property
    def siblings(self) -> bool: ...


class HouseholdFacts(Protocol):
    """What the children's plans need of a household (an ``adopters.demo.HouseholdPlan``)."""

    @property
    def reference(self) -> str: ...

    @property
    def status(self) -> str: ...

    @property
    def route(self) -> str: ...

    @property
    def approved_on(self) -> date | None: ...

    @property
    def area(self) -> str: ...

    @property
    def at_vaa(self) -> bool: ...

    @property
    def approved_for_siblings(self) -> bool: ...

    @property
    def matched_on(self) -> date | None:
        """When the household was matched (matched, placed and adopted households)."""

    @property
    def early_permanence_from(self) -> date | None:
        """When a child came to live with them under fostering for adoption or concurrent planning."""

    @property
    def left_on(self) -> date | None: ...

    @property
    def approval(self) -> ApprovalFacts | None: ...

    @property
    def availability(self) -> tuple[tuple[str, date], ...]:
        """``(Availability.Status, from)`` while approved and waiting (none for a family that left)."""


@dataclass(frozen=True)
class PeriodPlan:
    started_on: date
    ended_on: date | None = None
    reason_ended: str = ""


@dataclass(frozen=True)
class DecisionPlan:
    decided_on: date
    reversed_on: date | None = None
    reversal_reason: str = ""


@dataclass(frozen=True)
class OrderPlan:
    made_on: date
    court: str


@dataclass(frozen=True)
class PlacementPlan:
    household: str  # the household's reference
    matched_on: date
    placed_on: date | None = None
    with_foster_carers: bool = False
    moved_in_with_carers_on: date | None = None
    ended_on: date | None = None
    # The match (shared by siblings matched together) and what followed: see ``children.demo.family_finding``.
    details: PlacementDetails | None = None


@dataclass(frozen=True)
class OutcomePlan:
    kind: str
    made_on: date
    court: str = ""


@dataclass(frozen=True)
class ChildPlan:
    stage: Stage  # the stage the plan is meant to put the child at
    la: str  # ONS code of the responsible LA
    la_child_id: str
    child_903_id: str
    upn: str
    first_name: str
    last_name: str
    date_of_birth: date | None
    expected_date_of_birth: date | None
    sex: str
    ethnicity: str
    has_disability: bool
    periods: tuple[PeriodPlan, ...] = ()
    decisions: tuple[DecisionPlan, ...] = ()
    orders: tuple[OrderPlan, ...] = ()
    placements: tuple[PlacementPlan, ...] = ()
    outcomes: tuple[OutcomePlan, ...] = ()
    # The 903 episodes of the period of care and the records around the journey.
    care: CarePlan = field(default_factory=CarePlan)
    sibling_group: SiblingGroupPlan | None = None
    # Family finding (``children.demo.family_finding.FamilyFinder``).
    birth_family_area: str = ""
    avoid_birth_family_area: bool = False
    early_permanence_sought: bool = False
    links: tuple[LinkPlan, ...] = ()


@dataclass(frozen=True)
class _Journey:
    """The dates shared by a child and any siblings planned with them."""

    entered_care: date | None = None
    periods_end: tuple[date | None, str] = (None, "")
    decisions: tuple[DecisionPlan, ...] = ()
    order: date | None = None
    placements: tuple[PlacementPlan, ...] = ()
    outcomes: tuple[OutcomePlan, ...] = ()
    # Fostering for adoption or concurrent planning with approved adopters not (yet) matched:
    # (EarlyPermanencePlacement.Kind, household reference, from).
    early_permanence: tuple[str, str, date] | None = None


@dataclass
class _Family:
    """Birth-family traits siblings share."""

    la: DemoLa
    ethnicity: str
    last_name: str
    name_group: str  # the pool the surname came from

    def first_name_group(self, rng: random.Random) -> str:
        """Mixed heritage: a first name from the surname's pool or a white British one."""
        if self.ethnicity.startswith("M"):
            return rng.choice((self.name_group, "white_british"))
        return self.name_group


@dataclass
class DemoChildren:
    plans: list[ChildPlan]
    children: list[Child]
