"""The reports API: an LA's quarterly returns and scorecard PDFs, to list, read and download, and asking for a
scorecard PDF to be made.

An LA's API client sees its own LA's reports only: the returns made of the LA (not of its RAA, which hold the
other LAs' children, nor of another LA), and the scorecards of the LA alone that count no agency's families (an
LA's client does not see the RAA's households). Anything else answers 404, exactly as a report that does not
exist. Staff signed in may call it too: they see the returns and scorecards the reports pages show them (their
reporting roles decide; another role answers 403).

Every download is recorded in the audit trail (``AuditEvent.Action.DOWNLOAD``), as on the pages.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import django_filters
from django.core.exceptions import PermissionDenied
from django.db.models import DateField, F, Func, IntegerField, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.http import FileResponse, Http404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from adoption import audit, tenancy
from adoption.api import answer_example, error_responses, filtered, page_answer, page_example, paginated
from adoption.api_conventions import ATTACHMENT_HEADER, ApiView
from adoption.models import ApiClient, AuditEvent, Job, Organisation
from reporting import returns, services
from reporting.models import QuarterlyReturn

# The files of a return: the name in its address -> (the model's file field, the content type).
RETURN_FILES: dict[str, tuple[str, str]] = {
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "children-csv": ("children_csv", "text/csv"),
    "families-csv": ("families_csv", "text/csv"),
    "pdf": ("summary_pdf", "application/pdf"),
}
PDF = "application/pdf"


# --- reads: what the actor may see -------------------------------------------------------------------------------


def _refuse_non_reporters(actor: Any, what: str) -> None:
    if not isinstance(actor, ApiClient) and not tenancy.has_role(actor, *services.REPORT_ROLES):
        raise PermissionDenied(f"Only managers, ADMs and administrators can see {what}.")


class JsonArrayLength(Func):
    function = "jsonb_array_length"
    output_field = IntegerField()


def return_list(*, actor: Any) -> QuerySet[QuarterlyReturn]:
    """An API client's LA's own returns; a member of staff's, those the returns page shows them. 403 for staff who
    do not report."""
    _refuse_non_reporters(actor, "quarterly returns")
    if isinstance(actor, ApiClient):
        found = QuarterlyReturn.objects.filter(
            organisation__in=tenancy.visible_las(actor), organisation__kind=Organisation.Kind.LA
        ).select_related("organisation")
    else:
        found = returns.quarterly_return_list(actor=actor)
    return found.defer("children", "families").annotate(
        children_rows=JsonArrayLength(F("children")), families_rows=JsonArrayLength(F("families"))
    )


def return_get(*, actor: Any, return_id: int) -> QuarterlyReturn:
    found = return_list(actor=actor).filter(pk=return_id).first()
    if found is None:
        raise Http404("No such return.")
    return found


def scorecard_list(*, actor: Any) -> QuerySet[Job]:
    """Scorecard PDF jobs: an API client's, those of its LA alone that count no agency's families; a member of
    staff's, those of LAs where they report (and agencies they see). 403 for staff who do not report."""
    _refuse_non_reporters(actor, "scorecards")
    found = Job.objects.filter(kind=Job.Kind.SCORECARD)
    if isinstance(actor, ApiClient):
        found = found.filter(organisation_id=actor.organisation_id, params__la_ids=[actor.organisation_id])
    else:
        reported = sorted(tenancy.la_ids_with_roles(actor, services.REPORT_ROLES))
        found = found.filter(params__la_ids__contained_by=reported)
    return (
        tenancy.scope_jobs(found, actor)
        .select_related("organisation")
        .annotate(period_end=Cast(KT("params__period_end"), DateField()))
    )


def scorecard_get(*, actor: Any, job_id: Any) -> Job:
    found = scorecard_list(actor=actor).filter(pk=job_id).first()
    if found is None:
        raise Http404("No such scorecard.")
    return found


# --- errors -----------------------------------------------------------------------------------------------------

