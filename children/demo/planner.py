"""The children's planner: every journey (linked, then not linked), then family finding around them;
and :func:`plan_children` (the same arguments always give the same plans)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date

from adopters.models import Availability, Household
from adoption.demo import DEMO_LAS
from children.demo.care_plans import PlacementFacts
from children.demo.draws import _days
from children.demo.family_finding import FamilyFinder
from children.demo.finding_plans import FamilyFacts, UnitFacts
from children.demo.linked import _Linked
from children.demo.plans import COURT_ORDERS, LEARNING_OWNERS, TOTAL_CHILDREN, ChildPlan, HouseholdFacts
from children.demo.unlinked import _Unlinked
from children.models import PermanenceOutcome

_LA_BY_ONS_CODE = {la.ons_code: la for la in DEMO_LAS}


class _Planner(_Linked, _Unlinked):
    """Plans the children of the demo region and, once every journey is planned, their family finding."""

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
