"""The RAA executive board's quarterly report: the figures on the page, and a PDF made by a tracked job.

Who sees what: the RAAs and LAs where the user is a manager, ADM or administrator (at the LA, or at its RAA for
the RAA and all its LAs); an organisation outside them is not a choice the form accepts. Options are in the
query string, so the page has no path parameters.
"""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from adoption import tenancy
from adoption.forms import GovukForm
from adoption.periods import FinancialQuarter
from reporting import board_report, services
from reporting.forms import organisation_field, quarter_field, set_years, year_field


class BoardReportForm(GovukForm):
    organisation = organisation_field(label="Regional adoption agency or local authority", empty_label=None)
    year = year_field()
    quarter = quarter_field()
    service_fields = {"organisation_id": "organisation"}

    def __init__(self, *args: Any, organisations: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["organisation"]).queryset = organisations
        last = set_years(self, timezone.localdate())
        self.initial.setdefault("year", last.year)
        self.initial.setdefault("quarter", last.number)
        first = organisations.first()
        if first is not None:
            self.initial.setdefault("organisation", first.pk)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if "year" in data and "quarter" in data:
            self.run(lambda: services.ended_quarter(data["year"], data["quarter"]))
        return data


def _chosen(form: BoardReportForm) -> dict[str, Any] | None:
    """The organisation and quarter to show: what was asked for, or the defaults when nothing was."""
    if form.is_bound:
        if not form.is_valid():
            return None
        data = form.cleaned_data
        return {"organisation": data["organisation"], "year": data["year"], "quarter": data["quarter"]}
    organisation = form.fields["organisation"].queryset.filter(pk=form.initial.get("organisation")).first()  # type: ignore[attr-defined]
    if organisation is None:
        return None
    return {"organisation": organisation, "year": form.initial["year"], "quarter": form.initial["quarter"]}


@login_required
@require_http_methods(["GET", "POST"])
def page(request: HttpRequest) -> HttpResponse:
    if not tenancy.has_role(request.user, *services.REPORT_ROLES):
        raise PermissionDenied("Only managers, ADMs and administrators can see the board report.")
    organisations = board_report.report_organisations(request.user)
    if not organisations.exists():
        return render(request, "reporting/board.html", {"no_organisations": True})
    if request.method == "POST":
        form = BoardReportForm(request.POST, organisations=organisations)
        if form.is_valid():
            data = form.cleaned_data
            job = form.run(
                lambda: board_report.board_report_request(
                    actor=request.user,
                    organisation_id=data["organisation"].pk,
                    year=data["year"],
                    quarter=data["quarter"],
                )
            )
            if job is not None:
                return redirect("job-detail", job_id=job.pk)
        return render(request, "reporting/board.html", {"form": form})
    form = BoardReportForm(request.GET or None, organisations=organisations)
    chosen = _chosen(form)
    context: dict[str, Any] = {"form": form}
    if chosen is not None:
        organisation = chosen["organisation"]
        scope = board_report.board_scope(actor=request.user, organisation_id=organisation.pk)
        report = board_report.board_report(scope=scope, quarter=FinancialQuarter(chosen["year"], chosen["quarter"]))
        context |= {
            "chosen": chosen,
            "report": report,
            "tables": board_report.tables(report),
            "adopters_not_shown": board_report.adopters_not_shown(report, organisation),
        }
    return render(request, "reporting/board.html", context)
