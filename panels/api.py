"""The LA API's panel items: the panel business about an LA's children, read-only.

A local authority's systems follow what the RAA's adoption panel made of its children's cases: the
match of a child (or of brothers and sisters) with a family, the plan for a relinquished child and a
disruption report. Each item says when and where the panel met, which of the LA's children it was
about (their ids and the LA's own child ids, as the children API gives them), the recommendation and
the ADM's decision with their dates and due dates, and which papers the panel had or is still waiting
for.

Scoping is the children's (``tenancy.scope_children``): an item is the LA's when one of the children it
is about is the LA's, and only the LA's own children are listed in it. An LA's API client sees its
LA's items; staff signed in to the site use the API as they use the children API, within the children
they may see. Approval and review items are about adopters, not an LA's children: they are never
listed, and reading one is 404, as is another LA's item or one that does not exist. A read of one item
is recorded in the audit trail; the list records nothing per item (as the children API).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import django_filters
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import Http404
from django.urls import URLPattern, URLResolver, path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response

from adoption import audit, tenancy
from adoption.api import ERROR, answer_example, filtered, page_answer, page_example, paginated
from adoption.api_conventions import ApiView
from adoption.models import AuditEvent
from children.models import AdoptivePlacement, Child, Link, SiblingGroupMember
from panels import selectors
from panels.models import AgendaItem, AgendaPaper, Decision, PanelMeeting, PanelSettings, PaperKind, Recommendation

# The kinds of item about an LA's children; approval and review items are about adopters.
CHILD_KINDS: tuple[str, ...] = (AgendaItem.Kind.MATCH, AgendaItem.Kind.RELINQUISHED, AgendaItem.Kind.DISRUPTION)


# --- reads -------------------------------------------------------------------------------------------------


def _in_scope(queryset: QuerySet, actor: Any, child_field: str = "child") -> QuerySet:
    return tenancy.scope_children(queryset, actor, la_field=f"{child_field}__responsible_la")


def _about_actors_children(actor: Any) -> Q:
    """Items about at least one child the actor may see, each kind through the record it is linked to.

    A match comes to panel as its link (one child, or one of a sibling group's links); once the ADM
    agrees, the match itself is set on the item too, and its placements name the children.
    """
    linked_child = _in_scope(Link.objects.filter(pk=OuterRef("link")), actor)
    linked_group = _in_scope(SiblingGroupMember.objects.filter(group=OuterRef("link__sibling_group")), actor)
    matched = _in_scope(AdoptivePlacement.objects.filter(match=OuterRef("match")), actor)
    relinquished = tenancy.scope_children(Child.objects.filter(pk=OuterRef("child")), actor)
    disrupted = _in_scope(AdoptivePlacement.objects.filter(disruption=OuterRef("disruption")), actor)
    return (
        Q(Exists(linked_child) | Exists(linked_group) | Exists(matched), kind=AgendaItem.Kind.MATCH)
        | Q(Exists(relinquished), kind=AgendaItem.Kind.RELINQUISHED)
        | Q(Exists(disrupted), kind=AgendaItem.Kind.DISRUPTION)
    )


def panel_item_list(*, actor: Any) -> QuerySet[AgendaItem]:
    """The panel items about the children the actor may see, newest meeting first, with what the output reads.

    The queries do not grow with the items: the meeting, its RAA's panel settings and the single children
    come in the one query; then one query each for the sibling groups' children and the matches' children
    (only those the actor may see) and one for the current papers.
    """
    members = _in_scope(SiblingGroupMember.objects.select_related("child"), actor).order_by("child_id")
    placements = _in_scope(AdoptivePlacement.objects.select_related("child"), actor).order_by("child_id", "id")
    papers = AgendaPaper.objects.filter(replaced_at__isnull=True).only("id", "item_id", "kind", "received_at")
    return (
        AgendaItem.objects.filter(kind__in=CHILD_KINDS)
        .filter(_about_actors_children(actor))
        .select_related(
            "meeting__raa__panel_settings",
            "link__child",
            "link__sibling_group",
            "match",
            "child",
            "disruption__placement__child",
        )
        .prefetch_related(
            Prefetch("link__sibling_group__members", queryset=members, to_attr="visible_members"),
            Prefetch("match__placements", queryset=placements, to_attr="visible_placements"),
            Prefetch("papers", queryset=papers.order_by("received_at", "id"), to_attr="current_papers"),
        )
        .order_by("-meeting__held_on", "-meeting__starts_at", "-meeting_id", "position")
    )


def panel_item_get(*, actor: Any, item_id: int) -> AgendaItem:
    """One item about the actor's children, or 404 (another LA's, an approval or review, none). Records one read."""
    item = panel_item_list(actor=actor).filter(pk=item_id).first()
    if item is None:
        raise Http404("No such panel item.")
    children = children_of(item, actor=actor)
    la_id = children[0].responsible_la_id if children else None
    audit.record(actor=actor, action=AuditEvent.Action.READ, obj=item, organisation_id=la_id)
    return item


def children_of(item: AgendaItem, *, actor: Any) -> list[Child]:
    """The children the item is about that the actor may see, by id (an item of :func:`panel_item_list`)."""
    found: list[Child] = []
    if item.kind == AgendaItem.Kind.MATCH:
        if item.link is not None:
            found.append(item.link.child)
            if item.link.sibling_group is not None:
                found += [m.child for m in item.link.sibling_group.visible_members]  # type: ignore[attr-defined]
        if item.match is not None:
            found += [p.child for p in item.match.visible_placements]  # type: ignore[attr-defined]
    elif item.kind == AgendaItem.Kind.RELINQUISHED and item.child is not None:
        found.append(item.child)
    elif item.kind == AgendaItem.Kind.DISRUPTION and item.disruption is not None:
        found.append(item.disruption.placement.child)
    scope = tenancy.scope_for(actor)
    unique = {child.pk: child for child in found if scope.sees_la(child.responsible_la_id)}
    return [unique[pk] for pk in sorted(unique)]


def _papers_due_on(meeting: PanelMeeting) -> date:
    """When the meeting's papers were due, by its RAA's settings (the agenda's own rule)."""
    try:
        settings = meeting.raa.panel_settings
    except PanelSettings.DoesNotExist:
        settings = PanelSettings(raa_id=meeting.raa_id)
    return selectors.papers_due(meeting, settings)


def _papers(item: AgendaItem) -> list[dict[str, Any]]:
    """The current version of each paper received: its kind, the day it came and whether that was late."""
    due = _papers_due_on(item.meeting)
    current: list[AgendaPaper] = item.current_papers  # type: ignore[attr-defined]
    received = [(paper.kind, timezone.localdate(paper.received_at)) for paper in current]
    return [{"kind": kind, "received_on": day, "late": day > due} for kind, day in received]


def _missing_papers(item: AgendaItem) -> list[str]:
    """The paper kinds the item needs that have no current version, in the order pages list them."""
    have = {paper.kind for paper in item.current_papers}  # type: ignore[attr-defined]
    return [kind for kind in item.required_papers if kind not in have]


# --- filters -----------------------------------------------------------------------------------------------


class Ordering:
    MEETING = "meeting_on"
    MEETING_NEWEST = "-meeting_on"
    CHOICES = ((MEETING, "Oldest meeting first"), (MEETING_NEWEST, "Newest meeting first"))


class PanelItemFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=[(k, AgendaItem.Kind(k).label) for k in CHILD_KINDS])
    meeting_from = django_filters.DateFilter(field_name="meeting__held_on", lookup_expr="gte")
    meeting_to = django_filters.DateFilter(field_name="meeting__held_on", lookup_expr="lte")
    decided = django_filters.BooleanFilter(method="filter_decided")
    child = django_filters.NumberFilter(method="filter_child", min_value=1)
    ordering = django_filters.ChoiceFilter(choices=Ordering.CHOICES, method="order")

    class Meta:
        model = AgendaItem
        fields = ["kind", "meeting_from", "meeting_to", "decided", "child", "ordering"]

    def filter_decided(self, queryset: QuerySet[AgendaItem], name: str, value: bool) -> QuerySet[AgendaItem]:
        return queryset.filter(decided_on__isnull=not value)

    def filter_child(self, queryset: QuerySet[AgendaItem], name: str, value: Any) -> QuerySet[AgendaItem]:
        child_id = int(value)
        in_group = SiblingGroupMember.objects.filter(group=OuterRef("link__sibling_group"), child_id=child_id)
        in_match = AdoptivePlacement.objects.filter(match=OuterRef("match"), child_id=child_id)
        return queryset.filter(
            Q(Q(link__child_id=child_id) | Exists(in_group) | Exists(in_match), kind=AgendaItem.Kind.MATCH)
            | Q(kind=AgendaItem.Kind.RELINQUISHED, child_id=child_id)
            | Q(kind=AgendaItem.Kind.DISRUPTION, disruption__placement__child_id=child_id)
        )

    def order(self, queryset: QuerySet[AgendaItem], name: str, value: str) -> QuerySet[AgendaItem]:
        if value == Ordering.MEETING:
            return queryset.order_by("meeting__held_on", "meeting__starts_at", "meeting_id", "position")
        return queryset  # newest first is the list's own order


