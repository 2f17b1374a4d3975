"""The national demo's children: for each RAA, the children matched with its households (worked
backwards from the household's match), then children waiting, decided on, or whose plan changed,
until each LA has its share. Each journey gets the SSDA903 history the region's demo gives its
children (``children.demo.care_history.CarePlanner``, with real postcodes of the child's LA), so
every LA's 903 export passes the DfE validator like the demo region's does.

Dates follow the order the database and the 903 expect: born <= entered care <= decision <=
placement order <= match <= placement <= adoption order (ending the period of care, E11/E12) <=
reference date.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from adopters.models import Household
from adoption import demo as names
from adoption.demo import DemoLa
from children.demo.care_history import CarePlanner
from children.demo.care_plans import CarePlan, HouseholdCarer, JourneyFacts, PlacementFacts
from children.demo.episodes import IFA_URNS, Carer
from children.demo.journeys import _UPN_CHECK_LETTERS
from children.demo.plans import ETHNICITY_WEIGHTS
from children.journey import Stage
from children.models import (
    AdoptionDecision,
    AdoptivePlacement,
    Child,
    ChildPermanenceReport,
    Disruption,
    EarlyPermanencePlacement,
    Episode,
    FamilyFindingStatus,
    Featuring,
    Link,
    Match,
    PeriodOfCare,
    PermanenceOutcome,
    PlacementOrder,
    ProceedingsTracking,
    SiblingGroup,
    SiblingGroupMember,
)
from reporting.national.bulk import CopyWriter
from reporting.national.households import HouseholdRow, weighted

S = Household.Status
# The children not matched with a household, by what happened (weights).
UNLINKED = ((Stage.REVERSED, 50), (Stage.PLACEMENT_ORDER, 30), (Stage.DECISION, 20))
# After a reversal: (PermanenceOutcome.Kind, the 903 reason the period ended or "" to stay in care, weight).
AFTER_REVERSAL = (
    ("sgo", "E47", 30),
    ("sgo", "E45", 8),
    ("sgo", "E48", 8),
    ("sgo", "E46", 4),
    ("cao", "E41", 10),
    ("return_home", "E13", 10),
    ("long_term_fostering", "", 30),
)
_DISRUPTION_REASONS = ("child_needs", "family_circumstances", "attachment", "support", "information", "other")


def days(n: int) -> timedelta:
    return timedelta(days=n)


@dataclass
class LaTarget:
    """One LA of the RAA: its organisation, how it appears to the care planner, and its children."""

    org_id: int
    name: str
    demo: DemoLa  # key = ONS code; towns = (ONS code,): postcodes come from the LA's pool
    number: int  # a three-digit stand-in for the DfE LA number, in ids and UPNs
    target: int
    planned: int = 0
    serial: int = 0


@dataclass
class Unit:
    """A child, or siblings planned together, with one journey."""

    la: LaTarget
    size: int
    stage: str
    journey: JourneyFacts
    born: list[date]
    decisions: tuple[tuple[date, date | None, str], ...]  # (decided, reversed, reason)
    outcomes: tuple[tuple[str, date], ...] = ()
    # (household id, matched, placed, ended, with foster carers, moved in with carers)
    placements: tuple[tuple[int, date, date | None, date | None, bool, date | None], ...] = ()


@dataclass
class ChildrenOut:
    """What the panels and support builders need: matches for the agendas, adopted children by LA."""

    matches: list[tuple[int, int, date, date]] = field(default_factory=list)  # (match, link, panel, decided)
    adopted: list[tuple[int, int, date]] = field(default_factory=list)  # (LA id, child id, adopted on)
    children: int = 0


class NationalCarePlanner(CarePlanner):
    """The region's care planner, with each LA's own postcodes and fostering service."""

    def __init__(self, *, rng: random.Random, today: date, pools: dict[str, tuple[str, ...]], urns: dict[str, str]):
        super().__init__(seed=0, today=today)
        self.rng = rng
        self.pools = pools
        self.urns = urns

    def postcode(self, towns: tuple[str, ...]) -> str:
        every = [p for town in towns for p in self.pools.get(town, ())]
        if not every:
            return ""
        choice = self.rng.choice([p for p in every if p not in self._used] or every)
        self._used.add(choice)
        return choice

    def foster_carers(self, la: DemoLa) -> Carer:
        if self.rng.random() < 0.72:
            provider, urn = "PR1", self.urns[la.key]
        else:
            provider, urn = "PR4", self.rng.choice(IFA_URNS)
        return Carer(self._key("fc"), "U6", provider, self.postcode(la.towns), urn)

    def relatives(self, la: DemoLa) -> Carer:
        return Carer(self._key("kin"), "U3", "PR1", self.postcode(la.towns), self.urns[la.key])


class ChildrenPlanner:
    def __init__(
        self,
        *,
        rng: random.Random,
        care: NationalCarePlanner,
        today: date,
        las: list[LaTarget],
        snap: Callable[[date], date],
        court: Callable[[LaTarget], str],
    ) -> None:
        self.rng = rng
        self.care = care
        self.today = today
        self.start = today - days(3650)
        self.las = las
        self.snap = snap
        self.court = court
        self.units: list[Unit] = []
        self.carers: dict[int, HouseholdCarer] = {}

    def between(self, low: int, high: int) -> int:
        return self.rng.randint(low, max(low, high))

    def pick_la(self) -> LaTarget:
        """The LA with the most children still to plan, in proportion (so linked children follow LA sizes)."""
        open_las = [la for la in self.las if la.target > la.planned] or self.las
        return self.rng.choices(open_las, weights=[max(1, la.target - la.planned) for la in open_las])[0]

    def births(self, entered: date, size: int) -> list[date]:
        """Siblings a year or two apart; the youngest often a baby at entry."""
        youngest = entered - days(self.between(0, 30) if self.rng.random() < 0.45 else self.between(30, 1300))
        return sorted(youngest - days(i * self.between(330, 800)) for i in range(size))

    # --- children matched with a household -----------------------------------------------------
    def linked(self, household: HouseholdRow, disrupted_with: Callable[[date, date], HouseholdRow] | None) -> Unit:
        """The children of a matched, placed or adopted household: the journey worked back from the match."""
        rng = self.rng
        assert household.matched_on is not None
        matched = household.matched_on
        size = 1
        if household.siblings:
            size = rng.choices((1, 2, 3), weights=(40, 50, 10))[0]
        placed = adopted = None
        if household.status in (S.PLACED, S.ADOPTED):
            placed = min(self.today, matched + days(self.between(7, 42)))
        if household.status == S.ADOPTED and placed is not None:
            adopted = min(self.today, placed + days(self.between(84, 450)))
        # Adopted by their foster carers (fostered by them first): not after a disruption, when the child
        # went back to other foster carers in between (the A5 placement must follow the same carers: rule 217).
        with_carers = disrupted_with is None and rng.random() < 0.12
        moved_in = placed - days(self.between(60, 300)) if with_carers and placed else None
        placements: list[tuple[int, date, date | None, date | None, bool, date | None]] = []
        earliest = matched
        if disrupted_with is not None and placed is not None:
            ended = matched - days(self.between(45, 200))
            first_placed = ended - days(self.between(40, 300))
            first_matched = first_placed - days(self.between(7, 30))
            other = disrupted_with(first_matched, ended + days(self.between(14, 60)))
            placements.append((other.id, first_matched, first_placed, ended, False, None))
            self.carers.setdefault(other.id, HouseholdCarer(other.reference, "", other.at_vaa, other.approved_on))
            earliest = first_matched
        placements.append((household.id, matched, placed, None, with_carers and placed is not None, moved_in))
        order = earliest - days(self.between(30, 400))
        decided = order - days(self.between(21, 200))
        entered = decided - days(self.between(60, 330))
        if moved_in is not None:
            moved_in = max(moved_in, entered)
            placements[-1] = (*placements[-1][:5], moved_in)
        self.carers.setdefault(
            household.id, HouseholdCarer(household.reference, "", household.at_vaa, household.approved_on)
        )
        journey = JourneyFacts(
            entered=entered,
            ended=adopted,
            reason_ended=("E12" if rng.random() < 0.1 else "E11") if adopted else "",
            decided=decided,
            order=order,
            placements=tuple(PlacementFacts(self.carers[h], m, p, w, mi, e) for h, m, p, e, w, mi in placements),
        )
        stage = Stage.ADOPTED if adopted else (Stage.PLACED if placed else Stage.MATCHED)
        la = self.pick_la()
        unit = Unit(
            la=la,
            size=size,
            stage=stage,
            journey=journey,
            born=self.births(entered, size),
            decisions=((decided, None, ""),),
            outcomes=(("adoption_order", adopted),) if adopted else (),
            placements=tuple(placements),
        )
        la.planned += size
        self.units.append(unit)
        return unit

    # --- everyone else -------------------------------------------------------------------------
    def unlinked(self, la: LaTarget) -> None:
        rng = self.rng
        stage = weighted(rng, UNLINKED)
        size = 2 if rng.random() < 0.08 and la.target - la.planned >= 2 else 1
        today = self.today
        outcomes: tuple[tuple[str, date], ...] = ()
        ended, reason_ended, order, reversal = None, "", None, None
        decisions: tuple[tuple[date, date | None, str], ...]
        if stage == Stage.DECISION:
            entered = today - days(self.between(100, 500))
            decided = min(today - days(1), entered + days(self.between(45, 300)))
            decisions = ((decided, None, ""),)
        elif stage == Stage.PLACEMENT_ORDER:
            entered = today - days(self.between(200, 1500))
            decided = min(today - days(30), entered + days(self.between(45, 300)))
            order = min(today - days(1), decided + days(self.between(21, 240)))
            decisions = ((decided, None, ""),)
        else:
            entered = self.start + days(self.between(0, 3650 - 1500))
            decided = entered + days(self.between(45, 240))
            kind, reason_ended, _ = rng.choices(AFTER_REVERSAL, weights=[a[2] for a in AFTER_REVERSAL])[0]
            if kind != "sgo" or rng.random() < 0.5:
                order = decided + days(self.between(21, 200))
            reversed_on = (order or decided) + days(self.between(30, 500))
            reason = "RD2" if kind == "sgo" and order is None else rng.choice(("RD1", "RD1", "RD4"))
            made = reversed_on + days(self.between(0, 120))
            decisions = ((decided, reversed_on, reason),)
            outcomes = ((kind, made),)
            reversal = reversed_on
            if reason_ended:
                ended = made
        journey = JourneyFacts(
            entered=entered,
            ended=ended,
            reason_ended=reason_ended,
            decided=decided,
            reversed_on=reversal,
            order=order,
            outcome=outcomes[0] if outcomes else None,
        )
        self.units.append(
            Unit(
                la=la,
                size=size,
                stage=stage,
                journey=journey,
                born=self.births(entered, size),
                decisions=decisions,
                outcomes=outcomes,
            )
        )
        la.planned += size

    def fill(self) -> None:
        for la in self.las:
            while la.planned < la.target:
                self.unlinked(la)

    # --- writing ---------------------------------------------------------------------------------
    def write(self, writer: CopyWriter, out: ChildrenOut, *, adm_worker: int) -> None:
        """Every unit's children and records."""
        rng = self.rng
        child_count = sum(u.size for u in self.units)
        out.children += child_count
        for unit in self.units:
            la = unit.la
            care: CarePlan = self.care.care_plan(la=la.demo, journey=unit.journey, stage=str(unit.stage))
            ethnicity = weighted(rng, ETHNICITY_WEIGHTS)
            group_key = names.name_group(rng, ethnicity)
            surname = names.surname(rng, group_key)
            ids = [writer.next_id(Child) for _ in range(unit.size)]
            sibling_group = None
            if unit.size > 1:
                high = unit.placements[0][1] if unit.placements else self.today
                assessed = min(high, unit.journey.decided or high)
                writer.add(
                    SiblingGroup,
                    responsible_la_id=la.org_id,
                    name=f"{surname} siblings",
                    plan="together",
                    assessed_on=assessed,
                    assessment_outcome="together",
                )
            for child_id, born in zip(ids, unit.born, strict=True):
                la.serial += 1
                sex = rng.choice(("M", "F"))
                writer.add(
                    Child,
                    id=child_id,
                    responsible_la_id=la.org_id,
                    la_child_id=f"{la.number:03d}C{la.serial:06d}",
                    child_903_id=f"{la.number:03d}{la.serial:06d}",
                    upn=self.upn(la, born),
                    first_name=names.first_name(rng, group_key, "boy" if sex == "M" else "girl"),
                    last_name=surname,
                    date_of_birth=born,
                    sex=sex,
                    ethnicity=ethnicity,
                    has_disability=rng.random() < 0.06,
                    birth_family_area=la.name,
                    avoid_birth_family_area=rng.random() < 0.25,
                    early_permanence_sought=rng.random() < 0.1,
                )
                if sibling_group is not None:
                    writer.add(SiblingGroupMember, group_id=sibling_group, child_id=child_id)
                self.write_journey(writer, unit, care, child_id)
            self.write_placements(writer, out, unit, ids, sibling_group, adm_worker)
        self.units = []

    def upn(self, la: LaTarget, born: date) -> str:
        starts_school = born.year + 5 if born.month >= 9 else born.year + 4
        if date(starts_school, 9, 1) > self.today:
            return ""
        digits = f"{la.number:03d}{self.between(2000, 4999):04d}{starts_school % 100:02d}{self.between(0, 999):03d}"
        total = sum(int(d) * weight for d, weight in zip(digits, range(2, 14), strict=True))
        return _UPN_CHECK_LETTERS[total % 23] + digits

    def write_journey(self, writer: CopyWriter, unit: Unit, care: CarePlan, child_id: int) -> None:
        journey = unit.journey
        period = writer.add(
            PeriodOfCare,
            child_id=child_id,
            started_on=journey.entered,
            ended_on=journey.ended,
            reason_ended=journey.reason_ended if journey.ended else "",
        )
        for episode in care.episodes:
            writer.add(Episode, period_id=period, **episode.__dict__)
        for decided, reversed_on, reason in unit.decisions:
            writer.add(
                AdoptionDecision,
                child_id=child_id,
                decided_on=decided,
                reversed_on=reversed_on,
                reversal_reason=reason,
            )
        if journey.order:
            writer.add(
                PlacementOrder,
                child_id=child_id,
                made_on=journey.order,
                court=self.court(unit.la),
            )
        for kind, made in unit.outcomes:
            writer.add(
                PermanenceOutcome,
                child_id=child_id,
                kind=kind,
                made_on=made,
                court=self.court(unit.la) if kind in ("adoption_order", "sgo", "cao") else "",
            )
        for status in care.family_finding:
            writer.add(FamilyFindingStatus, child_id=child_id, **status.__dict__)
        for featuring in care.featurings:
            writer.add(Featuring, child_id=child_id, **featuring.__dict__)
        for stage in care.proceedings:
            writer.add(ProceedingsTracking, child_id=child_id, **stage.__dict__)
        for early in care.early_permanence:
            household_id = next(h for h, c in self.carers.items() if c.reference == early.household)
            writer.add(
                EarlyPermanencePlacement,
                child_id=child_id,
                kind=early.kind,
                household_id=household_id,
                started_on=early.started_on,
                ended_on=early.ended_on,
            )
        if care.cpr is not None:
            writer.add(ChildPermanenceReport, child_id=child_id, **care.cpr.__dict__)

    def write_placements(
        self,
        writer: CopyWriter,
        out: ChildrenOut,
        unit: Unit,
        ids: list[int],
        sibling_group: int | None,
        adm_worker: int,
    ) -> None:
        """One link and match per placement event (siblings share them), a placement per child, disruptions."""
        rng = self.rng
        adopted = dict(unit.outcomes).get("adoption_order")
        for household_id, matched, placed, ended, with_carers, moved_in in unit.placements:
            link = writer.add(
                Link,
                child_id=ids[0],
                sibling_group_id=sibling_group,
                household_id=household_id,
                origin=weighted(rng, (("agency", 70), ("adopters", 15), ("exchange", 15))),
                started_on=matched - days(self.between(30, 110)),
                outcome="matched",
                outcome_on=matched,
            )
            panel = self.snap(matched - days(self.between(1, 20)))
            done = "completed" if placed else "in_progress"
            match = writer.add(
                Match,
                household_id=household_id,
                sibling_group_id=sibling_group,
                placement_report_status=done,
                support_plan_status=done,
                panel_on=panel,
                panel_recommendation="recommended",
                decided_on=matched,
                inter_agency=self.carers[household_id].at_vaa,
            )
            out.matches.append((match, link, panel, matched))
            for child_id in ids:
                placement = writer.add(
                    AdoptivePlacement,
                    child_id=child_id,
                    household_id=household_id,
                    matched_on=matched,
                    placed_on=placed,
                    with_foster_carers=with_carers,
                    moved_in_with_carers_on=moved_in if with_carers else None,
                    ended_on=ended,
                    match_id=match,
                    adoption_applied_on=adopted - days(self.between(14, 60)) if adopted and ended is None else None,
                )
                if ended is not None:
                    meeting = ended + days(self.between(7, 40))
                    writer.add(
                        Disruption,
                        placement_id=placement,
                        reason=rng.choice(_DISRUPTION_REASONS),
                        meeting_on=meeting if meeting <= self.today else None,
                    )
        if adopted is not None:
            out.adopted.extend((unit.la.org_id, child_id, adopted) for child_id in ids)
