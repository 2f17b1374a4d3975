"""Reads of the duty service's records, scoped first to the LAs whose support the actor works on.

Days are counted in the database: the response time of a request is its first response less the day it
was received, the days waiting are today less the day it was received (PostgreSQL subtracts dates to a
whole number of days). Caseloads are counted by correlated aggregate subqueries in one query, never in a
loop over workers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import (
    Avg,
    Case,
    Count,
    DateField,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from adoption import audit, tenancy
from adoption.db import DaysBetween
from adoption.models import AuditEvent, Membership, Organisation, Role, User
from children.models import Child
from support import access
from support.models import AsfApplication, AssessmentOfNeed, SupportPlan, SupportRequest

Status = SupportRequest.Status


def _day(day: date) -> Value:
    return Value(day, output_field=DateField())


def with_days(queryset: QuerySet[SupportRequest], today: date) -> QuerySet[SupportRequest]:
    """Each request's ``response_days`` (received to first response; None until then) and ``days_waiting``
    (received to today, for a request not yet allocated; None once allocated or closed)."""
    return queryset.annotate(
        response_days=DaysBetween(F("responded_on"), F("received_on")),
        days_waiting=Case(
            When(status=Status.NEW, then=DaysBetween(_day(today), F("received_on"))),
            default=None,
            output_field=IntegerField(),
        ),
    )


# --- the duty list ----------------------------------------------------------------------------------------------


def visible_las(actor: Any) -> list[Organisation]:
    """The LAs whose support the actor sees (the duty list's LA filter)."""
    return list(Organisation.objects.filter(id__in=access.reader_la_ids(actor)).order_by("name"))


def request_list(
    *,
    actor: Any,
    today: date,
    la_id: int | None = None,
    status: str = "",
    topic: str = "",
    kind: str = "",
    q: str = "",
) -> QuerySet[SupportRequest]:
    """The duty list: new requests first, longest waiting first, then allocated ones, then (if asked for) closed.

    Without a status, open requests (new and allocated) are listed.
    """
    requests = access.scope_support(SupportRequest.objects.select_related("la", "allocated_to", "child"), actor)
    if la_id is not None:
        requests = requests.filter(la_id=la_id)
    requests = requests.filter(status=status) if status else requests.exclude(status=Status.CLOSED)
    if topic:
        requests = requests.filter(topic=topic)
    if kind:
        requests = requests.filter(kind=kind)
    if q:
        requests = requests.filter(family_name__icontains=q.strip())
    rank = Case(
        When(status=Status.NEW, then=Value(0)),
        When(status=Status.ALLOCATED, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return with_days(requests, today).annotate(rank=rank).order_by("rank", "received_on", "id")


@dataclass(frozen=True)
class ResponseFigures:
    """How fast the requests of a list were answered."""

    requests: int
    responded: int
    waiting_for_response: int
    average_days: float | None  # received to first response, over those answered
    longest_days: int | None


def response_figures(requests: QuerySet[SupportRequest]) -> ResponseFigures:
    """One aggregate query over the requests (as filtered for the list)."""
    row = requests.order_by().aggregate(
        total=Count("id"),
        responded=Count("id", filter=Q(responded_on__isnull=False)),
        average=Avg(DaysBetween(F("responded_on"), F("received_on"))),
        longest=Max(DaysBetween(F("responded_on"), F("received_on"))),
    )
    average = row["average"]
    return ResponseFigures(
        requests=row["total"],
        responded=row["responded"],
        waiting_for_response=row["total"] - row["responded"],
        average_days=round(float(average), 1) if average is not None else None,
        longest_days=row["longest"],
    )


# --- one request, assessment, plan ----------------------------------------------------------------------------


def request_get(*, actor: Any, request_id: int, today: date, record_read: bool = True) -> SupportRequest:
    assessments = AssessmentOfNeed.objects.select_related("assessor", "plan").order_by("-started_on", "-id")
    request = (
        with_days(
            access.scope_support(
                SupportRequest.objects.select_related("la", "child", "household", "allocated_to"), actor
            ),
            today,
        )
        .prefetch_related(Prefetch("assessments", queryset=assessments))
        .filter(pk=request_id)
        .first()
    )
    if request is None:
        raise Http404("No such support request.")
    if record_read:
        audit.record(actor=actor, action=AuditEvent.Action.READ, obj=request, organisation_id=request.la_id)
    return request


def assessment_get(*, actor: Any, assessment_id: int, record_read: bool = True) -> AssessmentOfNeed:
    assessment = (
        access.scope_support(AssessmentOfNeed.objects.select_related("request__la"), actor, la_field="request__la")
        .filter(pk=assessment_id)
        .first()
    )
    if assessment is None:
        raise Http404("No such assessment of need.")
    if record_read:
        audit.record(
            actor=actor, action=AuditEvent.Action.READ, obj=assessment, organisation_id=assessment.request.la_id
        )
    return assessment


def plan_get(*, actor: Any, plan_id: int, record_read: bool = True) -> SupportPlan:
    plan = (
        access.scope_support(
            SupportPlan.objects.select_related("assessment__request__la"), actor, la_field="assessment__request__la"
        )
        .filter(pk=plan_id)
        .first()
    )
    if plan is None:
        raise Http404("No such support plan.")
    if record_read:
        audit.record(
            actor=actor, action=AuditEvent.Action.READ, obj=plan, organisation_id=plan.assessment.request.la_id
        )
    return plan


# --- caseloads ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Caseloads:
    workers: Sequence[User]  # each with open_requests, open_plans, reviews_overdue, next_review_on
    reviews: Sequence[SupportPlan]  # open plans, next review soonest first; each with ``overdue``
    today: date


def _counted(queryset: QuerySet, key: str) -> Coalesce:
    """How many rows of ``queryset`` have ``key`` equal to the outer row (a worker): a correlated COUNT."""
    rows = queryset.filter(**{key: OuterRef("pk")}).order_by().values(key).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows[:1], output_field=IntegerField()), Value(0))


def caseloads(*, actor: Any, today: date) -> Caseloads:
    """Per worker: open allocated requests, open support plans, reviews overdue, the next review due.

    The workers are those holding an open request of the actor's LAs, and the support social workers of those
    LAs (or their RAA) with nothing allocated. One query for the workers (counts as correlated aggregate
    subqueries), one for the plans due for review.
    """
    la_ids = access.reader_la_ids(actor)
    open_requests = SupportRequest.objects.filter(la_id__in=la_ids, status=Status.ALLOCATED)
    open_plans = SupportPlan.objects.filter(
        assessment__request__la_id__in=la_ids, assessment__request__status=Status.ALLOCATED, ended_on__isnull=True
    )
    raa_ids = Organisation.objects.filter(id__in=la_ids).exclude(raa_id=None).values("raa_id")
    support_staff = Membership.objects.filter(
        is_active=True, role=Role.SUPPORT_SOCIAL_WORKER, organisation__is_active=True
    ).filter(Q(organisation_id__in=la_ids) | Q(organisation_id__in=raa_ids))

    request_key, plan_key = "allocated_to", "assessment__request__allocated_to"
    next_review = (
        open_plans.filter(**{plan_key: OuterRef("pk")})
        .order_by()
        .values(plan_key)
        .annotate(first=Min("review_on"))
        .values("first")
    )
    workers = list(
        User.objects.filter(
            Exists(open_requests.filter(**{request_key: OuterRef("pk")})) | Q(id__in=support_staff.values("user_id")),
            is_active=True,
        )
        .annotate(
            open_requests=_counted(open_requests, request_key),
            open_plans=_counted(open_plans, plan_key),
            reviews_overdue=_counted(open_plans.filter(review_on__lt=today), plan_key),
            next_review_on=Subquery(next_review[:1], output_field=DateField()),
        )
        .order_by("-open_requests", "last_name", "first_name", "username")
    )
    reviews = list(
        open_plans.select_related("assessment__request__la", "assessment__request__allocated_to")
        .annotate(overdue=Case(When(review_on__lt=today, then=Value(True)), default=Value(False)))
        .order_by("review_on", "id")
    )
    return Caseloads(workers=workers, reviews=reviews, today=today)


# --- a child's support history --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChildHistory:
    child: Child
    requests: list[SupportRequest]  # newest first, with their assessments and plans
    asf_applications: list[AsfApplication]


def child_history(*, actor: Any, child_id: int, today: date) -> ChildHistory:
    """A child's support history: 404 for a child the actor may not see, or of an LA whose support they do not see."""
    child = (
        tenancy.scope_children(Child.objects.select_related("responsible_la"), actor)
        .filter(pk=child_id, responsible_la_id__in=access.reader_la_ids(actor))
        .first()
    )
    if child is None:
        raise Http404("No such child.")
    assessments = AssessmentOfNeed.objects.select_related("plan", "assessor").order_by("-started_on", "-id")
    requests = list(
        with_days(access.scope_support(SupportRequest.objects.select_related("la", "allocated_to"), actor), today)
        .filter(child=child)
        .prefetch_related(Prefetch("assessments", queryset=assessments))
        .order_by("-received_on", "-id")
    )
    applications = list(
        access.scope_support(AsfApplication.objects.select_related("la"), actor)
        .filter(child=child)
        .order_by("-work_starts_on", "-id")
    )
    audit.record(actor=actor, action=AuditEvent.Action.READ, obj=child, organisation_id=child.responsible_la_id)
    return ChildHistory(child=child, requests=requests, asf_applications=applications)
