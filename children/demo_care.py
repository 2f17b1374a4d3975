"""Demo region, part 3b: each demo child's SSDA903 history and the records around the journey.

``children.demo`` plans the journey's dates (entered care, decision, placement order, match,
placement, adoption order); this module turns a journey into what an LA's case system would hold
for it, so that the demo region's 903 export passes the DfE validator (PyPI
``csc-validator-be-903``) on the Header, Episodes, AD1 and PlacedAdoption tables:

* **Episodes** (one per stretch of the same legal status and placement): the first with RNE S; then
  one for each change of legal status (C1 -> C2 -> E1 at the placement order; V2 -> C1 when
  proceedings are issued), each move between carers (RNE P, with REASON_PLACE_CHANGE on the
  episode that ends), early permanence (U5), placement for adoption (A6, or A5 with the foster
  carers, RNE T: same carers, new placement type, as 903 rule 217 requires) and the end of the
  period with its REC (E11/E12 at the adoption order).
* Postcodes are real full postcodes (ONS) in each LA's towns: the validator derives the placement
  LA and distance from them (rules 169, 179, 392a-c) and knows only full postcodes.
* URNs where rule 218 wants one: the LA's fostering service, an independent fostering agency, the
  VAA, or ``XXXXXXX`` for placements made by the regional adoption agency (rule 242). The Ofsted
  URNs here are made up.
* Family-finding statuses, featuring, early permanence placements, proceedings tracking and the
  Child's Permanence Report.

Draws come from their own seeded generator (``children-903:<seed>``), so the journeys that
``children.demo`` plans are the same as before these details existed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, timedelta

from adoption.demo import DemoLa

# Real postcodes (ONS postcode directory, as shipped with the validator) in each area's towns.
POSTCODES: dict[str, tuple[str, ...]] = {
    "Coventry": ("CV1 2AA", "CV1 2HE", "CV1 2RL", "CV2 4AA", "CV2 4GP", "CV2 4PZ", "CV3 5AA", "CV6 5GZ"),
    "Tile Hill": ("CV4 9AA", "CV4 9HS", "CV4 9SG"),
    "Earlsdon": ("CV5 6AA", "CV5 6HB", "CV5 6RB"),
    "Solihull": ("B91 3AA", "B91 3HT", "B91 3SH", "B92 7AA", "B92 7FH", "B92 7NY"),
    "Shirley": ("B90 3AA", "B90 3GD", "B90 3PL"),
    "Knowle": ("B93 0AA", "B93 0EF", "B93 0LA"),
    "Nuneaton": ("CV11 4AA", "CV11 4HS", "CV11 4RQ"),
    "Rugby": ("CV21 2AA", "CV21 2JQ", "CV21 2SH"),
    "Leamington Spa": ("CV32 5AA", "CV32 5HT", "CV32 5SJ"),
    "Stratford-upon-Avon": ("CV37 6AA", "CV37 6HT", "CV37 6SL"),
    "Warwick": ("CV34 4AA", "CV34 4JN", "CV34 4SD"),
    "Bedworth": ("CV12 8AA", "CV12 8HZ", "CV12 8RG"),
    "Worcester": ("WR1 2AA", "WR1 2HB", "WR1 2PL", "WR5 1AA", "WR5 1HX", "WR5 1QZ"),
    "Redditch": ("B97 4AA", "B97 4HA", "B97 4PA"),
    "Kidderminster": ("DY10 1AA", "DY10 1LA", "DY10 1SU"),
    "Bromsgrove": ("B60 2AA", "B60 2FN", "B60 2NY"),
    "Malvern": ("WR14 3AA", "WR14 3HQ", "WR14 3QJ"),
    "Evesham": ("WR11 4AA", "WR11 4JU", "WR11 4SR"),
    "Hereford": ("HR1 1AA", "HR1 1HY", "HR1 1SL", "HR4 0AA", "HR4 0JA", "HR4 0RT"),
    "Leominster": ("HR6 8AA", "HR6 8HJ", "HR6 8QT"),
    "Ross-on-Wye": ("HR9 5AA", "HR9 5LN", "HR9 5SJ"),
    # Areas outside the region where some adopters live.
    "Birmingham": ("B13 8AA", "B13 8EW", "B13 8NR"),
    "Wolverhampton": ("WV1 4AA", "WV1 4GU", "WV1 4QL"),
    "Stafford": ("ST16 2AA", "ST16 2HG", "ST16 2PT"),
    "Gloucester": ("GL1 2AA", "GL1 2JB", "GL1 2RQ"),
    "Northampton": ("NN1 3AA", "NN1 3EZ", "NN1 3QE"),
    "Leicester": ("LE2 1AA", "LE2 1HG", "LE2 1TS"),
}

# Made-up Ofsted URNs: each LA's fostering service, two independent fostering agencies, the VAA.
LA_FOSTERING_URN: dict[str, str] = {
    "coventry": "SC905101",
    "solihull": "SC905102",
    "warwickshire": "SC905103",
    "worcestershire": "SC905104",
    "herefordshire": "SC905105",
}
IFA_URNS = ("SC905201", "SC905202")
VAA_URN = "SC905301"
# 903 rule 242: "XXXXXXX" is the URN of a placement made through a regional adoption agency.
RAA_URN = "XXXXXXX"

# 903 CIN, roughly as for children who are adopted (most enter care because of abuse or neglect).
CATEGORY_OF_NEED_WEIGHTS = (("N1", 66), ("N2", 2), ("N3", 5), ("N4", 8), ("N5", 11), ("N6", 1), ("N7", 1), ("N8", 6))
# Why a foster placement ended (903 REASON_PLACE_CHANGE) when a child moves between foster carers.
MOVE_REASONS = (("CARPL", 30), ("CLOSE", 15), ("CREQO", 20), ("CREQB", 8), ("LAREQ", 12), ("STAND", 5), ("OTHER", 10))
# Why an adoptive placement ended before an order (a disruption).
DISRUPTION_REASONS = (("CREQO", 50), ("CREQB", 30), ("CARPL", 20))


def _days(n: int) -> timedelta:
    return timedelta(days=n)


def _weighted(rng: random.Random, options: tuple[tuple[str, int], ...]) -> str:
    values, weights = zip(*options, strict=True)
    return rng.choices(values, weights=weights)[0]


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
class Carer:
    """Who the child lives with. The same ``key`` means the same carers (903 RNE T/U rather than P/B)."""

    key: str
    place: str  # 903 PLACE
    provider: str  # 903 PLACE_PROVIDER
    postcode: str
    urn: str


@dataclass(frozen=True)
class Change:
    """A change on ``on``: a new legal status, new carers (or placement type), or both.

    ``long_term``: the same carers, now as a long-term placement (U6 -> U4, U3 -> U1), when the
    plan becomes long-term fostering.
    """

    on: date
    legal_status: str | None = None
    carer: Carer | None = None
    reason: str = ""  # 903 REASON_PLACE_CHANGE for the placement that ends
    long_term: bool = False


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
    """The dates of a journey that the care history follows (see ``children.demo._Journey``)."""

    entered: date
    ended: date | None
    reason_ended: str
    decided: date | None = None
    reversed_on: date | None = None
    order: date | None = None
    placements: tuple[PlacementFacts, ...] = ()
    outcome: tuple[str, date] | None = None  # (PermanenceOutcome.Kind, made on), other than adoption
    early_permanence: tuple[str, HouseholdCarer, date] | None = None  # (kind, carers, from), not linked


_LONG_TERM = {"U6": "U4", "U3": "U1"}


def build_episodes(
    *,
    started_on: date,
    legal_status: str,
    carer: Carer,
    category_of_need: str,
    home_postcode: str,
    changes: list[Change],
    ended_on: date | None,
    reason_ended: str,
    today: date,
) -> tuple[EpisodePlan, ...]:
    """The 903 episodes of one period of care, from its start and the changes in it.

    Changes on the same day make one new episode; changes on or before the start, on or after
    the end (no episode lasts less than a day: rule 355) or after ``today`` are left out.
    """
    merged: dict[date, Change] = {}
    for change in sorted(changes, key=lambda c: c.on):
        if change.on <= started_on or change.on > today or (ended_on is not None and change.on >= ended_on):
            continue
        earlier = merged.get(change.on)
        if earlier is not None:
            change = Change(
                change.on,
                change.legal_status or earlier.legal_status,
                change.carer or earlier.carer,
                change.reason or earlier.reason,
                change.long_term or earlier.long_term,
            )
        merged[change.on] = change

    def episode(on: date, rne: str, status: str, who: Carer) -> EpisodePlan:
        return EpisodePlan(
            started_on=on,
            reason_new_episode=rne,
            legal_status=status,
            category_of_need=category_of_need,
            placement_type=who.place,
            placement_provider=who.provider,
            home_postcode=home_postcode,
            placement_postcode=who.postcode,
            urn=who.urn,
        )

    episodes = [episode(started_on, "S", legal_status, carer)]
    current_status, current_carer = legal_status, carer
    for on in sorted(merged):
        change = merged[on]
        status = change.legal_status or current_status
        who = change.carer or current_carer
        if change.long_term and who.place in _LONG_TERM:
            who = replace(who, place=_LONG_TERM[who.place])
        status_changed = status != current_status
        placement_changed = who != current_carer
        if not status_changed and not placement_changed:
            continue
        same_carers = who.key == current_carer.key
        # 903 RNE: L legal status only; P new carers; T same carers, new placement;
        # B legal status and new carers; U legal status and new placement, same carers.
        if status_changed and placement_changed:
            rne = "U" if same_carers else "B"
        elif status_changed:
            rne = "L"
        else:
            rne = "T" if same_carers else "P"
        # REASON_PLACE_CHANGE belongs to the episode whose placement ends (rule 225).
        episodes[-1] = replace(
            episodes[-1],
            ended_on=on,
            reason_ended="X1",
            reason_place_change=(change.reason or "OTHER") if placement_changed else "",
        )
        episodes.append(episode(on, rne, status, who))
        current_status, current_carer = status, who
    if ended_on is not None:
        episodes[-1] = replace(episodes[-1], ended_on=ended_on, reason_ended=reason_ended)
    return tuple(episodes)


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
