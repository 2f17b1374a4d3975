"""Pages of ASF applications: the list with this year's spend, the deadlines, one application and its steps.

Each view validates, calls one service or selector, renders. The lists answer 403 to anyone who works on
no LA's adoption support; an application outside the actor's LAs answers 404 (from the selector). A step
the application's status does not allow is shown with the reason and refused by the service if sent.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from adoption.forms import GovukForm
from support import access, asf_rules
from support.forms import asf as forms
from support.models import AsfApplication, SupportRequest
from support.selectors import asf as selectors
from support.services import asf as services

PAGE_SIZE = 25
GET_POST = require_http_methods(["GET", "POST"])
S = AsfApplication.Status


def _posted(request: HttpRequest) -> Any:
    """The form's data on a POST (even an empty one, so a form without fields is bound); None on a GET."""
    return request.POST if request.method == "POST" else None


def _application(request: HttpRequest, application_id: int) -> AsfApplication:
    """The application for a step's page: 404 outside the actor's LAs, 403 for someone who only reads them."""
    application = selectors.asf_application_get(actor=request.user, application_id=application_id, record_read=False)
    access.require_writer(request.user, application.la_id)
    return application


def _step_page(
    request: HttpRequest,
    form: GovukForm,
    application: AsfApplication,
    *,
    title: str,
    to: str,
    button: str,
    **extra: Any,
) -> HttpResponse:
    context = {
        "form": form,
        "title": title,
        "caption": f"ASF application: {application.child.full_name}, {application.year_label}",
        "back": reverse("support:asf-application", args=[application.pk]),
        "application": application,
        "button": button,
        "problem": services.move_refusal(application.status, to),
        **extra,
    }
    return render(request, "support/asf/step_form.html", context)


def _done(request: HttpRequest, application: AsfApplication, message: str) -> HttpResponse:
    messages.success(request, message)
    return redirect("support:asf-application", application.pk)


# --- lists ---------------------------------------------------------------------------------------------------


@access.support_page
def application_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    years = selectors.financial_years(actor=request.user, today=today)
    form = forms.FilterForm(request.GET or None, las=selectors.reader_las(actor=request.user), years=years)
    filters = form.filters()
    applications = selectors.asf_application_list(actor=request.user, **filters)
    page = Paginator(applications, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    year = filters.get("financial_year") or asf_rules.financial_year(today)
    limit = asf_rules.limit_for_year(selectors.limits(), year)
    return render(
        request,
        "support/asf/application_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "filtered": bool(filters),
            "year": year,
            "year_label": asf_rules.year_label(year),
            "limit": limit,
            "by_child": selectors.spend_by_child(actor=request.user, year=year, la_id=filters.get("la_id")),
            "by_la": selectors.spend_by_la(actor=request.user, year=year),
            "can_write": access.may_write_support(request.user),
        },
    )


