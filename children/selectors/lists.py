"""Lists of children: the filtered and sorted child list, its export, children waiting, the court tracker."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from adoption import audit, tenancy
from adoption.models import AuditEvent
from children import journey
from children.journey import HarderToPlace, Stage, WaitingBand, stage_of
from children.models import (
    Child,
    FamilyFindingStatus,
    ProceedingsTracking,
    SiblingGroupMember,
)
from children.selectors.dates import journey_dates, stage_expression, stage_filter, with_journey_dates


def _waiting_since() -> Case:
    """The decision date for a child who is waiting (see :func:`children.journey.is_waiting`), else NULL."""
    return Case(
        When(
            decision_on__isnull=False,
            placed_on__isnull=True,
            adoption_order_on__isnull=True,
            then=F("decision_on"),
        ),
        default=None,
    )


def with_list_annotations(queryset: QuerySet[Child], *, select: bool = True) -> QuerySet[Child]:
    """Journey dates plus what the list filters and sorts on: stage, waiting, family finding, sibling group.

    ``select=False`` makes those (not the journey dates) aliases: there to filter and sort on, computed only where
    a filter or the order uses them, and not on the rows.
    """
    annotations = {
        "journey_stage": stage_expression(),
        "waiting_since": _waiting_since(),
        "family_finding_status": Subquery(
            FamilyFindingStatus.objects.filter(child=OuterRef("pk"))
            .order_by("-status_from", "-id")
            .values("status")[:1]
        ),
        "in_sibling_group": Exists(SiblingGroupMember.objects.filter(child=OuterRef("pk"))),
        "birth_or_expected": Coalesce("date_of_birth", "expected_date_of_birth"),
    }
    with_dates = with_journey_dates(queryset)
    if not select:
        return with_dates.alias(**annotations)
    return with_dates.annotate(**annotations).select_related("sibling_membership__group")


def _band_filter(band: str, today: date, field: str = "waiting_since") -> Q:
    earliest, latest = journey.waiting_band_bounds(band, today)
    condition = Q(**{f"{field}__isnull": False})
    if earliest:
        condition &= Q(**{f"{field}__gte": earliest})
    if latest:
        condition &= Q(**{f"{field}__lte": latest})
    return condition


def _flag_filter(flag: str, today: date) -> Q:
    """One harder-to-place characteristic as a filter; agrees with :func:`children.journey.harder_to_place`."""
    if flag == HarderToPlace.AGED_5_OR_OVER:
        return Q(date_of_birth__lte=journey.years_before(today, journey.HARDER_TO_PLACE_AGE))
    if flag == HarderToPlace.MINORITY_ETHNIC:
        return ~Q(ethnicity__in=journey.WHITE_BRITISH | journey.ETHNICITY_NOT_KNOWN) & ~Q(ethnicity="")
    if flag == HarderToPlace.DISABLED:
        return Q(has_disability=True)
    if flag == HarderToPlace.SIBLING_GROUP:
        return Q(in_sibling_group=True)
    if flag == HarderToPlace.WAITING_18_MONTHS:
        return _band_filter(WaitingBand.OVER_18_MONTHS, today)
    raise ValueError(f"Unknown harder-to-place characteristic: {flag}")


NO_FAMILY_FINDING_STATUS = "none"


# The sorts the list offers (the ``sort`` query parameter): anything else falls back to name.
# "waiting" puts the fewest days waiting first; children who are not waiting always come last.
SORTS: dict[str, tuple[Any, ...]] = {
    "name": (F("last_name").asc(), F("first_name").asc(), F("id").asc()),
    "-name": (F("last_name").desc(), F("first_name").desc(), F("id").desc()),
    "date_of_birth": (F("birth_or_expected").asc(nulls_last=True), F("id").asc()),
    "-date_of_birth": (F("birth_or_expected").desc(nulls_last=True), F("id").asc()),
    "waiting": (F("waiting_since").desc(nulls_last=True), F("last_name").asc(), F("id").asc()),
    "-waiting": (F("waiting_since").asc(nulls_last=True), F("last_name").asc(), F("id").asc()),
}


DEFAULT_SORT = "name"


@functools.cache
def _list_base(select: bool) -> QuerySet[Child]:
    """:func:`with_list_annotations` over every child, built once per process and only ever copied (``.all()``),
    never evaluated: resolving its subqueries costs more than running them for a page (as
    :func:`children.selectors.dates.children_with_journey_dates`). A query's shape, no rows: nothing to go stale."""
    return with_list_annotations(Child.objects.all(), select=select)


