"""The list of report runs: what was made, by whom or by the schedule, how far it has got, and its file."""

from __future__ import annotations

from typing import cast
from urllib.parse import urlencode

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from adoption import tenancy
from adoption.forms import GovukForm
from adoption.models import Job
from reporting import services
from reporting.runs import ON_DEMAND, RUN_KINDS, SCHEDULED, report_runs

PAGE_SIZE = 50


class RunFilterForm(GovukForm):
    kind = forms.ChoiceField(
        label="Report",
        required=False,
        widget=forms.Select(attrs={"class": "govuk-select"}),
        error_messages={"invalid_choice": "Choose a report from the list"},
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Any status"), *Job.Status.choices],
        widget=forms.Select(attrs={"class": "govuk-select"}),
        error_messages={"invalid_choice": "Choose a status from the list"},
    )
    origin = forms.ChoiceField(
        label="Made",
        required=False,
        choices=[("", "By the schedule or on request"), (SCHEDULED, "By the schedule"), (ON_DEMAND, "On request")],
        widget=forms.Select(attrs={"class": "govuk-select"}),
        error_messages={"invalid_choice": "Choose how it was made from the list"},
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(Job.Kind.choices)
        cast(forms.ChoiceField, self.fields["kind"]).choices = [
            ("", "Every report"),
            *((kind.value, labels[kind.value]) for kind in RUN_KINDS),
        ]


@login_required
@require_GET
def run_list(request: HttpRequest) -> HttpResponse:
    if not tenancy.has_role(request.user, *services.REPORT_ROLES):
        raise PermissionDenied("Only managers, ADMs and administrators can see the reports made.")
    form = RunFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "reporting/runs.html", {"form": form}, status=400)
    chosen = form.cleaned_data if form.is_bound else {}
    runs = report_runs(
        actor=request.user,
        kind=chosen.get("kind", ""),
        status=chosen.get("status", ""),
        origin=chosen.get("origin", ""),
    )
    page = Paginator(runs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({key: value for key, value in chosen.items() if value})
    return render(request, "reporting/runs.html", {"form": form, "page": page, "query": query})
