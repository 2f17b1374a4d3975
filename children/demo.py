"""Demo region, part 3: about 250 children and their journeys (used by ``manage.py load_demo``).

Plans come first, as plain frozen data from a seeded ``random.Random``, then are inserted with
``bulk_create``; the same seed, reference date and household plans always give the same plans.

Every child is planned at one stage of :class:`children.journey.Stage`, and every date obeys the
order the database and the SSDA903 rules expect:

    date of birth <= entered care <= decision <= placement order <= match <= placement
    <= adoption order (which ends the period of care, reason E11/E12) <= reference date

Unborn babies (pre-birth tracking) have only an expected date of birth, which is the one date after
the reference date; children not in care (pre-proceedings or care proceedings with the child still
at home) have a date of birth and nothing else yet.

Children who were matched, placed or adopted are planned *from* their household: the match is on
the day the household's plan says (after its approval), and the earlier steps are worked backwards
from the placement with a realistic time from entering care to moving in (A1: mostly 300 to 900
days). Everyone else is planned forwards from entering care; early permanence carers (fostering for
adoption, concurrent planning) take a child on the day their plan says. A few placements disrupt
(end before an adoption order) with a household that then left the process, and the child is
matched again later.

Each journey then gets what an LA's case system holds around it (``children.demo_care``): the
SSDA903 episodes of the period of care, early permanence placements, family-finding statuses and
featuring, proceedings tracking and the Child's Permanence Report; siblings planned together get
a sibling group.

Once every journey is planned, family finding is planned around it (``children.demo_care.FamilyFinder``,
its own seeded generator): the birth family's area, early permanence sought, links (the one that went
on to each match, others declined or withdrawn, some still open for children waiting), the match of
each household and match date (siblings matched together are one match) with its panel and papers,
adoption applications, the courts of the orders, and a disruption meeting with learning actions for
every placement that ended. Inter-agency fees come from ``children.fees`` and the configured rates.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Protocol

from adopters.models import Availability, Household
from adoption.demo import DEMO_LAS, STAFF, DemoDataError, DemoLa, first_name, name_group, surname
from adoption.models import Organisation, Role, User
from children import fees
from children.demo_care import (
    CarePlan,
    CarePlanner,
    FamilyFacts,
    FamilyFinder,
    HouseholdCarer,
    JourneyFacts,
    LinkPlan,
    PlacementDetails,
    PlacementFacts,
    SiblingGroupPlan,
    UnitFacts,
)
from children.journey import Stage
from children.models import (
    AdoptionDecision,
    AdoptivePlacement,
    Child,
    ChildPermanenceReport,
    Disruption,
    EarlyPermanencePlacement,
    Episode,
    Ethnicity,
    FamilyFindingStatus,
    Featuring,
    LearningAction,
    Link,
    Match,
    PeriodOfCare,
    PermanenceOutcome,
    PlacementOrder,
    ProceedingsTracking,
    Sex,
    SiblingGroup,
    SiblingGroupMember,
)

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
_LA_BY_ONS_CODE = {la.ons_code: la for la in DEMO_LAS}
_WHITE_OR_UNKNOWN = {"WBRI", "WIRI", "WIRT", "WOTH", "WROM", "REFU", "NOBT"}
_UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


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
    # The match (shared by siblings matched together) and what followed: see ``children.demo_care``.
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
    # Family finding (``children.demo_care.FamilyFinder``).
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


def _days(n: int) -> timedelta:
    return timedelta(days=n)


class _Planner:
    def __init__(self, *, seed: int, reference_date: date) -> None:
        self.seed = seed
        self.rng = random.Random(f"children:{seed}")
        self.today = reference_date
        self.plans: list[ChildPlan] = []
        self.care = CarePlanner(seed=seed, today=reference_date)
        self.households: dict[str, HouseholdFacts] = {}
        self._early_permanence_carers: list[str] = []  # approved households yet to have their child
        self._serial: Counter[str] = Counter()
        self._case_number = {la.key: self.rng.randint(100_000, 400_000) for la in DEMO_LAS}

    # --- small draws -------------------------------------------------------------------------
    def between(self, low: int, high: int) -> int:
        return self.rng.randint(low, max(low, high))

    def step(self, start: date, low: int, high: int) -> date:
        """A day ``low`` to ``high`` days after ``start``, never after the reference date."""
        return min(start + _days(self.between(low, high)), max(start, self.today))

    def ago(self, low: int, high: int) -> date:
        return self.today - _days(self.between(low, high))

    def age_at_entry(self, *, older: bool = False) -> int:
        """Days old on entering care: many babies removed at birth, few children over five."""
        bands: tuple[tuple[int, int, int], ...] = (
            (0, 7, 30),
            (8, 365, 20),
            (366, 1095, 25),
            (1096, 1825, 15),
            (1826, 2920, 10),
        )
        if older:
            bands = ((366, 1095, 20), (1096, 1825, 40), (1826, 2920, 40))
        low, high, _weight = self.rng.choices(bands, weights=[b[2] for b in bands])[0]
        return self.between(low, high)

    def la(self) -> DemoLa:
        return self.rng.choices(DEMO_LAS, weights=[LA_WEIGHTS[la.key] for la in DEMO_LAS])[0]

    def family(self, *, harder_to_place: bool = False) -> _Family:
        options = ETHNICITY_WEIGHTS
        if harder_to_place and self.rng.random() < 0.4:
            # Black and minority ethnic children wait longer: over-represented among those waiting.
            options = tuple(o for o in ETHNICITY_WEIGHTS if o[0] not in _WHITE_OR_UNKNOWN)
        codes, weights = zip(*options, strict=True)
        ethnicity = self.rng.choices(codes, weights=weights)[0]
        group = name_group(self.rng, ethnicity)
        return _Family(la=self.la(), ethnicity=ethnicity, last_name=surname(self.rng, group), name_group=group)

    def a1_days(self) -> int:
        """Days from entering care to moving in: mostly 300 to 900, most often about 14 months."""
        return round(self.rng.triangular(300, 900, 420))

    # --- identity ----------------------------------------------------------------------------
    def _ids(self, la: DemoLa) -> tuple[str, str]:
        """``(la_child_id, child_903_id)``, both unique within the LA: case numbers only go up."""
        self._serial[la.key] += 1
        self._case_number[la.key] += self.rng.randint(1, 9)
        return f"{LA_CHILD_ID_PREFIX[la.key]}{self._case_number[la.key]:07d}", f"{la.la_code}{self._serial[la.key]:05d}"

    def _upn(self, la: DemoLa, born: date) -> str:
        """A valid unique pupil number (check letter and 12 digits) for a child of school age, else ""."""
        # Children start school (and get a UPN) in the September of the school year they turn five; the
        # 903 treats them as of school age from then (rule 209), and wants their UPN (rule 442).
        starts_school = born.year + 5 if born.month >= 9 else born.year + 4
        if date(starts_school, 9, 1) > self.today:
            return ""
        digits = f"{la.la_code}{self.between(2000, 4999):04d}{starts_school % 100:02d}{self.between(0, 999):03d}"
        total = sum(int(d) * weight for d, weight in zip(digits, range(2, 14), strict=True))
        return _UPN_CHECK_LETTERS[total % 23] + digits

    def add_child(
        self,
        stage: Stage,
        family: _Family,
        journey: _Journey,
        *,
        born: date | None,
        expected: date | None = None,
        disability_rate: float = 0.06,
        care: CarePlan | None = None,
        sibling_group: SiblingGroupPlan | None = None,
    ) -> str:
        """Plan one child; returns their LA child id."""
        la = family.la
        la_child_id, child_903_id = self._ids(la)
        sex: str = Sex.MALE if self.rng.random() < 0.52 else Sex.FEMALE
        if born is None and self.rng.random() < 0.6:
            sex = ""  # not known before birth
        given = first_name(self.rng, family.first_name_group(self.rng), "boy" if sex == Sex.MALE else "girl")
        if born is None:
            given = "Baby"  # unborn: named at birth
        periods: tuple[PeriodPlan, ...] = ()
        if journey.entered_care:
            ended_on, reason = journey.periods_end
            periods = (PeriodPlan(journey.entered_care, ended_on, reason),)
        orders = (OrderPlan(journey.order, la.court),) if journey.order else ()
        self.plans.append(
            ChildPlan(
                stage=stage,
                la=la.ons_code,
                la_child_id=la_child_id,
                child_903_id=child_903_id,
                upn=self._upn(la, born) if born else "",
                first_name=given,
                last_name=family.last_name,
                date_of_birth=born,
                expected_date_of_birth=expected,
                sex=sex,
                ethnicity=family.ethnicity if born else self.rng.choice([family.ethnicity, Ethnicity.NOBT]),
                has_disability=born is not None and self.rng.random() < disability_rate,
                periods=periods,
                decisions=journey.decisions,
                orders=orders,
                placements=journey.placements,
                outcomes=journey.outcomes,
                care=care or CarePlan(),
                sibling_group=sibling_group,
            )
        )
        return la_child_id

    def _carer(self, reference: str) -> HouseholdCarer:
        household = self.households[reference]
        return HouseholdCarer(reference, household.area, household.at_vaa, household.approved_on)

    def journey_facts(self, journey: _Journey) -> JourneyFacts:
        assert journey.entered_care is not None
        decision = journey.decisions[-1] if journey.decisions else None
        others = [o for o in journey.outcomes if o.kind != PermanenceOutcome.Kind.ADOPTION_ORDER]
        early = journey.early_permanence
        return JourneyFacts(
            entered=journey.entered_care,
            ended=journey.periods_end[0],
            reason_ended=journey.periods_end[1],
            decided=decision.decided_on if decision else None,
            reversed_on=decision.reversed_on if decision else None,
            order=journey.order,
            placements=tuple(
                PlacementFacts(
                    self._carer(p.household),
                    p.matched_on,
                    p.placed_on,
                    p.with_foster_carers,
                    p.moved_in_with_carers_on,
                    p.ended_on,
                )
                for p in journey.placements
            ),
            outcome=(others[0].kind, others[0].made_on) if others else None,
            early_permanence=(early[0], self._carer(early[1]), early[2]) if early else None,
        )

    def early_permanence_carers(
        self, kind: str, earliest: date, latest: date | None = None
    ) -> tuple[str, str, date] | None:
        """Approved adopters, also approved as foster carers, who took a child on the day their plan
        says (``early_permanence_from``), if that day is from ``earliest`` (to ``latest``)."""
        for reference in self._early_permanence_carers:
            start = self.households[reference].early_permanence_from
            assert start is not None
            if earliest <= start <= min(latest or self.today, self.today):
                self._early_permanence_carers.remove(reference)
                return kind, reference, start
        return None

    def plan_early_permanence(self, reference: str) -> None:
        """A child for early permanence carers no other plan placed with them: in care, placed with
        them from the start under concurrent planning, or after the decision, fostering for adoption."""
        self._early_permanence_carers.remove(reference)
        start = self.households[reference].early_permanence_from
        assert start is not None
        if self.care.rng.random() < 0.25:
            entered = start - _days(self.care.between(0, 30))
            early = (EarlyPermanencePlacement.Kind.CONCURRENT_PLANNING, reference, start)
            self.add_group(Stage.IN_CARE, _Journey(entered_care=entered, early_permanence=early))
            return
        decided = start - _days(self.care.between(7, 60))
        entered = decided - _days(self.between(60, 300))
        early = (EarlyPermanencePlacement.Kind.FOSTERING_FOR_ADOPTION, reference, start)
        journey = _Journey(entered_care=entered, decisions=(DecisionPlan(decided),), early_permanence=early)
        self.add_group(Stage.DECISION, journey)

    def add_group(
        self,
        stage: Stage,
        journey: _Journey,
        *,
        size: int = 1,
        harder_to_place: bool = False,
    ) -> None:
        """One child, or siblings sharing the journey (the youngest first, older ones 1 to 4 years older)."""
        family = self.family(harder_to_place=harder_to_place)
        entered = journey.entered_care
        assert entered is not None
        born = entered - _days(self.age_at_entry(older=harder_to_place and size == 1))
        facts = self.journey_facts(journey)
        care = self.care.care_plan(la=family.la, journey=facts, stage=stage)
        group: SiblingGroupPlan | None = None
        for index in range(size):
            if index:
                born = born - _days(self.between(365, 1460))
            la_child_id = self.add_child(
                stage,
                family,
                journey,
                born=born,
                disability_rate=0.15 if harder_to_place else 0.06,
                care=care,
                sibling_group=group,
            )
            if size > 1 and group is None:
                waiting = stage == Stage.PLACEMENT_ORDER
                group = self.care.sibling_group(
                    key=la_child_id, last_name=family.last_name, journey=facts, waiting=waiting
                )
                self.plans[-1] = replace(self.plans[-1], sibling_group=group)

    # --- children matched with a household ---------------------------------------------------
    def match_dates(self, household: HouseholdFacts) -> tuple[date, date | None, date | None]:
        """``(matched_on, placed_on, adoption_order_on)`` for the household's current match."""
        # The household's plan says when it was matched: recently for a matched household (moving
        # in still to come), at least a fortnight ago for a placed one, four months for an adopted one.
        matched = household.matched_on
        assert matched is not None, f"household {household.reference} has no match"
        if household.status == Household.Status.MATCHED:
            return matched, None, None
        placed = self.step(matched, 7, 42)
        if household.status == Household.Status.PLACED:
            return matched, placed, None
        # An order can be applied for after ten weeks living together (ACA 2002 s42(2)); most are made
        # within a year. The court hears the application at least two weeks later (or on the reference
        # date: an adopted household's child moved in at least 78 days before it).
        order = self.step(placed, 70, round(self.rng.triangular(70, 450, 220))) + _days(14)
        order = min(order, self.today)
        return matched, placed, order

    def linked_journey(
        self,
        household: HouseholdFacts,
        dates: tuple[date, date | None, date | None],
        disrupted_with: HouseholdFacts | None,
    ) -> _Journey:
        matched, placed, order_made = dates
        placements: list[PlacementPlan] = []
        first_match, first_placed = matched, placed or matched + _days(21)
        if disrupted_with is not None:
            # The first placement ended before an adoption order (and before that household left
            # the process); a new match came months later.
            ended = matched - _days(self.between(45, 200))
            if disrupted_with.left_on is not None:
                ended = min(ended, disrupted_with.left_on)
            first_placed = ended - _days(self.between(30, 365))
            first_match = first_placed - _days(self.between(7, 35))
            earliest = disrupted_with.approved_on
            assert earliest is not None
            if first_match < earliest + _days(14):
                first_match = earliest + _days(14)
                first_placed = first_match + _days(7)
                ended = max(ended, first_placed + _days(30))
            assert ended < matched, "no room for the disruption before the new match"
            placements.append(
                PlacementPlan(disrupted_with.reference, first_match, placed_on=first_placed, ended_on=ended)
            )
        entered = first_placed - _days(self.a1_days())
        span = (first_match - entered).days
        decided = entered + _days(max(14, round(span * self.rng.uniform(0.12, 0.45))))
        order = decided + _days(round((first_match - decided).days * self.rng.uniform(0.15, 0.65)))
        # Adopted by their foster carers: the early permanence carers (fostering for adoption from
        # the day their plan says), and mostly carers approved on the fast track.
        with_carers = False
        moved_in_with_carers = None
        if placed and not placements:
            chance = 0.7 if household.route == Household.Route.FAST_TRACK else 0.05
            with_carers = self.rng.random() < chance or household.early_permanence_from is not None
        if with_carers:
            assert placed is not None and household.approved_on is not None
            # The child lived with them before the match, strictly before the placement: fostered by
            # them first (903 rule 217). Foster carers who were not early permanence carers had the
            # child before they were approved as adopters.
            moved_in_with_carers = household.early_permanence_from or min(
                entered + _days(self.between(0, 200)), placed - _days(1), household.approved_on - _days(1)
            )
            if household.early_permanence_from is None and moved_in_with_carers < entered:
                with_carers, moved_in_with_carers = False, None
            entered = min(entered, moved_in_with_carers or entered)
        placements.append(
            PlacementPlan(
                household.reference,
                matched,
                placed_on=placed,
                with_foster_carers=with_carers,
                moved_in_with_carers_on=moved_in_with_carers,
            )
        )
        outcomes: tuple[OutcomePlan, ...] = ()
        period_end: tuple[date | None, str] = (None, "")
        if order_made:
            outcomes = (OutcomePlan(PermanenceOutcome.Kind.ADOPTION_ORDER, order_made),)
            period_end = (order_made, "E12" if self.rng.random() < 0.1 else "E11")
        return _Journey(
            entered_care=entered,
            periods_end=period_end,
            decisions=(DecisionPlan(decided),),
            order=order,
            placements=tuple(placements),
            outcomes=outcomes,
        )

    def plan_linked(self, households: Sequence[HouseholdFacts]) -> None:
        stage_for: dict[str, Stage] = {
            Household.Status.MATCHED: Stage.MATCHED,
            Household.Status.PLACED: Stage.PLACED,
            Household.Status.ADOPTED: Stage.ADOPTED,
        }
        linked = sorted((h for h in households if h.status in stage_for), key=lambda h: h.reference)
        pairs: set[str] = set()
        for status, count in SIBLING_PAIRS.items():
            references = [h.reference for h in linked if h.status == status and h.approved_for_siblings]
            pairs.update(self.rng.sample(references, min(count, len(references))))
        dates = {h.reference: self.match_dates(h) for h in linked}

        # Disruptions: households that left after approval had a placement that ended; each is
        # paired with a later match that leaves room for the disruption before it.
        left = sorted(
            (h for h in households if h.status == Household.Status.LEFT and h.approved_on),
            key=lambda h: (h.approved_on or date.min, h.reference),
        )
        disrupted: dict[str, HouseholdFacts] = {}
        # Not early permanence carers: their child came to them that way, not after a disruption.
        candidates = [h for h in linked if h.early_permanence_from is None]
        self.rng.shuffle(candidates)
        for former in left[:DISRUPTIONS]:
            assert former.approved_on is not None
            for household in candidates:
                matched_on = dates[household.reference][0]
                if household.reference not in disrupted and matched_on - former.approved_on > _days(150):
                    disrupted[household.reference] = former
                    break

        for household in linked:
            journey = self.linked_journey(household, dates[household.reference], disrupted.get(household.reference))
            size = 2 if household.reference in pairs else 1
            self.add_group(stage_for[household.status], journey, size=size)

    # --- children not linked with a household ------------------------------------------------
    def plan_pre_birth(self) -> None:
        family = self.family()
        expected = self.today + _days(self.between(7, 150))
        care = CarePlan(proceedings=self.care.proceedings_before_care(born=None, expected=expected))
        self.add_child(Stage.PRE_BIRTH, family, _Journey(), born=None, expected=expected, care=care)

    def plan_not_in_care(self) -> None:
        """Born, not (yet) looked after: in pre-proceedings or care proceedings, mostly babies and toddlers."""
        born = self.today - _days(self.age_at_entry() + self.between(0, 30))
        care = CarePlan(proceedings=self.care.proceedings_before_care(born=born, expected=None))
        self.add_child(Stage.NOT_IN_CARE, self.family(), _Journey(), born=born, care=care)

    def plan_in_care(self) -> None:
        entered = self.ago(7, 420)
        early = None
        if self.care.rng.random() < 0.1:
            # Concurrent planning: placed with carers approved as adopters while the court decides.
            early = self.early_permanence_carers(
                EarlyPermanencePlacement.Kind.CONCURRENT_PLANNING, entered + _days(self.care.between(0, 30))
            )
        self.add_group(Stage.IN_CARE, _Journey(entered_care=entered, early_permanence=early))

    def plan_left_care(self) -> None:
        """Looked after for a while, then home to their parents as part of the care plan (903 REC E4A)."""
        entered = self.ago(200, 1200)
        left = self.step(entered, 30, 300)
        self.add_group(Stage.LEFT_CARE, _Journey(entered_care=entered, periods_end=(left, "E4A")))

    def plan_decision(self) -> None:
        entered = self.ago(120, 640)
        decided = self.step(entered, 60, 330)
        early = None
        if self.care.rng.random() < 0.2:
            early = self.early_permanence_carers(
                EarlyPermanencePlacement.Kind.FOSTERING_FOR_ADOPTION, decided + _days(self.care.between(7, 60))
            )
        journey = _Journey(entered_care=entered, decisions=(DecisionPlan(decided),), early_permanence=early)
        self.add_group(Stage.DECISION, journey)

    def plan_waiting(self, *, size: int) -> None:
        """A child waiting with a placement order; some have waited a long time."""
        long_wait = self.rng.random() < 0.35
        entered = self.ago(700, 1500) if long_wait else self.ago(200, 700)
        decided = self.step(entered, 45, 300)
        order = self.step(decided, 21, 240)
        early = None
        if size == 1 and not long_wait and self.care.rng.random() < 0.15:
            early = self.early_permanence_carers(
                EarlyPermanencePlacement.Kind.FOSTERING_FOR_ADOPTION,
                decided + _days(self.care.between(7, 60)),
                latest=order - _days(1),
            )
        decisions = (DecisionPlan(decided),)
        journey = _Journey(entered_care=entered, decisions=decisions, order=order, early_permanence=early)
        self.add_group(Stage.PLACEMENT_ORDER, journey, size=size, harder_to_place=long_wait or size > 1)

    def plan_reversed(self, reason: str) -> None:
        entered = self.ago(240, 1500)
        decided = self.step(entered, 45, 240)
        order = None
        if reason != AdoptionDecision.ReversalReason.RD2 and self.rng.random() < 0.75:
            order = self.step(decided, 21, 200)
        reversed_on = self.step(order or decided, 30, 500)
        journey = _Journey(
            entered_care=entered,
            decisions=(DecisionPlan(decided, reversed_on, reason),),
            order=order,
        )
        self.add_group(Stage.REVERSED, journey, harder_to_place=reason == AdoptionDecision.ReversalReason.RD3)

    def plan_other_permanence(self) -> None:
        kind, reason_ended, _weight = self.rng.choices(OTHER_PERMANENCE, weights=[o[2] for o in OTHER_PERMANENCE])[0]
        entered = self.ago(150, 1700)
        decisions: tuple[DecisionPlan, ...] = ()
        if self.rng.random() < 0.4:
            # The plan was adoption until it changed: the court made an SGO rather than a placement
            # order (RD2), or the child's needs changed (RD1).
            decided = self.step(entered, 45, 240)
            reason = (
                AdoptionDecision.ReversalReason.RD2
                if kind == PermanenceOutcome.Kind.SPECIAL_GUARDIANSHIP
                else AdoptionDecision.ReversalReason.RD1
            )
            reversed_on = self.step(decided, 60, 300)
            decisions = (DecisionPlan(decided, reversed_on, reason),)
            made = self.step(reversed_on, 0, 120)
        else:
            made = self.step(entered, 120, 900)
        journey = _Journey(
            entered_care=entered,
            periods_end=(made, reason_ended) if reason_ended else (None, ""),
            decisions=decisions,
            outcomes=(OutcomePlan(kind, made),),
        )
        self.add_group(Stage.OTHER_PERMANENCE, journey)

    def count(self, stage: Stage | None = None) -> int:
        return sum(1 for p in self.plans if stage is None or p.stage == stage)

    def plan_unlinked(self, total: int) -> None:
        for _ in range(UNLINKED_COUNTS[Stage.PRE_BIRTH]):
            self.plan_pre_birth()
        for _ in range(UNLINKED_COUNTS[Stage.NOT_IN_CARE]):
            self.plan_not_in_care()
        for _ in range(UNLINKED_COUNTS[Stage.IN_CARE]):
            self.plan_in_care()
        for _ in range(UNLINKED_COUNTS[Stage.LEFT_CARE]):
            self.plan_left_care()
        for _ in range(UNLINKED_COUNTS[Stage.DECISION]):
            self.plan_decision()
        pairs_left = WAITING_SIBLING_PAIRS
        while (missing := UNLINKED_COUNTS[Stage.PLACEMENT_ORDER] - self.count(Stage.PLACEMENT_ORDER)) > 0:
            size = 2 if pairs_left and missing >= 2 else 1
            pairs_left -= size - 1
            self.plan_waiting(size=size)
        reasons = list(AdoptionDecision.ReversalReason)
        reasons += self.rng.choices(reasons, weights=[3, 2, 3, 2], k=UNLINKED_COUNTS[Stage.REVERSED] - len(reasons))
        for reason in reasons:
            self.plan_reversed(reason)
        for reference in list(self._early_permanence_carers):
            self.plan_early_permanence(reference)
        while self.count() < total:
            self.plan_other_permanence()

    # --- family finding and matching, once every journey is planned ---------------------------
    def families(self) -> dict[str, FamilyFacts]:
        """Every approved family, with when it was available for family finding."""
        taken: dict[str, date] = {}  # the first day a family had a child (matched, or early permanence)
        for plan in self.plans:
            days = [(p.household, p.matched_on) for p in plan.placements]
            days += [(ep.household, ep.started_on) for ep in plan.care.early_permanence]
            for reference, day in days:
                taken[reference] = min(day, taken.get(reference, day))
        families = {}
        for h in self.households.values():
            if h.approved_on is None or h.approval is None:
                continue
            history = list(h.availability)
            spans: list[tuple[date, date]] = []
            if history:
                ends = [day - _days(1) for _status, day in history[1:]] + [self.today]
                spans = [(day, end) for (status, day), end in zip(history, ends, strict=True) if status == "available"]
            else:  # left once approved: available until they had a child or left
                end = min(taken.get(h.reference, self.today) - _days(1), h.left_on or self.today)
                spans = [(h.approved_on, end)]
            families[h.reference] = FamilyFacts(
                reference=h.reference,
                area=h.area,
                approved_on=h.approved_on,
                age_range=(h.approval.age_min, h.approval.age_max),
                children=h.approval.children_max if h.approval.siblings else 1,
                spans=tuple(spans),
                available_now=h.status == Household.Status.APPROVED
                and bool(history)
                and history[-1][0] == Availability.Status.AVAILABLE,
            )
        return families

    def unit_facts(self, plan: ChildPlan, born: list[date | None]) -> UnitFacts:
        decision = plan.decisions[-1] if plan.decisions else None
        adopted = [o.made_on for o in plan.outcomes if o.kind == PermanenceOutcome.Kind.ADOPTION_ORDER]
        return UnitFacts(
            stage=plan.stage,
            towns=_LA_BY_ONS_CODE[plan.la].towns,
            born=tuple(born),
            decided=decision.decided_on if decision else None,
            reversed_on=decision.reversed_on if decision else None,
            reversal_reason=decision.reversal_reason if decision else "",
            order=plan.orders[0].made_on if plan.orders else None,
            placements=tuple(
                PlacementFacts(
                    self._carer(p.household),
                    p.matched_on,
                    p.placed_on,
                    p.with_foster_carers,
                    p.moved_in_with_carers_on,
                    p.ended_on,
                )
                for p in plan.placements
            ),
            adopted_on=adopted[0] if adopted else None,
            care=plan.care,
        )

    def plan_family_finding(self) -> None:
        """Links, matches, adoption applications, disruptions, birth family areas, early permanence
        sought and the courts of the orders, drawn from their own generator: the journeys stay as planned."""
        finder = FamilyFinder(seed=self.seed, today=self.today, families=self.families(), owners=LEARNING_OWNERS)
        units: dict[str, list[int]] = {}
        for index, plan in enumerate(self.plans):
            key = plan.sibling_group.key if plan.sibling_group else plan.la_child_id
            units.setdefault(key, []).append(index)
        for indexes in units.values():
            first = self.plans[indexes[0]]
            found = finder.plan(self.unit_facts(first, [self.plans[i].date_of_birth for i in indexes]))
            court = _LA_BY_ONS_CODE[first.la].court
            for index in indexes:
                plan = self.plans[index]
                self.plans[index] = replace(
                    plan,
                    birth_family_area=found.birth_family_area,
                    avoid_birth_family_area=found.avoid_birth_family_area,
                    early_permanence_sought=found.early_permanence_sought,
                    links=found.links,
                    placements=tuple(
                        replace(p, details=d) for p, d in zip(plan.placements, found.placements, strict=True)
                    ),
                    outcomes=tuple(replace(o, court=court) if o.kind in COURT_ORDERS else o for o in plan.outcomes),
                    care=replace(plan.care, family_finding=found.family_finding),
                )


