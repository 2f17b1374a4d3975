"""Pages for quarterly returns: the list of returns with their versions and files, a form to generate one,
and the downloads (each audited)."""

from __future__ import annotations

from itertools import groupby
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from adoption import audit, tenancy
from adoption.forms import GovukForm
from adoption.models import AuditEvent
from reporting import returns, services
from reporting.forms import organisation_field, quarter_field, set_years, year_field

# The files of a return: the name used in addresses -> the model's file field.
FILES = {"xlsx": "xlsx", "children-csv": "children_csv", "families-csv": "families_csv", "pdf": "summary_pdf"}


class QuarterlyReturnForm(GovukForm):
    organisation = organisation_field(empty_label="Choose one")
    year = year_field()
    quarter = quarter_field()
    service_fields = {"organisation_id": "organisation"}

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["organisation"]).queryset = organisations
        last = set_years(self, timezone.localdate())
        if not self.is_bound:
            self.initial.update({"year": last.year, "quarter": last.number})
            if organisations.count() == 1:
                self.initial["organisation"] = organisations.first()


@login_required
@require_http_methods(["GET", "POST"])
def return_list(request: HttpRequest) -> HttpResponse:
    """The actor's organisations' returns, by period and organisation with every version, and a form for a new one."""
    if not tenancy.has_role(request.user, *services.REPORT_ROLES):
        raise PermissionDenied("Only managers, ADMs and administrators can see quarterly returns.")
    organisations = returns.report_organisations(request.user)
    form = QuarterlyReturnForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        job = form.run(
            lambda: services.quarterly_return_request(
                actor=request.user,
                organisation_id=data["organisation"].pk,
                year=data["year"],
                quarter=data["quarter"],
            )
        )
        if job is not None:
            quarter = returns.Quarter(data["year"], data["quarter"])
            messages.success(request, f"The return of {data['organisation'].name} for {quarter.title} is being made")
            return redirect("reporting:returns")
    made = returns.quarterly_return_list(actor=request.user).defer("children", "families").select_related("job")
    periods = []
    for period_end, in_period in groupby(made, key=lambda r: r.period_end):
        organisations_in_period = []
        for _organisation, versions in groupby(in_period, key=lambda r: r.organisation_id):
            found = list(versions)
            organisations_in_period.append({"organisation": found[0].organisation, "versions": found})
        periods.append({"quarter": returns.quarter_of(period_end), "organisations": organisations_in_period})
    pending: list[dict[str, Any]] = [
        {"job": job, "quarter": returns.Quarter(int(job.params["year"]), int(job.params["quarter"]))}
        for job in returns.quarterly_return_jobs(actor=request.user)[:10]
    ]
    return render(
        request,
        "reporting/returns.html",
        {
            "form": form,
            "periods": periods,
            "pending": pending,
            "refresh": any(not entry["job"].is_finished for entry in pending),
            "can_request": organisations.exists(),
        },
        status=400 if form.errors else 200,
    )


def _download(request: HttpRequest, return_id: int, file: str) -> FileResponse:
    quarterly_return = returns.quarterly_return_get(actor=request.user, return_id=return_id)
    stored = getattr(quarterly_return, FILES[file])
    if not stored or not stored.name:
        raise Http404("This return has no such file.")
    audit.record(
        actor=request.user,
        action=AuditEvent.Action.DOWNLOAD,
        obj=quarterly_return,
        organisation_id=quarterly_return.organisation_id,
    )
    filename = returns.download_name(quarterly_return, FILES[file])
    return FileResponse(stored.open("rb"), as_attachment=True, filename=filename)


@login_required
@require_GET
def return_xlsx(request: HttpRequest, return_id: int) -> FileResponse:
    return _download(request, return_id, "xlsx")


@login_required
@require_GET
def return_children_csv(request: HttpRequest, return_id: int) -> FileResponse:
    return _download(request, return_id, "children-csv")


@login_required
@require_GET
def return_families_csv(request: HttpRequest, return_id: int) -> FileResponse:
    return _download(request, return_id, "families-csv")


@login_required
@require_GET
def return_pdf(request: HttpRequest, return_id: int) -> FileResponse:
    return _download(request, return_id, "pdf")
