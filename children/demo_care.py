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


# --- family finding and matching ---------------------------------------------------------------------
#
# Links, the match's panel and reports, adoption applications and disruptions are drawn from their own
# generator (``children-family-finding:<seed>``) after every journey is planned, so the journeys and
# their 903 history are the same as before these records existed.

# Learning actions after a disruption, with the role of the demo login that owns each.
LEARNING_ACTIONS: tuple[tuple[str, str], ...] = (
    ("Share the child's full health and education history with adopters before the matching panel", "family_finder"),
    ("Agree a therapeutic support plan with a named therapist before the child moves in", "family_finder"),
    ("Visit the family weekly for the first three months after a placement", "family_finder"),
    ("Offer adopters the therapeutic parenting course before introductions", "family_finder"),
    ("Explore adopters' support networks in more depth at the link stage", "family_finder"),
    ("Bring the learning from this disruption to the next panel training day", "manager"),
    ("Audit six months of Adoption Placement Reports for the detail of their support plans", "manager"),
    ("Update the matching guidance on attachment needs and contact", "manager"),
)
# Disruption reasons by the 903 reason the adoptive placement ended (REASON_PLACE_CHANGE).
DISRUPTION_REASONS_BY_903: dict[str, tuple[str, ...]] = {
    "CREQB": ("child_needs", "attachment"),
    "CREQO": ("family_circumstances", "support", "other"),
    "CARPL": ("attachment", "information", "support"),
}
# Why adopters decline a link, and why the agency does not take one forward (Link.DeclineReason).
ADOPTERS_DECLINE = (
    ("needs", 25),
    ("health", 20),
    ("background", 12),
    ("contact", 10),
    ("timing", 10),
    ("family_circumstances", 8),
    ("other", 5),
)
AGENCY_DECLINE = (("another_family", 45), ("needs", 25), ("contact", 15), ("health", 10), ("other", 5))


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


