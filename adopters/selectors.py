"""Reads of households, scoped by tenancy first. Lists compute their figures in the database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Greatest, Least
from django.http import Http404

from adopters.models import Applicant, Availability, Check, Household, Pause, Review, TimelinessStandard
from adopters.timeliness import HouseholdTimeliness, household_timeliness, review_due_on, standard_on, waiting_flag_on
from adopters.workflow import BEFORE_APPROVAL
from adoption import audit, tenancy
from adoption.db import DaysBetween
from adoption.models import AuditEvent, Role, User

S = Household.Status

# The pipeline board's columns, in journey order.
PIPELINE = (
    S.ENQUIRY,
    S.REGISTERED,
    S.STAGE_1,
    S.BETWEEN_STAGES,
    S.STAGE_2,
    S.AWAITING_PANEL,
    S.AWAITING_DECISION,
    S.APPROVED,
    S.MATCHED,
    S.PLACED,
)


def household_list(*, actor: Any) -> QuerySet[Household]:
    return tenancy.scope_households(Household.objects.select_related("approving_agency"), actor)


def may_see_households(actor: Any) -> bool:
    """Staff of an RAA or a VAA. LA staff and LA API clients work with children, not households."""
    return bool(tenancy.scope_for(actor).household_org_ids)


# --- figures computed in the database ----------------------------------------------------------------------


def _months_in_force(day_field: str, attribute: str) -> Case:
    """The standard's ``attribute`` in force on each row's ``day_field``: months, or 1/0 for a yes/no setting.

    Before the earliest standard, the earliest applies (as ``adopters.timeliness.standard_on``).
    """
    standards = list(TimelinessStandard.objects.order_by("-effective_from"))
    default = int(getattr(standards[-1] if standards else TimelinessStandard(), attribute))
    return Case(
        *(When(**{f"{day_field}__gte": s.effective_from}, then=Value(int(getattr(s, attribute)))) for s in standards),
        default=Value(default),
        output_field=IntegerField(),
    )


def _plus_months(day_field: str, months: Any) -> Cast:
    """``day + n months`` as PostgreSQL counts it (the last day of a shorter month), as a date."""
    interval = Func(months, template="make_interval(months => %(expressions)s)", output_field=DurationField())
    return Cast(ExpressionWrapper(F(day_field) + interval, output_field=DateField()), DateField())


def _paused_days(stage: int, today: date) -> Subquery:
    """Days each household's ``stage`` was paused, open pauses counted up to today."""
    days = Sum(DaysBetween(Coalesce(F("ended_on"), Value(today)), F("started_on")), output_field=IntegerField())
    return Subquery(
        Pause.objects.filter(household=OuterRef("pk"), stage=stage)
        .order_by()
        .values("household")
        .annotate(days=days)
        .values("days"),
        output_field=IntegerField(),
    )


def with_stage_due(queryset: QuerySet[Household], today: date) -> QuerySet[Household]:
    """Annotate when the current stage (1 or 2) is due, pauses added, and whether it is overdue.

    One standard per household, the one in force when it started (stage 1, or stage 2 on the fast
    track), exactly as ``adopters.timeliness.household_timeliness`` chooses it, so lists and pages agree.
    """
    queryset = queryset.annotate(
        timescales_from=Coalesce("stage1_started_on", "stage2_started_on", "registered_on"),
    )
    stage1_due = _plus_months("stage1_started_on", _months_in_force("timescales_from", "stage1_months"))
    stage2_months = Case(
        When(~Q(stage2_extension_reason=""), then=_months_in_force("timescales_from", "stage2_extended_months")),
        default=_months_in_force("timescales_from", "stage2_months"),
    )
    stage2_due = _plus_months("stage2_started_on", stage2_months)
    # 1 where the standard says pauses move the due date back, 0 where they are only shown.
    pauses_count = _months_in_force("timescales_from", "pauses_extend_deadlines")
    return queryset.annotate(
        # SUM gives a bigint, and PostgreSQL adds only an integer to a date.
        stage1_paused=Cast(Coalesce(_paused_days(Pause.Stage.STAGE_1, today), 0), IntegerField()),
        stage2_paused=Cast(Coalesce(_paused_days(Pause.Stage.STAGE_2, today), 0), IntegerField()),
        stage_due_on=Case(
            When(
                status=S.STAGE_1,
                then=ExpressionWrapper(stage1_due + F("stage1_paused") * pauses_count, output_field=DateField()),
            ),
            When(
                status=S.STAGE_2,
                then=ExpressionWrapper(stage2_due + F("stage2_paused") * pauses_count, output_field=DateField()),
            ),
            default=None,
            output_field=DateField(),
        ),
    )


