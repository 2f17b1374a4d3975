"""Pages of the adopters' journey: pipeline, household list and export, household page, a form per step,
approved families waiting, and the checks tracker. Each view validates, calls one service or selector, renders."""

from __future__ import annotations

import csv
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from adopters import forms, selectors, services, workflow
from adopters.models import Availability, Check, Household
from adoption import audit, concurrency, tenancy
from adoption.models import AuditEvent
from adoption.spreadsheets import csv_cell

PAGE_SIZE = 25
GET_POST = require_http_methods(["GET", "POST"])


def households_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in, and staff of an agency that approves adopters (an RAA or a VAA); LA staff work with children."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not selectors.may_see_households(request.user):
            raise PermissionDenied("Households are seen by the staff of the agencies that approve adopters.")
        return view(request, *args, **kwargs)

    return wrapper


def _writer(request: HttpRequest) -> None:
    if not services.may_write_households(request.user):
        raise PermissionDenied("Your role cannot change households' records.")


def _detail(household_id: int) -> str:
    return reverse("adopters:detail", args=[household_id])


def _form_page(
    request: HttpRequest,
    form: forms.GovukForm,
    *,
    title: str,
    household: Household | None = None,
    button: str = "Save",
    about: str = "",
    warning: bool = False,
    problem: str = "",
) -> HttpResponse:
    return render(
        request,
        "adopters/form.html",
        {
            "form": form,
            "title": title,
            "household": household,
            "caption": f"{household.name} ({household.reference})" if household else "",
            "button": button,
            "about": about,
            "warning": warning,
            "problem": problem,
            "back": _detail(household.pk) if household else reverse("adopters:list"),
        },
    )


def _run(form: forms.GovukForm, call: Callable[[], Any], *, request: HttpRequest | None = None, done: str = "") -> bool:
    """Call the service; on a refusal, put its messages on the form (which keeps what was typed)."""
    try:
        call()
    except ValidationError as error:
        form.add_service_errors(error)
        return False
    if request is not None and done:
        messages.success(request, done)
    return True


# --- lists ------------------------------------------------------------------------------------------------


