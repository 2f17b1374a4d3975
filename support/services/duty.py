"""Every write to the duty service's records: support requests, assessments of need and support plans.

Each service finds the record within the LAs whose support the actor works on (404 outside them), checks
that the actor may change that LA's support records (403 for administrators, who only read), checks the
rules with the change applied, saves inside one transaction and writes one audit event naming the LA. A
refused change raises ``ValidationError`` keyed by field with a message a support worker understands, and
saves nothing.

Special guardianship support follows the same flow as adoption support: ``kind`` says which it is.

The order of the work: a request is recorded on duty, gets a first response (and a tier), is allocated to
a worker, who assesses the family's need; an assessment whose outcome is a support plan leads to a plan,
which is reviewed and ended; the request is closed with a reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from adopters.models import Household
from adoption import audit, tenancy
from adoption.dates import in_words as _fmt
from adoption.models import AuditEvent, Membership, Organisation, User
from children.models import Child
from support import access
from support.models import AssessmentOfNeed, SupportKind, SupportPlan, SupportRequest, TherapyType, Tier, Topic

Status = SupportRequest.Status


def _not_future(field: str, day: date | None, what: str = "date") -> None:
    if day is not None and day > timezone.localdate():
        raise ValidationError({field: f"The {what} must be today or in the past"})


def _save(actor: Any, obj: models.Model, *, la_id: int, action: AuditEvent.Action) -> Any:
    obj.full_clean()
    obj.save()
    audit.record(actor=actor, action=action, obj=obj, organisation_id=la_id)
    return obj


# --- who and what may be chosen ------------------------------------------------------------------------------


def children_for(actor: Any, la_ids: Iterable[int]) -> models.QuerySet[Child]:
    """The children of these LAs that the actor may see: the ones a request may be about."""
    return tenancy.scope_children(Child.objects.filter(responsible_la_id__in=list(la_ids)), actor)


def households_for(actor: Any, la_ids: Iterable[int]) -> models.QuerySet[Household]:
    """The families a request may name: those a child of these LAs (one the actor sees) was placed with."""
    children = children_for(actor, la_ids)
    return Household.objects.filter(placements__child__in=children).distinct()


def support_workers(la_ids: Iterable[int]) -> models.QuerySet[User]:
    """Who a request of these LAs may be allocated to: support social workers and managers of the LA or its RAA."""
    ids = list(la_ids)
    raa_ids = Organisation.objects.filter(id__in=ids).exclude(raa_id=None).values("raa_id")
    held = Membership.objects.filter(
        is_active=True,
        role__in=tenancy.SUPPORT_WRITERS,
        organisation__is_active=True,
    ).filter(Q(organisation_id__in=ids) | Q(organisation_id__in=raa_ids))
    return User.objects.filter(is_active=True, id__in=held.values("user_id")).order_by(
        "last_name", "first_name", "username"
    )


# --- support requests ---------------------------------------------------------------------------------------------


def _choices(field: str, value: str, values: Iterable[str], message: str) -> None:
    if value not in set(values):
        raise ValidationError({field: message})


@transaction.atomic
def support_request_create(
    *,
    actor: Any,
    la_id: int,
    kind: str,
    family_name: str,
    requested_by: str,
    requester: str,
    received_on: date,
    topic: str,
    summary: str = "",
    child_id: int | None = None,
    household_id: int | None = None,
) -> SupportRequest:
    """Record a request for support that came in on duty."""
    access.check_la(actor, la_id)
    _choices("kind", kind, SupportKind.values, "Choose adoption support or special guardianship support")
    _choices("requester", requester, SupportRequest.Requester.values, "Choose who they are")
    _choices("topic", topic, Topic.values, "Choose what the request is about")
    _not_future("received_on", received_on, "date received")
    if child_id is not None and not children_for(actor, [la_id]).filter(pk=child_id).exists():
        raise ValidationError({"child": "Choose a child of this LA"})
    if household_id is not None and not households_for(actor, [la_id]).filter(pk=household_id).exists():
        raise ValidationError({"household": "Choose a family a child of this LA was placed with"})
    request = SupportRequest(
        la_id=la_id,
        kind=kind,
        family_name=family_name.strip(),
        child_id=child_id,
        household_id=household_id,
        requested_by=requested_by.strip(),
        requester=requester,
        received_on=received_on,
        topic=topic,
        summary=summary.strip(),
    )
    return _save(actor, request, la_id=la_id, action=AuditEvent.Action.CREATE)


def _request_for_write(actor: Any, request_id: int) -> SupportRequest:
    request: SupportRequest = access.for_write(actor, SupportRequest.objects.all(), request_id)
    if request.status == Status.CLOSED:
        raise ValidationError(f"The request was closed on {_fmt(request.closed_on or request.received_on)}")
    return request


def _after_received(field: str, day: date, request: SupportRequest, what: str) -> None:
    if day < request.received_on:
        raise ValidationError(
            {field: f"The {what} must be on or after the date the request was received, {_fmt(request.received_on)}"}
        )


@transaction.atomic
def support_request_respond(*, actor: Any, request_id: int, responded_on: date, tier: int) -> SupportRequest:
    """Record the first response to a request and the tier of support it needs."""
    request = _request_for_write(actor, request_id)
    if request.responded_on is not None:
        raise ValidationError(f"The first response was already recorded, on {_fmt(request.responded_on)}")
    if tier not in Tier.values:
        raise ValidationError({"tier": "Choose the tier of support"})
    _not_future("responded_on", responded_on, "date of the first response")
    _after_received("responded_on", responded_on, request, "first response")
    request.responded_on = responded_on
    request.tier = tier
    return _save(actor, request, la_id=request.la_id, action=AuditEvent.Action.UPDATE)


@transaction.atomic
def support_request_allocate(*, actor: Any, request_id: int, worker_id: int, allocated_on: date) -> SupportRequest:
    """Allocate a request to a support worker (or reallocate it to another)."""
    request = _request_for_write(actor, request_id)
    if not support_workers([request.la_id]).filter(pk=worker_id).exists():
        raise ValidationError({"worker": "Choose a support social worker or manager of this LA or its RAA"})
    if request.allocated_to_id == worker_id:
        raise ValidationError({"worker": "The request is already allocated to them: choose someone else"})
    _not_future("allocated_on", allocated_on, "date allocated")
    _after_received("allocated_on", allocated_on, request, "date allocated")
    if request.allocated_on is not None and allocated_on < request.allocated_on:
        raise ValidationError(
            {"allocated_on": f"The request was last allocated on {_fmt(request.allocated_on)}: enter that or later"}
        )
    request.allocated_to_id = worker_id
    request.allocated_on = allocated_on
    request.status = Status.ALLOCATED
    return _save(actor, request, la_id=request.la_id, action=AuditEvent.Action.UPDATE)


@transaction.atomic
def support_request_close(*, actor: Any, request_id: int, closed_on: date, closed_reason: str) -> SupportRequest:
    """Close a request with the reason. Its assessment must be finished and its plan ended first."""
    request = _request_for_write(actor, request_id)
    _choices("closed_reason", closed_reason, SupportRequest.ClosedReason.values, "Choose why the request is closed")
    _not_future("closed_on", closed_on, "date closed")
    _after_received("closed_on", closed_on, request, "date closed")
    if request.assessments.filter(completed_on__isnull=True).exists():
        raise ValidationError("Complete the assessment of need before closing the request")
    if SupportPlan.objects.filter(assessment__request=request, ended_on__isnull=True).exists():
        raise ValidationError("End the support plan before closing the request")
    request.closed_on = closed_on
    request.closed_reason = closed_reason
    request.status = Status.CLOSED
    return _save(actor, request, la_id=request.la_id, action=AuditEvent.Action.UPDATE)


# --- assessments of need --------------------------------------------------------------------------------------------


@transaction.atomic
def assessment_start(*, actor: Any, request_id: int, started_on: date) -> AssessmentOfNeed:
    """Start an assessment of the family's need; the worker the request is allocated to assesses."""
    request = _request_for_write(actor, request_id)
    if request.status != Status.ALLOCATED or request.allocated_on is None:
        raise ValidationError("Allocate the request before starting an assessment")
    if request.assessments.filter(completed_on__isnull=True).exists():
        raise ValidationError("An assessment of need is already in progress for this request")
    _not_future("started_on", started_on, "date started")
    if started_on < request.allocated_on:
        allocated = _fmt(request.allocated_on)
        raise ValidationError(
            {"started_on": f"The assessment must start on or after the day the request was allocated, {allocated}"}
        )
    assessment = AssessmentOfNeed(request=request, assessor_id=request.allocated_to_id, started_on=started_on)
    return _save(actor, assessment, la_id=request.la_id, action=AuditEvent.Action.CREATE)


