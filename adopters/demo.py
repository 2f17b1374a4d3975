"""Demo region, part 2: about 150 households of adopters over five years (used by ``manage.py load_demo``).

The builder first makes plain, frozen plans from a seeded ``random.Random`` (the same seed,
reference date and check turnarounds always give the same plans) and then inserts them.

Every household is planned at one status and carries the whole journey that status implies, and
nothing after it: enquiry, registration, stage 1 (with its checks, preparation training and any
pause), the gap between the stages, stage 2 (a few extended with a recorded reason), panel, the
agency decision with what the family is approved for, then waiting (availability, annual reviews),
a match, a placement and the adoption order. Fast-track households (approved foster carers,
previous adopters) go from registration straight to stage 2. Households that left the process
are planned at the status they left from, "as at" the day they left.

The dates are worked backwards from the step that began the current status, so none is after the
reference date, and each gap is what the statutory guidance expects (stage 1 two months, stage 2
four, or six with a reason, at most six months between them), longer where a check came back late
or the applicants paused.

The children's demo builder reads the plans too (``children.demo.HouseholdFacts``): it matches
children with the matched, placed and adopted households on ``matched_on``, places children with
the early permanence carers from ``early_permanence_from``, pairs siblings only with families
approved for siblings, and ends the placements that disrupted before the household left.
"""

from __future__ import annotations

import functools
import random
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from adopters.models import Applicant, Availability, Check, Household, Pause, Review
from adopters.services import check_due_on
from adopters.timeliness import add_months
from adoption.demo import DEMO_LAS, STAFF, DemoDataError, first_name, surname
from adoption.models import Organisation, Role, User

Status = Household.Status
Route = Household.Route
Reason = Household.LeavingReason
Kind = Check.Kind
Delay = Check.DelayReason

HOUSEHOLD_COUNTS: dict[str, int] = {
    Status.ENQUIRY: 7,
    Status.REGISTERED: 4,
    Status.STAGE_1: 9,
    Status.BETWEEN_STAGES: 4,
    Status.STAGE_2: 11,
    Status.AWAITING_PANEL: 3,
    Status.AWAITING_DECISION: 3,
    Status.APPROVED: 15,
    Status.MATCHED: 9,
    Status.PLACED: 18,
    Status.ADOPTED: 54,
    Status.LEFT: 13,
}
# Who left, from which status and why (Annex A list 11). Those who left once approved were
# de-registered: the children's builder uses most of them for the placements that disrupted.
LEAVERS: tuple[tuple[str, str, int], ...] = (
    (Status.APPROVED, Reason.WITHDREW, 4),
    (Status.APPROVED, Reason.OTHER, 2),
    (Status.REGISTERED, Reason.WITHDREW, 1),
    (Status.STAGE_1, Reason.WITHDREW, 1),
    (Status.STAGE_1, Reason.ON_HOLD, 1),
    (Status.STAGE_1, Reason.REFUSED, 1),
    (Status.BETWEEN_STAGES, Reason.ON_HOLD, 1),
    (Status.STAGE_2, Reason.WITHDREW, 1),
    (Status.AWAITING_DECISION, Reason.REFUSED, 1),  # the panel and the ADM said not suitable
)
LEFT_AFTER_APPROVAL = sum(count for status, _reason, count in LEAVERS if status == Status.APPROVED)
# Households approved by the VAA, by status (the rest by the RAA).
VAA_COUNTS: dict[str, int] = {
    Status.ENQUIRY: 1,
    Status.REGISTERED: 1,
    Status.STAGE_1: 1,
    Status.STAGE_2: 2,
    Status.AWAITING_PANEL: 1,
    Status.APPROVED: 3,
    Status.MATCHED: 2,
    Status.PLACED: 3,
    Status.ADOPTED: 5,
    Status.LEFT: 1,
}
# Fast track (about one household in nine past enquiry): foster carers and previous adopters.
FAST_TRACK_COUNTS: dict[str, int] = {
    Status.REGISTERED: 1,
    Status.STAGE_2: 2,
    Status.AWAITING_PANEL: 1,
    Status.APPROVED: 2,
    Status.MATCHED: 1,
    Status.PLACED: 3,
    Status.ADOPTED: 7,
}
# Stage 2 taking up to six months, with the reason recorded.
EXTENDED_STAGE_2: dict[str, int] = {
    Status.STAGE_2: 1,
    Status.AWAITING_PANEL: 1,
    Status.APPROVED: 1,
    Status.PLACED: 1,
    Status.ADOPTED: 1,
}
OPEN_PAUSES: dict[str, int] = {Status.STAGE_1: 1, Status.STAGE_2: 1}
# Households in stage 1 still waiting for a check that is overdue (DBS or the GP's report).
WAITING_FOR_CHECKS = 3
# Approved RAA families fostering a child for adoption now (or under concurrent planning), and
# placed and adopted families whose child came to them that way before the match.
EARLY_PERMANENCE_CARERS: dict[str, int] = {Status.APPROVED: 4, Status.PLACED: 2, Status.ADOPTED: 2}

