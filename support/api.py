"""The ASF applications API: an LA's applications to the Adoption Support Fund, over the same services and
selectors as the ASF pages.

An LA's API client reads and submits its own LA's applications (``support.access``: the client's scope is its
LA); staff signed in to the site use it within the LAs whose adoption support they work on. Another LA's
application answers 404, exactly as one that does not exist. A read of one application is recorded in the
audit trail; the list records nothing per row (as the children API).

Submitting checks every rule of the fund for the application's year (eligibility from the child's record, what
is left for the child, match funding, a specialist assessment's allowance, work finished within the year). A
refusal answers 400 in the one error shape: ``message`` gives the reasons in words, ``extra.fields`` each
reason on the field it is about (``cost``, ``match_funding``, ``work_ends_on``, ``child``...), the same words
the pages show.

Creating a draft needs a member of staff: an application records who made it (a staff account), so an API
client's create answers 403 until applications can record an API client as their maker.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import django_filters
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.urls import URLPattern, URLResolver, path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from adoption import api
from adoption.api import answer_example, error_responses, filtered, page_answer, page_example, paginated
from adoption.api_conventions import ApiView
from adoption.models import Organisation
from support import access, asf_rules
from support.models import AsfApplication, TherapyType
from support.selectors import asf as selectors
from support.services import asf as services

S = AsfApplication.Status


# --- errors --------------------------------------------------------------------------------------------------


class AsfApi(ApiView):
    def get_exception_handler(self):
        return api.service_exception_handler


ERROR_WORDS = {
    400: "The request has invalid fields, or the fund's rules refuse the change: `message` says why.",
    401: "No valid token and not signed in.",
    403: "The actor's role cannot make this change.",
    404: "No such application, or another LA's.",
}


def _errors(*codes: int, **words: str) -> dict[int, OpenApiResponse]:
    return error_responses(ERROR_WORDS, *codes, **words)


# --- output --------------------------------------------------------------------------------------------------


def _codes(choices: list[tuple[str, str]]) -> str:
    return "; ".join(f"`{code}` ({label})" for code, label in choices) + "."


class ChildRefOutput(serializers.Serializer):
    id = serializers.IntegerField(help_text="The child's id in the children API.")
    la_child_id = serializers.CharField(help_text="The LA's own child ID.")


class AsfApplicationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    la = serializers.CharField(source="la.ons_code", help_text="ONS code of the LA that applies.")
    child_id = serializers.IntegerField(help_text="The child's id in the children API.")
    child = ChildRefOutput()
    request_id = serializers.IntegerField(allow_null=True, help_text="The support request it came from, if any.")
    status = serializers.CharField(help_text=_codes(S.choices))
    basis = serializers.CharField(
        help_text="Why the child is eligible, stored when submitted: "
        + _codes(AsfApplication.Basis.choices)
        + " Blank for a draft."
    )
    therapy = serializers.CharField(help_text=_codes(TherapyType.choices))
    specialist_assessment = serializers.BooleanField()
    provider = serializers.CharField()
    sessions = serializers.IntegerField()
    cost = serializers.DecimalField(max_digits=9, decimal_places=2, help_text="The whole cost of the work, in pounds.")
    match_funding = serializers.DecimalField(
        max_digits=9, decimal_places=2, help_text="The LA's part of the cost; the fund is asked for the rest."
    )
    work_starts_on = serializers.DateField()
    work_ends_on = serializers.DateField()
    financial_year = serializers.CharField(
        source="year_label", help_text="The year the work starts in, for example 2025-26."
    )
    ehc_plan = serializers.BooleanField(help_text="The child has an education, health and care plan.")
    intercountry = serializers.BooleanField(help_text="The child was adopted from abroad.")
    submitted_on = serializers.DateField(allow_null=True)
    decided_on = serializers.DateField(allow_null=True, help_text="The date the fund approved or rejected it.")
    rejection_reason = serializers.CharField(help_text="The fund's reason; blank unless rejected.")
    invoiced_on = serializers.DateField(allow_null=True)
    paid_on = serializers.DateField(allow_null=True)
    updated_at = serializers.DateTimeField()


class EligibilityOutput(serializers.Serializer):
    eligible = serializers.BooleanField()
    basis = serializers.CharField(help_text="The basis code when eligible; blank when not.")
    reasons = serializers.ListField(child=serializers.CharField(), help_text="Why not, in words; empty when eligible.")


class LimitOutput(serializers.Serializer):
    effective_from = serializers.DateField(help_text="The rule in force from this date governs the year.")
    fair_access_limit = serializers.DecimalField(max_digits=9, decimal_places=2)
    specialist_assessment_limit = serializers.DecimalField(
        max_digits=9, decimal_places=2, allow_null=True, help_text="null: assessments come inside the limit."
    )
    match_funding = serializers.BooleanField(help_text="true: the LA may match-fund above the limit.")
    work_within_year = serializers.BooleanField(help_text="true: the work must be finished by 31 March.")


class LeftOutput(serializers.Serializer):
    therapy = serializers.DecimalField(
        max_digits=9,
        decimal_places=2,
        help_text="Left of the limit (of the fair access limit where assessments have their own allowance).",
    )
    assessment = serializers.DecimalField(
        max_digits=9,
        decimal_places=2,
        allow_null=True,
        help_text="Left of the specialist assessment allowance; null when assessments come inside the limit.",
    )
    total = serializers.DecimalField(max_digits=9, decimal_places=2)


class AsfApplicationDetailOutput(AsfApplicationOutput):
    eligibility = EligibilityOutput(help_text="The child's record now (or when submitted), and the age at the start.")
    limit = LimitOutput(allow_null=True, help_text="The fund's rule for the year; null when none is set up.")
    left_before = LeftOutput(allow_null=True, help_text="Left for the child in the year without this application.")
    left_after = LeftOutput(
        allow_null=True, help_text="Left after this application (the same as before for a rejected one)."
    )
    must_end_on = serializers.DateField(help_text="The work's end, or 31 March where the rule needs it in the year.")
    refusals = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="A draft: what the fund's rules would refuse if it were submitted now, by field; empty otherwise.",
    )


def _left(found: asf_rules.Left | None) -> dict[str, Any] | None:
    if found is None:
        return None
    return {"therapy": found.therapy, "assessment": found.assessment, "total": found.total}


def _detail(application: AsfApplication) -> dict[str, Any]:
    summary = selectors.application_summary(application, today=timezone.localdate())
    application.eligibility = {  # type: ignore[attr-defined]
        "eligible": summary.eligibility.eligible,
        "basis": summary.eligibility.basis if summary.eligibility.eligible else "",
        "reasons": list(summary.eligibility.reasons),
    }
    application.limit = summary.limit  # type: ignore[attr-defined]
    application.left_before = _left(summary.left_before)  # type: ignore[attr-defined]
    application.left_after = _left(summary.left_after)  # type: ignore[attr-defined]
    application.must_end_on = summary.must_end_on  # type: ignore[attr-defined]
    application.refusals = summary.refusals.by_field  # type: ignore[attr-defined]
    return AsfApplicationDetailOutput(application).data


# --- filters -------------------------------------------------------------------------------------------------


class AsfApplicationFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=S.choices)
    financial_year = django_filters.NumberFilter(min_value=2000, max_value=2100)
    therapy = django_filters.ChoiceFilter(choices=TherapyType.choices)
    child = django_filters.NumberFilter(field_name="child_id", min_value=1)
    la_child_id = django_filters.CharFilter(field_name="child__la_child_id")
    updated_since = django_filters.IsoDateTimeFilter(field_name="updated_at", lookup_expr="gte")

    class Meta:
        model = AsfApplication
        fields = ["status", "financial_year", "therapy", "child", "la_child_id", "updated_since"]


LIST_PARAMETERS = [
    OpenApiParameter("status", OpenApiTypes.STR, enum=list(S.values), description="Only applications in this status."),
    OpenApiParameter(
        "financial_year",
        OpenApiTypes.INT,
        description="Only work starting in this financial year, by its first year: 2025 for 2025-26.",
    ),
    OpenApiParameter("therapy", OpenApiTypes.STR, enum=list(TherapyType.values), description="Only this therapy."),
    OpenApiParameter("child", OpenApiTypes.INT, description="Only this child's applications (their id)."),
    OpenApiParameter("la_child_id", OpenApiTypes.STR, description="Only the child with this LA child ID."),
    OpenApiParameter("updated_since", OpenApiTypes.DATETIME, description="Only applications changed since then."),
    OpenApiParameter("page", OpenApiTypes.INT, description="Page number, from 1."),
    OpenApiParameter("page_size", OpenApiTypes.INT, description="Results per page (at most 200)."),
]

APPLICATION_EXAMPLE = {
    "id": 318,
    "la": "E08000026",
    "child_id": 1803,
    "child": {"id": 1803, "la_child_id": "LA004211"},
    "request_id": 77,
    "status": "submitted",
    "basis": "adopted",
    "therapy": "theraplay",
    "specialist_assessment": False,
    "provider": "Family Futures Therapy",
    "sessions": 12,
    "cost": "1500.00",
    "match_funding": "0.00",
    "work_starts_on": "2025-05-06",
    "work_ends_on": "2025-12-16",
    "financial_year": "2025-26",
    "ehc_plan": False,
    "intercountry": False,
    "submitted_on": "2025-04-28",
    "decided_on": None,
    "rejection_reason": "",
    "invoiced_on": None,
    "paid_on": None,
    "updated_at": "2025-04-28T10:12:03Z",
}

DETAIL_EXAMPLE = {
    **APPLICATION_EXAMPLE,
    "eligibility": {"eligible": True, "basis": "adopted", "reasons": []},
    "limit": {
        "effective_from": "2025-04-01",
        "fair_access_limit": "3000.00",
        "specialist_assessment_limit": None,
        "match_funding": False,
        "work_within_year": True,
    },
    "left_before": {"therapy": "3000.00", "assessment": None, "total": "3000.00"},
    "left_after": {"therapy": "1500.00", "assessment": None, "total": "1500.00"},
    "must_end_on": "2025-12-16",
    "refusals": {},
}
DRAFT_EXAMPLE = {**DETAIL_EXAMPLE, "status": "draft", "basis": "", "submitted_on": None}

_OVER = (
    "£1,000 is left for Amelia in 2025-26 and this application asks the fund for £1,500: the limit is £3,000 a "
    "year, specialist assessments included (from April 2025)"
)
OVER_LIMIT_EXAMPLE = OpenApiExample(
    "Over the limit",
    value={"message": _OVER, "extra": {"fields": {"cost": [_OVER]}}},
    response_only=True,
    status_codes=["400"],
)


# --- views ---------------------------------------------------------------------------------------------------


class AsfApplicationListApi(AsfApi):
    class CreateInput(serializers.Serializer):
        la = serializers.CharField(
            required=False,
            help_text="ONS code of the LA that applies; may be left out by an actor who works on one LA's support.",
        )
        child_id = serializers.IntegerField(min_value=1, help_text="The child's id in the children API.")
        request_id = serializers.IntegerField(
            min_value=1, required=False, allow_null=True, help_text="The support request it comes from, if any."
        )
        therapy = serializers.ChoiceField(choices=TherapyType.choices)
        specialist_assessment = serializers.BooleanField(default=False)
        provider = serializers.CharField(max_length=200)
        sessions = serializers.IntegerField(min_value=1, max_value=1000)
        cost = serializers.DecimalField(max_digits=9, decimal_places=2, help_text="The whole cost, in pounds.")
        match_funding = serializers.DecimalField(
            max_digits=9,
            decimal_places=2,
            default=Decimal("0.00"),
            help_text="The LA's part, where the year's rule allows it.",
        )
        work_starts_on = serializers.DateField(help_text="Sets the financial year.")
        work_ends_on = serializers.DateField()
        ehc_plan = serializers.BooleanField(default=False)
        intercountry = serializers.BooleanField(default=False)

    @extend_schema(
        operation_id="asf_applications_list",
        summary="List the LA's ASF applications",
        description="Applications to the Adoption Support Fund made by the LA (or the LAs the actor works on).",
        parameters=LIST_PARAMETERS,
        responses={
            200: paginated("PaginatedAsfApplicationList", AsfApplicationOutput(many=True)),
            **_errors(
                400,
                401,
                403,
                e400="A filter or the page is not valid: `extra.fields` says which.",
                e403="The actor's role does not work on adoption support.",
            ),
        },
        examples=[page_example("A page with one application", APPLICATION_EXAMPLE)],
    )
    def get(self, request: Request) -> Response:
        found = filtered(AsfApplicationFilter, request, selectors.asf_application_list(actor=request.user))
        return page_answer(self, request, found, lambda page: AsfApplicationOutput(page, many=True).data)

    @extend_schema(
        operation_id="asf_applications_create",
        summary="Make a draft ASF application",
        description=(
            "A draft for one of the actor's LAs, for a child whose record the actor may see. Nothing is checked "
            "against the fund's limits until it is submitted. An LA named that the actor does not work on answers "
            "404. Drafts are made by staff: an LA's API client is answered 403."
        ),
        request=CreateInput,
        responses={
            201: AsfApplicationDetailOutput,
            **_errors(400, 401, 403, 404, e404="No such LA, or not one of the actor's."),
        },
        examples=[
            OpenApiExample(
                "Theraplay for a child",
                value={
                    "child_id": 1803,
                    "therapy": "theraplay",
                    "provider": "Family Futures Therapy",
                    "sessions": 12,
                    "cost": "1500.00",
                    "work_starts_on": "2025-05-06",
                    "work_ends_on": "2025-12-16",
                },
                request_only=True,
            ),
            answer_example("The draft", DRAFT_EXAMPLE, 201),
        ],
    )
    def post(self, request: Request) -> Response:
        body = request.data
        la_id = _la_id(request.user, body.get("la") if isinstance(body, dict) else None)
        data = self.CreateInput(data=request.data)
        data.is_valid(raise_exception=True)
        fields = {k: v for k, v in data.validated_data.items() if k != "la"}
        application = services.asf_application_create(actor=request.user, la_id=la_id, **fields)
        found = selectors.asf_application_get(actor=request.user, application_id=application.pk, record_read=False)
        return Response(_detail(found), status=status.HTTP_201_CREATED)


def _la_id(actor: Any, ons_code: Any) -> int:
    """The LA a new application is for: the one named (404 if the actor does not work on its support), or the
    actor's only one."""
    if ons_code:
        la = Organisation.objects.filter(
            ons_code=str(ons_code), kind=Organisation.Kind.LA, id__in=access.reader_la_ids(actor)
        ).first()
        if la is None:
            raise Http404("No such local authority.")
        return la.pk
    writable = sorted(access.writer_la_ids(actor))
    if not writable:
        raise DjangoPermissionDenied("Your role cannot change adoption support records.")
    if len(writable) > 1:
        raise serializers.ValidationError({"la": ["Give the LA's ONS code: you work on more than one LA's support."]})
    return writable[0]