def _assessment_for_write(actor: Any, assessment_id: int) -> AssessmentOfNeed:
    queryset = AssessmentOfNeed.objects.select_related("request")
    assessment: AssessmentOfNeed = access.for_write(actor, queryset, assessment_id, la_field="request__la")
    if assessment.request.status == Status.CLOSED:
        raise ValidationError("The request is closed")
    return assessment


@transaction.atomic
def assessment_complete(
    *, actor: Any, assessment_id: int, completed_on: date, outcome: str, needs: str
) -> AssessmentOfNeed:
    """Complete an assessment with its outcome and the needs it found."""
    assessment = _assessment_for_write(actor, assessment_id)
    if assessment.completed_on is not None:
        raise ValidationError(f"The assessment was already completed, on {_fmt(assessment.completed_on)}")
    _choices("outcome", outcome, AssessmentOfNeed.Outcome.values, "Choose the outcome of the assessment")
    if not needs.strip():
        raise ValidationError({"needs": "Describe the needs the assessment found"})
    _not_future("completed_on", completed_on, "date completed")
    if completed_on < assessment.started_on:
        raise ValidationError(
            {"completed_on": f"The assessment cannot end before it started, on {_fmt(assessment.started_on)}"}
        )
    assessment.completed_on = completed_on
    assessment.outcome = outcome
    assessment.needs = needs.strip()
    return _save(actor, assessment, la_id=assessment.request.la_id, action=AuditEvent.Action.UPDATE)