# Days before the reference date within which each status's approval falls (many approved families
# wait more than a year: there are more of them than children waiting).
APPROVAL_WINDOWS: dict[str, tuple[int, int]] = {
    Status.APPROVED: (7, 900),
    Status.MATCHED: (30, 300),
    Status.PLACED: (60, 560),
    Status.ADOPTED: (420, 1460),
    Status.LEFT: (910, 1460),
}
# Days a household has been at each status before approval (or was, before it left).
TIME_AT_STATUS: dict[str, tuple[int, int]] = {
    Status.ENQUIRY: (0, 60),
    Status.REGISTERED: (0, 20),
    Status.STAGE_1: (3, 80),
    Status.BETWEEN_STAGES: (1, 170),
    Status.STAGE_2: (5, 115),
    Status.AWAITING_PANEL: (1, 40),
    Status.AWAITING_DECISION: (1, 6),
}
APPROVED_STATUSES = frozenset({Status.APPROVED, Status.MATCHED, Status.PLACED, Status.ADOPTED})
LINKED_STATUSES = frozenset({Status.MATCHED, Status.PLACED, Status.ADOPTED})

# The date that begins each status, and the order of the steps on each route.
STEP_OF_STATUS: dict[str, str] = {
    Status.ENQUIRY: "enquired_on",
    Status.REGISTERED: "registered_on",
    Status.STAGE_1: "stage1_started_on",
    Status.BETWEEN_STAGES: "stage1_ended_on",
    Status.STAGE_2: "stage2_started_on",
    Status.AWAITING_PANEL: "stage2_ended_on",
    Status.AWAITING_DECISION: "panel_on",
    Status.APPROVED: "approved_on",
}
STEPS: dict[str, tuple[str, ...]] = {
    Route.STANDARD: (
        "enquired_on",
        "registered_on",
        "stage1_started_on",
        "stage1_ended_on",
        "stage2_notified_on",
        "stage2_started_on",
        "stage2_ended_on",
        "panel_on",
        "approved_on",
    ),
    Route.FAST_TRACK: (
        "enquired_on",
        "registered_on",
        "stage2_started_on",
        "stage2_ended_on",
        "panel_on",
        "approved_on",
    ),
}
JOURNEY_DATES = STEPS[Route.STANDARD]
# Which Household fields a plan holds under the same name.
HOUSEHOLD_FIELDS = (
    "reference",
    "name",
    "area",
    "route",
    "legal_status",
    "status",
    *JOURNEY_DATES,
    "enquiry_source",
    "enquiry_outcome",
    "training_attended_on",
    "stage2_extension_reason",
    "par_status",
    "panel_recommendation",
    "left_on",
    "leaving_reason",
    "left_from_status",
    "deregistered_on",
)