def _current_availability() -> Subquery:
    return Subquery(
        Availability.objects.filter(household=OuterRef("pk")).order_by("-status_from", "-id").values("status")[:1],
        output_field=CharField(),
    )


# --- families a child's link or match may name ----------------------------------------------------------------


def families_for_matching(*, actor: Any) -> QuerySet[Household]:
    """The approved families ``actor`` may choose for a child's link or match, own agencies' first.

    Their own agencies' approved families, whatever their availability (the match service says why one on hold
    cannot be matched), then, under tenancy's family-for-matching rule, other agencies' approved families whose
    current availability is "available", by agency. ``own_agency`` says which are which. Choosing is not
    seeing: another agency's family here is still 404 to ``household_get``.
    """
    own_agencies = tenancy.scope_for(actor).household_org_ids
    own = When(approving_agency__in=own_agencies, then=Value(True))
    approved = Household.objects.filter(status=S.APPROVED).annotate(
        availability_now=_current_availability(),
        own_agency=Case(own, default=Value(False), output_field=BooleanField()),
    )
    available = Q(availability_now=Availability.Status.AVAILABLE)
    return (
        tenancy.scope_families_for_matching(approved, actor, available=available)
        .select_related("approving_agency")
        .order_by(
            F("own_agency").desc(),
            Case(When(own_agency=True, then=Value("")), default=F("approving_agency__name")),
            "name",
            "id",
        )
    )


# --- the household list ---------------------------------------------------------------------------------------

SORTS = {
    "name": ("name", "id"),
    "reference": ("reference",),
    "enquired": ("-enquired_on", "name"),
    "stage": ("status", "name"),
    "due": (F("stage_due_on").asc(nulls_last=True), "name"),
}


def household_search(
    *,
    actor: Any,
    today: date,
    q: str = "",
    status: str = "",
    route: str = "",
    agency: int | None = None,
    worker: int | None = None,
    overdue: bool = False,
    sort: str = "name",
) -> QuerySet[Household]:
    households = with_stage_due(household_list(actor=actor), today).select_related("assessing_worker")
    if q.strip():
        for word in q.split():
            households = households.filter(
                Q(name__icontains=word)
                | Q(reference__icontains=word)
                | Q(applicants__first_name__icontains=word)
                | Q(applicants__last_name__icontains=word)
            )
        households = households.distinct()
    if status:
        households = households.filter(status=status)
    if route:
        households = households.filter(route=route)
    if agency:
        households = households.filter(approving_agency_id=agency)
    if worker:
        households = households.filter(assessing_worker_id=worker)
    if overdue:
        households = households.filter(**{"stage_due_on__lt": today})
    return households.prefetch_related("applicants").order_by(*SORTS.get(sort, SORTS["name"]))


def pipeline(*, actor: Any, today: date) -> list[dict[str, Any]]:
    """Each stage of the pipeline: how many households, and how many of them are overdue there."""
    rows = (
        with_stage_due(household_list(actor=actor), today)
        .order_by()
        .values("status")
        .annotate(n=Count("id"), overdue=Count("id", filter=Q(stage_due_on__lt=today)))
    )
    found: dict[str, dict[str, Any]] = {row["status"]: dict(row) for row in rows}
    return [
        {
            "status": status,
            "label": S(status).label,
            "count": found.get(status, {}).get("n", 0),
            "overdue": found.get(status, {}).get("overdue", 0),
        }
        for status in PIPELINE
    ]


def left_in_year(*, actor: Any, since: date) -> dict[str, int]:
    rows = (
        household_list(actor=actor)
        .filter(status=S.LEFT, left_on__gte=since)
        .order_by()
        .values("leaving_reason")
        .annotate(n=Count("id"))
    )
    return {row["leaving_reason"]: row["n"] for row in rows}


