"""The children's planner's base: its seeded generator and small draws, the children's identities,
and adding a child (or siblings) with a journey and the care history around it.

The parts of the planner (``linked``, ``unlinked``) build on it, and ``planner._Planner`` puts them
together: one generator, so the draws keep their order."""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace
from datetime import date

from adoption.demo import DEMO_LAS, DemoLa, first_name, name_group, surname
from children.demo.care_history import CarePlanner
from children.demo.care_plans import CarePlan, HouseholdCarer, JourneyFacts, PlacementFacts, SiblingGroupPlan
from children.demo.draws import _days
from children.demo.plans import (
    ETHNICITY_WEIGHTS,
    LA_CHILD_ID_PREFIX,
    LA_WEIGHTS,
    ChildPlan,
    DecisionPlan,
    HouseholdFacts,
    OrderPlan,
    PeriodPlan,
    _Family,
    _Journey,
)
from children.journey import Stage
from children.models import EarlyPermanencePlacement, Ethnicity, PermanenceOutcome, Sex

_WHITE_OR_UNKNOWN = {"WBRI", "WIRI", "WIRT", "WOTH", "WROM", "REFU", "NOBT"}
_UPN_CHECK_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"


class _Journeys:
    """Plans children one after another into ``plans``; the parts of the planner add the journeys."""

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
