"""The LA API's sibling groups, matches and adoptive placements (read only), of the LA's children only.

Each is seen through its children: another LA's group, match or placement answers 404, exactly as one that does
not exist. A read of one record is audited; a list records nothing per row (as the children list). Children are
named by id and the LA's own child ID; a family (household) by its id only: seeing a match does not open the
family's record.
"""

from __future__ import annotations

from typing import Any

import django_filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from adoption.api import answer_example, filtered, page_answer, page_example, paginated
from children.api import ChildrenApiView, errors
from children.models import AdoptivePlacement, Match, SiblingGroup
from children.selectors import api as api_selectors
from children.selectors.matches import match_get, match_list

PAGE_PARAMETERS = [
    OpenApiParameter("page", OpenApiTypes.INT, description="Page number, from 1."),
    OpenApiParameter("page_size", OpenApiTypes.INT, description="Results per page (at most 200)."),
]


def _codes(choices: list[tuple[str, str]]) -> str:
    return "; ".join(f"`{code}` ({label})" for code, label in choices) + "."


class ChildRef(serializers.Serializer):
    id = serializers.IntegerField(help_text="The child's id in the children API.")
    la_child_id = serializers.CharField(help_text="The LA's own child ID.")


# --- sibling groups --------------------------------------------------------------------------------------------


class SiblingGroupOutput(serializers.Serializer):
    id = serializers.IntegerField()
    responsible_la = serializers.CharField(source="responsible_la.ons_code", help_text="ONS code of the LA.")
    name = serializers.CharField()
    plan = serializers.CharField(help_text=_codes(SiblingGroup.Plan.choices))
    assessed_on = serializers.DateField(allow_null=True)
    assessment_outcome = serializers.CharField(help_text=_codes(SiblingGroup.AssessmentOutcome.choices))
    children = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    @extend_schema_field(ChildRef(many=True))
    def get_children(self, group: SiblingGroup) -> list[dict[str, Any]]:
        return [ChildRef(member.child).data for member in group.members.all()]


class SiblingGroupFilter(django_filters.FilterSet):
    plan = django_filters.ChoiceFilter(choices=SiblingGroup.Plan.choices)
    child = django_filters.NumberFilter(field_name="members__child_id", min_value=1)
    ordering = django_filters.OrderingFilter(fields=(("created_at", "created_at"), ("name", "name"), ("id", "id")))

    class Meta:
        model = SiblingGroup
        fields = ["plan", "child"]


GROUP_EXAMPLE = {
    "id": 12,
    "responsible_la": "E08000026",
    "name": "Example siblings",
    "plan": "together",
    "assessed_on": "2023-05-02",
    "assessment_outcome": "together",
    "children": [{"id": 1803, "la_child_id": "LA004211"}, {"id": 1804, "la_child_id": "LA004212"}],
    "created_at": "2023-05-03T09:00:00Z",
}


class SiblingGroupListApi(ChildrenApiView):
    @extend_schema(
        operation_id="sibling_groups_list",
        summary="List the LA's sibling groups",
        parameters=[
            OpenApiParameter("plan", OpenApiTypes.STR, enum=list(SiblingGroup.Plan.values)),
            OpenApiParameter("child", OpenApiTypes.INT, description="Only the group of this child (their id)."),
            OpenApiParameter("ordering", OpenApiTypes.STR, description="`created_at`, `name` or `id`; `-` reverses."),
            *PAGE_PARAMETERS,
        ],
        responses={200: paginated("PaginatedSiblingGroupList", SiblingGroupOutput(many=True)), **errors(400, 401, 403)},
        examples=[page_example("A page with one sibling group", GROUP_EXAMPLE)],
    )
    def get(self, request: Request) -> Response:
        groups = filtered(SiblingGroupFilter, request, api_selectors.sibling_group_list(actor=request.user))
        return page_answer(self, request, groups, lambda page: SiblingGroupOutput(page, many=True).data)


class SiblingGroupDetailApi(ChildrenApiView):
    etag = True

    @extend_schema(
        operation_id="sibling_groups_retrieve",
        summary="Read one sibling group",
        responses={200: SiblingGroupOutput, **errors(401, 404)},
        examples=[answer_example("A sibling group", GROUP_EXAMPLE)],
    )
    def get(self, request: Request, group_id: int) -> Response:
        group = api_selectors.sibling_group_detail(actor=request.user, group_id=group_id)
        return Response(SiblingGroupOutput(group).data)


