"""The managers' dashboard, for managers, ADMs and administrators: the scorecard, the pipelines, the trend and
the latest files of an area and a quarter.

Who sees what, as on the scorecard page: the LAs where the user holds a reporting role (at the LA, or at its RAA
for all its LAs) and the adopter figures of the RAAs where they hold one; an area outside them is not a choice
the form accepts, so another LA's figures never show. The figures come from ``reporting.dashboard``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from adoption.fields import GovukDateField
from adoption.periods import FinancialQuarter
from reporting import dashboard, services
from reporting.views_scorecard import ScorecardForm, choose_area


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


@login_required
@require_GET
def page(request: HttpRequest) -> HttpResponse:
    las, agency_ids = services.reporting_scope(request.user, "the reports' dashboard")
    context: dict[str, Any] = {
        "returns": list(dashboard.latest_returns(actor=request.user)),
        "jobs": dashboard.latest_report_jobs(actor=request.user),
    }
    if not las:
        return render(request, "reporting/dashboard.html", context | {"no_las": True})
    form, chosen = choose_area(request, las, DashboardForm)
    if chosen is None:
        return render(request, "reporting/dashboard.html", context | {"form": form})
    label, query = chosen["label"], chosen["query"]
    # The drill-downs are the scorecard's: the same area and period end, in its query string.
    la_ids, period_end = chosen["la_ids"], chosen["period_end"]
    figures = dashboard.cached_dashboard(la_ids=la_ids, period_end=period_end, agency_ids=agency_ids)
    return render(
        request,
        "reporting/dashboard.html",
        context | {"form": form, "label": label, "query": query, "figures": figures, "card": figures.card},
    )