def plan_children(
    *, households: Sequence[HouseholdFacts], seed: int, reference_date: date, total: int = TOTAL_CHILDREN
) -> list[ChildPlan]:
    """Plain plans for the demo children; the same arguments always give the same list."""
    planner = _Planner(seed=seed, reference_date=reference_date)
    planner.households = {h.reference: h for h in households}
    planner._early_permanence_carers = sorted(
        h.reference for h in households if h.status == Household.Status.APPROVED and h.early_permanence_from
    )
    planner.plan_linked(households)
    planner.plan_unlinked(total)
    planner.plan_family_finding()
    return planner.plans


def create_children(
    plans: Sequence[ChildPlan], *, las: dict[str, Organisation], households: dict[str, Household]
) -> list[Child]:
    """Insert the planned children and their journeys. ``las`` by ONS code, ``households`` by reference."""
    children = Child.objects.bulk_create(
        [
            Child(
                responsible_la=las[plan.la],
                la_child_id=plan.la_child_id,
                child_903_id=plan.child_903_id,
                upn=plan.upn,
                first_name=plan.first_name,
                last_name=plan.last_name,
                date_of_birth=plan.date_of_birth,
                expected_date_of_birth=plan.expected_date_of_birth,
                sex=plan.sex,
                ethnicity=plan.ethnicity,
                has_disability=plan.has_disability,
                birth_family_area=plan.birth_family_area,
                avoid_birth_family_area=plan.avoid_birth_family_area,
                early_permanence_sought=plan.early_permanence_sought,
            )
            for plan in plans
        ]
    )
    pairs = list(zip(children, plans, strict=True))
    periods = PeriodOfCare.objects.bulk_create(
        [
            PeriodOfCare(child=child, started_on=p.started_on, ended_on=p.ended_on, reason_ended=p.reason_ended)
            for child, plan in pairs
            for p in plan.periods
        ]
    )
    # Each demo child has at most one period of care; its episodes are the plan's.
    period_of = {period.child_id: period for period in periods}
    Episode.objects.bulk_create(
        [
            Episode(
                period=period_of[child.pk],
                started_on=e.started_on,
                reason_new_episode=e.reason_new_episode,
                legal_status=e.legal_status,
                category_of_need=e.category_of_need,
                placement_type=e.placement_type,
                placement_provider=e.placement_provider,
                ended_on=e.ended_on,
                reason_ended=e.reason_ended,
                reason_place_change=e.reason_place_change,
                home_postcode=e.home_postcode,
                placement_postcode=e.placement_postcode,
                urn=e.urn,
            )
            for child, plan in pairs
            for e in plan.care.episodes
        ]
    )
    groups = _create_around_the_journey(pairs, households)
    AdoptionDecision.objects.bulk_create(
        [
            AdoptionDecision(
                child=child, decided_on=d.decided_on, reversed_on=d.reversed_on, reversal_reason=d.reversal_reason
            )
            for child, plan in pairs
            for d in plan.decisions
        ]
    )
    PlacementOrder.objects.bulk_create(
        [
            PlacementOrder(child=child, made_on=o.made_on, order_type=PlacementOrder.OrderType.E1, court=o.court)
            for child, plan in pairs
            for o in plan.orders
        ]
    )
    planned = [(child, plan, p) for child, plan in pairs for p in plan.placements]
    matches = _create_matches(planned, las=las, households=households, groups=groups)
    placements = AdoptivePlacement.objects.bulk_create(
        [
            AdoptivePlacement(
                child=child,
                household=households[p.household],
                matched_on=p.matched_on,
                placed_on=p.placed_on,
                with_foster_carers=p.with_foster_carers,
                moved_in_with_carers_on=p.moved_in_with_carers_on,
                ended_on=p.ended_on,
                match=matches[(p.household, p.matched_on)],
                adoption_applied_on=_details(p).adoption_applied_on,
            )
            for child, _plan, p in planned
        ]
    )
    _create_disruptions([(placement, p) for placement, (_c, _plan, p) in zip(placements, planned, strict=True)])
    PermanenceOutcome.objects.bulk_create(
        [
            PermanenceOutcome(child=child, kind=o.kind, made_on=o.made_on, court=o.court)
            for child, plan in pairs
            for o in plan.outcomes
        ]
    )
    Link.objects.bulk_create(
        [
            Link(
                child=child,
                sibling_group=groups[plan.sibling_group.key] if plan.sibling_group else None,
                household=households[link.household],
                origin=link.origin,
                started_on=link.started_on,
                outcome=link.outcome,
                outcome_on=link.outcome_on,
                decline_reason=link.decline_reason,
            )
            for child, plan in pairs
            for link in plan.links
        ]
    )
    return children


