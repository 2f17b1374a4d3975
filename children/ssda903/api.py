"""The LA API's SSDA903 endpoints: upload a 903 return to import, and follow the import's job.

Thin views over :mod:`children.ssda903.importer`, the same services as the pages. An LA's API
client imports for its own LA only; naming another LA answers 404, as if it did not exist.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.urls import URLPattern, URLResolver, path, reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from adoption import tenancy
from adoption.api import ERROR, answer_example
from adoption.api_conventions import ApiView
from adoption.models import Job, Organisation
from children.ssda903 import importer, reader


class ImportInput(serializers.Serializer):
    files = serializers.ListField(
        child=serializers.FileField(),
        min_length=1,
        max_length=reader.MAX_FILES,
        help_text=(
            "The 903 files: the Header, Episodes, AD1 and PlacedAdoption CSV files (each recognised by its "
            "columns), or one file in the 903 XML form. Send the field once per file."
        ),
    )
    la = serializers.CharField(
        required=False,
        help_text="ONS code of the local authority. An LA's API client may leave it out: it imports for its own LA.",
    )
    dry_run = serializers.BooleanField(
        default=False,
        help_text="true: only check the files and preview the changes; nothing is saved.",
    )

    def validate_files(self, files: list[Any]) -> list[Any]:
        """Refuse, before anything is stored, a file too big or that is not a 903 CSV or XML file at all."""
        refusals = [message for upload in files if (message := reader.uploaded_file_refusal(upload))]
        if refusals:
            raise serializers.ValidationError(refusals)
        return files


class ProblemOutput(serializers.Serializer):
    file = serializers.CharField(help_text="The uploaded file's name; blank for the upload as a whole.")
    table = serializers.CharField(help_text="903 table: Header, Episodes, AD1 or PlacedAdoption.")
    row = serializers.IntegerField(
        allow_null=True, help_text="CSV: line in the file (the column names are line 1). XML: record number."
    )
    child = serializers.CharField(help_text="903 CHILD id.")
    rule = serializers.CharField(help_text="DfE rule code (for example 331) or the import's own (IMP-...).")
    message = serializers.CharField()
    blocking = serializers.BooleanField(help_text="true: the import cannot go ahead until it is fixed.")
    # A field named like Field.source: DRF takes declared fields off the class, so only mypy minds.
    source = serializers.ChoiceField(  # type: ignore[assignment]
        choices=["import", "dfe"], help_text="dfe: found by the DfE's 903 rules."
    )


class ChangeOutput(serializers.Serializer):
    child = serializers.CharField(help_text="903 CHILD id.")
    child_id = serializers.IntegerField(allow_null=True, help_text="The child's id in this service, once it exists.")
    status = serializers.ChoiceField(choices=["new", "changed"])
    changes = serializers.ListField(child=serializers.CharField())


class SummaryOutput(serializers.Serializer):
    children = serializers.IntegerField()
    new = serializers.IntegerField()
    changed = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    changes = serializers.IntegerField(help_text="Number of changes over all children.")


class ImportOutput(serializers.Serializer):
    id = serializers.UUIDField()
    status_url = serializers.CharField(help_text="Where to follow the import (this endpoint).")
    status = serializers.ChoiceField(choices=Job.Status.choices)
    phase = serializers.ChoiceField(
        choices=[importer.PHASE_PREVIEW, importer.PHASE_IMPORT, importer.PHASE_APPLY],
        help_text="preview: check only (dry_run); import: check and save; apply: save a confirmed preview.",
    )
    progress = serializers.IntegerField(help_text="0 to 100.")
    la = serializers.CharField(help_text="ONS code of the LA.")
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    error = serializers.CharField(help_text="Why the job itself failed; blank otherwise.")
    applied = serializers.BooleanField(help_text="true once the changes are saved.")
    collection_year = serializers.CharField(help_text="The collection year whose DfE rules were used.")
    summary = SummaryOutput(allow_null=True, help_text="null until the files are checked.")
    problem_count = serializers.IntegerField()
    blocking_count = serializers.IntegerField()
    warning_count = serializers.IntegerField()
    problems = ProblemOutput(many=True, help_text="The first 2,000 problems, blocking ones first.")
    changes = ChangeOutput(many=True, help_text="What would change (preview) or what changed (import, apply).")


_STATUS_URL = "https://raa.example.org/api/v1/ssda903/imports/5b0e8f52-8a8e-4c1e-9a57-0d2f6b1f3c11/"
QUEUED_EXAMPLE = {
    "id": "5b0e8f52-8a8e-4c1e-9a57-0d2f6b1f3c11",
    "status_url": _STATUS_URL,
    "status": "queued",
    "phase": importer.PHASE_IMPORT,
    "progress": 0,
    "la": "E08000026",
    "created_at": "2025-05-12T09:30:00Z",
    "finished_at": None,
    "error": "",
    "applied": False,
    "collection_year": "",
    "summary": None,
    "problem_count": 0,
    "blocking_count": 0,
    "warning_count": 0,
    "problems": [],
    "changes": [],
}
DONE_EXAMPLE = {
    **QUEUED_EXAMPLE,
    "status": "succeeded",
    "progress": 100,
    "finished_at": "2025-05-12T09:30:41Z",
    "applied": True,
    "collection_year": "2024-25",
    "summary": {"children": 212, "new": 3, "changed": 1, "unchanged": 208, "changes": 4},
    "problem_count": 1,
    "warning_count": 1,
    "problems": [
        {
            "file": "episodes.csv",
            "table": "Episodes",
            "row": 1,
            "child": "",
            "rule": reader.COLUMN_EXTRA,
            "message": "The column NOTES is not part of the 903 Episodes table and was ignored",
            "blocking": False,
            "source": "import",
        }
    ],
    "changes": [
        {
            "child": "C4211",
            "child_id": 1803,
            "status": "changed",
            "changes": ["Placement order on 12/09/2023"],
        }
    ],
}
IMPORT_ERRORS = {
    400: OpenApiResponse(ERROR, description="A field is missing or not valid (no files, say): `extra.fields`."),
    401: OpenApiResponse(ERROR, description="No valid token and not signed in."),
    403: OpenApiResponse(ERROR, description="The client lacks the import scope, or the user's role cannot import."),
    404: OpenApiResponse(ERROR, description="No such local authority, or not the client's own."),
}


def _payload(job: Job, request: Request) -> dict[str, Any]:
    result = job.result or {}
    return {
        "id": job.pk,
        "status_url": request.build_absolute_uri(reverse("api-ssda903-import-detail", args=[job.pk])),
        "status": job.status,
        "phase": job.params.get("phase", importer.PHASE_PREVIEW),
        "progress": job.progress,
        "la": job.organisation.ons_code,
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "error": "The import stopped before it finished: nothing was saved." if job.status == Job.Status.FAILED else "",
        "applied": bool(result.get("applied")),
        "collection_year": result.get("collection_year", ""),
        "summary": result.get("summary"),
        "problem_count": result.get("problem_count", 0),
        "blocking_count": result.get("blocking_count", 0),
        "warning_count": result.get("warning_count", 0),
        "problems": result.get("problems", []),
        "changes": result.get("changes", []),
    }


def _la_for(actor: Any, code: str) -> Organisation:
    """The LA named (ONS code) among those the actor sees; 404 otherwise. Without a name, the actor's only LA."""
    las = tenancy.visible_las(actor)
    if code:
        la = las.filter(ons_code=code.strip().upper()).first()
        if la is None:
            from django.http import Http404

            raise Http404("No such local authority.")
        return la
    if las.count() != 1:
        raise serializers.ValidationError({"la": ["Give the ONS code of the local authority to import for."]})
    la = las.first()
    assert la is not None
    return la