# --- output ------------------------------------------------------------------------------------------------


# Codes are plain strings with their codes listed, not enums: drf-spectacular names an enum after its field, and
# other operations already have a KindEnum and a DecisionEnum of their own (a name collision fails the schema check).
def _codes(choices: list[tuple[str, str]], blank: str) -> str:
    return "; ".join(f"`{code}` ({label})" for code, label in choices) + f"; blank {blank}."


class PanelChildOutput(serializers.Serializer):
    id = serializers.IntegerField(help_text="The child's id in the children API.")
    la_child_id = serializers.CharField(help_text="The LA's own child ID.")


class PanelPaperOutput(serializers.Serializer):
    kind = serializers.CharField(help_text=_codes(PaperKind.choices, "never"))
    received_on = serializers.DateField(help_text="The day the paper (its current version) was received.")
    late = serializers.BooleanField(
        help_text="true: received after the papers were due (working days before the meeting, the RAA's setting)."
    )


class PanelItemOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="; ".join(f"`{k}` ({AgendaItem.Kind(k).label})" for k in CHILD_KINDS) + ".")
    meeting_on = serializers.DateField(source="meeting.held_on", help_text="The date of the panel meeting.")
    meeting_place = serializers.CharField(source="meeting.place", help_text="The town or venue.")
    starts_at = serializers.TimeField(help_text="When the item starts at the meeting.")
    children = PanelChildOutput(many=True, help_text="The LA's children the item is about.")
    match_id = serializers.IntegerField(
        allow_null=True, help_text="A match item's match, once the ADM's decision has recorded it; null until then."
    )
    recommendation = serializers.CharField(help_text=_codes(Recommendation.choices, "until the panel recommends"))
    recommendation_reasons = serializers.CharField(help_text="The panel's reasons; blank until it recommends.")
    decision = serializers.CharField(help_text=_codes(Decision.choices, "until the ADM decides"))
    decision_reasons = serializers.CharField(help_text="The ADM's reasons; blank until the ADM decides.")
    decided_on = serializers.DateField(allow_null=True, help_text="The date of the ADM's decision.")
    decision_due_on = serializers.DateField(
        allow_null=True, help_text="The ADM decides by then (working days from the final minutes); null until known."
    )
    told_on = serializers.DateField(allow_null=True, help_text="The day the adopters were told of the decision.")
    told_due_on = serializers.DateField(
        allow_null=True, help_text="The adopters are told by then (working days from the decision); null until known."
    )
    papers = PanelPaperOutput(
        many=True, source="papers_received", help_text="The current version of each paper received, oldest first."
    )
    missing_papers = serializers.ListField(
        child=serializers.CharField(),
        help_text="The paper kinds this kind of item needs that have not been received (codes as in `papers`).",
    )

    def to_representation(self, instance: AgendaItem) -> dict[str, Any]:
        return super().to_representation(_for_output(instance, actor=self.context["actor"]))


