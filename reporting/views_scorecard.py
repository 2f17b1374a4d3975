"""The adoption scorecard page and its drill-downs, for managers, ADMs and administrators.

Who sees what: the LAs where the user holds a reporting role (at the LA, or at its RAA for all its LAs:
``tenancy.la_ids_with_roles``), and the adopter figures of the RAAs where they hold one
(``tenancy.raa_ids_with_roles``): an LA's staff do not see the RAA's families. Every figure and list is of
those LAs only, so another LA's child never appears; an area outside them is not a choice the form accepts.
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from adoption.fields import GovukDateField
from adoption.forms import GovukForm
from adoption.models import Organisation
from reporting import measures, services
from reporting.scorecard import (
    FIGURES,
    HOUSEHOLDS,
    areas,
    cells,
    drilldown,
    exclusion_reason,
    last_31_march,
    scorecard,
)

PAGE_SIZE = 100


class ScorecardForm(GovukForm):
    """The area (one LA, an RAA's LAs, or all the user reports on) and the end of the 3-year period."""

    area = forms.ChoiceField(
        label="Local authorities",
        required=False,
        widget=forms.Select(attrs={"class": "govuk-select"}),
        error_messages={"invalid_choice": "Choose local authorities from the list"},
    )
    period_end = GovukDateField(
        label="End of the 3-year period",
        required=False,
        help_text="For example, 31 3 2026 for the three years from 1 April 2023 to 31 March 2026.",
    )

    def __init__(self, *args: Any, las: list[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.areas = areas(las)
        cast(forms.ChoiceField, self.fields["area"]).choices = [
            (code, label) for code, (label, _ids) in self.areas.items()
        ]

    def clean_area(self) -> str:
        return self.cleaned_data["area"] or next(iter(self.areas))

    def clean_period_end(self) -> date:
        today = timezone.localdate()
        value = self.cleaned_data["period_end"] or last_31_march(today)
        if value > today:
            raise forms.ValidationError("The end of the period must be today or in the past")
        return value


def _reporting_scope(request: HttpRequest) -> tuple[list[Organisation], frozenset[int]]:
    return services.reporting_scope(request.user, "the scorecard")


def choose_area(
    request: HttpRequest, las: list[Organisation], form_class: type[ScorecardForm] = ScorecardForm
) -> tuple[ScorecardForm, dict[str, Any] | None]:
    """The form, and the area and period chosen, with the query string that shows them again (None when the choice
    is not valid)."""
    form = form_class(request.GET, las=las)
    if not form.is_valid():
        return form, None
    area, period_end = form.cleaned_data["area"], form.cleaned_data["period_end"]
    label, la_ids = form.areas[area]
    query = urlencode(
        {
            "area": area,
            "period_end_day": period_end.day,
            "period_end_month": period_end.month,
            "period_end_year": period_end.year,
        }
    )
    shown = form_class(initial={"area": area, "period_end": period_end}, las=las)  # what the figures are for
    chosen = {"area": area, "label": label, "la_ids": la_ids, "period_end": period_end, "query": query}
    return shown, chosen


@login_required
@require_GET
def scorecard_page(request: HttpRequest) -> HttpResponse:
    las, agency_ids = _reporting_scope(request)
    if not las:
        return render(request, "reporting/scorecard.html", {"no_las": True})
    form, chosen = choose_area(request, las)
    if chosen is None:
        return render(request, "reporting/scorecard.html", {"form": form}, status=400)
    card = scorecard(la_ids=chosen["la_ids"], period_end=chosen["period_end"], agency_ids=agency_ids)
    agencies = []
    if card.adopters:
        agencies = list(
            Organisation.objects.filter(pk__in=card.adopters.agency_ids).order_by("name").values_list("name", flat=True)
        )
    return render(
        request,
        "reporting/scorecard.html",
        {"form": form, "chosen": chosen, "card": card, "agencies": agencies},
    )


@login_required
@require_GET
def scorecard_drilldown(request: HttpRequest, measure: str) -> HttpResponse:
    figure = FIGURES.get(measure)
    if figure is None:
        raise Http404("No such figure.")
    las, agency_ids = _reporting_scope(request)
    if not las:
        raise Http404("No such figure.")
    form, chosen = choose_area(request, las)
    context: dict[str, Any] = {"form": form, "figure": figure}
    if chosen is None:
        return render(request, "reporting/scorecard_drilldown.html", context, status=400)
    la_ids, period_end = chosen["la_ids"], chosen["period_end"]
    if figure.subject == HOUSEHOLDS and not measures.raa_ids_for(la_ids) & agency_ids:
        # The families are the RAA's: to someone who does not see its households they do not exist.
        raise Http404("No such figure.")
    found = drilldown(measure, la_ids=la_ids, period_end=period_end, agency_ids=agency_ids)
    page = Paginator(found.counted, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [
        {"obj": obj, "cells": cells(figure, obj), "days": getattr(obj, figure.days_attribute, None)}
        for obj in page.object_list
    ]
    excluded = []
    if found.excluded is not None:
        excluded = [{"obj": child, "reason": exclusion_reason(figure.measure, child)} for child in found.excluded]
    start, end = measures.three_year_period(period_end)
    context |= {
        "chosen": chosen,
        "rows": rows,
        "page": page,
        "query": chosen["query"],
        "excluded": excluded,
        "period_start": start,
        "period_end": end,
        "show_la": len(la_ids) > 1,
        "months": measures.cutoff_months_for(end) if figure.measure == "A3" else None,
        "headings": [heading for heading, _attribute in figure.columns],
    }
    return render(request, "reporting/scorecard_drilldown.html", context)


@login_required
@require_POST
def scorecard_pdf(request: HttpRequest) -> HttpResponse:
    """Ask for the scorecard PDF of the area and period shown; the job's page follows its progress."""
    las, _agency_ids = _reporting_scope(request)
    if not las:
        raise Http404("No such local authorities.")
    form = ScorecardForm(request.POST, las=las)
    if form.is_valid():
        try:
            job = services.scorecard_pdf_request(
                actor=request.user, area=form.cleaned_data["area"], period_end=form.cleaned_data["period_end"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            return redirect("job-detail", job_id=job.pk)
    return render(request, "reporting/scorecard.html", {"form": form}, status=400)