def _create_matches(
    planned: list[tuple[Child, ChildPlan, PlacementPlan]],
    *,
    las: dict[str, Organisation],
    households: dict[str, Household],
    groups: dict[str, SiblingGroup],
) -> dict[tuple[str, date], Match]:
    """One match for each household and match date: siblings matched together are one match.

    Inter-agency when the family's approving agency is not the child's RAA; the fee is the rate in force
    on the match date (``children.fees``), and none where no rate is configured for that date or that
    number of children: the demo invents no figure for the years before the rates table starts.
    """
    together: dict[tuple[str, date], list[tuple[Child, ChildPlan, PlacementPlan]]] = {}
    for item in planned:
        together.setdefault((item[2].household, item[2].matched_on), []).append(item)
    matches = []
    for (reference, matched_on), items in together.items():
        household, (_child, plan, p) = households[reference], items[0]
        details, la = _details(p), las[plan.la]
        inter_agency = fees.is_inter_agency(approving_agency=household.approving_agency, placing_la=la)
        fee = None
        if inter_agency:
            fee = fees.inter_agency_fee(
                approving_agency=household.approving_agency, placing_la=la, children=len(items), on=matched_on
            )
        several = len(items) > 1 and plan.sibling_group is not None
        matches.append(
            Match(
                household=household,
                sibling_group=groups[plan.sibling_group.key] if several and plan.sibling_group else None,
                placement_report_status=details.placement_report_status,
                support_plan_status=details.support_plan_status,
                panel_on=details.panel_on,
                panel_recommendation=Match.Recommendation.RECOMMENDED,
                decided_on=matched_on,
                inter_agency=inter_agency,
                fee_rate=fee.rate if fee else None,
                fee_amount=fee.amount if fee else None,
            )
        )
    return dict(zip(together, Match.objects.bulk_create(matches), strict=True))


