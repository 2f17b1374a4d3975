"""Pages of the SSDA903 import: upload the files, see the checks and the preview, confirm, see the result.

Thin views over :mod:`children.ssda903.importer`: the upload and the confirmation each call one
service; the work runs in a tracked job, and the job's page shows its progress, then its preview
(with the confirm button when nothing blocks), then what was imported.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, URLResolver, path
from django.views.decorators.http import require_http_methods

from adoption.models import Organisation
from adoption.uploads import size_in_words
from children.ssda903 import importer, reader

GET_POST = require_http_methods(["GET", "POST"])


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            MultipleFileInput(attrs={"class": "govuk-file-upload", "accept": ".csv,.xml,text/csv,application/xml"}),
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)]


class ImportForm(forms.Form):
    la = forms.ModelChoiceField(
        label="Local authority",
        help_text="The local authority whose 903 return this is. Its children are matched by their 903 child ID.",
        queryset=Organisation.objects.none(),
        empty_label="Choose a local authority",
        error_messages={"required": "Choose a local authority", "invalid_choice": "Choose a local authority"},
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )
    uploads = MultipleFileField(
        label="903 files",
        help_text=(
            "The Header, Episodes, AD1 and PlacedAdoption CSV files (choose them together), or the one XML file. "
            f"At most {reader.MAX_FILES} files and {size_in_words(reader.max_file_bytes())} each."
        ),
        error_messages={"required": "Choose the 903 files to import", "empty": "The file is empty"},
    )

    def __init__(self, *args: Any, las: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["la"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = las
        if not self.is_bound and las.count() == 1:
            self.initial["la"] = las.first()

    def clean_uploads(self) -> list[Any]:
        """Refuse, before anything is stored, a file too big or that is not a 903 CSV or XML file at all."""
        uploads = self.cleaned_data["uploads"]
        refusals = [message for upload in uploads if (message := reader.uploaded_file_refusal(upload))]
        if refusals:
            raise ValidationError(refusals)
        return uploads


@login_required
@GET_POST
def import_upload(request: HttpRequest) -> HttpResponse:
    if not importer.can_import(request.user):
        raise PermissionDenied("Your role cannot import children's records.")
    form = ImportForm(request.POST or None, request.FILES or None, las=importer.import_las(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            job = importer.import_request(
                actor=request.user, la_id=form.cleaned_data["la"].pk, files=form.cleaned_data["uploads"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("uploads", message)
        else:
            return redirect("ssda903:import-detail", job_id=job.pk)
    recent = importer.import_job_list(actor=request.user)[:10]
    return render(
        request,
        "ssda903/import_upload.html",
        {"form": form, "recent": recent, "max_files": reader.MAX_FILES},
        status=400 if form.errors else 200,
    )


def _grouped(problems: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Problems grouped by file, each group in row order; blocking groups first."""
    groups: OrderedDict[str, list[dict[str, Any]]] = OrderedDict()
    for problem in sorted(problems, key=lambda p: (p["file"] or "", p["table"] or "", p["row"] or 0, p["child"])):
        groups.setdefault(problem["file"] or "", []).append(problem)
    return [
        {"file": name, "anchor": f"file-{index}", "problems": items}
        for index, (name, items) in enumerate(groups.items(), start=1)
    ]


@login_required
@GET_POST
def import_detail(request: HttpRequest, job_id: Any) -> HttpResponse:
    job = importer.import_job_get(actor=request.user, job_id=job_id)
    if request.method == "POST":
        try:
            apply_job = importer.import_confirm(actor=request.user, job_id=job.pk)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("ssda903:import-detail", job_id=job.pk)
        return redirect("ssda903:import-detail", job_id=apply_job.pk)
    result = job.result or {}
    phase = job.params.get("phase", importer.PHASE_PREVIEW)
    problems = result.get("problems", [])
    context: dict[str, Any] = {
        "job": job,
        "phase": phase,
        "result": result,
        "blocking": _grouped([p for p in problems if p["blocking"]]),
        "warnings": _grouped([p for p in problems if not p["blocking"]]),
        "can_write": importer.can_import(request.user),
    }
    if not job.is_finished:
        template = "ssda903/import_progress.html"
    elif phase == importer.PHASE_PREVIEW:
        template = "ssda903/import_preview.html"
        context["apply_job"] = (
            importer.import_job_list(actor=request.user).filter(params__preview_job_id=str(job.pk)).first()
        )
    else:
        template = "ssda903/import_result.html"
        preview_id = job.params.get("preview_job_id")
        context["preview_job"] = (
            importer.import_job_list(actor=request.user).filter(pk=preview_id).first() if preview_id else None
        )
    return render(request, template, context)


urlpatterns: list[URLPattern | URLResolver] = [
    path("imports/", import_upload, name="import-upload"),
    path("imports/<uuid:job_id>/", import_detail, name="import-detail"),
]
