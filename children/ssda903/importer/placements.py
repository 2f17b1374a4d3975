"""Planning placements, disruptions and orders, and checking the journey rules on the result."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils import timezone

from children import rules
from children.codes import (
    ADOPTION_REASONS,
    ADOPTIVE_PLACEMENTS,
    SPECIAL_GUARDIANSHIP_REASONS,
    WITH_CURRENT_FOSTER_CARERS,
)
from children.models import Child, PermanenceOutcome
from children.ssda903.importer.constants import _SAME_CARERS, CONFLICT, JOURNEY, MATCH_DATE, PLACED_DATE, _d
from children.ssda903.importer.steps import ChildPlan
from children.ssda903.importer.timeline import ChildIn, Ep, _periods
from children.ssda903.reader import Row


@dataclass
class Run:
    """Consecutive episodes placed for adoption (A3 to A6) within one period of care."""

    episodes: list[Ep]
    carers_from: date | None  # A3/A5: when the child moved in with the carers who adopt
    # The run is the first episode known of a period begun before the returns held, and that episode
    # changed only the legal status (RNE L): the child was placed on or before its first day.
    began_before_records: bool = False

    @property
    def placed_on(self) -> date:
        return self.episodes[0].started_on

    @property
    def with_foster_carers(self) -> bool:
        return self.episodes[0].place in WITH_CURRENT_FOSTER_CARERS

    @property
    def adopted(self) -> bool:
        return self.episodes[-1].rec in ADOPTION_REASONS and self.episodes[-1].ended_on is not None

    @property
    def ended_on(self) -> date | None:
        """The day the placement ended before an adoption order (a disruption), if it did."""
        last = self.episodes[-1]
        return None if self.adopted else last.ended_on

    @property
    def row(self) -> Row | None:
        return next((e.row for e in self.episodes if e.row is not None), None)


def _runs(timeline: list[Ep]) -> list[Run]:
    runs: list[Run] = []
    for period in _periods(timeline):
        current: list[Ep] = []
        for index, ep in enumerate(period):
            if ep.place in ADOPTIVE_PLACEMENTS:
                if not current:
                    carers_from = None
                    if ep.place in WITH_CURRENT_FOSTER_CARERS and index > 0:
                        # A3/A5: the episode before is with the same carers by definition; further
                        # back, an episode whose RNE is L, T or U did not change carers either.
                        first = index - 1
                        while first > 0 and period[first].rne in _SAME_CARERS:
                            first -= 1
                        carers_from = period[first].started_on
                        if first == 0 and period[0].rne in _SAME_CARERS:
                            # The first episode known (a period begun before the returns held) kept
                            # the carers of an episode not in the returns: the move-in day is unknown.
                            carers_from = None
                    runs.append(Run(current, carers_from, index == 0 and ep.rne == "L"))
                current.append(ep)
            else:
                current = []
    return [run for run in runs if any(e.row is not None for e in run.episodes)]


@dataclass
class PlacementFacts:
    matched_on: date
    placed_on: date | None
    ended_on: date | None
    row: Row | None


def _plan_placements(plan: ChildPlan, item: ChildIn, timeline: list[Ep], child: Child | None) -> list[PlacementFacts]:
    """Matches and placements from AD1 DATE_MATCH and the A3-A6 episodes; returns them as they would be."""
    recorded = list(child.adoptive_placements.all()) if child else []
    final = {p.pk: PlacementFacts(p.matched_on, p.placed_on, p.ended_on, None) for p in recorded}
    new: list[PlacementFacts] = []
    runs = _runs(timeline)
    ad1 = item.ad1
    match = ad1.dates.get("DATE_MATCH") if ad1 else None
    ad1_run = next((r for r in runs if r.adopted), runs[-1] if runs else None)
    for run in runs:
        run_match = match if run is ad1_run else None
        row = run.row
        moved_in = run.carers_from if run.with_foster_carers else None
        old = next((p for p in recorded if p.placed_on == run.placed_on), None)
        if old is not None:
            if run_match and old.matched_on != run_match and old.matched_on == old.placed_on:
                # An earlier year's return had no AD1, so the import recorded the placement date as
                # the match (see below); this AD1 has the real date: correct it.
                plan.add(
                    run.placed_on,
                    "match_correction",
                    f"Match of the placement of {_d(old.placed_on)}: {_d(run_match)} (from AD1)",
                    ad1,
                    placed_on=old.placed_on,
                    matched_on=run_match,
                )
                final[old.pk].matched_on = run_match
            elif run_match and old.matched_on != run_match:
                # A match date recorded by someone (not the import's placeholder) is kept: the
                # difference is shown, not applied.
                plan.warn(
                    MATCH_DATE,
                    f"The record has the match on {_d(old.matched_on)}; AD1 DATE_MATCH is {_d(run_match)}. "
                    "The recorded date is kept: correct it on the child's page if AD1 is right",
                    ad1,
                )
            fill_carers = run.with_foster_carers and old.moved_in_with_carers_on is None and moved_in is not None
            if old.with_foster_carers != run.with_foster_carers or fill_carers:
                if old.ended_on is not None:
                    plan.refuse(
                        CONFLICT,
                        f"The ended placement of {_d(old.placed_on)} is recorded "
                        f"{'with' if old.with_foster_carers else 'not with'} the child's foster carers; the file "
                        "says otherwise",
                        row,
                    )
                else:
                    plan.add(
                        run.placed_on,
                        "adoptive_placement",
                        f"Placement of {_d(run.placed_on)}: "
                        + ("with their foster carers" if run.with_foster_carers else "not with their foster carers")
                        + (f", who they moved in with on {_d(moved_in)}" if fill_carers else ""),
                        row,
                        matched_on=old.matched_on,
                        placed_on=old.placed_on,
                        with_foster_carers=run.with_foster_carers,
                        moved_in_with_carers_on=(
                            moved_in if fill_carers else old.moved_in_with_carers_on if run.with_foster_carers else None
                        ),
                    )
            if run.ended_on:
                if old.ended_on is None:
                    _plan_disruption(plan, run)
                    final[old.pk].ended_on = run.ended_on
                elif old.ended_on != run.ended_on:
                    plan.refuse(
                        CONFLICT,
                        f"The record shows the placement of {_d(old.placed_on)} ended on {_d(old.ended_on)}, the "
                        f"file on {_d(run.ended_on)}",
                        row,
                    )
            elif old.ended_on is not None and old.ended_on <= plan.as_at:
                plan.refuse(
                    CONFLICT,
                    f"The record shows the placement of {_d(old.placed_on)} ended on {_d(old.ended_on)}; the file "
                    "shows it continuing",
                    row,
                )
            continue
        waiting = next((p for p in recorded if p.placed_on is None and p.ended_on is None), None)
        if waiting is not None and run_match and waiting.matched_on != run_match:
            plan.refuse(
                CONFLICT,
                f"The record has a match on {_d(waiting.matched_on)}; AD1 DATE_MATCH is {_d(run_match)}",
                ad1,
            )
            continue
        if run.began_before_records:
            plan.warn(
                PLACED_DATE,
                f"The first episode in the file (from {_d(run.placed_on)}) already has the child placed for adoption "
                f"({run.episodes[0].place}): they were placed on or before that day, in an earlier return. The "
                "placement is recorded from that day: correct it on the child's page, or import the earlier returns",
                row,
            )
        matched_on = run_match or (waiting.matched_on if waiting else None)
        if matched_on is None:
            matched_on = run.placed_on
            plan.warn(
                MATCH_DATE,
                f"The 903 has no match date for the placement of {_d(run.placed_on)} (AD1 is only for children "
                "adopted): the match is recorded on the day of the placement. Correct it on the child's page",
                row,
            )
        plan.add(
            run.placed_on,
            "adoptive_placement",
            f"Matched {_d(matched_on)}; placed for adoption {_d(run.placed_on)}"
            + (" with their foster carers" if run.with_foster_carers else "")
            + (f" (living with them since {_d(moved_in)})" if moved_in else ""),
            row,
            matched_on=matched_on,
            placed_on=run.placed_on,
            with_foster_carers=run.with_foster_carers,
            moved_in_with_carers_on=moved_in,
        )
        facts = PlacementFacts(matched_on, run.placed_on, None, row)
        if waiting is not None:
            final[waiting.pk] = facts
        else:
            new.append(facts)
        if run.ended_on:
            _plan_disruption(plan, run)
            facts.ended_on = run.ended_on
    if match and not runs and ad1 is not None:
        if any(p.matched_on == match for p in recorded):
            pass
        elif any(p.ended_on is None for p in recorded):
            plan.refuse(
                CONFLICT,
                f"AD1 has a match on {_d(match)} but the record has a different current match",
                ad1,
            )
        else:
            plan.add(
                match,
                "adoptive_placement",
                f"Matched {_d(match)} (the file has no placement for adoption)",
                ad1,
                matched_on=match,
            )
            new.append(PlacementFacts(match, None, None, ad1))
    return [*final.values(), *new]


def _plan_disruption(plan: ChildPlan, run: Run) -> None:
    assert run.ended_on is not None
    plan.add(
        run.ended_on,
        "placement_end",
        f"Adoptive placement of {_d(run.placed_on)} ended on {_d(run.ended_on)} before an adoption order (disruption)",
        run.episodes[-1].row or run.row,
        ended_on=run.ended_on,
    )


def _plan_adoption_order(plan: ChildPlan, timeline: list[Ep], child: Child | None) -> tuple[date, Row | None] | None:
    recorded = next(
        (
            o
            for o in (child.permanence_outcomes.all() if child else [])
            if o.kind == PermanenceOutcome.Kind.ADOPTION_ORDER
        ),
        None,
    )
    adopted = [e for e in timeline if e.row is not None and e.rec in ADOPTION_REASONS and e.ended_on]
    if not adopted:
        return (recorded.made_on, None) if recorded else None
    ep = adopted[-1]
    assert ep.ended_on is not None
    if len(adopted) > 1:
        plan.refuse(CONFLICT, "The file shows the child adopted twice (REC E11 or E12 on two episodes)", ep.row)
    if recorded is not None:
        if recorded.made_on != ep.ended_on:
            plan.refuse(
                CONFLICT,
                f"The record has the adoption order on {_d(recorded.made_on)}; the episode ends with {ep.rec} on "
                f"{_d(ep.ended_on)}",
                ep.row,
            )
        return recorded.made_on, ep.row
    plan.add(
        ep.ended_on,
        "adoption_order",
        f"Adoption order: {_d(ep.ended_on)}",
        ep.row,
        kind=PermanenceOutcome.Kind.ADOPTION_ORDER,
        made_on=ep.ended_on,
    )
    return ep.ended_on, ep.row


# Periods of care that end in another permanence order (903 REC) and the order each one records.
OTHER_OUTCOMES_BY_REC: dict[str, str] = {
    "E41": PermanenceOutcome.Kind.CHILD_ARRANGEMENTS,
    **dict.fromkeys(SPECIAL_GUARDIANSHIP_REASONS, PermanenceOutcome.Kind.SPECIAL_GUARDIANSHIP),
}


def _plan_other_outcomes(plan: ChildPlan, timeline: list[Ep], child: Child | None) -> None:
    """A special guardianship or child arrangements order ends the period of care: record the order too."""
    recorded = {(o.kind, o.made_on) for o in (child.permanence_outcomes.all() if child else [])}
    for ep in timeline:
        kind = OTHER_OUTCOMES_BY_REC.get(ep.rec or "")
        if ep.row is None or kind is None or ep.ended_on is None or (kind, ep.ended_on) in recorded:
            continue
        plan.add(
            ep.ended_on,
            "permanence_outcome",
            f"{PermanenceOutcome.Kind(kind).label}: {_d(ep.ended_on)}",
            ep.row,
            kind=kind,
            made_on=ep.ended_on,
        )


def _check_journey(
    plan: ChildPlan,
    item: ChildIn,
    child: Child | None,
    timeline: list[Ep],
    orders: list[tuple[date, Row | None]],
    placements: list[PlacementFacts],
    adoption: tuple[date, Row | None] | None,
) -> None:
    """The product's journey rules (children.rules, the same as every form) on the dates as they would be."""
    rows: dict[str, Row | None] = {"date_of_birth": item.header}
    starts = [e for e in timeline if e.rne == "S"]
    entered: date | None = starts[-1].started_on if starts else None
    rows["entered_care_on"] = starts[-1].row if starts else None
    # With no RNE S anywhere, the latest period is the one that began before the returns held (in
    # the record, or started from this file): its first day known is not the day the child entered
    # care, so rule 334 is not judged on it (see children.rules).
    entered_known = entered is not None
    if entered is None and child is not None:
        latest = max(child.periods_of_care.all(), key=lambda p: p.started_on, default=None)
        entered = latest.started_on if latest else None
        entered_known = latest is not None and not latest.start_before_records
    if entered is None and timeline:
        entered = timeline[0].started_on
        rows["entered_care_on"] = timeline[0].row
    decisions: dict[date, tuple[date | None, Row | None]] = {
        d.decided_on: (d.reversed_on, None) for d in (child.adoption_decisions.all() if child else [])
    }
    for decided_on, decision in item.decisions.items():
        decisions[decided_on] = (decision.reversed_on or decisions.get(decided_on, (None, None))[0], decision.row)
    open_decisions = sorted(d for d, (reversed_on, _row) in decisions.items() if reversed_on is None)
    decision_on = open_decisions[-1] if open_decisions else None
    rows["decision_on"] = decisions[decision_on][1] if decision_on else None
    order = max(orders, key=lambda o: o[0], default=None)
    rows["placement_order_on"] = order[1] if order else None
    current = [p for p in placements if p.ended_on is None]
    placement = max(current, key=lambda p: p.matched_on, default=None)
    rows["matched_on"] = item.ad1 or (placement.row if placement else None)
    rows["placed_on"] = placement.row if placement else None
    rows["adoption_order_on"] = adoption[1] if adoption else None
    dob = item.header.dates.get("DOB") or (child.date_of_birth if child else None)
    facts = rules.JourneyFacts(
        today=timezone.localdate(),
        date_of_birth=dob,
        entered_care_on=entered,
        entered_care_known=entered_known,
        decision_on=decision_on,
        placement_order_on=order[0] if order else None,
        matched_on=placement.matched_on if placement else None,
        placed_on=placement.placed_on if placement else None,
        adoption_order_on=adoption[0] if adoption else None,
    )
    for violation in rules.journey_violations(facts):
        plan.refuse(violation.rule or JOURNEY, violation.message, rows.get(violation.field) or item.header)