def _details(placement: PlacementPlan) -> PlacementDetails:
    assert placement.details is not None, "plan_family_finding() gives every placement its match details"
    return placement.details


def _create_disruptions(placements: list[tuple[AdoptivePlacement, PlacementPlan]]) -> None:
    """The disruption meeting and learning actions of each placement that ended before an order."""
    planned = [(placement, d) for placement, p in placements if (d := _details(p).disruption) is not None]
    usernames = sorted({a.owner for _placement, d in planned for a in d.actions})
    owners = {user.username: user for user in User.objects.filter(username__in=usernames)}
    if missing := [name for name in usernames if name not in owners]:
        raise DemoDataError(f"The demo staff who own learning actions are missing: {', '.join(missing)}.")
    disruptions = Disruption.objects.bulk_create(
        [Disruption(placement=placement, reason=d.reason, meeting_on=d.meeting_on) for placement, d in planned]
    )
    LearningAction.objects.bulk_create(
        [
            LearningAction(
                disruption=disruption, action=a.action, owner=owners[a.owner], due_on=a.due_on, done_on=a.done_on
            )
            for disruption, (_placement, d) in zip(disruptions, planned, strict=True)
            for a in d.actions
        ]
    )


def _create_around_the_journey(
    pairs: list[tuple[Child, ChildPlan]], households: dict[str, Household]
) -> dict[str, SiblingGroup]:
    """Early permanence, family finding, featuring, proceedings, CPRs and sibling groups (returned by key)."""
    EarlyPermanencePlacement.objects.bulk_create(
        [
            EarlyPermanencePlacement(
                child=child,
                kind=ep.kind,
                household=households[ep.household],
                started_on=ep.started_on,
                ended_on=ep.ended_on,
            )
            for child, plan in pairs
            for ep in plan.care.early_permanence
        ]
    )
    FamilyFindingStatus.objects.bulk_create(
        [
            FamilyFindingStatus(child=child, status=s.status, status_from=s.status_from, note=s.note)
            for child, plan in pairs
            for s in plan.care.family_finding
        ]
    )
    Featuring.objects.bulk_create(
        [
            Featuring(child=child, channel=f.channel, featured_on=f.featured_on)
            for child, plan in pairs
            for f in plan.care.featurings
        ]
    )
    ProceedingsTracking.objects.bulk_create(
        [
            ProceedingsTracking(
                child=child, stage=p.stage, stage_from=p.stage_from, final_hearing_on=p.final_hearing_on
            )
            for child, plan in pairs
            for p in plan.care.proceedings
        ]
    )
    ChildPermanenceReport.objects.bulk_create(
        [
            ChildPermanenceReport(
                child=child,
                status=plan.care.cpr.status,
                started_on=plan.care.cpr.started_on,
                due_on=plan.care.cpr.due_on,
                completed_on=plan.care.cpr.completed_on,
            )
            for child, plan in pairs
            if plan.care.cpr is not None
        ]
    )
    members: dict[str, list[Child]] = {}
    group_plans: dict[str, tuple[SiblingGroupPlan, int]] = {}
    for child, plan in pairs:
        if plan.sibling_group is not None:
            members.setdefault(plan.sibling_group.key, []).append(child)
            group_plans[plan.sibling_group.key] = (plan.sibling_group, child.responsible_la_id)
    groups = SiblingGroup.objects.bulk_create(
        [
            SiblingGroup(
                responsible_la_id=la_id,
                name=group.name,
                plan=group.plan,
                assessed_on=group.assessed_on,
                assessment_outcome=group.assessment_outcome,
            )
            for group, la_id in group_plans.values()
        ]
    )
    SiblingGroupMember.objects.bulk_create(
        [
            SiblingGroupMember(group=group, child=child)
            for group, key in zip(groups, group_plans, strict=True)
            for child in members[key]
        ]
    )
    return dict(zip(group_plans, groups, strict=True))


def build(
    *,
    households: Sequence[HouseholdFacts],
    las: dict[str, Organisation],
    household_records: dict[str, Household],
    seed: int,
    reference_date: date,
) -> DemoChildren:
    plans = plan_children(households=households, seed=seed, reference_date=reference_date)
    return DemoChildren(plans=plans, children=create_children(plans, las=las, households=household_records))