# Heritage of adopters, roughly as approved adopters in England (most are white British), with the
# 903 ethnicity code each is recorded under.
_ADOPTER_GROUPS = (
    ("white_british", 80),
    ("white_other", 4),
    ("white_irish", 2),
    ("indian", 3),
    ("pakistani", 2),
    ("black_caribbean", 4),
    ("black_african", 3),
    ("chinese", 1),
    ("other", 1),
)
_GROUP_ETHNICITY = {
    "white_british": "WBRI",
    "white_other": "WOTH",
    "white_irish": "WIRI",
    "indian": "AIND",
    "pakistani": "APKN",
    "black_caribbean": "BCRB",
    "black_african": "BAFR",
    "chinese": "CHNE",
    "other": "OOTH",
}
# Who applies: couples of a man and a woman, same-sex couples, single applicants.
_MAKE_UP = (("man_woman", 68), ("two_men", 8), ("two_women", 8), ("single_woman", 13), ("single_man", 3))
_ORIENTATIONS: dict[str, tuple[tuple[str, int], ...]] = {
    "man_woman": (("straight", 96), ("bisexual", 4)),
    "same_sex": (("gay_lesbian", 85), ("bisexual", 12), ("other", 3)),
    "single": (("straight", 80), ("gay_lesbian", 10), ("bisexual", 7), ("other", 3)),
}
_OUTSIDE_AREAS = ("Birmingham", "Wolverhampton", "Stafford", "Gloucester", "Northampton", "Leicester")
_SOURCES = (
    ("website", 35),
    ("phone", 12),
    ("event", 15),
    ("social_media", 12),
    ("national", 10),
    ("word_of_mouth", 10),
    ("foster_carer", 3),
    ("other", 3),
)
_ENQUIRY_OUTCOMES = (("", 40), ("invited", 35), ("information", 18), ("not_suitable", 7))
_OPENNESS = (("none", 25), ("mild", 45), ("moderate", 22), ("significant", 8))
_AGE_MAX = (("2", 10), ("3", 15), ("4", 25), ("5", 20), ("6", 15), ("8", 10))
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
# The demo's assessing social workers (``adoption.demo``): the RAA's for RAA households, the VAA's for its own.
ASSESSORS: dict[bool, tuple[str, ...]] = {
    at_vaa: tuple(
        s.username
        for s in STAFF
        if s.role == Role.ASSESSING_SOCIAL_WORKER and s.organisation == ("vaa" if at_vaa else "raa")
    )
    for at_vaa in (False, True)
}


@dataclass(frozen=True)
class CheckPlan:
    kind: str  # Check.Kind
    requested_on: date
    due_on: date
    received_on: date | None = None
    outcome: str = ""
    delay_reason: str = ""


@dataclass(frozen=True)
class ApplicantPlan:
    first_name: str
    last_name: str
    date_of_birth: date
    sex: str  # Applicant.Sex
    ethnicity: str = "NOBT"  # 903 code
    disability: str = Applicant.Disability.NOT_KNOWN
    sexual_orientation: str = ""  # blank: not asked or not given
    checks: tuple[CheckPlan, ...] = ()


@dataclass(frozen=True)
class PausePlan:
    stage: int
    started_on: date
    ended_on: date | None
    reason: str


@dataclass(frozen=True)
class ApprovalPlan:
    children_min: int
    children_max: int
    age_min: int
    age_max: int
    siblings: bool
    disability_openness: str
    early_permanence: bool


@dataclass(frozen=True)
class HouseholdPlan:
    reference: str
    name: str
    area: str
    route: str
    status: str
    enquired_on: date
    registered_on: date | None
    approved_on: date | None
    at_vaa: bool
    applicants: tuple[ApplicantPlan, ...]
    legal_status: str = ""  # Household.LegalStatus (903 LS_ADOPTR)
    assessing_worker: str = ""  # username
    enquiry_source: str = ""
    enquiry_outcome: str = ""
    stage1_started_on: date | None = None
    stage1_ended_on: date | None = None
    training_attended_on: date | None = None
    stage2_notified_on: date | None = None
    stage2_started_on: date | None = None
    stage2_ended_on: date | None = None
    stage2_extension_reason: str = ""
    par_status: str = Household.ParStatus.NOT_STARTED
    panel_on: date | None = None
    panel_recommendation: str = ""
    approval: ApprovalPlan | None = None
    left_on: date | None = None
    leaving_reason: str = ""
    left_from_status: str = ""
    deregistered_on: date | None = None
    pauses: tuple[PausePlan, ...] = ()
    availability: tuple[tuple[str, date], ...] = ()  # (Availability.Status, from)
    reviews: tuple[tuple[date, str], ...] = ()  # (held on, Review.Outcome)
    # Not fields of the household: what the children's builder does with it.
    matched_on: date | None = None
    early_permanence_from: date | None = None

    @property
    def approved_for_siblings(self) -> bool:
        return self.approval is not None and self.approval.siblings