class ImportCreateApi(ApiView):
    parser_classes = [MultiPartParser]

    @extend_schema(
        operation_id="ssda903_imports_create",
        summary="Import an SSDA903 return",
        description=(
            "Upload the LA's 903 files. The import runs as a job: poll `status_url`. The files are checked with "
            "the DfE's 903 rules and the service's own; when nothing blocks (and `dry_run` is false) every change "
            "is saved, otherwise nothing is. Importing the same files again changes nothing."
        ),
        request={"multipart/form-data": ImportInput},
        responses={202: ImportOutput, **IMPORT_ERRORS},
        examples=[answer_example("Queued", QUEUED_EXAMPLE, 202)],
    )
    def post(self, request: Request) -> Response:
        if not importer.can_import(request.user):  # refused before the files are read
            raise DjangoPermissionDenied("Your role cannot import children's records.")
        data = ImportInput(data=request.data)
        data.is_valid(raise_exception=True)
        la = _la_for(request.user, data.validated_data.get("la", ""))
        phase = importer.PHASE_PREVIEW if data.validated_data["dry_run"] else importer.PHASE_IMPORT
        job = importer.import_request(actor=request.user, la_id=la.pk, files=data.validated_data["files"], phase=phase)
        job.refresh_from_db()
        return Response(ImportOutput(_payload(job, request)).data, status=status.HTTP_202_ACCEPTED)


class ImportDetailApi(ApiView):
    etag = True

    @extend_schema(
        operation_id="ssda903_imports_retrieve",
        summary="Follow an SSDA903 import",
        responses={
            200: ImportOutput,
            401: IMPORT_ERRORS[401],
            403: IMPORT_ERRORS[403],
            404: OpenApiResponse(ERROR, description="No such import, or another LA's."),
        },
        examples=[answer_example("Imported, with one warning", DONE_EXAMPLE)],
    )
    def get(self, request: Request, job_id: Any) -> Response:
        job = importer.import_job_get(actor=request.user, job_id=job_id)
        return Response(ImportOutput(_payload(job, request)).data)


urlpatterns: list[URLPattern | URLResolver] = [
    path("imports/", ImportCreateApi.as_view(), name="api-ssda903-imports"),
    path("imports/<uuid:job_id>/", ImportDetailApi.as_view(), name="api-ssda903-import-detail"),
]