def assessing_workers(*, actor: Any) -> QuerySet[User]:
    """Assessing social workers of the agencies the actor sees (for filters and allocation)."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__organisation_id__in=tenancy.scope_for(actor).household_org_ids,
            memberships__role=Role.ASSESSING_SOCIAL_WORKER,
            memberships__is_active=True,
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


# --- one household --------------------------------------------------------------------------------------------


def household_get(*, actor: Any, household_id: int, record_read: bool = True) -> Household:
    household = (
        household_list(actor=actor)
        .select_related("assessing_worker")
        .prefetch_related(
            Prefetch("applicants", queryset=Applicant.objects.prefetch_related("checks")),
            "pauses",
            "reviews",
            "availability",
        )
        .filter(pk=household_id)
        .first()
    )
    if household is None:
        raise Http404("No such household.")
    if record_read:
        audit.record(
            actor=actor, action=AuditEvent.Action.READ, obj=household, organisation_id=household.approving_agency_id
        )
    return household


@dataclass(frozen=True)
class TimelineEntry:
    on: date
    title: str
    detail: str = ""


def household_timeline(household: Household) -> list[TimelineEntry]:
    """The household's journey, newest first."""
    h = household
    entries: list[TimelineEntry] = []
    steps = [
        (h.enquired_on, "Enquiry", h.get_enquiry_source_display() if h.enquiry_source else ""),
        (h.registered_on, "Registration of interest accepted", ""),
        (h.stage1_started_on, "Stage 1 started", ""),
        (h.training_attended_on, "Preparation training attended", ""),
        (h.stage1_ended_on, "Stage 1 completed", ""),
        (h.stage2_notified_on if h.stage2_notified_on != h.stage2_started_on else None, "Asked to start stage 2", ""),
        (h.stage2_started_on, "Stage 2 started", "Fast track" if h.route == Household.Route.FAST_TRACK else ""),
        (h.stage2_ended_on, "Stage 2 completed", ""),
        (h.panel_on, "Panel", h.get_panel_recommendation_display() if h.panel_recommendation else ""),
        (h.approved_on, "Approved by the agency decision maker", ""),
        (h.deregistered_on, "De-registered", ""),
        (h.left_on, "Left the process", h.get_leaving_reason_display() if h.leaving_reason else ""),
    ]
    entries.extend(TimelineEntry(day, title, detail) for day, title, detail in steps if day)
    for pause in h.pauses.all():
        title = f"Assessment paused ({pause.get_stage_display()})"
        entries.append(TimelineEntry(pause.started_on, title, pause.reason))
        if pause.ended_on:
            entries.append(TimelineEntry(pause.ended_on, "Assessment resumed"))
    for review in h.reviews.all():
        entries.append(TimelineEntry(review.held_on, "Annual review", review.get_outcome_display()))
    for availability in h.availability.all():
        entries.append(TimelineEntry(availability.status_from, f"Availability: {availability.get_status_display()}"))
    return sorted(entries, key=lambda e: e.on, reverse=True)


@dataclass(frozen=True)
class HouseholdSummary:
    timeliness: HouseholdTimeliness
    waiting_since: date | None
    waiting_flag_on: date | None
    review_due_on: date | None
    availability: Availability | None
    checks_outstanding: int
    checks_overdue: int
    # The day a placement with the family disrupted, when they are back to waiting and not reviewed since.
    review_after_disruption: date | None = None


# A disruption is a reason to review the family's approval now, not at the next anniversary: the agency
# reviews an approval whenever it considers it necessary, and at least once a year (Adoption Agencies
# Regulations 2005 reg. 29). Nothing is recorded for it: the review is due from the day the placement ended
# (the children's records, read through the reverse relation ``household.placements``) until one is held.
LAST_DISRUPTION = Max("placements__ended_on", filter=Q(placements__disruption__isnull=False))


def _disruption_unreviewed(household: Household, last_review: date | None) -> date | None:
    """The day the family's latest placement disrupted, if they are back to waiting with no review since."""
    if household.status != S.APPROVED:
        return None
    disrupted_on = household.placements.filter(disruption__isnull=False).aggregate(on=Max("ended_on"))["on"]
    if disrupted_on is None or (last_review is not None and last_review >= disrupted_on):
        return None
    return disrupted_on


def household_summary(household: Household, *, today: date) -> HouseholdSummary:
    pauses = list(household.pauses.all())
    timeliness = household_timeliness(household, pauses, today=today)
    standard = standard_on(household.approved_on)
    waiting = household.status == S.APPROVED and household.approved_on is not None
    reviews = sorted(r.held_on for r in household.reviews.all())
    availability = max(household.availability.all(), key=lambda a: (a.status_from, a.pk), default=None)
    checks = [c for a in household.applicants.all() for c in a.checks.all() if c.received_on is None]
    annual = (
        review_due_on(household.approved_on, reviews[-1] if reviews else None, standard)
        if household.approved_on and household.status in (S.APPROVED, S.MATCHED)
        else None
    )
    disrupted_on = _disruption_unreviewed(household, reviews[-1] if reviews else None) if annual else None
    return HouseholdSummary(
        timeliness=timeliness,
        waiting_since=household.approved_on if waiting else None,
        waiting_flag_on=waiting_flag_on(household.approved_on, standard) if waiting and household.approved_on else None,
        review_due_on=min(annual, disrupted_on) if annual and disrupted_on else annual,
        availability=availability,
        checks_outstanding=len(checks),
        checks_overdue=sum(1 for c in checks if c.due_on < today),
        review_after_disruption=disrupted_on,
    )


