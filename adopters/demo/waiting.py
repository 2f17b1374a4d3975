"""Approval and after: what a family is approved for, when it was matched, its availability while
waiting, annual reviews, and the early permanence carers."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from adopters.demo.draws import _days, _Draws, _weighted
from adopters.demo.plans import (
    APPROVED_STATUSES,
    EARLY_PERMANENCE_CARERS,
    LINKED_STATUSES,
    ApprovalPlan,
    HouseholdPlan,
    Status,
)
from adopters.models import Availability, Review
from adopters.timeliness import add_months

_OPENNESS = (("none", 25), ("mild", 45), ("moderate", 22), ("significant", 8))
_AGE_MAX = (("2", 10), ("3", 15), ("4", 25), ("5", 20), ("6", 15), ("8", 10))


class _Waiting(_Draws):
    """What approved families are approved for, how they waited and when they were matched."""

    # --- approval, waiting, the match ---------------------------------------------------------------
    def approval(self, status: str) -> ApprovalPlan:
        siblings = self.chance(0.4 if status in LINKED_STATUSES else 0.25)
        age_min = 0 if self.chance(0.85) else self.between(1, 3)
        age_max = max(int(_weighted(self.rng, _AGE_MAX)), age_min + 2, 5 if siblings else 0)
        return ApprovalPlan(
            children_min=1,
            children_max=self.rng.choice((2, 2, 3)) if siblings else 1,
            age_min=age_min,
            age_max=age_max,
            siblings=siblings,
            disability_openness=_weighted(self.rng, _OPENNESS),
            early_permanence=self.chance(0.15),
        )

    def matched_on(self, status: str, approved: date) -> date:
        """The day the family was matched (the children's builder places the child after it)."""
        today = self.today
        # Approval to match: about half of families wait three months or more.
        wait = approved + _days(round(self.rng.triangular(14, 365, 45)))
        if status == Status.MATCHED:
            # Matched recently (in the last 75 days); introductions and moving in still to come.
            return min(max(wait, approved + _days(14), today - _days(75)), today)
        if status == Status.PLACED:
            # Living together, the adoption order not yet made (placed at most about 18 months ago).
            return max(min(wait, today - _days(14)), today - _days(540), approved + _days(14))
        return min(wait, today - _days(120))

    def availability(self, plan: HouseholdPlan) -> tuple[tuple[str, date], ...]:
        """Available from approval, perhaps on hold for a while, then fostering or matched."""
        assert plan.approved_on is not None
        approved = plan.approved_on
        taken = plan.early_permanence_from or plan.matched_on  # no longer waiting from this day
        end = taken or self.today
        history: list[tuple[str, date]] = [(Availability.Status.AVAILABLE, approved)]
        if (end - approved).days >= 90 and self.chance(0.25 if taken else 0.35):
            held = self.day_between(approved + _days(21), end - _days(45))
            history.append((Availability.Status.ON_HOLD, held))
            resumed = held + _days(self.between(14, 150))
            if taken is not None:
                history.append((Availability.Status.AVAILABLE, min(resumed, taken - _days(7))))
            elif resumed <= self.today:
                history.append((Availability.Status.AVAILABLE, resumed))
        if plan.early_permanence_from:
            history.append((Availability.Status.EARLY_PERMANENCE, plan.early_permanence_from))
        if plan.matched_on:
            history.append((Availability.Status.NOT_AVAILABLE, plan.matched_on))
        return tuple(history)

    def reviews(self, plan: HouseholdPlan) -> tuple[tuple[date, str], ...]:
        """An annual review for each year a family waits (held up to four weeks early or three late)."""
        assert plan.approved_on is not None
        waited_until = plan.matched_on or self.today + _days(1)
        reviews = []
        year = 1
        while (anniversary := add_months(plan.approved_on, 12 * year)) <= self.today + _days(28):
            held = anniversary + _days(self.between(-28, 21))
            if held < waited_until and held <= self.today:
                reviews.append((held, Review.Outcome.CHANGED if self.chance(0.15) else Review.Outcome.CONTINUE))
            year += 1
        return tuple(reviews)

    def early_permanence(self, plans: list[HouseholdPlan]) -> list[HouseholdPlan]:
        """Pick the RAA families caring for a child under fostering for adoption or concurrent planning:
        approved families with a child now (placed in the last year), and placed and adopted
        families whose child came to them that way before the match."""
        today = self.today
        for status, count in EARLY_PERMANENCE_CARERS.items():
            candidates = [i for i, plan in enumerate(plans) if plan.status == status and _may_foster(plan, today)]
            for index in self.rng.sample(candidates, min(count, len(candidates))):
                plan = plans[index]
                assert plan.approved_on is not None and plan.approval is not None
                if plan.matched_on is None:
                    low, high = max(plan.approved_on + _days(7), today - _days(365)), today - _days(14)
                else:
                    low, high = plan.approved_on + _days(7), plan.matched_on - _days(30)
                plans[index] = replace(
                    plan,
                    early_permanence_from=self.day_between(low, high),
                    approval=replace(plan.approval, early_permanence=True),
                )
        return plans

    def waiting(self, plan: HouseholdPlan) -> HouseholdPlan:
        if plan.approved_on is None or plan.status not in APPROVED_STATUSES:
            return plan
        return replace(plan, availability=self.availability(plan), reviews=self.reviews(plan))


def _may_foster(plan: HouseholdPlan, today: date) -> bool:
    """Room for an early permanence placement: a fortnight after approval, or two months before the match."""
    if plan.at_vaa or plan.approved_on is None:
        return False
    if plan.matched_on is None:
        return plan.approved_on <= today - _days(21)
    return (plan.matched_on - plan.approved_on).days >= 60