# --- matches ---------------------------------------------------------------------------------------------------


class MatchChildOutput(serializers.Serializer):
    id = serializers.IntegerField(source="child.id", help_text="The child's id in the children API.")
    la_child_id = serializers.CharField(source="child.la_child_id")
    placement_id = serializers.IntegerField(source="id", help_text="The child's placement in the placements API.")
    matched_on = serializers.DateField()
    placed_on = serializers.DateField(allow_null=True)
    ended_on = serializers.DateField(allow_null=True)


class MatchOutput(serializers.Serializer):
    id = serializers.IntegerField()
    household_id = serializers.IntegerField(help_text="The family's id (the family's record is its agency's).")
    sibling_group_id = serializers.IntegerField(allow_null=True)
    panel_on = serializers.DateField(allow_null=True)
    panel_recommendation = serializers.CharField(help_text=_codes(Match.Recommendation.choices) + " Blank: none yet.")
    decided_on = serializers.DateField(allow_null=True, help_text="The agency decision (the date of the match).")
    placement_report_status = serializers.CharField(help_text=_codes(Match.ReportStatus.choices))
    support_plan_status = serializers.CharField(help_text=_codes(Match.ReportStatus.choices))
    inter_agency = serializers.BooleanField()
    fee_amount = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True)
    children = MatchChildOutput(many=True, source="placements.all")


class MatchFilter(django_filters.FilterSet):
    matched_from = django_filters.DateFilter(field_name="decided_on", lookup_expr="gte")
    matched_to = django_filters.DateFilter(field_name="decided_on", lookup_expr="lte")
    child = django_filters.NumberFilter(field_name="placements__child_id", min_value=1)
    inter_agency = django_filters.BooleanFilter()
    ordering = django_filters.OrderingFilter(fields=(("decided_on", "matched_on"), ("id", "id")))

    class Meta:
        model = Match
        fields = ["matched_from", "matched_to", "child", "inter_agency"]


MATCH_EXAMPLE = {
    "id": 40,
    "household_id": 7,
    "sibling_group_id": None,
    "panel_on": "2023-10-20",
    "panel_recommendation": "recommended",
    "decided_on": "2023-11-01",
    "placement_report_status": "completed",
    "support_plan_status": "completed",
    "inter_agency": False,
    "fee_amount": None,
    "children": [
        {
            "id": 1803,
            "la_child_id": "LA004211",
            "placement_id": 55,
            "matched_on": "2023-11-01",
            "placed_on": None,
            "ended_on": None,
        }
    ],
}


class MatchListApi(ChildrenApiView):
    @extend_schema(
        operation_id="matches_list",
        summary="List the matches of the LA's children",
        parameters=[
            OpenApiParameter("matched_from", OpenApiTypes.DATE, description="Only matches decided on or after."),
            OpenApiParameter("matched_to", OpenApiTypes.DATE, description="Only matches decided on or before."),
            OpenApiParameter("child", OpenApiTypes.INT, description="Only this child's matches (their id)."),
            OpenApiParameter("inter_agency", OpenApiTypes.BOOL),
            OpenApiParameter("ordering", OpenApiTypes.STR, description="`matched_on` or `id`; `-` reverses."),
            *PAGE_PARAMETERS,
        ],
        responses={200: paginated("PaginatedMatchList", MatchOutput(many=True)), **errors(400, 401, 403)},
        examples=[page_example("A page with one match", MATCH_EXAMPLE)],
    )
    def get(self, request: Request) -> Response:
        matches = filtered(MatchFilter, request, match_list(actor=request.user)).distinct()
        return page_answer(self, request, matches, lambda page: MatchOutput(page, many=True).data)


class MatchDetailApi(ChildrenApiView):
    etag = True

    @extend_schema(
        operation_id="matches_retrieve",
        summary="Read one match",
        responses={200: MatchOutput, **errors(401, 404)},
        examples=[answer_example("A match", MATCH_EXAMPLE)],
    )
    def get(self, request: Request, match_id: int) -> Response:
        return Response(MatchOutput(match_get(actor=request.user, match_id=match_id)).data)