@dataclass
class DemoHouseholds:
    plans: list[HouseholdPlan]
    by_reference: dict[str, Household]


@dataclass(frozen=True)
class _Slot:
    """What one household is planned to be, before its dates are drawn."""

    status: str
    route: str = Route.STANDARD
    at_vaa: bool = False
    left_from: str = ""
    leaving_reason: str = ""
    extended: bool = False
    open_pause: bool = False
    waiting_for_checks: bool = False

    @property
    def reached(self) -> str:
        """The furthest status the household reached (the one it left from, for leavers)."""
        if self.status in APPROVED_STATUSES or self.left_from == Status.APPROVED:
            return Status.APPROVED
        return self.left_from or self.status


def _weighted(rng: random.Random, options: Iterable[tuple[str, int]]) -> str:
    values, weights = zip(*options, strict=True)
    return rng.choices(values, weights=weights)[0]


def _days(n: int) -> timedelta:
    return timedelta(days=n)


class _Planner:
    def __init__(self, *, seed: int, today: date, due_on: Callable[[str, date], date]) -> None:
        self.rng = random.Random(f"adopters:{seed}")
        self.today = today
        self.due_on = due_on

    def between(self, low: int, high: int) -> int:
        return self.rng.randint(low, max(low, high))

    def day_between(self, low: date, high: date) -> date:
        return low + _days(self.between(0, (high - low).days))

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

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

    # --- applicants ---------------------------------------------------------------------------------
    def applicants(self, plan: dict[str, Any], slot: _Slot) -> list[ApplicantPlan]:
        """One or two applicants, with their characteristics (checks come after)."""
        rng = self.rng
        enquired_on: date = plan["enquired_on"]
        make_up = _weighted(rng, _MAKE_UP)
        kinds = {
            "man_woman": ("man", "woman"),
            "two_men": ("man", "man"),
            "two_women": ("woman", "woman"),
            "single_woman": ("woman",),
            "single_man": ("man",),
        }[make_up]
        orientations = _ORIENTATIONS[
            "single" if len(kinds) == 1 else "man_woman" if make_up == "man_woman" else "same_sex"
        ]
        group = _weighted(rng, _ADOPTER_GROUPS)
        family_name = surname(rng, group)
        age = rng.randint(27, 52)
        enquiry = slot.status == Status.ENQUIRY
        people = []
        for index, kind in enumerate(kinds):
            person_group = group if index == 0 or rng.random() < 0.85 else _weighted(rng, _ADOPTER_GROUPS)
            share_surname = index == 0 or rng.random() < (0.7 if make_up == "man_woman" else 0.4)
            person_age = age if index == 0 else max(24, age + rng.randint(-6, 6))
            born = enquired_on - timedelta(days=365 * person_age + rng.randint(0, 364))
            ethnicity = _GROUP_ETHNICITY[person_group]
            if enquiry and self.chance(0.6):
                ethnicity = "NOBT"  # not asked yet
            elif self.chance(0.02):
                ethnicity = "REFU"
            disability = _weighted(rng, (("yes", 6), ("no", 86), ("not_known", 8)))
            if enquiry and self.chance(0.7):
                disability = "not_known"
            orientation = _weighted(rng, orientations)
            roll = rng.random()
            if roll < (0.6 if enquiry else 0.12):
                orientation = ""  # optional to collect: not asked, or not answered
            elif roll < (0.65 if enquiry else 0.18):
                orientation = "prefer_not_to_say"
            people.append(
                ApplicantPlan(
                    first_name=first_name(rng, person_group, kind),
                    last_name=family_name if share_surname else surname(rng, person_group),
                    date_of_birth=born,
                    sex=Applicant.Sex.MALE if kind == "man" else Applicant.Sex.FEMALE,
                    ethnicity=ethnicity,
                    disability=disability,
                    sexual_orientation=orientation,
                )
            )
        return people

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

    # --- everything ----------------------------------------------------------------------------------
    def household(self, slot: _Slot) -> HouseholdPlan:
        rng = self.rng
        as_at, last_on = self.now(slot)
        plan, checks_late = self.journey(slot, as_at, last_on)
        people = self.applicants(plan, slot)
        checks = self.checks(plan, slot, len(people), as_at=as_at, checks_late=checks_late)
        applicants = tuple(replace(person, checks=own) for person, own in zip(people, checks, strict=True))
        fast_track = slot.route == Route.FAST_TRACK
        sources = (("foster_carer", 70), ("word_of_mouth", 30)) if fast_track else _SOURCES
        plan["enquiry_source"] = _weighted(rng, sources)
        plan["enquiry_outcome"] = _weighted(rng, _ENQUIRY_OUTCOMES) if slot.status == Status.ENQUIRY else "invited"
        if slot.status != Status.ENQUIRY:
            plan["assessing_worker"] = rng.choice(ASSESSORS[slot.at_vaa])
        if plan.get("approved_on"):
            plan["approval"] = self.approval(slot.status)
        if slot.status in LINKED_STATUSES:
            plan["matched_on"] = self.matched_on(slot.status, plan["approved_on"])
        towns = [town for la in DEMO_LAS for town in la.towns]
        area = rng.choice(_OUTSIDE_AREAS) if rng.random() < 0.1 else rng.choice(towns)
        return HouseholdPlan(
            reference="",
            name=_household_name(applicants),
            area=area,
            at_vaa=slot.at_vaa,
            applicants=applicants,
            registered_on=plan.pop("registered_on", None),
            approved_on=plan.pop("approved_on", None),
            **plan,
        )

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


