"""Is each stage of a household's assessment on time? Pure functions over dates and the standard in force.

Months are calendar months, counted as the statutory guidance does: two months from 31 December
is the last day of February (28th, or 29th in a leap year), the same as PostgreSQL's
``date + interval 'n months'``, which the lists use so that pages and lists agree.

Pauses are counted honestly: the time a stage took is always shown both ways, in calendar days and
with the paused days, and a pause moves the due date back only where the standard in force says so
(``pauses_extend_deadlines``). A pause counts from the day it began up to the day before the stage
resumed; an open pause counts up to today.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from dateutil.relativedelta import relativedelta

from adopters.models import Household, Pause, TimelinessStandard


def add_months(day: date, months: int) -> date:
    """``months`` calendar months after ``day``; a day missing from the target month becomes its last day."""
    return day + relativedelta(months=months)


class State(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    OVERDUE = "overdue"
    ON_TIME = "on_time"
    LATE = "late"


STATE_LABELS = {
    State.NOT_STARTED: "Not started",
    State.IN_PROGRESS: "In progress",
    State.OVERDUE: "Overdue",
    State.ON_TIME: "On time",
    State.LATE: "Late",
}


@dataclass(frozen=True)
class StageTimeliness:
    name: str
    started_on: date | None
    ended_on: date | None
    limit_months: int
    due_on: date | None
    calendar_days: int | None  # start to end (or to today while running)
    paused_days: int
    state: State

    @property
    def working_days(self) -> int | None:
        """The days taken less the days paused."""
        return None if self.calendar_days is None else self.calendar_days - self.paused_days

    @property
    def days_over(self) -> int:
        """Days past the due date of a stage that ended late; 0 otherwise (a running stage is "overdue")."""
        if self.state == State.LATE and self.ended_on and self.due_on:
            return (self.ended_on - self.due_on).days
        return 0

    @property
    def label(self) -> str:
        return STATE_LABELS[self.state]


@dataclass(frozen=True)
class PauseSpan:
    stage: int
    started_on: date
    ended_on: date | None


def paused_days(pauses: Iterable[PauseSpan], *, stage: int, start: date, end: date) -> int:
    """Days of ``stage`` paused between ``start`` and ``end`` (pauses clipped to that window)."""
    total = 0
    for pause in pauses:
        if pause.stage != stage:
            continue
        begin = max(pause.started_on, start)
        finish = min(pause.ended_on or end, end)
        if finish > begin:
            total += (finish - begin).days
    return total


def stage_timeliness(
    *,
    name: str,
    started_on: date | None,
    ended_on: date | None,
    months: int,
    pauses: Iterable[PauseSpan] = (),
    stage: int = 0,
    extend_for_pauses: bool = True,
    today: date,
) -> StageTimeliness:
    if started_on is None:
        return StageTimeliness(name, None, None, months, None, None, 0, State.NOT_STARTED)
    until = ended_on or today
    paused = paused_days(pauses, stage=stage, start=started_on, end=until)
    due = add_months(started_on, months) + timedelta(days=paused if extend_for_pauses else 0)
    if ended_on is not None:
        state = State.ON_TIME if ended_on <= due else State.LATE
    else:
        state = State.OVERDUE if today > due else State.IN_PROGRESS
    return StageTimeliness(name, started_on, ended_on, months, due, (until - started_on).days, paused, state)


def standard_on(day: date | None) -> TimelinessStandard:
    """The standard in force on ``day`` (today's if no day), or the defaults if none is configured.

    A day before every configured standard gets the earliest one, as the lists do in the database.
    """
    queryset = TimelinessStandard.objects.order_by("-effective_from")
    if day is not None:
        found = queryset.filter(effective_from__lte=day).first() or queryset.last()
        if found is not None:
            return found
    return queryset.first() or TimelinessStandard(effective_from=date(2013, 7, 1))


@dataclass(frozen=True)
class HouseholdTimeliness:
    stage1: StageTimeliness
    between: StageTimeliness  # stage 1 ending to the applicants asking to go on
    stage2: StageTimeliness
    standard: TimelinessStandard

    @property
    def stages(self) -> tuple[StageTimeliness, ...]:
        return (self.stage1, self.between, self.stage2)


def household_timeliness(household: Household, pauses: Iterable[Pause], *, today: date) -> HouseholdTimeliness:
    spans = [PauseSpan(p.stage, p.started_on, p.ended_on) for p in pauses]
    standard = standard_on(household.stage1_started_on or household.stage2_started_on or household.registered_on)
    stage1 = stage_timeliness(
        name="Stage 1",
        started_on=household.stage1_started_on,
        ended_on=household.stage1_ended_on,
        months=standard.stage1_months,
        pauses=spans,
        stage=Pause.Stage.STAGE_1,
        extend_for_pauses=standard.pauses_extend_deadlines,
        today=today,
    )
    notified = household.stage2_notified_on or household.stage2_started_on
    between = stage_timeliness(
        name="Between the stages",
        started_on=household.stage1_ended_on if household.route == Household.Route.STANDARD else None,
        ended_on=notified,
        months=standard.between_stages_months,
        today=today,
    )
    extended = bool(household.stage2_extension_reason.strip())
    stage2 = stage_timeliness(
        name="Stage 2",
        started_on=household.stage2_started_on,
        ended_on=household.stage2_ended_on,
        months=standard.stage2_extended_months if extended else standard.stage2_months,
        pauses=spans,
        stage=Pause.Stage.STAGE_2,
        extend_for_pauses=standard.pauses_extend_deadlines,
        today=today,
    )
    return HouseholdTimeliness(stage1, between, stage2, standard)


def waiting_flag_on(approved_on: date, standard: TimelinessStandard) -> date:
    """The day an approved family without a match has waited the flag period (default 3 months)."""
    return add_months(approved_on, standard.waiting_flag_months)


def review_due_on(approved_on: date, last_review_on: date | None, standard: TimelinessStandard) -> date:
    return add_months(last_review_on or approved_on, standard.review_months)