ERROR_WORDS = {
    400: "The request has invalid fields: `extra.fields` says which.",
    401: "No valid token and not signed in.",
    403: "The actor may not see reports (a member of staff without a reporting role, or a client without the scope).",
    404: "No such report, or another LA's.",
}


def _errors(*codes: int, **words: str) -> dict[int, OpenApiResponse]:
    return error_responses(ERROR_WORDS, *codes, **words)


# --- quarterly returns ------------------------------------------------------------------------------------------


class SummaryLineOutput(serializers.Serializer):
    key = serializers.CharField()
    # A field named as DRF's Field.label attribute: the metaclass takes it as a field, as intended.
    label = serializers.CharField()  # type: ignore[assignment]
    count = serializers.IntegerField()


class ReturnOutput(serializers.Serializer):
    id = serializers.IntegerField()
    organisation = serializers.CharField(
        source="organisation.ons_code", help_text="ONS code of the LA the return is of."
    )
    organisation_name = serializers.CharField(source="organisation.name")
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    quarter = serializers.CharField(help_text="The financial quarter, in words.")
    version = serializers.IntegerField(help_text="1 for the first made for the quarter; each remake adds one.")
    generated_at = serializers.DateTimeField()
    children_rows = serializers.IntegerField(help_text="Rows in the children table.")
    families_rows = serializers.IntegerField(help_text="Rows in the families table.")
    files = serializers.DictField(
        child=serializers.URLField(),
        help_text="The address of each file: `xlsx`, `children-csv`, `families-csv` and `pdf` (the summary).",
    )


class ReturnDetailOutput(ReturnOutput):
    summary = SummaryLineOutput(many=True, help_text="The summary counts, in the return's order.")


def _return_row(found: QuarterlyReturn, request: Request) -> dict[str, Any]:
    files = {
        name: request.build_absolute_uri(reverse("api-returns-file", args=[found.pk, name]))
        for name, (field, _type) in RETURN_FILES.items()
        if getattr(found, field)
    }
    return {
        "id": found.pk,
        "organisation": found.organisation,
        "period_start": found.period_start,
        "period_end": found.period_end,
        "quarter": returns.quarter_of(found.period_end).title,
        "version": found.version,
        "generated_at": found.generated_at,
        "children_rows": getattr(found, "children_rows", 0),
        "families_rows": getattr(found, "families_rows", 0),
        "files": files,
    }


class ReturnFilter(django_filters.FilterSet):
    period_end = django_filters.DateFromToRangeFilter()
    version = django_filters.NumberFilter(min_value=1)
    ordering = django_filters.OrderingFilter(fields=(("period_end", "period_end"), ("version", "version")))

    class Meta:
        model = QuarterlyReturn
        fields = ["period_end", "version"]


PAGE_PARAMETERS = [
    OpenApiParameter("page", OpenApiTypes.INT, description="Page number, from 1."),
    OpenApiParameter("page_size", OpenApiTypes.INT, description="Results per page (at most 200)."),
]
PERIOD_PARAMETERS = [
    OpenApiParameter("period_end_after", OpenApiTypes.DATE, description="Only periods ending on or after this date."),
    OpenApiParameter("period_end_before", OpenApiTypes.DATE, description="Only periods ending on or before this date."),
]

RETURN_EXAMPLE = {
    "id": 41,
    "organisation": "E08000026",
    "organisation_name": "Ashby",
    "period_start": "2025-04-01",
    "period_end": "2025-06-30",
    "quarter": "April to June 2025 (2025-26 Q1)",
    "version": 2,
    "generated_at": "2025-07-08T09:14:03Z",
    "children_rows": 37,
    "families_rows": 0,
    "files": {
        "xlsx": "https://example.org/api/v1/returns/41/files/xlsx/",
        "children-csv": "https://example.org/api/v1/returns/41/files/children-csv/",
        "families-csv": "https://example.org/api/v1/returns/41/files/families-csv/",
        "pdf": "https://example.org/api/v1/returns/41/files/pdf/",
    },
}