def _household_name(applicants: tuple[ApplicantPlan, ...]) -> str:
    surnames = list(dict.fromkeys(a.last_name for a in applicants))
    return f"{' and '.join(surnames)} household"


# How couples are joined, by make-up (903 LS_ADOPTR; weights roughly as adopters in England).
_COUPLE_STATUSES: dict[bool, tuple[tuple[str, int], ...]] = {
    False: ((Household.LegalStatus.L11, 78), (Household.LegalStatus.L3, 22)),  # a man and a woman
    True: (
        (Household.LegalStatus.L12, 45),
        (Household.LegalStatus.L2, 35),
        (Household.LegalStatus.L4, 20),
    ),  # two men or two women
}


def _legal_status(rng: random.Random, applicants: tuple[ApplicantPlan, ...]) -> str:
    """903 LS_ADOPTR for the household: single (L0) or how the couple are joined (AD1 rules 514 to 524)."""
    if len(applicants) == 1:
        return Household.LegalStatus.L0
    same_sex = len({a.sex for a in applicants}) == 1
    return _weighted(rng, _COUPLE_STATUSES[same_sex])


def plan_households(
    *, seed: int, reference_date: date, due_on: Callable[[str, date], date] = check_due_on
) -> list[HouseholdPlan]:
    """Plain plans for the demo households; the same arguments always give the same list.

    ``due_on`` gives a check's due date from its kind and the day it was requested: by default the
    turnarounds configured in ``CheckTurnaround`` (so it reads the database).
    """
    planner = _Planner(seed=seed, today=reference_date, due_on=functools.cache(due_on))
    plans = [planner.household(slot) for slot in planner.slots()]
    plans = [planner.waiting(plan) for plan in planner.early_permanence(plans)]

    # References number each agency's enquiries in date order within the year, e.g. HEA-2024-017.
    order = sorted(range(len(plans)), key=lambda i: (plans[i].enquired_on, i))
    numbers: Counter[tuple[bool, int]] = Counter()
    status_rng = random.Random(f"adopters-legal-status:{seed}")
    result = []
    for index in order:
        plan = plans[index]
        year = plan.enquired_on.year
        numbers[(plan.at_vaa, year)] += 1
        prefix = "MFA" if plan.at_vaa else "HEA"
        result.append(
            replace(
                plan,
                reference=f"{prefix}-{year}-{numbers[(plan.at_vaa, year)]:03d}",
                legal_status=_legal_status(status_rng, plan.applicants),
            )
        )
    return result