def _for_output(item: AgendaItem, *, actor: Any) -> AgendaItem:
    """Attach what the output reads beside the item's own fields: its children, papers and what is missing."""
    item.children = children_of(item, actor=actor)  # type: ignore[attr-defined]
    item.papers_received = _papers(item)  # type: ignore[attr-defined]
    item.missing_papers = _missing_papers(item)  # type: ignore[attr-defined]
    return item


# --- views -------------------------------------------------------------------------------------------------

ITEM_EXAMPLE = {
    "id": 412,
    "kind": "match",
    "meeting_on": "2025-06-10",
    "meeting_place": "Warwick",
    "starts_at": "10:45:00",
    "children": [{"id": 1803, "la_child_id": "LA004211"}, {"id": 1804, "la_child_id": "LA004212"}],
    "match_id": 95,
    "recommendation": "recommended",
    "recommendation_reasons": "The family can meet both children's needs, with the support plan in place.",
    "decision": "agreed",
    "decision_reasons": "I agree with the panel's recommendation and its reasons.",
    "decided_on": "2025-06-24",
    "decision_due_on": "2025-06-27",
    "told_on": None,
    "told_due_on": "2025-06-26",
    "papers": [
        {"kind": "cpr", "received_on": "2025-05-20", "late": False},
        {"kind": "apr", "received_on": "2025-05-29", "late": True},
    ],
    "missing_papers": ["support_plan"],
}