class ReturnListApi(ApiView):
    @extend_schema(
        operation_id="returns_list",
        summary="List the LA's quarterly returns",
        description=(
            "The LA's quarterly returns, every version, latest period first (then latest version). Each is frozen "
            "when made: making the quarter's return again makes the next version."
        ),
        parameters=[
            *PERIOD_PARAMETERS,
            OpenApiParameter("version", OpenApiTypes.INT, description="Only this version."),
            OpenApiParameter(
                "ordering",
                OpenApiTypes.STR,
                enum=["period_end", "-period_end", "version", "-version"],
                description="Order by the period's end or the version (`-` for descending).",
            ),
            *PAGE_PARAMETERS,
        ],
        responses={
            200: paginated("PaginatedQuarterlyReturnList", ReturnOutput(many=True)),
            **_errors(400, 401, 403),
        },
        examples=[page_example("A page with one return", RETURN_EXAMPLE)],
    )
    def get(self, request: Request) -> Response:
        found = filtered(ReturnFilter, request, return_list(actor=request.user))
        return page_answer(
            self, request, found, lambda page: ReturnOutput([_return_row(r, request) for r in page], many=True).data
        )


class ReturnDetailApi(ApiView):
    etag = True

    @extend_schema(
        operation_id="returns_retrieve",
        summary="Read one quarterly return",
        description="The return's period, version, summary counts and the addresses of its files.",
        responses={200: ReturnDetailOutput, **_errors(401, 403, 404)},
        examples=[
            OpenApiExample(
                "A return",
                value={
                    **RETURN_EXAMPLE,
                    "summary": [{"key": "adoptions", "label": "Adoption orders", "count": 6}],
                },
                response_only=True,
                status_codes=["200"],
            )
        ],
    )
    def get(self, request: Request, return_id: int) -> Response:
        found = return_get(actor=request.user, return_id=return_id)
        summary = QuarterlyReturn.objects.values_list("summary", flat=True).get(pk=found.pk)
        lines = [
            {"key": key, "label": label, "count": summary[key]}
            for key, label in returns.SUMMARY_LINES
            if key in summary
        ]
        return Response(ReturnDetailOutput({**_return_row(found, request), "summary": lines}).data)


def _file_response(request: Request, obj: Any, stored: Any, filename: str, content_type: str) -> FileResponse:
    audit.record(actor=request.user, action=AuditEvent.Action.DOWNLOAD, obj=obj, organisation_id=obj.organisation_id)
    return FileResponse(stored.open("rb"), as_attachment=True, filename=filename, content_type=content_type)


FILE_RESPONSES = {
    (200, content_type): OpenApiResponse(OpenApiTypes.BINARY, description="The file, as an attachment.")
    for content_type in dict.fromkeys(t for _f, t in RETURN_FILES.values())
}


class ReturnFileApi(ApiView):
    @extend_schema(
        operation_id="returns_file",
        summary="Download a file of a quarterly return",
        description=(
            "`xlsx`: the workbook (sheets Children, Families and Summary); `children-csv` and `families-csv`: the "
            "tables as CSV (UTF-8); `pdf`: the summary. Every download is recorded in the audit trail."
        ),
        parameters=[
            OpenApiParameter(
                "file", OpenApiTypes.STR, OpenApiParameter.PATH, enum=list(RETURN_FILES), description="Which file."
            ),
            ATTACHMENT_HEADER,
        ],
        responses={**FILE_RESPONSES, **_errors(401, 403, 404, e404="No such return or file, or another LA's.")},
    )
    def get(self, request: Request, return_id: int, file: str) -> FileResponse:
        if file not in RETURN_FILES:
            raise Http404("No such file.")
        found = return_get(actor=request.user, return_id=return_id)
        field, content_type = RETURN_FILES[file]
        stored = getattr(found, field)
        if not stored or not stored.name:
            raise Http404("This return has no such file.")
        return _file_response(request, found, stored, returns.download_name(found, field), content_type)