# --- placements ------------------------------------------------------------------------------------------------


class PlacementOutput(serializers.Serializer):
    id = serializers.IntegerField()
    child = ChildRef()
    match_id = serializers.IntegerField(allow_null=True)
    household_id = serializers.IntegerField(allow_null=True)
    matched_on = serializers.DateField(help_text="903 AD1 DATE_MATCH.")
    placed_on = serializers.DateField(allow_null=True, help_text="Moved in with the adoptive family.")
    with_foster_carers = serializers.BooleanField()
    moved_in_with_carers_on = serializers.DateField(allow_null=True)
    adoption_applied_on = serializers.DateField(allow_null=True)
    ended_on = serializers.DateField(allow_null=True, help_text="Ended before an adoption order (a disruption).")
    disrupted = serializers.SerializerMethodField()

    def get_disrupted(self, placement: AdoptivePlacement) -> bool:
        return placement.ended_on is not None


class PlacementFilter(django_filters.FilterSet):
    child = django_filters.NumberFilter(field_name="child_id", min_value=1)
    matched_from = django_filters.DateFilter(field_name="matched_on", lookup_expr="gte")
    matched_to = django_filters.DateFilter(field_name="matched_on", lookup_expr="lte")
    placed_from = django_filters.DateFilter(field_name="placed_on", lookup_expr="gte")
    placed_to = django_filters.DateFilter(field_name="placed_on", lookup_expr="lte")
    current = django_filters.BooleanFilter(field_name="ended_on", lookup_expr="isnull")
    ordering = django_filters.OrderingFilter(
        fields=(("matched_on", "matched_on"), ("placed_on", "placed_on"), ("id", "id"))
    )

    class Meta:
        model = AdoptivePlacement
        fields = ["child", "matched_from", "matched_to", "placed_from", "placed_to", "current"]


PLACEMENT_EXAMPLE = {
    "id": 55,
    "child": {"id": 1803, "la_child_id": "LA004211"},
    "match_id": 40,
    "household_id": 7,
    "matched_on": "2023-11-01",
    "placed_on": "2023-12-04",
    "with_foster_carers": False,
    "moved_in_with_carers_on": None,
    "adoption_applied_on": None,
    "ended_on": None,
    "disrupted": False,
}


class PlacementListApi(ChildrenApiView):
    @extend_schema(
        operation_id="placements_list",
        summary="List the adoptive placements of the LA's children",
        parameters=[
            OpenApiParameter("child", OpenApiTypes.INT, description="Only this child's placements (their id)."),
            OpenApiParameter("matched_from", OpenApiTypes.DATE),
            OpenApiParameter("matched_to", OpenApiTypes.DATE),
            OpenApiParameter("placed_from", OpenApiTypes.DATE),
            OpenApiParameter("placed_to", OpenApiTypes.DATE),
            OpenApiParameter("current", OpenApiTypes.BOOL, description="true: not ended; false: ended (disrupted)."),
            OpenApiParameter("ordering", OpenApiTypes.STR, description="`matched_on`, `placed_on` or `id`."),
            *PAGE_PARAMETERS,
        ],
        responses={200: paginated("PaginatedPlacementList", PlacementOutput(many=True)), **errors(400, 401, 403)},
        examples=[page_example("A page with one placement", PLACEMENT_EXAMPLE)],
    )
    def get(self, request: Request) -> Response:
        placements = filtered(PlacementFilter, request, api_selectors.placement_list(actor=request.user))
        return page_answer(self, request, placements, lambda page: PlacementOutput(page, many=True).data)


class PlacementDetailApi(ChildrenApiView):
    etag = True

    @extend_schema(
        operation_id="placements_retrieve",
        summary="Read one adoptive placement",
        responses={200: PlacementOutput, **errors(401, 404)},
        examples=[answer_example("A placement", PLACEMENT_EXAMPLE)],
    )
    def get(self, request: Request, placement_id: int) -> Response:
        placement = api_selectors.placement_get(actor=request.user, placement_id=placement_id)
        return Response(PlacementOutput(placement).data)
