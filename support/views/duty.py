"""Pages of the duty service: the duty list, a request and its steps (first response, allocation, assessment of
need, support plan, reviews, closing), caseloads per worker, and a child's support history.

Each view validates, calls one service or selector, renders. Lists answer 403 to anyone who works on no LA's
adoption support; a request, assessment, plan or child outside the actor's LAs answers 404 (from the selector).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from adoption.dates import in_words as _day
from adoption.forms import GovukForm
from support import access
from support.forms import duty as forms
from support.models import AssessmentOfNeed, SupportPlan, SupportRequest, TherapyType
from support.selectors import duty as selectors
from support.services import duty as services

PAGE_SIZE = 25
GET_POST = require_http_methods(["GET", "POST"])


def _caption(support_request: SupportRequest) -> str:
    return f"{support_request.family_name} · {support_request.get_kind_display()} · {support_request.la.name}"


def _form_page(request: HttpRequest, form: GovukForm, *, title: str, back: str, caption: str = "", **extra: Any):
    context = {"form": form, "title": title, "back": back, "caption": caption, "button": "Save", **extra}
    return render(request, "support/duty/form.html", context)


def _to_request(request_id: int) -> str:
    return reverse("support:request", args=[request_id])


# --- the duty list -------------------------------------------------------------------------------------------------


@access.support_page
def duty_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    las = selectors.visible_las(request.user)
    form = forms.DutyFilterForm(request.GET or None, las=las)
    requests = selectors.request_list(actor=request.user, today=today, **form.filters())
    page = Paginator(requests, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "support/duty/list.html",
        {
            "form": form,
            "page": page,
            "figures": selectors.response_figures(requests),
            "query": query.urlencode(),
            "filtered": any(form.filters().values()),
            "several_las": len(las) > 1,
            "can_write": access.may_write_support(request.user),
        },
    )


@access.support_page
@GET_POST
def request_create(request: HttpRequest) -> HttpResponse:
    access.require_writer(request.user)
    las = access.writable_las(request.user)
    la_ids = [la.pk for la in las]
    form = forms.RequestForm(
        request.POST or None,
        las=las,
        children=services.children_for(request.user, la_ids).select_related("responsible_la"),
        households=services.households_for(request.user, la_ids).order_by("name"),
        initial={"received_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        created = form.run(lambda: services.support_request_create(actor=request.user, **form.service_kwargs()))
        if created is not None:
            messages.success(request, f"The request from {created.family_name} was recorded on duty")
            return redirect("support:request", created.pk)
    return _form_page(request, form, title="Record a support request", back=reverse("support:duty"))


@dataclass(frozen=True)
class AssessmentRow:
    assessment: AssessmentOfNeed
    plan: SupportPlan | None
    therapies: list[str]  # the plan's therapies by name


def assessment_rows(assessments: list[AssessmentOfNeed]) -> list[AssessmentRow]:
    names = dict(TherapyType.choices)
    rows = []
    for assessment in assessments:
        plan = getattr(assessment, "plan", None)  # the reverse one-to-one raises when there is none
        therapies = [names.get(code, code) for code in plan.therapies] if plan else []
        rows.append(AssessmentRow(assessment, plan, therapies))
    return rows


@login_required
def request_detail(request: HttpRequest, request_id: int) -> HttpResponse:
    today = timezone.localdate()
    found = selectors.request_get(actor=request.user, request_id=request_id, today=today)
    rows = assessment_rows(list(found.assessments.all()))
    return render(
        request,
        "support/duty/detail.html",
        {
            "req": found,
            "rows": rows,
            "assessing": any(row.assessment.completed_on is None for row in rows),
            "today": today,
            "closed": found.status == SupportRequest.Status.CLOSED,
            "can_write": access.may_write_support(request.user, la_id=found.la_id),
        },
    )


def _request_for_write(request: HttpRequest, request_id: int) -> SupportRequest:
    found = selectors.request_get(
        actor=request.user, request_id=request_id, today=timezone.localdate(), record_read=False
    )
    access.require_writer(request.user, found.la_id)
    return found


def _step(
    request: HttpRequest,
    form: GovukForm,
    support_request: SupportRequest,
    *,
    save: Callable[..., Any],
    title: str,
    done: str,
    about: str = "",
) -> HttpResponse:
    """A form page for one step of a request: on a valid POST, ``save`` is called with the form's data; the
    request's page is shown after a success, the form again (with the service's refusal) otherwise."""
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        if form.run(lambda: save(**kwargs)) is not None:
            messages.success(request, done)
            return redirect("support:request", support_request.pk)
    return _form_page(
        request,
        form,
        title=title,
        back=_to_request(support_request.pk),
        caption=_caption(support_request),
        about=about,
    )


def _request_step(
    request: HttpRequest,
    request_id: int,
    *,
    form_class: type[GovukForm],
    save: Callable[..., Any],
    title: str,
    done: str,
    initial: dict[str, Any] | None = None,
    form_kwargs: Callable[[SupportRequest], dict[str, Any]] | None = None,
    about: Callable[[SupportRequest], str] | None = None,
) -> HttpResponse:
    """A step of a request: the service is called with the request's id and the form's data."""
    found = _request_for_write(request, request_id)
    extra = form_kwargs(found) if form_kwargs else {}
    form = form_class(request.POST or None, initial=initial or {}, **extra)
    return _step(
        request,
        form,
        found,
        save=partial(save, actor=request.user, request_id=found.pk),
        title=title,
        done=done,
        about=about(found) if about else "",
    )


def _received(found: SupportRequest) -> str:
    return f"Received on {_day(found.received_on)} from {found.requested_by} ({found.get_requester_display().lower()})."


@login_required
@GET_POST
def request_respond(request: HttpRequest, request_id: int) -> HttpResponse:
    return _request_step(
        request,
        request_id,
        form_class=forms.RespondForm,
        save=services.support_request_respond,
        title="Record the first response",
        done="The first response was recorded",
        initial={"responded_on": timezone.localdate()},
        about=_received,
    )


@login_required
@GET_POST
def request_allocate(request: HttpRequest, request_id: int) -> HttpResponse:
    def about(found: SupportRequest) -> str:
        if found.allocated_to is None:
            return _received(found)
        return f"Allocated to {found.allocated_to.display_name} on {_day(found.allocated_on or found.received_on)}."

    return _request_step(
        request,
        request_id,
        form_class=forms.AllocateForm,
        save=services.support_request_allocate,
        title="Allocate the request",
        done="The request was allocated",
        initial={"allocated_on": timezone.localdate()},
        form_kwargs=lambda found: {"workers": services.support_workers([found.la_id])},
        about=about,
    )


@login_required
@GET_POST
def request_close(request: HttpRequest, request_id: int) -> HttpResponse:
    return _request_step(
        request,
        request_id,
        form_class=forms.CloseForm,
        save=services.support_request_close,
        title="Close the request",
        done="The request was closed",
        initial={"closed_on": timezone.localdate()},
    )


@login_required
@GET_POST
def assessment_start(request: HttpRequest, request_id: int) -> HttpResponse:
    def about(found: SupportRequest) -> str:
        if found.allocated_to is None:
            return "The request is not allocated yet: allocate it to a worker first."
        return f"{found.allocated_to.display_name}, who has the request, will be the assessor."

    return _request_step(
        request,
        request_id,
        form_class=forms.AssessmentStartForm,
        save=services.assessment_start,
        title="Start an assessment of need",
        done="The assessment of need was started",
        initial={"started_on": timezone.localdate()},
        about=about,
    )


# --- assessments and plans ---------------------------------------------------------------------------------------


def _assessment_for_write(request: HttpRequest, assessment_id: int) -> AssessmentOfNeed:
    assessment = selectors.assessment_get(actor=request.user, assessment_id=assessment_id, record_read=False)
    access.require_writer(request.user, assessment.request.la_id)
    return assessment


@login_required
@GET_POST
def assessment_complete(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = _assessment_for_write(request, assessment_id)
    return _step(
        request,
        forms.AssessmentCompleteForm(request.POST or None, initial={"completed_on": timezone.localdate()}),
        assessment.request,
        save=partial(services.assessment_complete, actor=request.user, assessment_id=assessment.pk),
        title="Complete the assessment of need",
        done="The assessment of need was completed",
        about=f"Started on {_day(assessment.started_on)}.",
    )


@login_required
@GET_POST
def plan_agree(request: HttpRequest, assessment_id: int) -> HttpResponse:
    assessment = _assessment_for_write(request, assessment_id)
    return _step(
        request,
        forms.PlanForm(request.POST or None, initial={"agreed_on": timezone.localdate()}),
        assessment.request,
        save=partial(services.support_plan_agree, actor=request.user, assessment_id=assessment.pk),
        title="Record the support plan",
        done="The support plan was recorded",
        about=f"Needs identified: {assessment.needs}" if assessment.needs else "",
    )


def _plan_for_write(request: HttpRequest, plan_id: int) -> SupportPlan:
    plan = selectors.plan_get(actor=request.user, plan_id=plan_id, record_read=False)
    access.require_writer(request.user, plan.assessment.request.la_id)
    return plan


@login_required
@GET_POST
def plan_review(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan_for_write(request, plan_id)
    return _step(
        request,
        forms.ReviewForm(request.POST or None, initial={"reviewed_on": timezone.localdate()}),
        plan.assessment.request,
        save=partial(services.support_plan_review, actor=request.user, plan_id=plan.pk),
        title="Record a review of the support plan",
        done="The review was recorded",
        about=f"Agreed on {_day(plan.agreed_on)}; this review was due on {_day(plan.review_on)}.",
    )


@login_required
@GET_POST
def plan_end(request: HttpRequest, plan_id: int) -> HttpResponse:
    plan = _plan_for_write(request, plan_id)
    return _step(
        request,
        forms.PlanEndForm(request.POST or None, initial={"ended_on": timezone.localdate()}),
        plan.assessment.request,
        save=partial(services.support_plan_end, actor=request.user, plan_id=plan.pk),
        title="End the support plan",
        done="The support plan was ended",
    )


# --- caseloads and a child's history --------------------------------------------------------------------------------


@access.support_page
def caseloads(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request, "support/duty/caseloads.html", {"caseloads": selectors.caseloads(actor=request.user, today=today)}
    )


@login_required
def child_history(request: HttpRequest, child_id: int) -> HttpResponse:
    today = timezone.localdate()
    history = selectors.child_history(actor=request.user, child_id=child_id, today=today)
    return render(
        request,
        "support/duty/child_history.html",
        {
            "child": history.child,
            "requests": [(r, assessment_rows(list(r.assessments.all()))) for r in history.requests],
            "applications": history.asf_applications,
            "today": today,
        },
    )