def create_households(plans: list[HouseholdPlan], *, raa: Organisation, vaa: Organisation) -> dict[str, Household]:
    """Insert the planned households with their applicants, checks, pauses, availability and reviews."""
    usernames = sorted({plan.assessing_worker for plan in plans if plan.assessing_worker})
    workers = {user.username: user for user in User.objects.filter(username__in=usernames)}
    if missing := [name for name in usernames if name not in workers]:
        raise DemoDataError(f"The demo assessing social workers are missing: {', '.join(missing)}.")
    households = Household.objects.bulk_create(
        [
            household_record(
                plan, approving_agency=vaa if plan.at_vaa else raa, assessing_worker=workers.get(plan.assessing_worker)
            )
            for plan in plans
        ]
    )
    pairs = list(zip(households, plans, strict=True))
    people = [(household, person) for household, plan in pairs for person in plan.applicants]
    applicants = Applicant.objects.bulk_create(
        [
            Applicant(
                household=household,
                first_name=person.first_name,
                last_name=person.last_name,
                date_of_birth=person.date_of_birth,
                sex=person.sex,
                ethnicity=person.ethnicity,
                disability=person.disability,
                sexual_orientation=person.sexual_orientation,
            )
            for household, person in people
        ]
    )
    Check.objects.bulk_create(
        [
            Check(
                applicant=applicant,
                kind=check.kind,
                requested_on=check.requested_on,
                due_on=check.due_on,
                received_on=check.received_on,
                outcome=check.outcome,
                delay_reason=check.delay_reason,
            )
            for applicant, (_household, person) in zip(applicants, people, strict=True)
            for check in person.checks
        ]
    )
    Pause.objects.bulk_create(
        [
            Pause(household=household, stage=p.stage, started_on=p.started_on, ended_on=p.ended_on, reason=p.reason)
            for household, plan in pairs
            for p in plan.pauses
        ]
    )
    Availability.objects.bulk_create(
        [
            Availability(household=household, status=status, status_from=status_from)
            for household, plan in pairs
            for status, status_from in plan.availability
        ]
    )
    Review.objects.bulk_create(
        [
            Review(household=household, held_on=held_on, outcome=outcome)
            for household, plan in pairs
            for held_on, outcome in plan.reviews
        ]
    )
    return {household.reference: household for household in households}


def household_record(plan: HouseholdPlan, **related: Any) -> Household:
    """The (unsaved) household a plan describes; ``related`` gives its agency and assessing worker."""
    approval = plan.approval
    details: dict[str, Any] = {}
    if approval is not None:
        details = {
            "approved_children_min": approval.children_min,
            "approved_children_max": approval.children_max,
            "approved_age_min": approval.age_min,
            "approved_age_max": approval.age_max,
            "approved_for_siblings": approval.siblings,
            "disability_openness": approval.disability_openness,
            "early_permanence_approved": approval.early_permanence,
        }
    return Household(**{name: getattr(plan, name) for name in HOUSEHOLD_FIELDS}, **details, **related)


def build(*, raa: Organisation, vaa: Organisation, seed: int, reference_date: date) -> DemoHouseholds:
    plans = plan_households(seed=seed, reference_date=reference_date)
    return DemoHouseholds(plans=plans, by_reference=create_households(plans, raa=raa, vaa=vaa))
