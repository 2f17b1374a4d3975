"""The LA API's children endpoints: thin views over the same selectors as the pages."""

from __future__ import annotations

from datetime import date

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from adoption.api import ERROR, Pagination, paginated
from adoption.api_conventions import ApiView
from children import selectors
from children.filters import ChildFilter
from children.journey import Stage, days_waiting, stage_of


class ChildOutput(serializers.Serializer):
    id = serializers.IntegerField()
    responsible_la = serializers.CharField(source="responsible_la.ons_code", help_text="ONS code of the LA.")
    la_child_id = serializers.CharField()
    child_903_id = serializers.CharField()
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    expected_date_of_birth = serializers.DateField(allow_null=True)
    sex = serializers.CharField(help_text="903 SEX: M male, F female, U not known; blank when not recorded.")
    ethnicity = serializers.CharField(help_text="903 ETHNIC code.")
    stage = serializers.ChoiceField(choices=Stage.choices)
    entered_care_on = serializers.DateField(
        source="entered_care_known_on",
        allow_null=True,
        help_text="The start of the period of care; null when it began before the 903 returns imported.",
    )
    entered_care_before_records = serializers.BooleanField(
        help_text="True when the period of care began before the 903 returns imported (its start is not known).",
    )
    decision_on = serializers.DateField(allow_null=True)
    placement_order_on = serializers.DateField(allow_null=True)
    matched_on = serializers.DateField(allow_null=True)
    placed_on = serializers.DateField(allow_null=True)
    adoption_order_on = serializers.DateField(allow_null=True)
    days_waiting = serializers.IntegerField(allow_null=True)
    updated_at = serializers.DateTimeField()

    def to_representation(self, child):
        return super().to_representation(_with_journey(child))


PAGINATED_CHILDREN = paginated("PaginatedChildList", ChildOutput(many=True))
LIST_PARAMETERS = [
    OpenApiParameter("la_child_id", OpenApiTypes.STR, description="The LA's own child ID."),
    OpenApiParameter("child_903_id", OpenApiTypes.STR, description="The SSDA903 CHILD identifier."),
    OpenApiParameter("updated_since", OpenApiTypes.DATETIME, description="Only children changed since then."),
    OpenApiParameter("page", OpenApiTypes.INT, description="Page number, from 1."),
    OpenApiParameter("page_size", OpenApiTypes.INT, description="Results per page (at most 200)."),
]


def _with_journey(child):
    dates = selectors.journey_dates(child)
    child.stage = stage_of(dates)
    child.entered_care_before_records = bool(getattr(child, "entered_care_before_records", False))
    child.entered_care_known_on = None if child.entered_care_before_records else dates.entered_care_on
    child.days_waiting = days_waiting(dates, date.today())
    return child


class ChildListApi(ApiView):
    @extend_schema(
        operation_id="children_list",
        summary="List the LA's children",
        parameters=LIST_PARAMETERS,
        responses={
            200: PAGINATED_CHILDREN,
            400: OpenApiResponse(ERROR),
            401: OpenApiResponse(ERROR),
            403: OpenApiResponse(ERROR),
        },
    )
    def get(self, request: Request) -> Response:
        filters = ChildFilter(request.query_params, queryset=selectors.child_list(actor=request.user))
        if not filters.is_valid():
            raise serializers.ValidationError(filters.errors)
        children = filters.qs
        paginator = Pagination()
        page: list | None = paginator.paginate_queryset(children, request, view=self)
        return paginator.get_paginated_response(ChildOutput(page, many=True).data)


class ChildDetailApi(ApiView):
    etag = True

    @extend_schema(
        operation_id="children_retrieve",
        summary="Read one child",
        responses={200: ChildOutput, 401: OpenApiResponse(ERROR), 404: OpenApiResponse(ERROR)},
    )
    def get(self, request: Request, child_id: int) -> Response:
        child = selectors.child_get(actor=request.user, child_id=child_id)
        return Response(ChildOutput(child).data)
