"""The regional data pack page: the tables of a quarter for the LAs the user reports on, cut by region, RAA or LA,
and a button that makes the workbook (a tracked job).

Who sees what: the LAs where the user holds a reporting role (at the LA, or at its RAA for all its LAs), and the
families, checks and adopters' pipeline of the RAAs where they hold one; every table is of those only, so another
LA's or RAA's records are never counted or shown. Other roles get 403.
"""

from __future__ import annotations

from typing import Any

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
from reporting import data_pack, services
from reporting.forms import quarter_field, set_years, year_field


class DataPackForm(GovukForm):
    """How to cut the pack, and the quarter (by default the last one that has ended)."""

    cut = forms.ChoiceField(
        label="Cut the tables",
        choices=list(data_pack.CUTS.items()),
        required=False,
        widget=forms.RadioSelect(attrs={"inline": True, "small": True}),
        error_messages={"invalid_choice": "Choose how to cut the tables: by local authority, RAA or region"},
    )
    year = year_field(required=False)
    quarter = quarter_field(required=False)
    service_fields = {"cut": "cut", "year": "year", "quarter": "quarter"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.last = set_years(self, timezone.localdate())

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if self.errors:
            return data
        data["cut"] = data.get("cut") or "la"
        year, number = data.get("year"), data.get("quarter")
        if year in (None, "") and number in (None, ""):
            data["period"] = self.last
        elif year in (None, ""):
            self.add_error("year", "Choose a financial year")
        elif number in (None, ""):
            self.add_error("quarter", "Choose a quarter")
        else:
            period = FinancialQuarter(int(year), int(number))
            if period.end >= timezone.localdate():
                self.add_error("quarter", f"{period.title} has not ended yet: choose a quarter that has ended")
            else:
                data["period"] = period
        return data


@login_required
@require_http_methods(["GET", "POST"])
def page(request: HttpRequest) -> HttpResponse:
    """GET: the tables of the chosen cut and quarter. POST: make the workbook of them, then follow the job."""
    if not tenancy.has_role(request.user, *services.REPORT_ROLES):
        raise PermissionDenied("Only managers, ADMs and administrators can see the data pack.")
    las = services.reporting_las(request.user)
    if not las:
        return render(request, "reporting/data_pack.html", {"no_las": True})
    if request.method == "POST":
        form = DataPackForm(request.POST)
        if form.is_valid():
            period = form.cleaned_data["period"]
            job = form.run(
                lambda: data_pack.data_pack_request(
                    actor=request.user,
                    cut=form.cleaned_data["cut"],
                    year=period.year,
                    quarter=period.number,
                    today=timezone.localdate(),
                    file_format=request.POST.get("format") or data_pack.XLSX,
                )
            )
            if job is not None:
                return redirect("job-detail", job_id=job.pk)
        return render(request, "reporting/data_pack.html", {"form": form}, status=400)
    form = DataPackForm(request.GET)
    if not form.is_valid():
        return render(request, "reporting/data_pack.html", {"form": form}, status=400)
    cut, period = form.cleaned_data["cut"], form.cleaned_data["period"]
    pack = data_pack.data_pack(
        las=las, cut=cut, quarter=period, agency_ids=tenancy.raa_ids_with_roles(request.user, services.REPORT_ROLES)
    )
    shown = DataPackForm(initial={"cut": cut, "year": period.year, "quarter": period.number})
    return render(request, "reporting/data_pack.html", {"form": shown, "pack": pack})