PAGINATED_ITEMS = paginated("PaginatedPanelItemList", PanelItemOutput(many=True))
LIST_PARAMETERS = [
    OpenApiParameter(
        "kind", OpenApiTypes.STR, enum=list(CHILD_KINDS), description="Only items of this kind (`match`, ...)."
    ),
    OpenApiParameter("meeting_from", OpenApiTypes.DATE, description="Only meetings on or after this date."),
    OpenApiParameter("meeting_to", OpenApiTypes.DATE, description="Only meetings on or before this date."),
    OpenApiParameter(
        "decided", OpenApiTypes.BOOL, description="true: only items the ADM has decided; false: only those not yet."
    ),
    OpenApiParameter("child", OpenApiTypes.INT, description="Only items about this child (their id)."),
    OpenApiParameter(
        "ordering",
        OpenApiTypes.STR,
        enum=[code for code, _ in Ordering.CHOICES],
        description="`-meeting_on` (the default): newest meeting first; `meeting_on`: oldest first.",
    ),
    OpenApiParameter("page", OpenApiTypes.INT, description="Page number, from 1."),
    OpenApiParameter("page_size", OpenApiTypes.INT, description="Results per page (at most 200)."),
]


class PanelItemListApi(ApiView):
    @extend_schema(
        operation_id="panel_items_list",
        summary="List the panel items about the LA's children",
        description=(
            "Matches, plans for relinquished children and disruption reports heard by the adoption panel about "
            "the LA's children. Approval and review items (about adopters) are not listed."
        ),
        parameters=LIST_PARAMETERS,
        responses={
            200: PAGINATED_ITEMS,
            400: OpenApiResponse(ERROR, description="A filter or the page is not valid: `extra.fields` says which."),
            401: OpenApiResponse(ERROR, description="No valid token and not signed in."),
        },
        examples=[page_example("A page with one match", ITEM_EXAMPLE)],
    )
    def get(self, request: Request) -> Response:
        items = filtered(PanelItemFilter, request, panel_item_list(actor=request.user))
        return page_answer(
            self, request, items, lambda page: PanelItemOutput(page, many=True, context={"actor": request.user}).data
        )


class PanelItemDetailApi(ApiView):
    etag = True

    @extend_schema(
        operation_id="panel_items_retrieve",
        summary="Read one panel item about the LA's children",
        description="Every read is recorded in the audit trail.",
        responses={
            200: PanelItemOutput,
            401: OpenApiResponse(ERROR, description="No valid token and not signed in."),
            404: OpenApiResponse(
                ERROR, description="No such item, another LA's, or an approval or review item (about adopters)."
            ),
        },
        examples=[answer_example("A match", ITEM_EXAMPLE)],
    )
    def get(self, request: Request, item_id: int) -> Response:
        item = panel_item_get(actor=request.user, item_id=item_id)
        return Response(PanelItemOutput(item, context={"actor": request.user}).data)


urlpatterns: list[URLPattern | URLResolver] = [
    path("", PanelItemListApi.as_view(), name="api-panel-items-list"),
    path("<int:item_id>/", PanelItemDetailApi.as_view(), name="api-panel-items-detail"),
]