# --- approved families waiting --------------------------------------------------------------------------------


def waiting_households(*, actor: Any, today: date, flagged_only: bool = False) -> QuerySet[Household]:
    """Approved families not yet matched, longest waiting first, with the day they reach the flag."""
    households = (
        household_list(actor=actor)
        .filter(status=S.APPROVED, approved_on__isnull=False)
        .annotate(
            flag_on=_plus_months("approved_on", _months_in_force("approved_on", "waiting_flag_months")),
            days_waiting=DaysBetween(Value(today), F("approved_on")),
            availability_now=_current_availability(),
        )
        .annotate(flagged=Case(When(flag_on__lte=today, then=Value(True)), default=Value(False)))
        .prefetch_related("applicants")
        .order_by("approved_on", "name")
    )
    if flagged_only:
        households = households.filter(flagged=True)
    return households


# --- checks -------------------------------------------------------------------------------------------------------


def outstanding_checks(*, actor: Any, today: date, worker: int | None = None, overdue_only: bool = True):
    """Checks not yet back, of households still in assessment, oldest due first, grouped by assessing worker."""
    checks = (
        tenancy.scope_households(Check.objects.all(), actor, org_field="applicant__household__approving_agency")
        .filter(received_on__isnull=True)
        # Still in assessment: an approved family's stray check is not the assessing team's to chase.
        .filter(applicant__household__status__in=BEFORE_APPROVAL)
        .select_related("applicant__household__assessing_worker")
        .annotate(days_overdue=Greatest(DaysBetween(Value(today), F("due_on")), 0))
        .order_by(
            F("applicant__household__assessing_worker__last_name").asc(nulls_last=True),
            "applicant__household__assessing_worker_id",
            "due_on",
            "id",
        )
    )
    if overdue_only:
        checks = checks.filter(due_on__lt=today)
    if worker:
        checks = checks.filter(applicant__household__assessing_worker_id=worker)
    return checks


def late_checks_by_reason(*, actor: Any, since: date, today: date) -> list[dict[str, Any]]:
    """Checks requested since ``since`` that came back late or are overdue, counted by kind and reason."""
    late = Q(received_on__gt=F("due_on")) | Q(received_on__isnull=True, due_on__lt=today)
    rows = (
        tenancy.scope_households(Check.objects.all(), actor, org_field="applicant__household__approving_agency")
        .filter(late, requested_on__gte=since)
        .order_by()
        .values("kind", "delay_reason")
        .annotate(n=Count("id"))
        .order_by("kind", "-n")
    )
    kinds, reasons = dict(Check.Kind.choices), dict(Check.DelayReason.choices)
    return [
        {"kind": kinds[row["kind"]], "reason": reasons.get(row["delay_reason"], "No reason recorded"), "n": row["n"]}
        for row in rows
    ]


def reviews_due(*, actor: Any, today: date) -> QuerySet[Household]:
    """Waiting families whose review is due: 12 months since approval or the last review, or back to waiting
    after a disruption with no review since (due from the day the placement ended; ``after_disruption``)."""
    last_review = Subquery(
        Review.objects.filter(household=OuterRef("pk")).order_by("-held_on").values("held_on")[:1],
        output_field=DateField(),
    )
    unreviewed_disruption = Q(status=S.APPROVED, disrupted_on__isnull=False) & (
        Q(last_review_on__isnull=True) | Q(last_review_on__lt=F("disrupted_on"))
    )
    return (
        household_list(actor=actor)
        .filter(status__in=(S.APPROVED, S.MATCHED), approved_on__isnull=False)
        .annotate(last_review_on=last_review, disrupted_on=LAST_DISRUPTION)
        .annotate(reviewed_from=Coalesce("last_review_on", F("approved_on")))
        .annotate(annual_due_on=_plus_months("reviewed_from", _months_in_force("approved_on", "review_months")))
        .annotate(
            after_disruption=Case(When(unreviewed_disruption, then=Value(True)), default=Value(False)),
            review_due_on=Case(
                When(unreviewed_disruption, then=Least("annual_due_on", "disrupted_on")),
                default=F("annual_due_on"),
                output_field=DateField(),
            ),
        )
        .filter(review_due_on__lte=today)
        .order_by("review_due_on")
    )