class FamilyFinder:
    """Plans each unit's family finding against the approved families of the demo region."""

    def __init__(self, *, seed: int, today: date, families: dict[str, FamilyFacts], owners: dict[str, str]) -> None:
        self.rng = random.Random(f"children-family-finding:{seed}")
        self.today = today
        self.families = families
        self._references = sorted(families)
        self.owners = owners  # the demo login owning learning actions, by role key

    def between(self, low: int, high: int) -> int:
        return self.rng.randint(low, max(low, high))

    def day_between(self, low: date, high: date) -> date:
        return low + _days(self.between(0, max(0, (high - low).days)))

    # --- which families --------------------------------------------------------------------------------
    def fits(self, family: FamilyFacts, unit: UnitFacts, on: date) -> bool:
        """Approved for this many children, and for their ages on ``on``."""
        low, high = family.age_range
        ages = [(on - born).days // 365 for born in unit.born if born is not None]
        return len(unit.born) <= family.children and all(low <= age <= high for age in ages)

    def available(self, family: FamilyFacts, start: date, end: date) -> bool:
        return any(low <= start and end <= high for low, high in family.spans)

    def family(
        self, unit: UnitFacts, start: date, end: date, used: set[str], *, fitting: bool, now: bool = False
    ) -> FamilyFacts | None:
        """A family available from ``start`` to ``end`` (and now, if ``now``) not yet linked with the unit."""
        options = [
            family
            for family in (self.families[reference] for reference in self._references if reference not in used)
            if self.available(family, start, end)
            and (family.available_now or not now)
            and (self.fits(family, unit, start) or not fitting)
        ]
        if not options:
            return None
        chosen = self.rng.choice(options)
        used.add(chosen.reference)
        return chosen

    def origin(self, unit: UnitFacts, on: date) -> str:
        """Mostly the agency's link; some adopters' expressions of interest; exchange or Link Maker when featured."""
        featured = any(f.featured_on <= on for f in unit.care.featurings)
        if featured and self.rng.random() < 0.4:
            return "exchange"
        return _weighted(self.rng, (("agency", 70), ("adopters", 22), ("exchange", 8)))

    # --- links -----------------------------------------------------------------------------------------
    def declined(
        self, unit: UnitFacts, low: date, high: date, used: set[str], area: tuple[str, bool]
    ) -> LinkPlan | None:
        """A link explored for a few weeks between ``low`` and ``high`` that went no further."""
        if (high - low).days < 21:
            return None
        start = low + _days(self.between(0, (high - low).days - 14))
        end = min(high, start + _days(self.between(7, 42)))
        by_adopters = self.rng.random() < 0.55
        family = self.family(unit, start, end, used, fitting=by_adopters)
        if family is None:
            return None
        if by_adopters:
            reason = _weighted(self.rng, ADOPTERS_DECLINE)
        elif len(unit.born) > family.children:
            reason = "siblings"
        elif not self.fits(family, unit, start):
            reason = "age"
        elif area[1] and family.area == area[0]:
            reason = "location"  # the family lives where the child's birth family does
        else:
            reason = _weighted(self.rng, AGENCY_DECLINE)
        outcome = "declined_by_adopters" if by_adopters else "declined_by_agency"
        return LinkPlan(family.reference, self.origin(unit, start), start, outcome, end, reason)

    def earlier_links(
        self,
        unit: UnitFacts,
        low: date,
        high: date,
        used: set[str],
        area: tuple[str, bool],
        *,
        weights: tuple[int, ...],
    ) -> list[LinkPlan]:
        count = self.rng.choices(range(len(weights)), weights=weights)[0]
        found = [link for _ in range(count) if (link := self.declined(unit, low, high, used, area))]
        return sorted(found, key=lambda link: link.started_on)

    def withdrawn(self, unit: UnitFacts, low: date, on: date, used: set[str]) -> LinkPlan | None:
        """A link still open when another family was chosen or the plan changed: withdrawn on ``on``."""
        if (on - low).days < 14:
            return None
        start = low + _days(self.between(0, (on - low).days - 7))
        family = self.family(unit, start, on, used, fitting=True)
        if family is None:
            return None
        return LinkPlan(family.reference, self.origin(unit, start), start, "withdrawn", on)

    def matched_link(self, unit: UnitFacts, placement: PlacementFacts, low: date) -> LinkPlan:
        """The link that went on to the match: when the family-finding status says a link was identified."""
        household = placement.household
        approved = household.approved_on
        assert approved is not None
        moved_in = placement.moved_in_with_carers_on
        if placement.with_foster_carers and moved_in and approved <= moved_in:
            start = moved_in - _days(self.between(7, 30))  # linked before fostering for adoption began
        else:
            identified = [
                s.status_from
                for s in unit.care.family_finding
                if s.status == "link_identified" and low <= s.status_from < placement.matched_on
            ]
            start = max(identified, default=placement.matched_on - _days(self.between(30, 90)))
        start = min(max(start, approved), placement.matched_on - _days(14))
        origin = "agency" if placement.with_foster_carers else self.origin(unit, start)
        return LinkPlan(household.reference, origin, start, "matched", placement.matched_on)

    # --- the match and after ---------------------------------------------------------------------------
    def details(self, unit: UnitFacts, placement: PlacementFacts, link: LinkPlan) -> PlacementDetails:
        matched = placement.matched_on
        # The panel a week to three weeks before the agency decision (the ADM decides within seven
        # working days of the final minutes), after the link and, where there is room, the placement order.
        panel = max(matched - _days(self.between(7, 21)), link.started_on + _days(1), unit.order or date.min)
        panel = min(panel, matched - _days(7))
        if placement.placed_on:
            report = support = "completed"
        else:
            # Just matched: the report and support plan are being finalised before introductions.
            report = "in_progress" if self.rng.random() < 0.3 else "completed"
            support = "in_progress" if self.rng.random() < 0.6 else "completed"
        return PlacementDetails(
            panel,
            report,
            support,
            adoption_applied_on=self.applied_on(unit, placement),
            disruption=self.disruption(unit, placement),
        )

    def applied_on(self, unit: UnitFacts, placement: PlacementFacts) -> date | None:
        """The adoption application: after ten weeks living together (ACA 2002 s42(2)), before the order;
        made for about half of the children placed that long without an order yet."""
        placed = placement.placed_on
        if placed is None or placement.ended_on is not None:
            return None
        earliest = placed + _days(70)
        if unit.adopted_on is not None:
            # The order is at least eight days after the tenth week (``children.demo.match_dates``).
            latest = max(earliest, unit.adopted_on - _days(self.between(28, 90)))
            return min(self.day_between(earliest, latest), unit.adopted_on - _days(1))
        if earliest > self.today or self.rng.random() < 0.5:
            return None
        return self.day_between(earliest, self.today)

    def disruption(self, unit: UnitFacts, placement: PlacementFacts) -> DisruptionPlan | None:
        """The disruption meeting two to six weeks after the placement ended, and what the agency will do."""
        ended = placement.ended_on
        if ended is None:
            return None
        code = next(
            (
                e.reason_place_change
                for e in unit.care.episodes
                if e.ended_on == ended and e.placement_type in {"A5", "A6"}
            ),
            "",
        )
        reason = self.rng.choice(DISRUPTION_REASONS_BY_903.get(code, ("other",)))
        meeting = min(ended + _days(self.between(14, 42)), self.today)
        actions = []
        for text, role in self.rng.sample(LEARNING_ACTIONS, self.between(1, 3)):
            due = meeting + _days(self.between(28, 120))
            done = None
            if self.rng.random() < 0.55:
                done = min(meeting + _days(self.between(7, (due - meeting).days + 30)), self.today)
            actions.append(ActionPlan(text, self.owners[role], due, done))
        return DisruptionPlan(reason, meeting, tuple(sorted(actions, key=lambda a: (a.due_on, a.action))))

    # --- everything ------------------------------------------------------------------------------------
    def area(self, unit: UnitFacts) -> tuple[str, bool]:
        """Where the birth family lives (one of the LA's towns, for most), and whether to place away from it."""
        if self.rng.random() >= 0.88:
            return "", False
        town = self.rng.choice(unit.towns)
        lived_there = {p.household.area for p in unit.placements} | {
            self.families[ep.household].area for ep in unit.care.early_permanence if ep.household in self.families
        }
        return town, self.rng.random() < 0.25 and town not in lived_there

    def early_permanence_sought(self, unit: UnitFacts) -> bool:
        """For the children in early permanence placements, and some babies before birth or in proceedings."""
        if unit.care.early_permanence:
            return True
        born = unit.born[-1]
        young = born is None or (self.today - born).days < 730
        chance = {"pre_birth": 0.5, "not_in_care": 0.4, "in_care": 0.25}.get(unit.stage, 0.0)
        return young and self.rng.random() < chance

    def plan(self, unit: UnitFacts) -> Findings:
        area = self.area(unit)
        sought = self.early_permanence_sought(unit)
        statuses = list(unit.care.family_finding)
        links: list[LinkPlan] = []
        details: list[PlacementDetails] = []
        used: set[str] = set()
        if statuses and unit.decided is not None:
            low = statuses[0].status_from
            for placement in unit.placements:
                used.add(placement.household.reference)
                link = self.matched_link(unit, placement, low)
                if not placement.with_foster_carers:
                    links += self.earlier_links(unit, low, link.started_on, used, area, weights=(45, 35, 15, 5))
                    if self.rng.random() < 0.12 and (other := self.withdrawn(unit, low, placement.matched_on, used)):
                        links.append(other)
                links.append(link)
                details.append(self.details(unit, placement, link))
                low = (placement.ended_on or placement.matched_on) + _days(7)
            if not unit.placements:
                links += self.waiting_links(unit, statuses, used, area)
        return Findings(
            birth_family_area=area[0],
            avoid_birth_family_area=area[1],
            early_permanence_sought=sought,
            links=tuple(links),
            placements=tuple(details),
            family_finding=tuple(statuses),
        )

    def waiting_links(
        self, unit: UnitFacts, statuses: list[StatusPlan], used: set[str], area: tuple[str, bool]
    ) -> list[LinkPlan]:
        """Children not matched: links that went no further, and some still being explored (open).

        ``statuses`` gets "link identified" from the first open link's start (the current status)."""
        low = statuses[0].status_from
        current = [ep for ep in unit.care.early_permanence if ep.ended_on is None]
        # Family finding stops while the child lives with early permanence carers.
        end = unit.reversed_on or (current[0].started_on if current else self.today)
        long_wait = (end - low).days > 365
        weights = (25, 35, 25, 15) if unit.reversal_reason == "RD3" or long_wait else (50, 35, 15)
        links = self.earlier_links(unit, low, end - _days(7), used, area, weights=weights)
        if unit.reversed_on:
            if self.rng.random() < 0.3 and (other := self.withdrawn(unit, low, unit.reversed_on, used)):
                links.append(other)
            return links
        if current:
            # Living with early permanence carers: the link with them stays open until the match.
            ep = current[0]
            carers = self.families[ep.household]
            start = min(max(carers.approved_on, ep.started_on - _days(self.between(7, 30))), ep.started_on)
            return [*links, LinkPlan(ep.household, "agency", start, "open")]
        if statuses[-1].status != "active" or self.rng.random() >= 0.45:
            return links
        after = max([statuses[-1].status_from, *(link.outcome_on for link in links if link.outcome_on)])
        opened: list[LinkPlan] = []
        for _ in range(2 if self.rng.random() < 0.25 else 1):
            start = max(after + _days(1), self.today - _days(self.between(7, 90)))
            if start > self.today:
                break
            family = self.family(unit, start, self.today, used, fitting=True, now=True)
            if family is None:
                break
            opened.append(LinkPlan(family.reference, self.origin(unit, start), start, "open"))
        if opened:
            first = min(link.started_on for link in opened)
            statuses.append(StatusPlan("link_identified", first, "Link being explored with an approved family"))
        return links + sorted(opened, key=lambda link: link.started_on)