def child_list(
    *,
    actor: Any,
    search: str = "",
    la_id: int | None = None,
    stage: str = "",
    band: str = "",
    flags: Iterable[str] = (),
    family_finding: str = "",
    sort: str = DEFAULT_SORT,
    today: date | None = None,
    dates_only: bool = False,
) -> QuerySet[Child]:
    """Children the actor may see, with journey dates, filtered and sorted in the database.

    ``search`` matches names and ids; ``stage`` is a :class:`Stage`; ``band`` a :class:`WaitingBand`
    (children waiting only); every one of ``flags`` (:class:`HarderToPlace`) must hold;
    ``family_finding`` is the latest status, or ``"none"`` for children with none recorded.

    ``dates_only=True`` is for a page or an API list that shows the dates (and what follows from them, as the
    stage): the same children in the same order, but the list's other annotations (the stage as a CASE, the
    waiting date, the family-finding status, the sibling group) are filtered and sorted on when asked for, never
    selected, so neither the query nor its count computes them for nothing.
    """
    today = today or timezone.localdate()
    children = tenancy.scope_children(_list_base(not dates_only).all(), actor).select_related("responsible_la")
    if la_id:
        children = children.filter(responsible_la_id=la_id)
    for term in search.split():
        children = children.filter(
            Q(first_name__icontains=term)
            | Q(last_name__icontains=term)
            | Q(la_child_id__iexact=term)
            | Q(child_903_id__iexact=term)
            | Q(upn__iexact=term)
        )
    if stage:
        children = children.filter(stage_filter(stage))
    if band:
        children = children.filter(_band_filter(band, today))
    for flag in flags:
        children = children.filter(_flag_filter(flag, today))
    if family_finding == NO_FAMILY_FINDING_STATUS:
        children = children.filter(family_finding_status__isnull=True)  # type: ignore[misc]
    elif family_finding:
        children = children.filter(family_finding_status=family_finding)  # type: ignore[misc]
    return children.order_by(*SORTS.get(sort, SORTS[DEFAULT_SORT]))


@dataclass(frozen=True)
class ListRow:
    """One child on a page of the list: the record, its stage and its days waiting (``None`` when not waiting)."""

    child: Child
    stage: Stage
    days_waiting: int | None


@dataclass(frozen=True)
class ListPage:
    page: Page
    rows: list[ListRow]


def child_list_page(
    *, actor: Any, number: Any = None, page_size: int = 25, today: date | None = None, **filters: Any
) -> ListPage:
    """One page of :func:`child_list` with ``dates_only`` (``number`` as the page's query parameter gives it: a bad
    one is the first page, one past the end the last), each child with the stage and days waiting the page shows."""
    today = today or timezone.localdate()
    children = child_list(actor=actor, today=today, dates_only=True, **filters)
    page = Paginator(children, page_size).get_page(number)
    rows = []
    for child in page.object_list:
        dates = journey_dates(child)
        rows.append(ListRow(child=child, stage=stage_of(dates), days_waiting=journey.days_waiting(dates, today)))
    return ListPage(page=page, rows=rows)


@dataclass(frozen=True)
class ExportRow:
    """One child in the list export: plain values, formatted by the page."""

    child: Child
    stage: Stage
    days_waiting: int | None
    band: WaitingBand | None
    flags: list[HarderToPlace]


def child_list_export(*, actor: Any, today: date | None = None, **filters: Any) -> list[ExportRow]:
    """The filtered list (see :func:`child_list`), every page, for a spreadsheet; each LA in it is audited."""
    today = today or timezone.localdate()
    children = list(child_list(actor=actor, today=today, **filters))
    for la_id in sorted({child.responsible_la_id for child in children}):
        # One event per LA whose children left the system, so each LA's audit trail shows the export.
        audit.record(actor=actor, action=AuditEvent.Action.EXPORT, object_type="children.child", organisation_id=la_id)
    if not children:
        audit.record(actor=actor, action=AuditEvent.Action.EXPORT, object_type="children.child")
    rows = []
    for child in children:
        dates = journey_dates(child)
        rows.append(
            ExportRow(
                child=child,
                stage=stage_of(dates),
                days_waiting=journey.days_waiting(dates, today),
                band=journey.waiting_band(dates, today),
                flags=journey.harder_to_place(
                    dates=dates,
                    ethnicity=child.ethnicity,
                    has_disability=child.has_disability,
                    in_sibling_group=child.in_sibling_group,  # type: ignore[attr-defined]
                    today=today,
                ),
            )
        )
    return rows