class AsfApplicationDetailApi(AsfApi):
    etag = True

    @extend_schema(
        operation_id="asf_applications_retrieve",
        summary="Read one ASF application",
        description="With the child's eligibility, the year's rule and what is left for the child. Every read is "
        "recorded in the audit trail.",
        responses={200: AsfApplicationDetailOutput, **_errors(401, 404)},
        examples=[answer_example("A submitted application", DETAIL_EXAMPLE)],
    )
    def get(self, request: Request, application_id: int) -> Response:
        application = selectors.asf_application_get(actor=request.user, application_id=application_id)
        return Response(_detail(application))


class AsfApplicationSubmitApi(AsfApi):
    """Made only to the version an ``If-Match`` names, if one is sent."""

    conditional = (AsfApplication, "application_id")

    def current_representation(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        found = selectors.asf_application_get(
            actor=request.user, application_id=kwargs["application_id"], record_read=False
        )
        return _detail(found)

    @extend_schema(
        operation_id="asf_applications_submit",
        summary="Submit a draft to the fund",
        description=(
            "Checks every rule of the fund for the application's year with the application counted: the child's "
            "eligibility, what is left for the child, match funding, a specialist assessment's allowance and work "
            "finished within the year. A refusal answers 400 with the reasons in `message` and each on its field "
            "in `extra.fields`, and changes nothing."
        ),
        request=None,
        responses={200: AsfApplicationDetailOutput, **_errors(400, 401, 403, 404)},
        examples=[answer_example("Submitted", DETAIL_EXAMPLE), OVER_LIMIT_EXAMPLE],
    )
    def post(self, request: Request, application_id: int) -> Response:
        services.asf_application_submit(actor=request.user, application_id=application_id)
        application = selectors.asf_application_get(
            actor=request.user, application_id=application_id, record_read=False
        )
        return Response(_detail(application))


urlpatterns: list[URLPattern | URLResolver] = [
    path("", AsfApplicationListApi.as_view(), name="api-asf-applications-list"),
    path("<int:application_id>/", AsfApplicationDetailApi.as_view(), name="api-asf-applications-detail"),
    path("<int:application_id>/submit/", AsfApplicationSubmitApi.as_view(), name="api-asf-applications-submit"),
]
