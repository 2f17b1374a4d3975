"""Who is planned at which status, and the journey's dates worked backwards from the day the household
reached it: stages, the gap between them, pauses, preparation training and the PAR."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from adopters.demo.draws import _days, _Draws
from adopters.demo.plans import (
    APPROVAL_WINDOWS,
    EXTENDED_STAGE_2,
    FAST_TRACK_COUNTS,
    HOUSEHOLD_COUNTS,
    LEAVERS,
    OPEN_PAUSES,
    STEP_OF_STATUS,
    STEPS,
    TIME_AT_STATUS,
    VAA_COUNTS,
    WAITING_FOR_CHECKS,
    PausePlan,
    Reason,
    Route,
    Status,
    _Slot,
)
from adopters.models import Household, Pause

_PAUSE_REASONS = (
    "The applicants are moving house",
    "Bereavement in the applicants' family",
    "An operation and recovery for one applicant",
    "The applicants asked for time to reflect after the preparation training",
    "A new job: the applicants asked to wait until it settles",
    "Caring for a seriously ill parent",
)
_ON_HOLD_REASONS = (
    "The applicants asked to put the assessment on hold for fertility treatment",
    "The applicants asked to put the assessment on hold while they care for a relative",
)
_EXTENSION_REASONS = (
    "The agency medical adviser asked for a consultant's report on an applicant's health",
    "An ex-partner check from overseas is still to come",
    "More work on the applicants' support network after a bereavement",
    "The second applicant is on a six-week work placement abroad",
)
# The stages an assessment can be paused in, by the status of a household in them.
_PAUSABLE: dict[str, int] = {Status.STAGE_1: Pause.Stage.STAGE_1, Status.STAGE_2: Pause.Stage.STAGE_2}


class _Journeys(_Draws):
    """The slots (status, route, agency and what goes with them) and each household's journey."""

    # --- who is planned at which status ----------------------------------------------------------
    def slots(self) -> list[_Slot]:
        by_status: dict[str, list[_Slot]] = {
            status: [_Slot(status) for _ in range(count)] for status, count in HOUSEHOLD_COUNTS.items()
        }
        by_status[Status.LEFT] = [
            _Slot(Status.LEFT, left_from=left_from, leaving_reason=reason)
            for left_from, reason, count in LEAVERS
            for _ in range(count)
        ]
        assert len(by_status[Status.LEFT]) == HOUSEHOLD_COUNTS[Status.LEFT]

        def mark(quotas: dict[str, int], **change: Any) -> None:
            for status, count in quotas.items():
                slots = by_status[status]
                for index in self.rng.sample(range(len(slots)), count):
                    slots[index] = replace(slots[index], **change)

        mark(VAA_COUNTS, at_vaa=True)
        mark(FAST_TRACK_COUNTS, route=Route.FAST_TRACK)
        mark(EXTENDED_STAGE_2, extended=True)
        mark(OPEN_PAUSES, open_pause=True)
        stage_1 = [i for i, s in enumerate(by_status[Status.STAGE_1]) if not s.open_pause]
        for index in self.rng.sample(stage_1, WAITING_FOR_CHECKS):
            by_status[Status.STAGE_1][index] = replace(by_status[Status.STAGE_1][index], waiting_for_checks=True)
        return [slot for slots in by_status.values() for slot in slots]

    # --- the journey's dates ----------------------------------------------------------------------
    def now(self, slot: _Slot) -> tuple[date, date]:
        """``(as_at, last_on)``: the day the household is planned as at (the reference date, or the
        day it left) and the day it reached its (last) status."""
        reached = slot.reached
        if reached == Status.APPROVED:
            window = APPROVAL_WINDOWS[Status.LEFT if slot.status == Status.LEFT else slot.status]
            approved = self.today - _days(self.between(*window))
            if slot.status == Status.LEFT:  # de-registered after waiting (and, for most, a disruption)
                return min(approved + _days(self.between(240, 700)), self.today - _days(1)), approved
            return self.today, approved
        as_at = self.today - _days(self.between(20, 1200)) if slot.status == Status.LEFT else self.today
        low, high = TIME_AT_STATUS[reached]
        if slot.open_pause:
            low, high = 40, high + 25
        elif slot.waiting_for_checks:
            low, high = 45, 80
        elif reached == Status.STAGE_2 and slot.extended:
            low, high = 100, 165
        elif slot.leaving_reason in (Reason.REFUSED, Reason.ON_HOLD) and reached == Status.STAGE_1:
            low = 35  # long enough for a check to come back unsatisfactory, or to pause first
        return as_at, as_at - _days(self.between(low, high))

    def journey(self, slot: _Slot, as_at: date, last_on: date) -> tuple[dict[str, Any], bool]:
        """The household's dates and what goes with them, planned backwards from ``last_on``, the day it
        reached its status; and whether a check came back late in stage 1 (which made it late)."""
        route, reached = slot.route, slot.reached
        standard = route == Route.STANDARD
        steps = STEPS[route]
        done = steps[: steps.index(STEP_OF_STATUS[reached]) + 1]
        plan: dict[str, Any] = {"route": route, "status": slot.status}

        # How long each finished stage took: longer with a late check, a pause or an extension.
        checks_late = standard and "stage1_ended_on" in done and self.chance(0.2)
        s1_base = self.between(66, 95) if checks_late else self.between(45, 58)
        s2_base = self.between(126, 175) if slot.extended else self.between(95, 118)
        paused_stage = 0
        if "stage2_ended_on" in done and self.chance(0.07):
            paused_stage = 2
        if "stage1_ended_on" in done and self.chance(0.07):
            paused_stage = 1
        pause_days = self.between(14, 50)
        gaps = {
            "registered_on": self.between(5, 60),
            "stage1_started_on": self.between(0, 10),
            "stage1_ended_on": s1_base + (pause_days if paused_stage == 1 else 0),
            "stage2_notified_on": self.gap_between_stages(),
            "stage2_started_on": self.between(0, 14) if standard else self.between(0, 21),
            "stage2_ended_on": s2_base + (pause_days if paused_stage == 2 else 0),
            "panel_on": self.between(14, 45),
            "approved_on": self.between(5, 20),
        }
        day = last_on
        for step in reversed(done):
            plan[step] = day
            day -= _days(gaps.get(step, 0))

        # What goes with the dates.
        pauses: list[PausePlan] = []
        for stage, start, base in (
            (1, plan.get("stage1_started_on"), s1_base),
            (2, plan.get("stage2_started_on"), s2_base),
        ):
            if paused_stage == stage and start is not None:
                began = start + _days(self.between(7, base - 7))
                pauses.append(PausePlan(stage, began, began + _days(pause_days), self.rng.choice(_PAUSE_REASONS)))
        current_stage = _PAUSABLE.get(reached)
        if current_stage:
            pauses += self.pause_in_stage(slot, current_stage, last_on, as_at)
        plan["pauses"] = tuple(pauses)
        if "stage1_started_on" in plan:
            plan["training_attended_on"] = self.training(plan, as_at)
        if slot.extended and "stage2_started_on" in plan:
            plan["stage2_extension_reason"] = self.rng.choice(_EXTENSION_REASONS)
        plan["par_status"] = self.par_status(reached, as_at - last_on)
        if "panel_on" in plan:
            refused = slot.leaving_reason == Reason.REFUSED
            plan["panel_recommendation"] = "not_suitable" if refused else "suitable"
        if slot.status == Status.LEFT:
            plan.update(left_on=as_at, leaving_reason=slot.leaving_reason, left_from_status=slot.left_from)
            if slot.left_from == Status.APPROVED:
                plan["deregistered_on"] = as_at
        return plan, checks_late

    def gap_between_stages(self) -> int:
        """Days from the end of stage 1 to asking to go on: mostly weeks, some months (at most six)."""
        low, high = self.rng.choices(((3, 30), (31, 90), (91, 160)), weights=(60, 30, 10))[0]
        return self.between(low, high)

    def pause_in_stage(self, slot: _Slot, stage: int, started: date, as_at: date) -> list[PausePlan]:
        """A pause in the stage the household is in (or left from): open, ended when they left, or over."""
        elapsed = (as_at - started).days
        if slot.open_pause:
            began = started + _days(self.between(10, elapsed - 5))
            return [PausePlan(stage, began, None, self.rng.choice(_PAUSE_REASONS))]
        if slot.leaving_reason == Reason.ON_HOLD:
            began = started + _days(self.between(7, elapsed - 7))
            return [PausePlan(stage, began, as_at, self.rng.choice(_ON_HOLD_REASONS))]
        if elapsed >= 45 and self.chance(0.15):
            began = started + _days(self.between(7, elapsed - 30))
            return [PausePlan(stage, began, began + _days(self.between(7, 21)), self.rng.choice(_PAUSE_REASONS))]
        return []

    def training(self, plan: dict[str, Any], as_at: date) -> date | None:
        """Preparation training during stage 1: attended by its end, perhaps not yet while it runs."""
        start: date = plan["stage1_started_on"]
        end: date | None = plan.get("stage1_ended_on")
        if end is not None:
            return start + _days(self.between(10, (end - start).days - 3))
        attended = start + _days(self.between(14, 45))
        return attended if attended <= as_at else None

    def par_status(self, reached: str, time_at_status: timedelta) -> str:
        par = Household.ParStatus
        if reached in (Status.AWAITING_PANEL, Status.AWAITING_DECISION, Status.APPROVED):
            return par.COMPLETED
        if reached != Status.STAGE_2:
            return par.NOT_STARTED
        if time_at_status.days < 14:
            return par.NOT_STARTED
        return par.QUALITY_ASSURANCE if time_at_status.days > 95 and self.chance(0.5) else par.IN_PROGRESS