@households_page
def pipeline(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    columns = selectors.pipeline(actor=request.user, today=today)
    year_start = today.replace(year=today.year - 1)
    left = selectors.left_in_year(actor=request.user, since=year_start)
    return render(
        request,
        "adopters/pipeline.html",
        {
            "columns": columns,
            "total": sum(c["count"] for c in columns),
            "left": [(Household.LeavingReason(k).label, n) for k, n in sorted(left.items()) if k],
            "left_total": sum(left.values()),
            "year_start": year_start,
            "late_checks": selectors.late_checks_by_reason(actor=request.user, since=year_start, today=today),
        },
    )


@households_page
def household_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    workers = selectors.assessing_workers(actor=request.user)
    form = forms.HouseholdSearchForm(request.GET or None, workers=workers)
    households = selectors.household_search(actor=request.user, today=today, **form.filters())
    page = Paginator(households, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "adopters/household_list.html",
        {
            "form": form,
            "page": page,
            "today": today,
            "query": query.urlencode(),
            "filtered": bool(form.filters()),
            "can_write": services.may_write_households(request.user),
        },
    )


EXPORT_COLUMNS = [
    "Reference",
    "Household",
    "Approving agency",
    "Applicants",
    "Route",
    "Stage",
    "Assessing social worker",
    "Enquiry",
    "Registration of interest",
    "Stage 1 started",
    "Stage 1 ended",
    "Stage 2 started",
    "Stage 2 ended",
    "Panel",
    "Approved",
    "Current stage due",
    "Left",
    "Reason for leaving",
]


@households_page
def household_export(request: HttpRequest) -> HttpResponse:
    """The filtered list, every page, as CSV (formula-like cells neutralised). The export is audited."""
    today = timezone.localdate()
    form = forms.HouseholdSearchForm(request.GET or None, workers=selectors.assessing_workers(actor=request.user))
    households = selectors.household_search(actor=request.user, today=today, **form.filters())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="households-{today:%Y-%m-%d}.csv"'
    response["Cache-Control"] = "no-store"
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(EXPORT_COLUMNS)
    for h in households:
        writer.writerow(
            csv_cell(value)
            for value in (
                h.reference,
                h.name,
                h.approving_agency.name,
                "; ".join(a.full_name for a in h.applicants.all()),
                h.get_route_display(),
                h.get_status_display(),
                h.assessing_worker.display_name if h.assessing_worker else "",
                h.enquired_on,
                h.registered_on,
                h.stage1_started_on,
                h.stage1_ended_on,
                h.stage2_started_on,
                h.stage2_ended_on,
                h.panel_on,
                h.approved_on,
                getattr(h, "stage_due_on", None),
                h.left_on,
                h.get_leaving_reason_display() if h.leaving_reason else "",
            )
        )
    # One event per approving agency whose families are in the file (as the children's export does per LA).
    agency_ids: list[int | None] = [*sorted({h.approving_agency_id for h in households})]
    for agency_id in agency_ids or [None]:
        audit.record(
            actor=request.user,
            action=AuditEvent.Action.EXPORT,
            object_type="adopters.household",
            organisation_id=agency_id,
        )
    return response


@households_page
def waiting(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    flagged_only = request.GET.get("flagged") == "1"
    households = selectors.waiting_households(actor=request.user, today=today, flagged_only=flagged_only)
    page = Paginator(households, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "adopters/waiting.html",
        {
            "page": page,
            "flagged_only": flagged_only,
            "query": "flagged=1" if flagged_only else "",
            "availability": dict(Availability.Status.choices),
            "reviews_due": selectors.reviews_due(actor=request.user, today=today)[:50],
        },
    )


@households_page
def checks_tracker(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    workers = selectors.assessing_workers(actor=request.user)
    worker = request.GET.get("worker")
    worker_id = int(worker) if worker and worker.isdigit() else None
    show_all = request.GET.get("show") == "all"
    checks = list(
        selectors.outstanding_checks(actor=request.user, today=today, worker=worker_id, overdue_only=not show_all)[:500]
    )
    groups: dict[str, list[Check]] = {}
    for check in checks:
        assessor = check.applicant.household.assessing_worker
        groups.setdefault(assessor.display_name if assessor else "Not allocated", []).append(check)
    return render(
        request,
        "adopters/checks.html",
        {
            "groups": groups,
            "workers": workers,
            "worker_id": worker_id,
            "show_all": show_all,
            "today": today,
            "can_write": services.may_write_households(request.user),
        },
    )


# --- one household --------------------------------------------------------------------------------------------


@households_page
def household_detail(request: HttpRequest, household_id: int) -> HttpResponse:
    today = timezone.localdate()
    household = selectors.household_get(actor=request.user, household_id=household_id)
    summary = selectors.household_summary(household, today=today)
    can_write = services.may_write_households(request.user)
    steps = [
        {"label": t.label, "href": reverse(f"adopters:{t.action}", args=[household.pk])}
        for t in workflow.available(household.status, household.route)
        if tenancy.has_role(request.user, *t.roles)
    ]
    return render(
        request,
        "adopters/household_detail.html",
        {
            "household": household,
            "summary": summary,
            "timeline": selectors.household_timeline(household),
            "applicants": household.applicants.all(),
            "open_pause": next((p for p in household.pauses.all() if p.ended_on is None), None),
            "steps": steps,
            "can_write": can_write,
            "today": today,
            "in_assessment": household.status in (Household.Status.STAGE_1, Household.Status.STAGE_2),
            "waiting": household.status in services.WAITING,
        },
    )


@households_page
@GET_POST
def household_create(request: HttpRequest) -> HttpResponse:
    _writer(request)
    form = forms.EnquiryForm(request.POST or None, agencies=services.agencies_for(request.user))
    if request.method == "POST" and form.is_valid():
        created: list[Household] = []
        create = lambda: created.append(services.household_create(actor=request.user, **form.service_kwargs()))  # noqa: E731
        if _run(form, create, request=request, done="The enquiry was recorded"):
            return redirect(_detail(created[0].pk))
    return _form_page(request, form, title="Record an enquiry", button="Save the enquiry")


@households_page
@GET_POST
def household_edit(request: HttpRequest, household_id: int) -> HttpResponse:
    household = selectors.household_get(actor=request.user, household_id=household_id, record_read=False)
    _writer(request)
    initial = {
        "name": household.name,
        "area": household.area,
        "postcode": household.postcode,
        "route": household.route,
        "legal_status": household.legal_status,
        "enquiry_source": household.enquiry_source,
        "enquiry_outcome": household.enquiry_outcome,
        "assessing_worker": household.assessing_worker_id,
    }
    initial = concurrency.with_version(initial, household)  # a change made by someone else since is not overwritten
    workers = selectors.assessing_workers(actor=request.user).filter(
        memberships__organisation_id=household.approving_agency_id
    )
    form = forms.HouseholdDetailsForm(request.POST or None, initial=initial, workers=workers)
    if request.method == "POST" and form.is_valid():
        kwargs = {**form.service_kwargs(), "expected_version": form.expected_version}
        call = lambda: services.household_update(actor=request.user, household_id=household.pk, **kwargs)  # noqa: E731
        if _run(form, call):
            return redirect(_detail(household.pk))
    return _form_page(request, form, title="Change the household's details", household=household)


@households_page
@GET_POST
def applicant_add(request: HttpRequest, household_id: int) -> HttpResponse:
    household = selectors.household_get(actor=request.user, household_id=household_id, record_read=False)
    _writer(request)
    form = forms.ApplicantForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        call = lambda: services.applicant_add(actor=request.user, household_id=household.pk, **form.cleaned_data)  # noqa: E731
        if _run(form, call):
            return redirect(_detail(household.pk))
    return _form_page(request, form, title="Add an applicant", household=household)


@households_page
@GET_POST
def applicant_edit(request: HttpRequest, household_id: int, applicant_id: int) -> HttpResponse:
    household = selectors.household_get(actor=request.user, household_id=household_id, record_read=False)
    applicant = household.applicants.filter(pk=applicant_id).first()
    if applicant is None:
        raise Http404("No such applicant.")
    _writer(request)
    names = [name for name in forms.ApplicantForm.base_fields if name != concurrency.VERSION_FIELD]
    initial = concurrency.with_version({name: getattr(applicant, name) for name in names}, applicant)
    form = forms.ApplicantForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        kwargs = {**form.cleaned_data, "expected_version": form.expected_version}
        call = lambda: services.applicant_update(actor=request.user, applicant_id=applicant.pk, **kwargs)  # noqa: E731
        if _run(form, call):
            return redirect(_detail(household.pk))
    return _form_page(request, form, title=f"Change {applicant.full_name}'s details", household=household)


A = workflow.Action
STEP_DONE = {
    A.ACCEPT_REGISTRATION: "The registration of interest was accepted",
    A.START_STAGE_1: "Stage 1 has started",
    A.COMPLETE_STAGE_1: "Stage 1 is complete",
    A.START_STAGE_2: "Stage 2 has started",
    A.COMPLETE_STAGE_2: "Stage 2 is complete",
    A.RECORD_PANEL: "The panel's recommendation was recorded",
    A.RECORD_DECISION: "The agency decision was recorded",
    A.LEAVE: "The household's leaving was recorded",
    A.DEREGISTER: "The family was de-registered",
}


@households_page
@GET_POST
def step(request: HttpRequest, household_id: int, action: str) -> HttpResponse:
    """One step of the journey (the transition table in ``adopters.workflow``)."""
    household = selectors.household_get(actor=request.user, household_id=household_id, record_read=False)
    # The step's page is for the roles that may take it (the transition table's), not only its service.
    if not tenancy.has_role(request.user, *workflow.roles_for(action)):
        raise PermissionDenied("Your role cannot take this step.")
    workers = selectors.assessing_workers(actor=request.user).filter(
        memberships__organisation_id=household.approving_agency_id
    )
    form_class = forms.STEP_FORMS[action]
    form = form_class(request.POST or None, workers=workers)
    transition = workflow.transition_for(household.status, household.route, action)
    problem = "" if transition else workflow.refusal(household.status, household.route, action)
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        on = kwargs.pop("on")
        call = lambda: services.household_transition(  # noqa: E731
            actor=request.user, household_id=household.pk, action=action, on=on, **kwargs
        )
        if _run(form, call, request=request, done=STEP_DONE[workflow.Action(action)]):
            return redirect(_detail(household.pk))
    return _form_page(
        request,
        form,
        title=workflow.Action(action).label,
        household=household,
        warning=action in (workflow.Action.LEAVE, workflow.Action.DEREGISTER),
        problem=problem,
    )


def _simple_form(
    request: HttpRequest,
    household_id: int,
    form_class: type[forms.GovukForm],
    service: Callable[..., Any],
    *,
    title: str,
    about: str = "",
    **form_kwargs: Any,
) -> HttpResponse:
    """A page whose form's cleaned data are the service's keyword arguments (beside actor and household).

    A form that changes one of the household's own fields (``forms.HouseholdFieldForm``) shows it as stored and
    carries the household's version, which goes to the service: a change made by someone else since is refused.
    """
    household = selectors.household_get(actor=request.user, household_id=household_id, record_read=False)
    if issubclass(form_class, forms.HouseholdFieldForm):
        form_kwargs["initial"] = form_class.initial_for(household)
    form = form_class(request.POST or None, **form_kwargs)
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        if isinstance(form, forms.HouseholdFieldForm):
            kwargs["expected_version"] = form.expected_version
        call = lambda: service(actor=request.user, household_id=household.pk, **kwargs)  # noqa: E731
        if _run(form, call, request=request, done=f"Saved: {title[0].lower()}{title[1:]}"):
            return redirect(_detail(household.pk))
    return _form_page(request, form, title=title, household=household, about=about)


@households_page
@GET_POST
def pause_start(request: HttpRequest, household_id: int) -> HttpResponse:
    _writer(request)
    about = "The time a stage takes is shown with and without its pauses; a pause moves the stage's due date back."
    return _simple_form(
        request, household_id, forms.PauseStartForm, services.pause_start, title="Pause the assessment", about=about
    )


@households_page
@GET_POST
def pause_end(request: HttpRequest, household_id: int) -> HttpResponse:
    _writer(request)
    return _simple_form(request, household_id, forms.PauseEndForm, services.pause_end, title="Resume the assessment")


@households_page
@GET_POST
def par_status(request: HttpRequest, household_id: int) -> HttpResponse:
    _writer(request)
    return _simple_form(
        request,
        household_id,
        forms.ParStatusForm,
        services.par_status_record,
        title="Prospective Adopter's Report",
    )


@households_page
@GET_POST
def extension(request: HttpRequest, household_id: int) -> HttpResponse:
    _writer(request)
    about = "With a recorded reason, stage 2 may take up to six months instead of four."
    return _simple_form(
        request,
        household_id,
        forms.ExtensionForm,
        services.stage2_extension_record,
        title="Extend stage 2",
        about=about,
    )


@households_page
@GET_POST
def availability(request: HttpRequest, household_id: int) -> HttpResponse:
    if not tenancy.has_role(request.user, *services.AVAILABILITY_WRITERS):
        raise PermissionDenied("Your role cannot change a family's availability.")
    return _simple_form(
        request,
        household_id,
        forms.AvailabilityForm,
        services.availability_record,
        title="Availability for family finding",
    )


@households_page
@GET_POST
def review(request: HttpRequest, household_id: int) -> HttpResponse:
    _writer(request)
    return _simple_form(request, household_id, forms.ReviewForm, services.review_record, title="Record a review")


@households_page
@GET_POST
def check_request(request: HttpRequest, household_id: int) -> HttpResponse:
    household = selectors.household_get(actor=request.user, household_id=household_id, record_read=False)
    _writer(request)
    form = forms.CheckRequestForm(request.POST or None, applicants=household.applicants.all())
    if request.method == "POST" and form.is_valid():
        call = lambda: services.check_request(actor=request.user, **form.service_kwargs())  # noqa: E731
        if _run(form, call, request=request, done="The check was requested"):
            return redirect(_detail(household.pk) + "#checks")
    about = "The date it is due comes from the agency's turnaround for that kind of check."
    return _form_page(request, form, title="Request a check", household=household, about=about)


def _check_of(household: Household, check_id: int) -> Check:
    check = Check.objects.filter(pk=check_id, applicant__household=household).select_related("applicant").first()
    if check is None:
        raise Http404("No such check.")
    return check


@households_page
@GET_POST
def check_receive(request: HttpRequest, household_id: int, check_id: int) -> HttpResponse:
    household = selectors.household_get(actor=request.user, household_id=household_id, record_read=False)
    check = _check_of(household, check_id)
    _writer(request)
    form = forms.CheckReceiveForm(request.POST or None, initial={"delay_reason": check.delay_reason})
    if request.method == "POST" and form.is_valid():
        call = lambda: services.check_receive(actor=request.user, check_id=check.pk, **form.cleaned_data)  # noqa: E731
        if _run(form, call, request=request, done="The check was recorded as received"):
            return redirect(_detail(household.pk) + "#checks")
    about = (
        f"{check.get_kind_display()} for {check.applicant.full_name}, requested {check.requested_on:%d %B %Y}, "
        f"due {check.due_on:%d %B %Y}."
    )
    return _form_page(request, form, title="Record a check received", household=household, about=about)


@households_page
@GET_POST
def check_delay(request: HttpRequest, household_id: int, check_id: int) -> HttpResponse:
    household = selectors.household_get(actor=request.user, household_id=household_id, record_read=False)
    check = _check_of(household, check_id)
    _writer(request)
    initial = concurrency.with_version({"delay_reason": check.delay_reason}, check)
    form = forms.CheckDelayForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        kwargs = {**form.cleaned_data, "expected_version": form.expected_version}
        call = lambda: services.check_delay_record(actor=request.user, check_id=check.pk, **kwargs)  # noqa: E731
        if _run(form, call):
            to_tracker = request.GET.get("next") == "tracker"
            return redirect(reverse("adopters:checks") if to_tracker else _detail(household.pk))
    about = f"{check.get_kind_display()} for {check.applicant.full_name}, due {check.due_on:%d %B %Y}."
    return _form_page(request, form, title="Why is this check late?", household=household, about=about)
