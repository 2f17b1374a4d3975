"""The managers' dashboard, for managers, ADMs and administrators: the scorecard, the pipelines, the trend and
the latest files of an area and a quarter.

Who sees what, as on the scorecard page: the LAs where the user holds a reporting role (at the LA, or at its RAA
for all its LAs) and the adopter figures of the RAAs where they hold one; an area outside them is not a choice
the form accepts, so another LA's figures never show. The figures come from ``reporting.dashboard``.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from adoption import tenancy
from adoption.fields import GovukDateField
from adoption.models import Organisation
from adoption.periods import FinancialQuarter
from reporting import dashboard, services
from reporting.views_scorecard import ScorecardForm


class DashboardForm(ScorecardForm):
    """The scorecard's areas, and the end of a quarter (the scorecard is of the 3 years to it)."""

    period_end = GovukDateField(
        label="End of the quarter",
        required=False,
        help_text="The last day of a quarter: 30 6, 30 9, 31 12 or 31 3. For example, 31 3 2026 for January to "
        "March 2026.",
    )

    def clean_period_end(self) -> date:
        today = timezone.localdate()
        value = self.cleaned_data["period_end"] or FinancialQuarter.last_complete(today).end
        if not dashboard.is_quarter_end(value):
            raise forms.ValidationError(
                "The end of the quarter must be the last day of a quarter: 30 June, 30 September, 31 December "
                "or 31 March"
            )
        if value >= today:
            raise forms.ValidationError("The quarter must have ended: enter the end of a quarter before today")
        return value


def _reporting_scope(request: HttpRequest) -> tuple[list[Organisation], frozenset[int]]:
    """The LAs the user reports on (403 for a role that does not report) and the RAAs whose families they see."""
    if not tenancy.has_role(request.user, *services.REPORT_ROLES):
        raise PermissionDenied("Only managers, ADMs and administrators can see the reports' dashboard.")
    la_ids = tenancy.la_ids_with_roles(request.user, services.REPORT_ROLES)
    las = list(tenancy.visible_las(request.user).filter(pk__in=la_ids).select_related("raa").order_by("name"))
    return las, tenancy.raa_ids_with_roles(request.user, services.REPORT_ROLES)


@login_required
@require_GET
def page(request: HttpRequest) -> HttpResponse:
    las, agency_ids = _reporting_scope(request)
    context: dict[str, Any] = {
        "returns": list(dashboard.latest_returns(actor=request.user)),
        "jobs": dashboard.latest_report_jobs(actor=request.user),
    }
    if not las:
        return render(request, "reporting/dashboard.html", context | {"no_las": True})
    form = DashboardForm(request.GET, las=las)
    if not form.is_valid():
        return render(request, "reporting/dashboard.html", context | {"form": form})
    area, period_end = form.cleaned_data["area"], form.cleaned_data["period_end"]
    label, la_ids = form.areas[area]
    # The drill-downs are the scorecard's: the same area and period end, in its query string.
    query = urlencode(
        {
            "area": area,
            "period_end_day": period_end.day,
            "period_end_month": period_end.month,
            "period_end_year": period_end.year,
        }
    )
    shown = DashboardForm(initial={"area": area, "period_end": period_end}, las=las)  # what the figures are for
    figures = dashboard.dashboard(la_ids=la_ids, period_end=period_end, agency_ids=agency_ids)
    return render(
        request,
        "reporting/dashboard.html",
        context | {"form": shown, "label": label, "query": query, "figures": figures, "card": figures.card},
    )