@access.support_page
def deadlines(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = []
    for application in selectors.deadlines(actor=request.user, today=today):
        days = (application.must_end_on - today).days  # type: ignore[attr-defined]
        rows.append({"application": application, "days": days, "ago": -days})
    return render(
        request,
        "support/asf/deadlines.html",
        {"rows": rows, "today": today, "days": selectors.DEADLINE_DAYS},
    )


# --- one application -----------------------------------------------------------------------------------------


@login_required
def application_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    application = selectors.asf_application_get(actor=request.user, application_id=application_id)
    today = timezone.localdate()
    can_write = access.may_write_support(request.user, la_id=application.la_id)
    steps: dict[str, list[tuple[str, str]]] = {
        S.DRAFT: [("asf-update", "Change the draft"), ("asf-submit", "Submit to the fund")],
        S.SUBMITTED: [("asf-decide", "Record the fund's decision")],
        S.APPROVED: [("asf-invoice", "Record the invoice")],
        S.INVOICED: [("asf-paid", "Record the payment")],
    }
    return render(
        request,
        "support/asf/application_detail.html",
        {
            "application": application,
            "summary": selectors.application_summary(application, today=today),
            "can_write": can_write,
            "steps": steps.get(application.status, []) if can_write else [],
        },
    )


def _form_page(request: HttpRequest, form: forms.ApplicationForm, *, title: str, back: str, **extra: Any):
    context = {"form": form, "title": title, "back": back, **extra}
    return render(request, "support/asf/application_form.html", context)


def _support_request(request: HttpRequest) -> SupportRequest | None:
    """The support request a new application comes from (``?request=``), if the actor may see it."""
    raw = request.GET.get("request", "")
    if not raw.isdigit():
        return None
    return access.scope_support(SupportRequest.objects.all(), request.user).filter(pk=int(raw)).first()


@access.support_page
@GET_POST
def application_create(request: HttpRequest) -> HttpResponse:
    access.require_writer(request.user)
    las = access.writable_las(request.user)
    children = selectors.children_to_choose(actor=request.user)
    origin = _support_request(request)
    initial = forms.ApplicationForm.initial_for(None)
    if origin is not None:
        initial.update({"la": origin.la_id, "child": origin.child_id})
    elif request.GET.get("child", "").isdigit():
        initial["child"] = int(request.GET["child"])
    form = forms.ApplicationForm(_posted(request), las=las, children=children, initial=initial)
    if request.method == "POST" and form.is_valid():
        kwargs = {**form.service_kwargs(), "request_id": origin.pk if origin else None}
        submit = request.POST.get("action") == "submit"
        service = services.asf_application_save_and_submit if submit else services.asf_application_create
        application = form.run(lambda: service(actor=request.user, **kwargs))
        if application is not None:
            done = "submitted to the fund" if submit else "saved as a draft"
            return _done(request, application, f"The application for {application.child.full_name} was {done}")
    return _form_page(
        request,
        form,
        title="New ASF application",
        back=reverse("support:asf"),
        origin=origin,
    )


@login_required
@GET_POST
def application_update(request: HttpRequest, application_id: int) -> HttpResponse:
    application = _application(request, application_id)
    las = access.writable_las(request.user)
    children = selectors.children_to_choose(actor=request.user)
    form = forms.ApplicationForm(
        _posted(request), las=las, children=children, initial=forms.ApplicationForm.initial_for(application)
    )
    if request.method == "POST" and form.is_valid():
        kwargs = {**form.service_kwargs(), "expected_version": form.expected_version}
        submit = request.POST.get("action") == "submit"
        service = services.asf_application_save_and_submit if submit else services.asf_application_update
        saved = form.run(lambda: service(actor=request.user, application_id=application.pk, **kwargs))
        if saved is not None:
            done = "submitted to the fund" if submit else "saved"
            return _done(request, saved, f"The application for {saved.child.full_name} was {done}")
    return _form_page(
        request,
        form,
        title="Change the draft application",
        back=reverse("support:asf-application", args=[application.pk]),
        application=application,
        problem=""
        if application.status == S.DRAFT
        else f"This application is {application.get_status_display().lower()}: only a draft can be changed",
    )


@login_required
@GET_POST
def application_submit(request: HttpRequest, application_id: int) -> HttpResponse:
    application = _application(request, application_id)
    form = forms.ConfirmForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        saved = form.run(lambda: services.asf_application_submit(actor=request.user, application_id=application.pk))
        if saved is not None:
            return _done(request, saved, f"The application for {saved.child.full_name} was submitted to the fund")
    summary = selectors.application_summary(application, today=timezone.localdate())
    return _step_page(
        request,
        form,
        application,
        title="Submit the application to the fund",
        to=S.SUBMITTED,
        button="Submit to the fund",
        summary=summary,
        show_check=True,
    )


def _step(
    request: HttpRequest,
    application_id: int,
    *,
    form_class: type[GovukForm],
    service: Callable[..., AsfApplication],
    to: str,
    title: str,
    done: Callable[[AsfApplication], str],
    button: str = "Save",
) -> HttpResponse:
    """A step that moves the application ``to`` a status: the service is called with the form's data."""
    application = _application(request, application_id)
    form = form_class(_posted(request))
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        saved = form.run(lambda: service(actor=request.user, application_id=application.pk, **kwargs))
        if saved is not None:
            return _done(request, saved, done(saved))
    return _step_page(request, form, application, title=title, to=to, button=button)


@login_required
@GET_POST
def application_decide(request: HttpRequest, application_id: int) -> HttpResponse:
    return _step(
        request,
        application_id,
        form_class=forms.DecisionForm,
        service=services.asf_application_decide,
        to=S.APPROVED,
        title="Record the fund's decision",
        done=lambda saved: f"The fund's decision was recorded: {saved.get_status_display().lower()}",
        button="Save the decision",
    )


@login_required
@GET_POST
def application_invoice(request: HttpRequest, application_id: int) -> HttpResponse:
    return _step(
        request,
        application_id,
        form_class=forms.InvoiceForm,
        service=services.asf_application_invoice,
        to=S.INVOICED,
        title="Record the invoice to the fund",
        done=lambda saved: "The invoice was recorded",
    )


@login_required
@GET_POST
def application_paid(request: HttpRequest, application_id: int) -> HttpResponse:
    return _step(
        request,
        application_id,
        form_class=forms.PaidForm,
        service=services.asf_application_paid,
        to=S.PAID,
        title="Record the fund's payment",
        done=lambda saved: "The payment was recorded",
    )
