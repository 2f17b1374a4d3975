"""Reads of households, scoped by tenancy first. Lists compute their figures in the database."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Count,
    DateField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Min,
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
from adoption.db import DaysBetween, plus_months
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


def months_in_force(day_field: str, attribute: str) -> Case:
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


def _stage_deadlines() -> tuple[Any, Any, Case]:
    """For households annotated with ``timescales_from``: when stage 1 and stage 2 are due by the standard in force
    then (stage 2's extended months when a reason for more time is recorded), before pauses; and 1 where that
    standard says paused days move the due date back, 0 where they are only shown."""
    stage1_due = plus_months("stage1_started_on", months_in_force("timescales_from", "stage1_months"))
    stage2_months = Case(
        When(~Q(stage2_extension_reason=""), then=months_in_force("timescales_from", "stage2_extended_months")),
        default=months_in_force("timescales_from", "stage2_months"),
    )
    stage2_due = plus_months("stage2_started_on", stage2_months)
    return stage1_due, stage2_due, months_in_force("timescales_from", "pauses_extend_deadlines")


def with_stage_due(queryset: QuerySet[Household], today: date) -> QuerySet[Household]:
    """Annotate when the current stage (1 or 2) is due, pauses added, and whether it is overdue.

    One standard per household, the one in force when it started (stage 1, or stage 2 on the fast
    track), exactly as ``adopters.timeliness.household_timeliness`` chooses it, so lists and pages agree.
    """
    queryset = queryset.annotate(
        timescales_from=Coalesce("stage1_started_on", "stage2_started_on", "registered_on"),
    )
    stage1_due, stage2_due, pauses_count = _stage_deadlines()
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


def _paused_in_stage(stage: int, start_field: str, end_field: str) -> Cast:
    """Days the household's ``stage`` was paused between its start and end, each pause clipped to the stage,
    as ``adopters.timeliness.paused_days`` counts them (a pause still open counts up to the stage's end)."""
    stage_start, stage_end = OuterRef(start_field), OuterRef(end_field)
    clipped = Greatest(
        DaysBetween(Least(Coalesce(F("ended_on"), stage_end), stage_end), Greatest(F("started_on"), stage_start)),
        Value(0),
    )
    days = Subquery(
        Pause.objects.filter(household=OuterRef("pk"), stage=stage)
        .order_by()
        .values("household")
        .annotate(days=Sum(clipped, output_field=IntegerField()))
        .values("days"),
        output_field=IntegerField(),
    )
    # SUM gives a bigint, and PostgreSQL adds only an integer to a date.
    return Cast(Coalesce(days, Value(0)), IntegerField())


def with_completed_stage_due(households: QuerySet[Household]) -> QuerySet[Household]:
    """Annotate ``stage1_due_on`` and ``stage2_due_on``: when each stage was due, as the household's page says.

    The standard is the one in force when the household started (stage 1, or stage 2 on the fast track), as
    ``adopters.timeliness.household_timeliness`` chooses it; stage 2 has the extended months when a reason for
    more time is recorded; paused days move the due date back where that standard says so.
    """
    households = households.annotate(
        timescales_from=Coalesce("stage1_started_on", "stage2_started_on", "registered_on"),
        stage1_paused_days=_paused_in_stage(Pause.Stage.STAGE_1, "stage1_started_on", "stage1_ended_on"),
        stage2_paused_days=_paused_in_stage(Pause.Stage.STAGE_2, "stage2_started_on", "stage2_ended_on"),
    )
    stage1_due, stage2_due, pauses_count = _stage_deadlines()
    return households.annotate(
        stage1_due_on=ExpressionWrapper(stage1_due + F("stage1_paused_days") * pauses_count, output_field=DateField()),
        stage2_due_on=ExpressionWrapper(stage2_due + F("stage2_paused_days") * pauses_count, output_field=DateField()),
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
            flag_on=plus_months("approved_on", months_in_force("approved_on", "waiting_flag_months")),
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
        .annotate(annual_due_on=plus_months("reviewed_from", months_in_force("approved_on", "review_months")))
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


# --- the adoption scorecard's adopter measures -----------------------------------------------------------------


def scorecard_households(*, agency_ids: Iterable[int], start: date, end: date, wait_months: int) -> QuerySet[Household]:
    """Households approved (or being assessed) by ``agency_ids``, with a flag for each adopter measure.

    For the scorecard (``reporting``), which passes agencies the caller has already narrowed to what whoever
    asked may see. The figures are of the dated records as they stood on ``end`` (a later match or approval
    does not change them):

    * ``waiting_at_end``: approved by ``end``, not de-registered and not left by then, and no match current
      then (a child's placement with the family matched by then and not ended by then); ``days_waiting_at_end``;
    * ``matched_in_period``: the family's first match since approval (``first_matched_on``: the earliest match
      decision of any of its children's placements on or after ``approved_on``) is between ``start`` and
      ``end``; ``days_to_match``; ``waited_to_match``: that match came ``wait_months`` calendar months or more
      after approval (on or after the same day ``wait_months`` months on, as PostgreSQL adds months);
    * ``in_assessment_at_end``: an application (``application_on``: registration of interest accepted, or the
      start of stage 1 or, on the fast track, of stage 2) made by ``end``, with no agency decision and no
      leaving by then (a refused application leaves the process on the decision's day).
    """
    current_at_end = Q(placements__matched_on__lte=end) & (
        Q(placements__ended_on__isnull=True) | Q(placements__ended_on__gt=end)
    )
    households = (
        Household.objects.filter(approving_agency_id__in=frozenset(agency_ids))
        .select_related("approving_agency")
        .annotate(
            application_on=Coalesce("registered_on", "stage1_started_on", "stage2_started_on"),
            first_matched_on=Min("placements__matched_on", filter=Q(placements__matched_on__gte=F("approved_on"))),
            matches_at_end=Count("placements", filter=current_at_end),
        )
    )
    still_there = (Q(deregistered_on__isnull=True) | Q(deregistered_on__gt=end)) & (
        Q(left_on__isnull=True) | Q(left_on__gt=end)
    )
    waiting = Q(approved_on__lte=end, matches_at_end=0) & still_there
    matched = Q(first_matched_on__range=(start, end))
    in_assessment = (
        Q(application_on__lte=end)
        & (Q(approved_on__isnull=True) | Q(approved_on__gt=end))
        & (Q(left_on__isnull=True) | Q(left_on__gt=end))
    )
    return households.annotate(
        waiting_at_end=ExpressionWrapper(waiting, output_field=BooleanField()),
        days_waiting_at_end=DaysBetween(Value(end), F("approved_on")),
        matched_in_period=ExpressionWrapper(matched, output_field=BooleanField()),
        days_to_match=DaysBetween(F("first_matched_on"), F("approved_on")),
        waited_to_match=ExpressionWrapper(
            Q(first_matched_on__gte=plus_months("approved_on", Value(wait_months))), output_field=BooleanField()
        ),
        in_assessment_at_end=ExpressionWrapper(in_assessment, output_field=BooleanField()),
    )


# --- the quarterly return (reporting.returns) ---------------------------------------------------------------------
# For jobs that run without a user: the caller has checked that whoever asked may see ``agency_ids``. Read as at
# the quarter's end; the children's records are reached through the reverse relation ``placements`` (the children
# app depends on this one, not the other way round), so the adoption order's kind is named here as a string.

ADOPTION_ORDER_KIND = "adoption_order"  # children.models.PermanenceOutcome.Kind.ADOPTION_ORDER
RETURN_APPLICANT_FIELDS = ("sex", "ethnicity", "disability", "sexual_orientation", "date_of_birth")


def first_since_approval(field: str) -> Subquery:
    """The first ``placements__<field>`` (``matched_on`` or ``placed_on``) of a child with the household on or
    after its approval: when an approved family was first matched, or first had a child move in."""
    return Subquery(
        Household.objects.filter(pk=OuterRef("pk"))
        .order_by()
        .annotate(first=Min(f"placements__{field}", filter=Q(**{f"placements__{field}__gte": F("approved_on")})))
        .values("first")[:1],
        output_field=DateField(),
    )


def quarterly_return_households(
    *, agency_ids: frozenset[int] | set[int], start: date, end: date
) -> QuerySet[Household]:
    """The households of the adopter-level table: approved by, or in assessment at, one of ``agency_ids``.

    A household is in when any step of its journey is dated in the quarter (enquiry, registration,
    stage 1 or 2 start, approval, leaving, or a child matched with or moving in with them), or when
    it was in the process during the quarter: registered (or started stage 1 or 2, or approved) by
    the quarter's end, not left or de-registered before its start, and not finished before its start
    (an adoption order for a child placed with them).

    Annotations: ``rt_applicants`` (how many), ``rt_applicant1_<field>`` and ``rt_applicant2_<field>``
    for each of ``RETURN_APPLICANT_FIELDS`` (the first two applicants, in the order they were
    recorded), ``rt_matched_on`` and ``rt_placed_on`` (the first since approval, whenever it was:
    the caller leaves out what is after the quarter).
    """
    window = (start, end)
    step_in_quarter = Q()
    for field in ("enquired_on", "registered_on", "stage1_started_on", "stage2_started_on", "approved_on", "left_on"):
        step_in_quarter |= Q(**{f"{field}__range": window})
    child_step_in_quarter = Household.objects.filter(
        Q(placements__matched_on__range=window) | Q(placements__placed_on__range=window)
    ).values("pk")
    finished_before_start = Household.objects.filter(
        placements__ended_on__isnull=True,
        placements__child__permanence_outcomes__kind=ADOPTION_ORDER_KIND,
        placements__child__permanence_outcomes__made_on__lt=start,
    ).values("pk")
    in_process = (
        (
            Q(registered_on__lte=end)
            | Q(stage1_started_on__lte=end)
            | Q(stage2_started_on__lte=end)
            | Q(approved_on__lte=end)
        )
        & (Q(left_on__isnull=True) | Q(left_on__gte=start))
        & (Q(deregistered_on__isnull=True) | Q(deregistered_on__gte=start))
        & ~Q(pk__in=finished_before_start)
    )
    applicants = Applicant.objects.filter(household=OuterRef("pk")).order_by("id")
    per_applicant = {
        f"rt_applicant{position + 1}_{field}": Subquery(applicants.values(field)[position : position + 1])
        for position in range(2)
        for field in RETURN_APPLICANT_FIELDS
    }
    return (
        Household.objects.filter(approving_agency_id__in=agency_ids)
        .filter(step_in_quarter | Q(pk__in=child_step_in_quarter) | in_process)
        .select_related("approving_agency")
        .annotate(
            rt_applicants=Coalesce(
                Subquery(
                    Applicant.objects.filter(household=OuterRef("pk"))
                    .order_by()
                    .values("household")
                    .annotate(n=Count("id"))
                    .values("n"),
                    output_field=IntegerField(),
                ),
                0,
            ),
            rt_matched_on=first_since_approval("matched_on"),
            rt_placed_on=first_since_approval("placed_on"),
            **per_applicant,
        )
        .order_by("approving_agency__name", "reference", "id")
    )


def quarterly_return_household_counts(
    *, agency_ids: frozenset[int] | set[int], start: date, end: date
) -> dict[str, int]:
    """The return's adopter headline counts for the households of ``agency_ids``, in one aggregate query.

    ``registrations``: registrations of interest accepted in the quarter. ``approvals``: approvals
    in it; ``approvals_within_6_months``: of those, approved within 6 months of registration.
    ``families_matched``: approved families first matched (since approval) in the quarter;
    ``matched_within_3_months``: of those, matched within 3 months of approval.
    ``adopters_waiting``: at the quarter's end, approved families who had not left or been
    de-registered and had no current match (none made by then, or only ones whose placement had
    ended by then: a family whose placement disrupted waits again), as the scorecard counts them.
    """
    window = (start, end)
    not_gone = (Q(left_on__isnull=True) | Q(left_on__gt=end)) & (
        Q(deregistered_on__isnull=True) | Q(deregistered_on__gt=end)
    )
    # One filter() call, so both conditions are on the same placement.
    matched_at_end = Household.objects.filter(
        Q(placements__ended_on__isnull=True) | Q(placements__ended_on__gt=end),
        pk=OuterRef("pk"),
        placements__matched_on__lte=end,
    )
    return (
        Household.objects.filter(approving_agency_id__in=agency_ids)
        # The first match since approval as a grouped aggregate (as ``scorecard_households``), not
        # ``first_since_approval``'s subquery: the counts name it five times and each would run it per household.
        .annotate(
            first_matched_on=Min("placements__matched_on", filter=Q(placements__matched_on__gte=F("approved_on"))),
            matched_at_end=Exists(matched_at_end),
        )
        .aggregate(
            registrations=Count("id", filter=Q(registered_on__range=window)),
            approvals=Count("id", filter=Q(approved_on__range=window)),
            approvals_within_6_months=Count(
                "id", filter=Q(approved_on__range=window, approved_on__lte=plus_months("registered_on", Value(6)))
            ),
            families_matched=Count("id", filter=Q(first_matched_on__range=window)),
            matched_within_3_months=Count(
                "id",
                filter=Q(first_matched_on__range=window, first_matched_on__lte=plus_months("approved_on", Value(3))),
            ),
            adopters_waiting=Count("id", filter=Q(approved_on__lte=end, matched_at_end=False) & not_gone),
        )
    )
