"""Demo region, part 3b: each demo child's SSDA903 history and the records around the journey.

``children.demo`` plans the journey's dates (entered care, decision, placement order, match,
placement, adoption order); :class:`CarePlanner` turns a journey into what an LA's case system would
hold for it, so that the demo region's 903 export passes the DfE validator (PyPI
``csc-validator-be-903``) on the Header, Episodes, AD1 and PlacedAdoption tables: the episodes
(``children.demo.episodes``), family-finding statuses, featuring, early permanence placements,
proceedings tracking and the Child's Permanence Report.

Draws come from their own seeded generator (``children-903:<seed>``), so the journeys that
``children.demo`` plans are the same as before these details existed.
"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date

from adoption.demo import DemoLa
from children.demo.care_plans import (
    CarePlan,
    CprPlan,
    EarlyPermanencePlan,
    EpisodePlan,
    FeaturingPlan,
    HouseholdCarer,
    JourneyFacts,
    ProceedingsPlan,
    SiblingGroupPlan,
    StatusPlan,
)
from children.demo.draws import _days, _weighted
from children.demo.episodes import (
    IFA_URNS,
    LA_FOSTERING_URN,
    POSTCODES,
    RAA_URN,
    VAA_URN,
    Carer,
    Change,
    build_episodes,
)

# 903 CIN, roughly as for children who are adopted (most enter care because of abuse or neglect).
CATEGORY_OF_NEED_WEIGHTS = (("N1", 66), ("N2", 2), ("N3", 5), ("N4", 8), ("N5", 11), ("N6", 1), ("N7", 1), ("N8", 6))
# Why a foster placement ended (903 REASON_PLACE_CHANGE) when a child moves between foster carers.
MOVE_REASONS = (("CARPL", 30), ("CLOSE", 15), ("CREQO", 20), ("CREQB", 8), ("LAREQ", 12), ("STAND", 5), ("OTHER", 10))
# Why an adoptive placement ended before an order (a disruption).
DISRUPTION_REASONS = (("CREQO", 50), ("CREQB", 30), ("CARPL", 20))


class CarePlanner:
    """Draws the care history of each journey from its own generator."""

    def __init__(self, *, seed: int, today: date) -> None:
        self.rng = random.Random(f"children-903:{seed}")
        self.today = today
        self._carers = 0
        self._used: set[str] = set()  # postcodes already used in the journey being planned

    def between(self, low: int, high: int) -> int:
        return self.rng.randint(low, max(low, high))

    def day_between(self, low: date, high: date) -> date:
        return low + _days(self.between(0, max(0, (high - low).days)))

    # --- people the child lives with -----------------------------------------------------------
    def postcode(self, towns: tuple[str, ...]) -> str:
        """A postcode in one of ``towns`` that no one else in the child's history lives at.

        New carers at a new address: a change of carers that left every placement field as it was
        would read as no change at all (903 rule 435).
        """
        every = [p for town in towns for p in POSTCODES[town]]
        choice = self.rng.choice([p for p in every if p not in self._used] or every)
        self._used.add(choice)
        return choice

    def _key(self, kind: str) -> str:
        self._carers += 1
        return f"{kind}{self._carers}"

    def foster_carers(self, la: DemoLa) -> Carer:
        """Short-term foster carers: the LA's own (most) or an independent fostering agency's."""
        if self.rng.random() < 0.72:
            provider, urn = "PR1", LA_FOSTERING_URN[la.key]
        else:
            provider, urn = "PR4", self.rng.choice(IFA_URNS)
        return Carer(self._key("fc"), "U6", provider, self.postcode(la.towns), urn)

    def relatives(self, la: DemoLa) -> Carer:
        """Family and friends approved as the child's foster carers (kinship)."""
        return Carer(self._key("kin"), "U3", "PR1", self.postcode(la.towns), LA_FOSTERING_URN[la.key])

    def household(self, household: HouseholdCarer, place: str, la: DemoLa) -> Carer:
        """Adopters (or fostering-for-adoption carers) approved by the RAA or the VAA."""
        towns = (household.area,) if household.area in POSTCODES else la.towns
        provider, urn = ("PR5", VAA_URN) if household.at_vaa else ("PR1", RAA_URN)
        return Carer(f"hh:{household.reference}", place, provider, self.postcode(towns), urn)

    # --- the history ---------------------------------------------------------------------------
    def care_plan(self, *, la: DemoLa, journey: JourneyFacts, stage: str) -> CarePlan:
        rng = self.rng
        self._used = set()
        home = self.postcode(la.towns)
        cin = _weighted(rng, CATEGORY_OF_NEED_WEIGHTS)
        entered, ended = journey.entered, journey.ended
        last_day = min(ended or self.today, self.today)
        changes: list[Change] = []

        # Legal status: most babies come in under an interim care order; some are accommodated
        # (s20, V2) until proceedings are issued. The placement order is legal status E1.
        status = "V2" if rng.random() < 0.15 else "C1"
        interim_from = entered
        if status == "V2":
            interim_from = entered + _days(self.between(14, 60))
            changes.append(Change(interim_from, legal_status="C1"))
        if journey.order:
            room = (journey.order - interim_from).days
            if room > 120 and rng.random() < 0.35:
                changes.append(Change(interim_from + _days(self.between(60, room - 30)), legal_status="C2"))
            changes.append(Change(journey.order, legal_status="E1"))
        else:
            changes.append(Change(interim_from + _days(self.between(150, 300)), legal_status="C2"))

        # Where the child lives.
        outcome_kind, outcome_on = journey.outcome or ("", None)
        kinship = journey.reason_ended in {"E48", "E41"} or (
            outcome_kind == "long_term_fostering" and rng.random() < 0.3
        )
        early = journey.early_permanence
        planned: list[Change] = []  # placement changes the journey itself implies
        early_permanence: list[EarlyPermanencePlan] = []
        with_carers_from: date | None = None
        if early and early[2] <= entered:
            carers = self.household(early[1], "U5", la)
            early_permanence.append(EarlyPermanencePlan(early[0], early[1].reference, entered))
        else:
            carers = self.foster_carers(la)
        if early and early[2] > entered:
            planned.append(Change(early[2], carer=self.household(early[1], "U5", la), reason="CARPL"))
            early_permanence.append(EarlyPermanencePlan(early[0], early[1].reference, early[2]))
        if kinship and not early:
            # With relatives or friends approved as foster carers: from the start, or after a while.
            low = entered + _days(14)
            high = (outcome_on or last_day) - _days(30)
            if high > low and rng.random() < 0.5:
                on = self.day_between(max(low, high - _days(270)), high)
                planned.append(Change(on, carer=self.relatives(la), reason="CARPL"))
            else:
                carers = self.relatives(la)

        for placement in journey.placements:
            household, placed = placement.household, placement.placed_on
            if placed is None:
                continue
            if placement.with_foster_carers:
                # Adopted by their foster carers: fostered by them first (U5 when they were already
                # approved adopters: fostering for adoption), then placed for adoption with them (A5).
                moved_in = max(entered, placement.moved_in_with_carers_on or placed)
                with_carers_from = moved_in
                approved_by_then = household.approved_on is not None and household.approved_on <= moved_in
                fostering = self.household(household, "U5" if approved_by_then else "U6", la)
                if moved_in <= entered:
                    carers = fostering
                else:
                    planned.append(Change(moved_in, carer=fostering, reason="CARPL"))
                if approved_by_then:
                    kind = "concurrent" if rng.random() < 0.2 else "ffa"
                    early_permanence.append(EarlyPermanencePlan(kind, household.reference, moved_in, placed))
                # Same carers, new placement type: RNE T (rule 217), the foster placement ends as
                # a change of placement status.
                planned.append(Change(placed, carer=replace(fostering, place="A5"), reason="PLACE"))
            else:
                planned.append(Change(placed, carer=self.household(household, "A6", la), reason="CARPL"))
            if placement.ended_on:
                reason = _weighted(rng, DISRUPTION_REASONS)
                planned.append(Change(placement.ended_on, carer=self.foster_carers(la), reason=reason))

        if journey.reversed_on and journey.order:
            # No longer to be adopted: the placement order is revoked and the care order revives
            # (E1 -> C2). The demo records both on the day of the reversal; an E1 legal status
            # with the decision reversed reads as an error (903 rule 553).
            changes.append(Change(journey.reversed_on, legal_status="C2"))
        if journey.reversed_on and stage == "reversed" and rng.random() < 0.6:
            planned.append(Change(journey.reversed_on, reason="CARPL", long_term=True))
        if outcome_kind == "long_term_fostering" and outcome_on:
            planned.append(Change(outcome_on, reason="CARPL", long_term=True))
        if journey.reason_ended == "E13" and ended:
            # Home to parents first (placed with parents, P1; never while accommodated under s20:
            # rule 378), then out of care.
            low = max(entered + _days(30), interim_from + _days(1))
            high = ended - _days(60)
            if high > low:
                parents = Carer("parents", "P1", "PR0", home, "")
                planned.append(Change(self.day_between(low, high), carer=parents, reason="CARPL"))

        # Moves between foster carers before the journey's own changes.
        first_planned = min([c.on for c in planned if c.on > entered] + [last_day])
        window_start, window_end = entered + _days(21), first_planned - _days(21)
        span = (window_end - window_start).days
        if span > 60 and carers.place == "U6" and with_carers_from != entered:
            moves = rng.choices((0, 1, 2), weights=(55, 33, 12))[0] if span > 150 else int(rng.random() < 0.3)
            for on in sorted({window_start + _days(self.between(0, span)) for _ in range(moves)}):
                planned.append(Change(on, carer=self.foster_carers(la), reason=_weighted(rng, MOVE_REASONS)))

        episodes = build_episodes(
            started_on=entered,
            legal_status=status,
            carer=carers,
            category_of_need=cin,
            home_postcode=home,
            changes=changes + planned,
            ended_on=ended,
            reason_ended=journey.reason_ended,
            today=self.today,
        )
        return CarePlan(
            episodes=episodes,
            early_permanence=tuple(ep for ep in early_permanence if ep.started_on <= self.today),
            family_finding=self.family_finding(journey, stage),
            featurings=self.featurings(journey, stage),
            proceedings=self.proceedings_in_care(journey, episodes),
            cpr=self.cpr(journey),
        )

    # --- around the journey --------------------------------------------------------------------
    def family_finding(self, journey: JourneyFacts, stage: str) -> tuple[StatusPlan, ...]:
        if journey.decided is None:
            return ()
        rng = self.rng
        statuses: list[StatusPlan] = []
        start = journey.order or min(journey.decided + _days(self.between(7, 45)), self.today)
        statuses.append(StatusPlan("active", start))
        last = start
        for placement in journey.placements:
            linked = max(last + _days(1), placement.matched_on - _days(self.between(30, 110)))
            if linked < placement.matched_on:
                statuses.append(StatusPlan("link_identified", linked))
                last = linked
            if placement.ended_on:
                again = placement.ended_on + _days(self.between(3, 21))
                statuses.append(StatusPlan("active", again, "Family finding again after the placement ended"))
                last = again
        if journey.early_permanence and not journey.placements:
            on = max(last + _days(1), journey.early_permanence[2])
            if on <= self.today:
                statuses.append(StatusPlan("link_identified", on, "Living with early permanence carers"))
                last = on
        if stage == "placement_order" and not journey.early_permanence and rng.random() < 0.2:
            held = last + _days(self.between(30, 200))
            if held < self.today - _days(30):
                statuses.append(StatusPlan("on_hold", held, "Waiting for a therapeutic assessment"))
                resumed = held + _days(self.between(21, 90))
                if resumed <= self.today:
                    statuses.append(StatusPlan("active", resumed))
                last = max(held, resumed)
        if journey.reversed_on:
            # The latest status, even when the reversal is on the reference date: on the same day as
            # the one before it at worst (the latest is the last recorded), never after the reference date.
            on = min(max(last + _days(1), journey.reversed_on), self.today)
            statuses.append(StatusPlan("not_sought", on, "The plan is no longer adoption"))
        return tuple(s for s in statuses if s.status_from <= self.today)

    def featurings(self, journey: JourneyFacts, stage: str) -> tuple[FeaturingPlan, ...]:
        if journey.order is None or journey.early_permanence:
            return ()
        rng = self.rng
        found: list[FeaturingPlan] = []
        if stage == "placement_order" and (self.today - journey.order).days > 150:
            found.append(FeaturingPlan("link_maker", journey.order + _days(self.between(30, 120))))
            if rng.random() < 0.5:
                found.append(FeaturingPlan("exchange_day", journey.order + _days(self.between(120, 300))))
        elif journey.placements and rng.random() < 0.3:
            matched = journey.placements[-1].matched_on
            if (matched - journey.order).days > 60:
                found.append(FeaturingPlan("link_maker", self.day_between(journey.order, matched - _days(45))))
        return tuple(f for f in found if f.featured_on <= self.today)

    def proceedings_in_care(
        self, journey: JourneyFacts, episodes: tuple[EpisodePlan, ...]
    ) -> tuple[ProceedingsPlan, ...]:
        """Care proceedings from entering care; after the placement order, post placement order."""
        if journey.order:
            return (
                ProceedingsPlan("care_proceedings", journey.entered, final_hearing_on=journey.order),
                ProceedingsPlan("post_placement_order", journey.order),
            )
        if journey.ended:
            return ()
        concluded = next((e.started_on for e in episodes if e.legal_status == "C2"), None)
        if concluded:
            return (ProceedingsPlan("care_proceedings", journey.entered, final_hearing_on=concluded),)
        # Still in proceedings: the final hearing is expected within 26 weeks of issue (or soon).
        hearing = max(journey.entered + _days(182), self.today + _days(self.between(14, 90)))
        return (ProceedingsPlan("care_proceedings", journey.entered, final_hearing_on=hearing),)

    def proceedings_before_care(self, *, born: date | None, expected: date | None) -> tuple[ProceedingsPlan, ...]:
        """Unborn babies in pre-birth assessment; children at home in pre-proceedings or care proceedings."""
        if born is None:
            assert expected is not None
            return (ProceedingsPlan("pre_birth", min(self.today, expected - _days(self.between(60, 150)))),)
        pre = min(self.today, born + _days(self.between(14, max(14, (self.today - born).days))))
        stages = [ProceedingsPlan("pre_proceedings", pre)]
        if self.rng.random() < 0.5 and (self.today - pre).days > 30:
            issued = pre + _days(self.between(21, (self.today - pre).days))
            stages.append(
                ProceedingsPlan("care_proceedings", issued, final_hearing_on=self.today + _days(self.between(30, 150)))
            )
        return tuple(stages)

    def cpr(self, journey: JourneyFacts) -> CprPlan | None:
        """The CPR: completed before the ADM's decision; in progress for some children still in care."""
        if journey.decided:
            room = (journey.decided - journey.entered).days
            completed = max(journey.entered, journey.decided - _days(self.between(1, max(1, min(14, room)))))
            started = max(journey.entered, completed - _days(self.between(14, 60)))
            return CprPlan("completed", started, completed, completed)
        if journey.ended or self.rng.random() < 0.5:
            return None
        started = min(self.today, journey.entered + _days(self.between(20, 90)))
        return CprPlan("in_progress", started, started + _days(56))

    def sibling_group(self, *, key: str, last_name: str, journey: JourneyFacts, waiting: bool) -> SiblingGroupPlan:
        """Siblings planned together; assessed (together) before the match, or not yet for some waiting."""
        name = f"{last_name} siblings"
        if waiting and self.rng.random() < 0.34:
            return SiblingGroupPlan(key, name, "undecided")
        low = journey.decided or journey.entered
        high = journey.placements[0].matched_on if journey.placements else self.today
        assessed = self.day_between(min(low, high), high)
        return SiblingGroupPlan(key, name, "together", assessed, "together")
