"""Children matched with a household: the match on the day the household's plan says, and the
journey worked backwards from the placement (with a disruption before it for some)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from adopters.models import Household
from children.demo.draws import _days
from children.demo.journeys import _Journeys
from children.demo.plans import (
    DISRUPTIONS,
    SIBLING_PAIRS,
    DecisionPlan,
    HouseholdFacts,
    OutcomePlan,
    PlacementPlan,
    _Journey,
)
from children.journey import Stage
from children.models import PermanenceOutcome


class _Linked(_Journeys):
    """The children of the matched, placed and adopted households."""

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