# --- scorecards -------------------------------------------------------------------------------------------------


class ScorecardOutput(serializers.Serializer):
    id = serializers.UUIDField(help_text="The job's id.")
    status_url = serializers.URLField(help_text="Poll this address for the status.")
    status = serializers.CharField(
        help_text="; ".join(f"`{code}` ({label})" for code, label in Job.Status.choices) + "."
    )
    progress = serializers.IntegerField(help_text="Per cent done.")
    organisation = serializers.CharField(help_text="ONS code of the LA.")
    area = serializers.CharField(help_text="The area the scorecard is of, in words (the LA's name).")
    period_end = serializers.DateField(help_text="The end of the 3-year period.")
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)
    download_url = serializers.URLField(allow_null=True, help_text="The PDF, once made; null until then.")
    error = serializers.CharField(help_text="Why the job failed; blank otherwise.")


def _scorecard_row(job: Job, request: Request) -> dict[str, Any]:
    made = job.status == Job.Status.SUCCEEDED and bool(job.file)
    return {
        "id": job.pk,
        "status_url": request.build_absolute_uri(reverse("api-scorecards-detail", args=[job.pk])),
        "status": job.status,
        "progress": job.progress,
        "organisation": job.organisation.ons_code,
        "area": job.params.get("label", ""),
        "period_end": date.fromisoformat(job.params["period_end"]),
        "created_at": job.created_at,
        "finished_at": job.finished_at,
        "download_url": request.build_absolute_uri(reverse("api-scorecards-pdf", args=[job.pk])) if made else None,
        "error": "The scorecard could not be made: ask for it again." if job.status == Job.Status.FAILED else "",
    }


class ScorecardFilter(django_filters.FilterSet):
    period_end = django_filters.DateFromToRangeFilter()
    status = django_filters.ChoiceFilter(choices=Job.Status.choices)
    ordering = django_filters.OrderingFilter(fields=(("period_end", "period_end"), ("created_at", "created_at")))

    class Meta:
        model = Job
        fields = ["status"]


SCORECARD_EXAMPLE = {
    "id": "0b7d3c6e-2f3c-4f43-9a51-5d0f2c1d9e10",
    "status_url": "https://example.org/api/v1/scorecards/0b7d3c6e-2f3c-4f43-9a51-5d0f2c1d9e10/",
    "status": "succeeded",
    "progress": 100,
    "organisation": "E08000026",
    "area": "Ashby",
    "period_end": "2025-03-31",
    "created_at": "2025-07-08T09:14:03Z",
    "finished_at": "2025-07-08T09:14:21Z",
    "download_url": "https://example.org/api/v1/scorecards/0b7d3c6e-2f3c-4f43-9a51-5d0f2c1d9e10/pdf/",
    "error": "",
}


class ScorecardRequestInput(serializers.Serializer):
    period_end = serializers.DateField(help_text="The end of the 3-year period: today or earlier.")
    area = serializers.CharField(
        required=False,
        help_text="Staff only: the area as the scorecard page names it (`la-<id>`, `raa-<id>`, `all`). An API "
        "client's scorecard is of its own LA; another area answers 404.",
    )


