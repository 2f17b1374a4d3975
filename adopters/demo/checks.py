"""Each applicant's checks (DBS, medical, references, LA checks...): back by the end of the stage they
run in, some late or still overdue, with the reason for the delay."""

from __future__ import annotations

from datetime import date
from typing import Any

from adopters.demo.draws import _days, _Draws, _weighted
from adopters.demo.plans import CheckPlan, Delay, Kind, Reason, Route, _Slot

# A check that comes back late: the usual reasons in the source documents are the DBS backlog and
# waiting for the GP (or the agency medical adviser).
_LATE_KINDS = ((Kind.DBS, 50), (Kind.MEDICAL, 40), (Kind.REFERENCE, 6), (Kind.LA_CHECK, 4))
# How likely a check is to come back late (or still be out past its due date) anyway.
_LATE_CHANCE: dict[str, float] = {
    Kind.DBS: 0.08,
    Kind.MEDICAL: 0.08,
    Kind.REFERENCE: 0.01,
    Kind.LA_CHECK: 0.01,
    Kind.EMPLOYER: 0.01,
    Kind.EX_PARTNER: 0.03,
}
_DELAYS: dict[str, tuple[tuple[str, int], ...]] = {
    Kind.DBS: ((Delay.DBS_BACKLOG, 90), (Delay.APPLICANT, 10)),
    Kind.MEDICAL: ((Delay.GP, 65), (Delay.MEDICAL_ADVISER, 35)),
    Kind.REFERENCE: ((Delay.REFEREE, 100),),
    Kind.LA_CHECK: ((Delay.OTHER_LA, 100),),
    Kind.EMPLOYER: ((Delay.REFEREE, 70), (Delay.APPLICANT, 30)),
    Kind.EX_PARTNER: ((Delay.OVERSEAS, 50), (Delay.OTHER, 50)),
}


class _Checks(_Draws):
    """Each applicant's checks, from the start of stage 1 (fast track: stage 2)."""

    # --- checks -------------------------------------------------------------------------------------
    def checks(
        self, plan: dict[str, Any], slot: _Slot, count: int, *, as_at: date, checks_late: bool
    ) -> list[tuple[CheckPlan, ...]]:
        """Each applicant's checks: from the start of stage 1 (fast track: stage 2) until it ends."""
        if plan["route"] == Route.STANDARD:
            start, end = plan.get("stage1_started_on"), plan.get("stage1_ended_on")
        else:
            start, end = plan.get("stage2_started_on"), plan.get("stage2_ended_on")
        if start is None:
            return [() for _ in range(count)]
        late = set()
        if checks_late:
            for _ in range(self.between(1, 2)):
                late.add((self.between(0, count - 1), _weighted(self.rng, _LATE_KINDS)))
        out: set[tuple[int, str]] = set()
        if slot.waiting_for_checks:
            out.add((0, Kind.DBS))
            if self.chance(0.5):
                out.add((count - 1, Kind.MEDICAL))
        unsatisfactory = (0, Kind.LA_CHECK) if slot.leaving_reason == Reason.REFUSED and end is None else None
        result = []
        for index in range(count):
            kinds = [Kind.DBS, Kind.MEDICAL, Kind.LA_CHECK, Kind.REFERENCE, Kind.REFERENCE]
            if self.chance(0.4):
                kinds.append(Kind.EMPLOYER)
            if self.chance(0.15):
                kinds.append(Kind.EX_PARTNER)
            result.append(
                tuple(
                    self.check(
                        kind,
                        start,
                        end,
                        as_at,
                        late=(index, kind) in late,
                        out=(index, kind) in out,
                        unsatisfactory=(index, kind) == unsatisfactory,
                    )
                    for kind in kinds
                )
            )
        return result

    def check(
        self, kind: str, start: date, end: date | None, as_at: date, *, late: bool, out: bool, unsatisfactory: bool
    ) -> CheckPlan:
        """One check: back by the end of its stage (late when picked, or now and then), or, in a stage
        still running, back, still to come, or overdue. A check back after its due date, and some
        still out past it, have the reason for the delay."""
        requested = min(start + _days(self.between(0, 12 if kind == Kind.REFERENCE else 4)), as_at)
        due = self.due_on(kind, requested)
        soon = requested + _days(3)
        received: date | None = None
        if end is not None:
            if due < end and (late or self.chance(_LATE_CHANCE[kind])):
                received = self.day_between(due + _days(1), end)
            else:
                received = self.day_between(min(soon, end), max(min(due, end), min(soon, end)))
        elif unsatisfactory:
            received = self.day_between(min(soon, as_at), max(min(due, as_at), min(soon, as_at)))
        elif due < as_at:
            if not (out or self.chance(2 * _LATE_CHANCE[kind])):
                on_time = not self.chance(3 * _LATE_CHANCE[kind]) and soon <= due
                received = self.day_between(soon, due) if on_time else self.day_between(due + _days(1), as_at)
        elif as_at >= soon and self.chance(0.7 * (as_at - requested).days / max(1, (due - requested).days)):
            received = self.day_between(soon, as_at)
        reason = ""
        if received is not None and received > due:
            reason = self.delay(kind)
        elif received is None and due < as_at and (out or self.chance(0.5)):
            reason = self.delay(kind)  # overdue, and the worker has said why
        outcome = ""
        if received is not None:
            outcome = "unsatisfactory" if unsatisfactory else "satisfactory" if self.chance(0.97) else "concerns"
        return CheckPlan(kind, requested, due, received, outcome, reason)

    def delay(self, kind: str) -> str:
        return _weighted(self.rng, _DELAYS[kind])
