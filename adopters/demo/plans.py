"""What the demo households are planned to be: how many at each status, the order of the steps on each
route, and the plain frozen plans the planner fills in (``adopters.demo.planner``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from adopters.models import Applicant, Check, Household

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
