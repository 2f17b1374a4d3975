"""Pages that ask for exports: the SSDA903 return of an LA for a collection year, and Ofsted Annex A list 10.

Each page validates its form, calls one service that queues a tracked job, and sends the user to
the job's page, which shows progress and then the download.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, URLResolver, path
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from adoption import tenancy
from adoption.fields import GovukDateField
from adoption.models import Organisation
from children.forms import add_service_errors
from children.ssda903 import annex_a, export

GET_POST = require_http_methods(["GET", "POST"])


def _can_export(actor: Any) -> bool:
    from children.services import may_write_journeys

    return may_write_journeys(actor)


class _LaForm(forms.Form):
    la = forms.ModelChoiceField(
        label="Local authority",
        queryset=Organisation.objects.none(),
        empty_label="Choose a local authority",
        error_messages={"required": "Choose a local authority", "invalid_choice": "Choose a local authority"},
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )

    def __init__(self, *args: Any, las: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["la"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = las
        if not self.is_bound and las.count() == 1:
            self.initial["la"] = las.first()


class Ssda903ExportForm(_LaForm):
    year = forms.TypedChoiceField(
        label="Collection year",
        help_text="A collection year runs from 1 April to 31 March.",
        coerce=int,
        error_messages={"required": "Choose a collection year", "invalid_choice": "Choose a collection year"},
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )

    def __init__(self, *args: Any, las: Any, **kwargs: Any) -> None:
        super().__init__(*args, las=las, **kwargs)
        today = timezone.localdate()
        field = self.fields["year"]
        assert isinstance(field, forms.TypedChoiceField)
        years = export.collection_years(today)
        field.choices = [
            (y.start_year, f"{y.label} (1 April {y.start_year} to 31 March {y.start_year + 1})") for y in years
        ]
        if not self.is_bound:
            self.initial.setdefault("year", export.latest_complete_year(today))


class AnnexAList10Form(_LaForm):
    as_at = GovukDateField(
        label="Date of the request",
        help_text="The list covers the 12 months before this date. For example, 27 3 2026.",
    )

    def __init__(self, *args: Any, las: Any, **kwargs: Any) -> None:
        super().__init__(*args, las=las, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("as_at", timezone.localdate())

    def clean_as_at(self) -> date:
        value = self.cleaned_data["as_at"]
        if value and value > timezone.localdate():
            raise forms.ValidationError("The date of the request must be today or in the past")
        return value


@login_required
@GET_POST
def ssda903_export(request: HttpRequest) -> HttpResponse:
    if not _can_export(request.user):
        raise PermissionDenied("Your role cannot export children's records.")
    form = Ssda903ExportForm(request.POST or None, las=tenancy.visible_las(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            job = export.ssda903_export_request(
                actor=request.user, la_id=form.cleaned_data["la"].pk, year_start=form.cleaned_data["year"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("job-detail", job_id=job.pk)
    return render(request, "ssda903/export.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@GET_POST
def annex_a_list_10(request: HttpRequest) -> HttpResponse:
    if not _can_export(request.user):
        raise PermissionDenied("Your role cannot export children's records.")
    form = AnnexAList10Form(request.POST or None, las=tenancy.visible_las(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            job = annex_a.annex_a_list_10_request(
                actor=request.user, la_id=form.cleaned_data["la"].pk, as_at=form.cleaned_data["as_at"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("job-detail", job_id=job.pk)
    return render(request, "ssda903/annex_a_list_10.html", {"form": form}, status=400 if form.errors else 200)


urlpatterns: list[URLPattern | URLResolver] = [
    path("export/", ssda903_export, name="export"),
    path("annex-a/list-10/", annex_a_list_10, name="annex-a-list-10"),
]
