"""Children not linked with a household, planned forwards from entering care: unborn, not in care,
in care, home again, with a decision or a placement order, reversed, and other permanence."""

from __future__ import annotations

from children.demo.care_plans import CarePlan
from children.demo.draws import _days
from children.demo.journeys import _Journeys
from children.demo.plans import (
    OTHER_PERMANENCE,
    UNLINKED_COUNTS,
    WAITING_SIBLING_PAIRS,
    DecisionPlan,
    OutcomePlan,
    _Journey,
)
from children.journey import Stage
from children.models import AdoptionDecision, EarlyPermanencePlacement, PermanenceOutcome


class _Unlinked(_Journeys):
    """Every stage of the journey short of a match, and the children early permanence carers have."""

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
