"""The LA API's children endpoints: thin views over the same selectors and services as the pages.

An LA's API client reads, creates and changes its own LA's children (``children:read`` / ``children:write``);
another LA's child answers 404, exactly as one that does not exist. Writes go through ``children.services``
(``child_create``, ``child_update``), so the pages' rules and words apply: a refused change answers 400 in the one
error shape, ``message`` giving the reasons and ``extra.fields`` each on its field. A change (PATCH) must send
``If-Match`` with the ETag of the child as last read.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable
from datetime import date
from typing import Any

import django_filters
from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from adoption import api, tenancy
from adoption.api import answer_example, error_responses, filtered, page_answer, page_example, paginated
from adoption.api_conventions import ApiView, etag_of
from adoption.codes import Ethnicity
from adoption.models import ApiClient, Organisation
from children import selectors, services
from children.filters import ChildFilter
from children.journey import Stage, days_waiting, stage_of
from children.models import Child, Sex

# --- errors ----------------------------------------------------------------------------------------------------


class ChildrenApiView(ApiView):
    """The children API's views: a service's refusal answers with its own words."""

    def get_exception_handler(self):
        return api.service_exception_handler

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        # Another LA's child is 404 on every operation: before If-Match is asked for (428) or the body is read.
        if "child_id" in kwargs and request.method not in ("GET", "HEAD", "OPTIONS"):
            visible = tenancy.scope_children(Child.objects.filter(pk=kwargs["child_id"]), request.user)
            if not visible.exists():
                raise Http404("No such child.")


ERROR_WORDS = {
    400: "The request has invalid fields, or the journey's rules refuse the change: `message` says why.",
    401: "No valid token and not signed in.",
    403: "The client lacks the scope, or the signed-in user's role cannot make this change.",
    404: "No such record, or another LA's.",
}


def errors(*codes: int) -> dict[int, OpenApiResponse]:
    return error_responses(ERROR_WORDS, *codes)


def refused_example(field: str, words: str) -> OpenApiExample:
    return OpenApiExample(
        "Refused by the journey's rules",
        value={"message": words, "extra": {"fields": {field: [words]}}},
        status_codes=["400"],
        response_only=True,
    )


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
        # Each field read and written by its own ``to_representation``, as the serializer's would, without its
        # per-field lookups: a page of 200 children is 4,200 fields (25 took 2.1 ms, half of it in that machinery).
        child = _with_journey(child)
        return {
            name: None if (value := read(child)) is None else represent(value) for name, read, represent in self._plan
        }

    @functools.cached_property
    def _plan(self) -> list[tuple[str, Callable[[Any], Any], Callable[[Any], Any]]]:
        """Each field's name, how to read its value from a child (its ``source``, dotted or not) and its
        ``to_representation``: the serializer's own fields, bound once (a list serializer shares one child)."""
        return [
            (str(field.field_name), operator.attrgetter(str(field.source)), field.to_representation)
            for field in self._readable_fields
        ]


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


# --- filters ---------------------------------------------------------------------------------------------------