class WaitingView:
    """The views of the children-waiting page (the ``view`` query parameter)."""

    ALL = "all"
    OVER_90_DAYS = "over_90_days"
    ORDER_12_MONTHS = "order_12_months"
    ORDER_18_MONTHS = "order_18_months"
    CHOICES = (
        (ALL, "All children waiting"),
        (OVER_90_DAYS, "Over 90 days since the decision"),
        (ORDER_12_MONTHS, "12 months or more since the placement order"),
        (ORDER_18_MONTHS, "18 months or more since the placement order"),
    )


def _waiting_view_filter(view: str, today: date) -> Q:
    if view == WaitingView.OVER_90_DAYS:
        return Q(decision_on__lt=today - timedelta(days=journey.WAITING_OVER_DAYS))
    if view == WaitingView.ORDER_12_MONTHS:
        return Q(placement_order_on__lte=journey.months_before(today, journey.WAITING_LONG_MONTHS))
    if view == WaitingView.ORDER_18_MONTHS:
        return Q(placement_order_on__lte=journey.months_before(today, journey.WAITING_VERY_LONG_MONTHS))
    return Q()


def children_waiting(*, actor: Any, view: str = WaitingView.ALL, today: date | None = None) -> QuerySet[Child]:
    """Children with an open decision who have not moved in with an adoptive family, longest first.

    ``view`` narrows to children waiting over 90 days since the decision, or 12 or 18 months or
    more since the (latest) placement order.
    """
    today = today or timezone.localdate()
    return (
        child_list(actor=actor)
        .filter(decision_on__isnull=False, placed_on__isnull=True, adoption_order_on__isnull=True)  # type: ignore[misc]
        .filter(_waiting_view_filter(view, today))
        .order_by("decision_on", "id")
    )


def children_waiting_counts(*, actor: Any, today: date | None = None) -> dict[str, int]:
    """How many children each view of :func:`children_waiting` holds, in one query."""
    today = today or timezone.localdate()
    waiting = children_waiting(actor=actor, today=today).order_by()
    return waiting.aggregate(
        **{view: Count("id", filter=_waiting_view_filter(view, today)) for view, _label in WaitingView.CHOICES}
    )


# Where a child is in the court process: the latest ProceedingsTracking row.
TRACKED_STAGES = (
    ProceedingsTracking.Stage.PRE_BIRTH,
    ProceedingsTracking.Stage.PRE_PROCEEDINGS,
    ProceedingsTracking.Stage.CARE_PROCEEDINGS,
)


def proceedings_tracker(*, actor: Any) -> QuerySet[Child]:
    """Unborn babies and children whose latest tracking stage is pre-birth, pre-proceedings or care proceedings.

    Each child carries ``tracking_stage``, ``tracking_from`` and ``final_hearing_on`` (of the latest
    stage), ordered by the expected date (final hearing, else expected date of birth).
    """
    latest = ProceedingsTracking.objects.filter(child=OuterRef("pk")).order_by("-stage_from", "-id")
    children = tenancy.scope_children(Child.objects.select_related("responsible_la"), actor).annotate(
        tracking_stage=Subquery(latest.values("stage")[:1]),
        tracking_from=Subquery(latest.values("stage_from")[:1]),
        final_hearing_on=Subquery(latest.values("final_hearing_on")[:1]),
        is_unborn=Case(
            When(date_of_birth__isnull=True, then=Value(True)), default=Value(False), output_field=BooleanField()
        ),
    )
    return children.filter(Q(tracking_stage__in=TRACKED_STAGES) | Q(date_of_birth__isnull=True)).order_by(
        F("final_hearing_on").asc(nulls_last=True), "expected_date_of_birth", "last_name", "id"
    )