class ScorecardListApi(ApiView):
    @extend_schema(
        operation_id="scorecards_list",
        summary="List the LA's scorecard PDFs",
        description="The scorecard PDFs made or being made of the LA, newest first.",
        parameters=[
            *PERIOD_PARAMETERS,
            OpenApiParameter("status", OpenApiTypes.STR, enum=list(Job.Status.values), description="Only this status."),
            OpenApiParameter(
                "ordering",
                OpenApiTypes.STR,
                enum=["period_end", "-period_end", "created_at", "-created_at"],
                description="Order by the period's end or when it was asked for (`-` for descending).",
            ),
            *PAGE_PARAMETERS,
        ],
        responses={
            200: paginated("PaginatedScorecardList", ScorecardOutput(many=True)),
            **_errors(400, 401, 403),
        },
        examples=[page_example("A page with one scorecard", SCORECARD_EXAMPLE)],
    )
    def get(self, request: Request) -> Response:
        found = filtered(ScorecardFilter, request, scorecard_list(actor=request.user))
        return page_answer(
            self,
            request,
            found,
            lambda page: ScorecardOutput([_scorecard_row(j, request) for j in page], many=True).data,
        )

    @extend_schema(
        operation_id="scorecards_create",
        summary="Ask for a scorecard PDF",
        description=(
            "The LA's adoption scorecard (A1, A10, A2, A3) for the 3 years to `period_end`, made as a job: the "
            "answer is 202 with the job's `status_url` to poll; its `download_url` gives the PDF once made."
        ),
        request=ScorecardRequestInput,
        parameters=[
            OpenApiParameter(
                "Location",
                OpenApiTypes.URI,
                OpenApiParameter.HEADER,
                response=["202"],
                description="The job's `status_url`.",
            )
        ],
        responses={
            202: ScorecardOutput,
            **_errors(400, 401, 403, 404, e404="An area that is not the actor's."),
        },
        examples=[
            OpenApiExample("To 31 March 2025", value={"period_end": "2025-03-31"}, request_only=True),
            OpenApiExample(
                "Queued",
                value={
                    **SCORECARD_EXAMPLE,
                    "status": "queued",
                    "progress": 0,
                    "finished_at": None,
                    "download_url": None,
                },
                response_only=True,
                status_codes=["202"],
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        _refuse_non_reporters(request.user, "scorecards")  # the role first: a refused request is not read
        data = ScorecardRequestInput(data=request.data)
        data.is_valid(raise_exception=True)
        period_end = data.validated_data["period_end"]
        area = data.validated_data.get("area")
        actor = request.user
        if isinstance(actor, ApiClient):
            if area and area != f"la-{actor.organisation_id}":
                raise Http404("No such local authorities.")
            job = services.scorecard_pdf_request_for_client(client=actor, period_end=period_end)
        else:
            if not area:
                raise serializers.ValidationError({"area": ["Give the area, as the scorecard page names it."]})
            job = services.scorecard_pdf_request(actor=actor, area=area, period_end=period_end)
        job.refresh_from_db()
        row = ScorecardOutput(_scorecard_row(job, request)).data
        return Response(row, status=status.HTTP_202_ACCEPTED, headers={"Location": row["status_url"]})


class ScorecardDetailApi(ApiView):
    etag = True

    @extend_schema(
        operation_id="scorecards_retrieve",
        summary="Read a scorecard PDF's status",
        description="The job's status and progress; `download_url` once the PDF is made.",
        responses={200: ScorecardOutput, **_errors(401, 403, 404)},
        examples=[answer_example("Made", SCORECARD_EXAMPLE)],
    )
    def get(self, request: Request, job_id: Any) -> Response:
        return Response(ScorecardOutput(_scorecard_row(scorecard_get(actor=request.user, job_id=job_id), request)).data)


class ScorecardPdfApi(ApiView):
    @extend_schema(
        operation_id="scorecards_pdf",
        summary="Download a scorecard PDF",
        description="The PDF once the job has made it (404 until then). Every download is recorded in the audit trail.",
        parameters=[ATTACHMENT_HEADER],
        responses={
            (200, PDF): OpenApiResponse(OpenApiTypes.BINARY, description="The PDF, as an attachment."),
            **_errors(401, 403, 404, e404="No such scorecard, another LA's, or not made yet."),
        },
    )
    def get(self, request: Request, job_id: Any) -> FileResponse:
        job = scorecard_get(actor=request.user, job_id=job_id)
        if job.status != Job.Status.SUCCEEDED or not job.file:
            raise Http404("The scorecard has not been made yet.")
        name = (job.file.name or "scorecard.pdf").rsplit("/", 1)[-1]
        return _file_response(request, job, job.file, name, PDF)
