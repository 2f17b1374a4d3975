"""The data pack's children's tables: stock and flow, waiting from the order, placed by the next quarter, and the
longest waiters."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from django.db.models import Aggregate, Count, F, IntegerField, Q, Value, When
from django.db.models import Case as CaseExpr

from adoption.periods import FinancialQuarter
from children.selectors import data_pack as child_reads
from reporting.data_pack.core import (
    Area,
    Column,
    Row,
    Table,
    _count,
    _flags,
    _grouped,
    _rows,
    plus,
    share,
)

# --- the tables ---------------------------------------------------------------------------------------------------


def stock_and_flow(area_list: Sequence[Area], *, la_ids: frozenset[int], quarter: FinancialQuarter) -> Table:
    columns = (
        Column(
            "flow_decision",
            "New decisions in the quarter",
            "Children with an ADM decision that they should be placed for adoption made in the quarter.",
        ),
        Column(
            "flow_order",
            "New placement orders in the quarter",
            "Children with a placement order made in the quarter (not orders imported without their date).",
        ),
        Column("flow_matched", "Matched in the quarter", "Children with a match decision in the quarter."),
        Column("flow_placed", "Placed in the quarter", "Children who moved in with an adoptive family in the quarter."),
        Column("flow_adopted", "Adopted in the quarter", "Children with an adoption order made in the quarter."),
        Column(
            "stock_decision",
            "At the end: decision, no placement order",
            "At the quarter's end: a decision not reversed, no placement order, not matched or placed.",
        ),
        Column(
            "stock_order",
            "At the end: placement order, not matched",
            "At the quarter's end: a decision not reversed and a placement order, not matched or placed.",
        ),
        Column(
            "stock_matched",
            "At the end: matched, not placed",
            "At the quarter's end: a match not yet moved in (and not ended).",
        ),
        Column(
            "stock_placed",
            "At the end: placed, not adopted",
            "At the quarter's end: living with the adoptive family, no adoption order yet.",
        ),
        Column(
            "stock_total",
            "At the end: all at these stages",
            "The four stages at the quarter's end added up (each child at one stage only).",
            plus("stock_decision", "stock_order", "stock_matched", "stock_placed"),
        ),
    )
    children = child_reads.stock_and_flow(la_ids=la_ids, start=quarter.start, end=quarter.end)
    names = [column.key for column in columns if column.derive is None]
    by_la = _grouped(children, "responsible_la_id", _flags(*names))
    return Table(
        "stock-flow",
        "Stock and flow",
        "Stock and flow of children through the stages",
        "Flows: children reaching each stage in the quarter. Stock: where children were at the quarter's end, each "
        "at the furthest stage they had reached.",
        ("Area",),
        columns,
        _rows(area_list, columns, by_la),
    )


def waiting(area_list: Sequence[Area], *, la_ids: frozenset[int], quarter: FinancialQuarter) -> Table:
    columns = (
        Column(
            "waiting",
            "Children waiting",
            "At the quarter's end: a decision that they should be placed for adoption, not reversed, not yet placed "
            "or adopted.",
        ),
        Column(
            "with_order", "Waiting with a placement order", "Of them, with a placement order made by the quarter's end."
        ),
        Column(
            "waited_12",
            "Waiting 12 months or more from the placement order",
            "Of them, the latest placement order was made 12 calendar months or more before the quarter's end.",
        ),
        Column(
            "waited_12_active",
            "Of those, actively family finding",
            "Of the children waiting 12 months or more, their family-finding status at the quarter's end is "
            "'actively family finding'.",
        ),
        Column(
            "waited_18",
            "Waiting 18 months or more from the placement order",
            "Of them, the latest placement order was made 18 calendar months or more before the quarter's end.",
        ),
        Column(
            "waited_18_active",
            "Of those, actively family finding",
            "Of the children waiting 18 months or more, actively family finding at the quarter's end.",
        ),
    )
    children = child_reads.waiting_children(la_ids=la_ids, end=quarter.end)
    aggregates = {
        "waiting": _count(),
        "with_order": _count(waiting_order_on__isnull=False),
        "waited_12": _count(waited_12_months=True),
        "waited_12_active": _count(waited_12_months=True, actively_family_finding=True),
        "waited_18": _count(waited_18_months=True),
        "waited_18_active": _count(waited_18_months=True, actively_family_finding=True),
    }
    by_la = _grouped(children, "responsible_la_id", aggregates)
    return Table(
        "waiting",
        "Waiting 12 and 18 months",
        "Children waiting 12 and 18 months or more from the placement order",
        "Waiting: not yet placed for adoption. An order imported as made on or before a date counts from that date, "
        "so its wait is at least the one counted.",
        ("Area",),
        columns,
        _rows(area_list, columns, by_la),
    )


def placed_by_next(area_list: Sequence[Area], *, la_ids: frozenset[int], quarter: FinancialQuarter) -> Table:
    previous = quarter.previous
    columns = (
        Column(
            "waiting",
            f"Waiting on {previous.end:%-d %B %Y}",
            "Children waiting at the end of the quarter before (a decision, not yet placed).",
        ),
        Column(
            "placed",
            f"Of them, placed by {quarter.end:%-d %B %Y}",
            "Of them, moved in with an adoptive family during this quarter.",
        ),
        Column("share", "Share placed (%)", "Placed as a percentage of those waiting.", share("placed", "waiting")),
    )
    children = child_reads.placed_by_next_quarter(la_ids=la_ids, previous_end=previous.end, end=quarter.end)
    by_la = _grouped(children, "responsible_la_id", {"waiting": _count(), "placed": _count(placed_by_end=True)})
    return Table(
        "placed-by-next",
        "Placed by the next quarter",
        "Children waiting at one quarter's end who were placed by the next",
        f"Children waiting on {previous.end:%-d %B %Y}, and how many of them moved in with an adoptive family by "
        f"{quarter.end:%-d %B %Y}.",
        ("Area",),
        columns,
        _rows(area_list, columns, by_la),
    )


CHARACTERISTICS: tuple[tuple[str, str, tuple[tuple[str, str, Q], ...]], ...] = (
    (
        "age",
        "Age group",
        (
            ("under_1", "Under 1", Q(age_group="under_1")),
            ("1_to_4", "1 to 4", Q(age_group="1_to_4")),
            ("5_to_9", "5 to 9", Q(age_group="5_to_9")),
            ("10_and_over", "10 and over", Q(age_group="10_and_over")),
            ("not_known", "Not known", Q(age_group="not_known")),
        ),
    ),
    (
        "siblings",
        "Sibling group",
        (
            ("yes", "In a sibling group", Q(in_sibling_group=True)),
            ("no", "Not in a sibling group", Q(in_sibling_group=False)),
        ),
    ),
    (
        "disability",
        "Disability",
        (("yes", "Disabled", Q(has_disability=True)), ("no", "Not disabled", Q(has_disability=False))),
    ),
    (
        "ethnicity",
        "Ethnicity group",
        (
            ("white", "White", Q(ethnic_group="white")),
            ("mixed", "Mixed", Q(ethnic_group="mixed")),
            ("asian", "Asian or Asian British", Q(ethnic_group="asian")),
            ("black", "Black or Black British", Q(ethnic_group="black")),
            ("other", "Other ethnic group", Q(ethnic_group="other")),
            ("not_known", "Not known or refused", Q(ethnic_group="not_known")),
        ),
    ),
    (
        "gender",
        "Gender",
        (
            ("female", "Female", Q(sex="F")),
            ("male", "Male", Q(sex="M")),
            ("not_known", "Not known", ~Q(sex__in=("F", "M"))),
        ),
    ),
)


class LongestWaitThreshold(Aggregate):
    """The fewest days waiting among the quarter of the children who have waited longest: the days of the first
    child, longest wait first, at or past the first quarter of them (PERCENTILE_DISC over a descending order)."""

    function = "PERCENTILE_DISC"
    template = "PERCENTILE_DISC(0.25) WITHIN GROUP (ORDER BY %(expressions)s DESC)"
    output_field = IntegerField()


def _characteristic_counts() -> dict[str, Count]:
    aggregates: dict[str, Count] = {"total": Count("pk")}
    for code, _label, groups in CHARACTERISTICS:
        for group, _group_label, condition in groups:
            aggregates[f"{code}:{group}"] = Count("pk", filter=condition)
    return aggregates


_GROUP_FIELDS = {"la": "responsible_la_id", "raa": "responsible_la__raa_id", "region": "responsible_la__region"}


def longest_waiters(
    area_list: Sequence[Area], *, la_ids: frozenset[int], quarter: FinancialQuarter, cut: str, year_start: date
) -> Table:
    """The characteristics of the longest waiters against all children placed in the 12 months, as percentages.

    The longest waiters of an area: the quarter of its children waiting at the quarter's end who had waited
    longest since the decision (at least one child; children tied with the last of them too).
    """
    group_field = _GROUP_FIELDS[cut]
    waiting_children = child_reads.waiting_children(la_ids=la_ids, end=quarter.end)
    thresholds = {
        row[group_field]: row["threshold"]
        for row in waiting_children.values(group_field)
        .annotate(threshold=LongestWaitThreshold("days_waiting"))
        .order_by()
    }
    all_threshold = waiting_children.aggregate(threshold=LongestWaitThreshold("days_waiting"))["threshold"]
    counts = _characteristic_counts()
    longest = waiting_children.annotate(
        area_threshold=CaseExpr(
            *(When(**{group_field: key, "then": Value(days)}) for key, days in thresholds.items() if days is not None),
            default=None,
            output_field=IntegerField(),
        )
    )
    longest_by_area = (
        _grouped(longest.filter(Q(days_waiting__gte=F("area_threshold"))), group_field, counts) if thresholds else {}
    )
    longest_all = (
        waiting_children.filter(Q(days_waiting__gte=all_threshold)).aggregate(**counts)
        if all_threshold is not None
        else {}
    )
    placed = child_reads.placed_children(la_ids=la_ids, start=year_start, end=quarter.end)
    placed_by_area = _grouped(placed, group_field, counts)
    placed_all = placed.aggregate(**counts)
    columns = (
        Column(
            "longest", "Longest waiters", "Children in the longest-waiting quarter at the quarter's end in this group."
        ),
        Column(
            "longest_share",
            "Longest waiters (%)",
            "As a percentage of all the longest waiters of the area.",
            share("longest", "longest_total"),
        ),
        Column(
            "placed",
            "Children placed",
            "Children who moved in with an adoptive family in the 12 months to the quarter's end, in this group.",
        ),
        Column(
            "placed_share",
            "Children placed (%)",
            "As a percentage of all the children placed in the 12 months in the area.",
            share("placed", "placed_total"),
        ),
    )
    rows = []
    for area in area_list:
        if area.is_total:
            waiters, placements = longest_all, placed_all
        else:
            waiters, placements = longest_by_area.get(area.group, {}), placed_by_area.get(area.group, {})
        for code, label, groups in CHARACTERISTICS:
            for group, group_label, _condition in groups:
                key = f"{code}:{group}"
                values = {
                    "longest": waiters.get(key) or 0,
                    "longest_total": waiters.get("total") or 0,
                    "placed": placements.get(key) or 0,
                    "placed_total": placements.get("total") or 0,
                }
                rows.append(
                    Row((area.label, label, group_label), tuple(c.value(values) for c in columns), area.is_total)
                )
    return Table(
        "longest-waiters",
        "Longest waiters",
        "Characteristics of the longest waiters against all children placed",
        "Longest waiters: the quarter of the children waiting at the quarter's end who had waited longest since the "
        "decision (ties included). Children placed: moved in with an adoptive family in the 12 months to the "
        "quarter's end. Age: at the quarter's end for the waiters, on the day they moved in for those placed.",
        ("Area", "Characteristic", "Group"),
        columns,
        tuple(rows),
    )