# --- support plans ---------------------------------------------------------------------------------------------------


def _therapies(therapies: Iterable[str]) -> list[str]:
    chosen = set(therapies)
    if chosen - set(TherapyType.values):
        raise ValidationError({"therapies": "Choose therapies from the list"})
    return [code for code in TherapyType.values if code in chosen]  # one order, whatever the form sent


@transaction.atomic
def support_plan_agree(
    *,
    actor: Any,
    assessment_id: int,
    agreed_on: date,
    services: str,
    review_on: date,
    therapies: Iterable[str] = (),
) -> SupportPlan:
    """Record the support plan agreed after an assessment whose outcome is a support plan."""
    assessment = _assessment_for_write(actor, assessment_id)
    if assessment.completed_on is None:
        raise ValidationError("Complete the assessment of need before agreeing a support plan")
    if assessment.outcome != AssessmentOfNeed.Outcome.SUPPORT_PLAN:
        raise ValidationError(
            f"The assessment's outcome was '{assessment.get_outcome_display()}': a support plan follows only an "
            "assessment whose outcome is support to be provided"
        )
    if SupportPlan.objects.filter(assessment=assessment).exists():
        raise ValidationError("A support plan was already agreed after this assessment")
    if not services.strip():
        raise ValidationError({"services": "Describe the services agreed"})
    chosen = _therapies(therapies)
    _not_future("agreed_on", agreed_on, "date agreed")
    if agreed_on < assessment.completed_on:
        completed = _fmt(assessment.completed_on)
        raise ValidationError(
            {"agreed_on": f"The plan must be agreed on or after the assessment was completed, {completed}"}
        )
    if review_on <= agreed_on:
        raise ValidationError({"review_on": "The first review must be due after the date the plan was agreed"})
    plan = SupportPlan(
        assessment=assessment, agreed_on=agreed_on, services=services.strip(), therapies=chosen, review_on=review_on
    )
    return _save(actor, plan, la_id=assessment.request.la_id, action=AuditEvent.Action.CREATE)


def _plan_for_write(actor: Any, plan_id: int) -> SupportPlan:
    queryset = SupportPlan.objects.select_related("assessment__request")
    plan: SupportPlan = access.for_write(actor, queryset, plan_id, la_field="assessment__request__la")
    if plan.ended_on is not None:
        raise ValidationError(f"The support plan ended on {_fmt(plan.ended_on)}")
    return plan


@transaction.atomic
def support_plan_review(*, actor: Any, plan_id: int, reviewed_on: date, next_review_on: date) -> SupportPlan:
    """Record a review of a plan and when the next one is due."""
    plan = _plan_for_write(actor, plan_id)
    _not_future("reviewed_on", reviewed_on, "date of the review")
    if reviewed_on < plan.agreed_on:
        raise ValidationError(
            {"reviewed_on": f"The review must be on or after the plan was agreed, {_fmt(plan.agreed_on)}"}
        )
    if plan.reviewed_on is not None and reviewed_on <= plan.reviewed_on:
        raise ValidationError(
            {"reviewed_on": f"The plan was last reviewed on {_fmt(plan.reviewed_on)}: enter a later date"}
        )
    if next_review_on <= reviewed_on:
        raise ValidationError({"next_review_on": "The next review must be due after this review"})
    plan.reviewed_on = reviewed_on
    plan.review_on = next_review_on
    return _save(actor, plan, la_id=plan.assessment.request.la_id, action=AuditEvent.Action.UPDATE)


@transaction.atomic
def support_plan_end(*, actor: Any, plan_id: int, ended_on: date) -> SupportPlan:
    """End a support plan (the support is finished, or the family no longer wants it)."""
    plan = _plan_for_write(actor, plan_id)
    _not_future("ended_on", ended_on, "date the plan ended")
    latest = max(plan.agreed_on, plan.reviewed_on or plan.agreed_on)
    if ended_on < latest:
        raise ValidationError({"ended_on": f"The plan cannot end before {_fmt(latest)}"})
    plan.ended_on = ended_on
    return _save(actor, plan, la_id=plan.assessment.request.la_id, action=AuditEvent.Action.UPDATE)