class ChildApiFilter(ChildFilter):
    """The list's filters: the pages' (``children.filters``) and the journey's dates, with ordering."""

    waiting = django_filters.BooleanFilter(
        method="filter_waiting", help_text="true: only children waiting (a decision, not yet placed or adopted)."
    )
    decision_from = django_filters.DateFilter(field_name="decision_on", lookup_expr="gte")
    decision_to = django_filters.DateFilter(field_name="decision_on", lookup_expr="lte")
    born_from = django_filters.DateFilter(field_name="date_of_birth", lookup_expr="gte")
    born_to = django_filters.DateFilter(field_name="date_of_birth", lookup_expr="lte")
    ordering = django_filters.OrderingFilter(
        fields=(
            ("la_child_id", "la_child_id"),
            ("date_of_birth", "date_of_birth"),
            ("decision_on", "decision_on"),
            ("updated_at", "updated_at"),
            ("id", "id"),
        )
    )

    class Meta(ChildFilter.Meta):
        fields = [*ChildFilter.Meta.fields, "waiting", "decision_from", "decision_to", "born_from", "born_to"]

    def filter_waiting(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(waiting_since__isnull=not value)


LIST_PARAMETERS = [
    *LIST_PARAMETERS,
    OpenApiParameter("waiting", OpenApiTypes.BOOL, description="true: only children waiting for a family."),
    OpenApiParameter("decision_from", OpenApiTypes.DATE, description="Only decisions on or after this date."),
    OpenApiParameter("decision_to", OpenApiTypes.DATE, description="Only decisions on or before this date."),
    OpenApiParameter("born_from", OpenApiTypes.DATE, description="Only children born on or after this date."),
    OpenApiParameter("born_to", OpenApiTypes.DATE, description="Only children born on or before this date."),
    OpenApiParameter(
        "ordering",
        OpenApiTypes.STR,
        description="Sort by `la_child_id`, `date_of_birth`, `decision_on`, `updated_at` or `id`; `-` before it "
        "for the reverse.",
    ),
]


# --- writes ----------------------------------------------------------------------------------------------------


class ChildInput(serializers.Serializer):
    """A child's own details (``children.services.CHILD_DETAIL_FIELDS``)."""

    la_child_id = serializers.CharField(max_length=50, required=False, allow_blank=True)
    child_903_id = serializers.CharField(max_length=10, required=False, allow_blank=True)
    upn = serializers.CharField(max_length=13, required=False, allow_blank=True)
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    expected_date_of_birth = serializers.DateField(
        required=False, allow_null=True, help_text="For an unborn baby: the expected date of birth."
    )
    sex = serializers.ChoiceField(choices=Sex.choices, required=False, allow_blank=True)
    ethnicity = serializers.ChoiceField(choices=Ethnicity.choices, required=False)
    has_disability = serializers.BooleanField(required=False)
    is_uasc = serializers.BooleanField(required=False)


class ChildCreateInput(ChildInput):
    responsible_la = serializers.CharField(
        required=False,
        help_text="ONS code of the LA responsible for the child; an LA's API client may leave it out (its own LA).",
    )


class ChildUpdateInput(ChildInput):
    """Only the fields sent are changed."""


CHILD_EXAMPLE = {
    "id": 1803,
    "responsible_la": "E08000026",
    "la_child_id": "LA004211",
    "child_903_id": "C4211",
    "first_name": "Ava",
    "last_name": "Example",
    "date_of_birth": "2022-03-14",
    "expected_date_of_birth": None,
    "sex": "F",
    "ethnicity": "WBRI",
    "stage": "placement_order",
    "entered_care_on": "2023-01-05",
    "entered_care_before_records": False,
    "decision_on": "2023-06-01",
    "placement_order_on": "2023-09-12",
    "matched_on": None,
    "placed_on": None,
    "adoption_order_on": None,
    "days_waiting": 540,
    "updated_at": "2024-11-20T10:15:00Z",
}


def _la_id(request: Request, code: str | None) -> int:
    """The LA a new child is for: the ONS code given, or an LA's API client's own LA. 404 for one not seen."""
    if not code:
        if isinstance(request.user, ApiClient):
            return request.user.organisation_id
        raise exceptions.ValidationError({"responsible_la": ["Give the ONS code of the child's LA."]})
    la_id = Organisation.objects.filter(ons_code=code, kind=Organisation.Kind.LA).values_list("pk", flat=True).first()
    if la_id is None or not tenancy.scope_for(request.user).sees_la(la_id):
        raise Http404("No such local authority.")
    return la_id


def _child_data(child_id: int, request: Request) -> dict[str, Any]:
    child = selectors.with_list_annotations(Child.objects.select_related("responsible_la")).get(pk=child_id)
    return ChildOutput(child).data


class ChildListApi(ChildrenApiView):
    @extend_schema(
        operation_id="children_list",
        summary="List the LA's children",
        parameters=LIST_PARAMETERS,
        responses={200: PAGINATED_CHILDREN, **errors(400, 401, 403)},
        examples=[page_example("A page with one child", CHILD_EXAMPLE)],
    )
    def get(self, request: Request) -> Response:
        children = filtered(ChildApiFilter, request, selectors.child_list(actor=request.user, dates_only=True))
        return page_answer(self, request, children, lambda page: ChildOutput(page, many=True).data)

    @extend_schema(
        operation_id="children_create",
        summary="Record a new child",
        description="Through the same service as the new child page: the same checks (IDs unique in the LA, a "
        "date of birth not in the future) and words.",
        request=ChildCreateInput,
        responses={201: ChildOutput, **errors(400, 401, 403, 404)},
        examples=[
            answer_example("A child", CHILD_EXAMPLE, 201),
            refused_example(
                "la_child_id", "A child with this LA child ID is already recorded for this local authority"
            ),
        ],
    )
    def post(self, request: Request) -> Response:
        given = ChildCreateInput(data=request.data)
        given.is_valid(raise_exception=True)
        fields = dict(given.validated_data)
        la_id = _la_id(request, fields.pop("responsible_la", None))
        child = services.child_create(actor=request.user, responsible_la_id=la_id, **fields)
        data = _child_data(child.pk, request)
        return Response(
            data,
            status=status.HTTP_201_CREATED,
            headers={"Location": f"{request.path}{child.pk}/", "ETag": etag_of(data)},
        )


class ChildDetailApi(ChildrenApiView):
    etag = True
    conditional = (Child, "child_id")

    def current_representation(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        return ChildOutput(selectors.child_get(actor=request.user, child_id=kwargs["child_id"])).data

    @extend_schema(
        operation_id="children_retrieve",
        summary="Read one child",
        responses={200: ChildOutput, **errors(401, 404)},
        examples=[answer_example("A child", CHILD_EXAMPLE)],
    )
    def get(self, request: Request, child_id: int) -> Response:
        child = selectors.child_get(actor=request.user, child_id=child_id)
        return Response(ChildOutput(child).data)

    @extend_schema(
        operation_id="children_partial_update",
        summary="Change a child's details",
        description="Only the fields sent change. Through the same service as the child's details page.",
        request=ChildUpdateInput,
        responses={200: ChildOutput, **errors(400, 401, 403, 404)},
        examples=[
            answer_example("A child", CHILD_EXAMPLE),
            refused_example("date_of_birth", "The date of birth cannot be in the future"),
        ],
    )
    def patch(self, request: Request, child_id: int) -> Response:
        given = ChildUpdateInput(data=request.data, partial=True)
        given.is_valid(raise_exception=True)
        services.child_update(actor=request.user, child_id=child_id, **given.validated_data)
        data = _child_data(child_id, request)
        return Response(data, headers={"ETag": etag_of(data)})
