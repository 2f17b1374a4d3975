"""The regional data pack of a quarter: the tables regional adoption boards ask for, cut by region, RAA or LA.

Every figure is computed in the database from the dated records, as they stood at the quarter's end: each table
is one aggregate query grouped by the child's responsible LA (or, for families, checks and the adopters'
pipeline, by the approving agency), and the rows of a cut add those up, so a region's figure is the sum of its
LAs'. Percentages and means are worked out from the added counts, never averaged. The one exception is the
longest waiters: a quarter of an area's children is not the sum of its LAs' quarters, so that table is grouped
by the cut's own areas (one query for the areas, one for all).

The callers pass LAs (and approving agencies) already narrowed to what whoever asked may see: the page the LAs
and RAAs where the user holds a reporting role (``reporting.services.REPORT_ROLES``), the job those fixed when it
was asked for. Families, checks and the pipeline are the approving agencies' (an RAA approves adopters for all
its LAs), so they are shown by RAA (and region) only to those who report on the RAA.

What the records support, and what they do not (said in each table's note):

* stock and flow: decisions, placement orders, matches, moves and adoption orders are dated records;
* waiting 12 and 18 months from the placement order: the latest order made by the quarter's end;
* families needed: children waiting and not matched, a sibling group to be placed together counted once;
  families available: approved families not matched, by their family-finding availability code, so families
  on hold, not available, or early permanence carers with a child placed are not counted as available;
* special guardianship orders: the permanence outcomes recorded on the children's records here. Children the
  service holds no record of (SGOs made for children never on an adoption plan and not imported from the 903
  return) are not counted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Aggregate, Count, F, IntegerField, Q, QuerySet, Sum, Value, When
from django.db.models import Case as CaseExpr
from django.http import Http404

from adopters.models import Availability, Check
from adopters.selectors import data_pack as adopter_reads
from adoption import jobs, tenancy
from adoption.models import Job, Organisation, Region
from adoption.periods import FinancialQuarter
from adoption.spreadsheets import xlsx_workbook
from children.models import PermanenceOutcome
from children.selectors import data_pack as child_reads
from reporting.charts import Chart, data_uri
from reporting.pdf import render_pdf
from reporting.services import REPORT_ROLES, ended_quarter, reporting_las

XLSX, PDF = "xlsx", "pdf"
CUTS = {"la": "By local authority", "raa": "By regional adoption agency", "region": "By region"}
ALL = "all"
ALL_LABEL = "All the local authorities in the pack"
NO_REGION = "Region not recorded"
NO_RAA = "Not in a regional adoption agency"

Counts = Mapping[str, int]


# --- result objects ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    """One column: its heading, what it means (the workbook's documentation), and how its value is worked out from
    an area's added counts (``derive``; by default the count ``key`` itself)."""

    key: str
    heading: str
    about: str
    derive: Callable[[Counts], int | None] | None = None

    def value(self, counts: Counts) -> int | None:
        return self.derive(counts) if self.derive else counts.get(self.key, 0)


@dataclass(frozen=True)
class Row:
    labels: tuple[str, ...]  # the area (and, for the characteristics, the characteristic and group)
    values: tuple[int | None, ...]
    is_total: bool = False


@dataclass(frozen=True)
class Table:
    code: str
    sheet: str  # the workbook sheet's title (31 characters at most)
    title: str
    about: str
    label_headings: tuple[str, ...]
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    note: str = ""

    @property
    def headings(self) -> list[str]:
        return [*self.label_headings, *(column.heading for column in self.columns)]

    @property
    def is_empty(self) -> bool:
        """No figure other than nought: nothing recorded yet for these areas and the quarter."""
        return not any(value for row in self.rows for value in row.values)


@dataclass(frozen=True)
class Area:
    """A row of a cut: the LAs whose children it adds up and the approving agencies whose families it adds up."""

    code: str
    label: str
    la_ids: frozenset[int]
    agency_ids: frozenset[int] = frozenset()
    group: Any = None  # the cut's key of the area (an LA's or RAA's id, a region's code); None for all
    is_total: bool = False


@dataclass(frozen=True)
class DataPack:
    quarter: FinancialQuarter
    cut: str
    year_start: date  # the 12 months' first day (the quarter and the three before it)
    tables: tuple[Table, ...] = field(default=())

    @property
    def cut_label(self) -> str:
        return CUTS[self.cut]

    def table(self, code: str) -> Table:
        return next(table for table in self.tables if table.code == code)


# --- derived values ---------------------------------------------------------------------------------------------


def _whole(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def share(part: str, whole: str) -> Callable[[Counts], int | None]:
    """``part`` as a whole percentage of ``whole`` (none of nothing)."""

    def derive(counts: Counts) -> int | None:
        total = counts.get(whole, 0)
        return _whole(Decimal(counts.get(part, 0) * 100) / Decimal(total)) if total else None

    return derive


def mean(total: str, number: str) -> Callable[[Counts], int | None]:
    """The mean (whole days) of ``total`` over ``number`` (none of nothing)."""

    def derive(counts: Counts) -> int | None:
        n = counts.get(number, 0)
        return _whole(Decimal(counts.get(total, 0)) / Decimal(n)) if n else None

    return derive


def plus(*keys: str) -> Callable[[Counts], int | None]:
    return lambda counts: sum(counts.get(key, 0) for key in keys)


def minus(first: str, second: str | Callable[[Counts], int | None]) -> Callable[[Counts], int | None]:
    def derive(counts: Counts) -> int | None:
        other = second(counts) if callable(second) else counts.get(second, 0)
        return counts.get(first, 0) - (other or 0)

    return derive


# --- the areas of a cut ------------------------------------------------------------------------------------------


def _las(number: int) -> str:
    return f"{number} local authorit{'y' if number == 1 else 'ies'}"


def _region_label(code: str) -> str:
    return Region(code).label if code in Region.values else NO_REGION


def areas(las: Sequence[Organisation], cut: str, agency_ids: Iterable[int] = ()) -> list[Area]:
    """The rows of ``cut`` (``CUTS``) over ``las`` (with ``raa`` selected), then all of them.

    ``agency_ids``: the approving agencies (RAAs) whose families the caller may see; an area counts those of its
    LAs' RAAs among them.
    """
    if cut not in CUTS:
        raise ValueError(f"Not a cut: {cut}")
    allowed = frozenset(agency_ids)
    groups: dict[Any, list[Organisation]] = defaultdict(list)
    labels: dict[Any, str] = {}
    key: Any
    for la in las:
        if cut == "la":
            key, label = la.pk, la.name
        elif cut == "raa":
            key, label = la.raa_id, la.raa.name if la.raa else NO_RAA
        else:
            key, label = la.region, _region_label(la.region)
        groups[key].append(la)
        labels[key] = label
    found = [
        Area(
            code=f"{cut}-{key or 'none'}",
            # An RAA's or a region's row is of its LAs in the pack only: say how many.
            label=labels[key] if cut == "la" else f"{labels[key]} ({_las(len(members))})",
            la_ids=frozenset(la.pk for la in members),
            agency_ids=frozenset(la.raa_id for la in members if la.raa_id in allowed),
            group=key,
        )
        for key, members in sorted(
            groups.items(), key=lambda item: (labels[item[0]] in (NO_REGION, NO_RAA), labels[item[0]])
        )
    ]
    found.append(
        Area(
            code=ALL,
            label=ALL_LABEL,
            la_ids=frozenset(la.pk for la in las),
            agency_ids=frozenset(la.raa_id for la in las if la.raa_id in allowed),
            is_total=True,
        )
    )
    return found


def agency_areas(las: Sequence[Organisation], cut: str, agency_ids: Iterable[int]) -> list[Area]:
    """The rows of the tables of families: by RAA (when the cut is by LA or by RAA: an RAA approves families for
    all its LAs) or by region, each with the LAs of it in ``las``; only areas with an RAA in ``agency_ids``."""
    allowed = frozenset(agency_ids)
    # Only the LAs of those RAAs: families needed are set against the families of the same agencies.
    with_families = [la for la in las if la.raa_id in allowed]
    if not with_families:
        return []
    return areas(with_families, "region" if cut == "region" else "raa", allowed)


# --- adding up ------------------------------------------------------------------------------------------------------


def _grouped(queryset: QuerySet, key: str, aggregates: Mapping[str, Aggregate]) -> dict[Any, dict[str, int]]:
    """One query: the ``aggregates`` of ``queryset`` for each value of ``key``."""
    # Named apart from the queryset's annotations: a count of the flag ``waiting`` is not ``waiting`` itself.
    rows = queryset.values(key).annotate(**{f"dp_{name}": aggregate for name, aggregate in aggregates.items()})
    return {row[key]: {name: row[f"dp_{name}"] or 0 for name in aggregates} for row in rows.order_by()}


def _added(by_key: Mapping[Any, Mapping[str, int]], keys: Iterable[Any]) -> dict[str, int]:
    total: dict[str, int] = defaultdict(int)
    for key in keys:
        for name, value in by_key.get(key, {}).items():
            total[name] += value
    return total


def _rows(
    area_list: Sequence[Area],
    columns: Sequence[Column],
    by_la: Mapping[Any, Mapping[str, int]] | None = None,
    by_agency: Mapping[Any, Mapping[str, int]] | None = None,
) -> tuple[Row, ...]:
    rows = []
    for area in area_list:
        counts = _added(by_la or {}, area.la_ids) | _added(by_agency or {}, area.agency_ids)
        rows.append(Row((area.label,), tuple(column.value(counts) for column in columns), area.is_total))
    return tuple(rows)


def _count(condition: Q | None = None, **lookups: Any) -> Count:
    return Count("pk", filter=(condition or Q()) & Q(**lookups)) if (condition or lookups) else Count("pk")


def _flags(*names: str) -> dict[str, Count]:
    return {name: Count("pk", filter=Q(**{name: True})) for name in names}


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


AVAILABILITY_COLUMNS = (
    ("available", Availability.Status.AVAILABLE),
    ("on_hold", Availability.Status.ON_HOLD),
    ("not_available", Availability.Status.NOT_AVAILABLE),
    ("early_permanence", Availability.Status.EARLY_PERMANENCE),
    ("not_recorded", adopter_reads.NO_AVAILABILITY),
)


def families(area_list: Sequence[Area], *, la_ids: frozenset[int], quarter: FinancialQuarter) -> Table:
    """Families needed (children waiting, not matched; a sibling group to be placed together needs one family)
    against the approved families not matched, by their availability code at the quarter's end."""
    status = dict(Availability.Status.choices)
    columns = (
        Column(
            "needed",
            "Families needed",
            "Children waiting at the quarter's end and not matched, a sibling group whose plan is to be placed "
            "together counted once.",
            plus("needed_children", "needed_groups"),
        ),
        Column(
            "approved_waiting",
            "Approved families not matched",
            "Families approved by the RAA by the quarter's end, not de-registered or left, with no match current then.",
        ),
        *(
            Column(
                key,
                f"Of them: {status.get(code, 'no availability recorded').lower()}",
                "Of the approved families not matched, availability at the quarter's end: "
                f"{status.get(code, 'none recorded')}.",
            )
            for key, code in AVAILABILITY_COLUMNS
        ),
        Column(
            "gap",
            "Available less needed",
            "Families available less families needed (below zero: fewer families available than needed).",
            minus("available", plus("needed_children", "needed_groups")),
        ),
    )
    children = child_reads.waiting_children(la_ids=la_ids, end=quarter.end)
    not_matched = Q(matched_at_end=False)
    needed = {
        "needed_children": _count(not_matched & Q(together_group_id__isnull=True)),
        "needed_groups": Count(
            "together_group_id", distinct=True, filter=not_matched & Q(together_group_id__isnull=False)
        ),
    }
    by_la = _grouped(children, "responsible_la_id", needed)
    agency_ids = frozenset().union(*(area.agency_ids for area in area_list)) if area_list else frozenset()
    households = adopter_reads.families_at(agency_ids=agency_ids, end=quarter.end).filter(Q(waiting_at_end=True))
    counted = {"approved_waiting": _count()} | {
        key: _count(availability_at_end=code) for key, code in AVAILABILITY_COLUMNS
    }
    by_agency = _grouped(households, "approving_agency_id", counted)
    # A region's or an RAA's families needed are of its LAs in the pack; its families are its RAAs'.
    return Table(
        "families",
        "Families needed and available",
        "Families needed and families available",
        "Families are approved by the regional adoption agency for all its local authorities, so this table is by "
        "RAA (or region). Only families whose availability code is 'available' count as available: on hold, not "
        "available and early permanence carers with a child placed do not.",
        ("Area",),
        columns,
        _rows(area_list, columns, by_la, by_agency),
        note="" if area_list else _FAMILIES_NOT_SHOWN,
    )


_FAMILIES_NOT_SHOWN = (
    "Families are approved by the regional adoption agency, for all its local authorities: its figures are shown "
    "to the agency's managers, ADMs and administrators."
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


def pipeline(area_list: Sequence[Area], *, quarter: FinancialQuarter, year_start: date) -> Table:
    """The adopters' pipeline by approving agency: each step in the quarter and the 12 months, the conversion from
    one step to the next over the 12 months, and the timeliness of stages 1 and 2 ended in the quarter."""
    columns = (
        Column("enquired_quarter", "Enquiries in the quarter", "Households whose first enquiry was in the quarter."),
        Column(
            "registered_quarter", "Registrations in the quarter", "Registrations of interest accepted in the quarter."
        ),
        Column(
            "stage2_quarter",
            "Stage 2 begun in the quarter",
            "Households who began stage 2 (the assessment) in the quarter.",
        ),
        Column(
            "approved_quarter",
            "Approvals in the quarter",
            "Households approved (the agency's decision) in the quarter.",
        ),
        Column(
            "enquired_year",
            "Enquiries in the 12 months",
            "Households whose first enquiry was in the 12 months to the quarter's end.",
        ),
        Column(
            "registered_year", "Registrations in the 12 months", "Registrations of interest accepted in the 12 months."
        ),
        Column(
            "registered_rate",
            "Registrations per 100 enquiries",
            "Registrations in the 12 months as a percentage of enquiries in the 12 months.",
            share("registered_year", "enquired_year"),
        ),
        Column("stage2_year", "Stage 2 begun in the 12 months", "Households who began stage 2 in the 12 months."),
        Column(
            "stage2_rate",
            "Stage 2 per 100 registrations",
            "Stage 2 begun in the 12 months as a percentage of registrations in the 12 months.",
            share("stage2_year", "registered_year"),
        ),
        Column("approved_year", "Approvals in the 12 months", "Households approved in the 12 months."),
        Column(
            "approved_rate",
            "Approvals per 100 stage 2",
            "Approvals in the 12 months as a percentage of stage 2 begun in the 12 months.",
            share("approved_year", "stage2_year"),
        ),
        Column("stage1_done", "Stage 1 ended in the quarter", "Households whose stage 1 ended in the quarter."),
        Column(
            "stage1_in_time_share",
            "Stage 1 within the timescale (%)",
            "Of them, stage 1 ended within the months of the standard in force (2 months), later by the days it was "
            "paused where the standard says so.",
            share("stage1_in_time", "stage1_done"),
        ),
        Column(
            "stage1_mean",
            "Stage 1 mean days",
            "Mean days from the start to the end of stage 1, of those ended in the quarter.",
            mean("stage1_days", "stage1_done"),
        ),
        Column("stage2_done", "Stage 2 ended in the quarter", "Households whose stage 2 ended in the quarter."),
        Column(
            "stage2_in_time_share",
            "Stage 2 within the timescale (%)",
            "Of them, stage 2 ended within the standard's months (4, or 6 with a recorded reason), later by the days "
            "it was paused where the standard says so.",
            share("stage2_in_time", "stage2_done"),
        ),
        Column(
            "stage2_mean",
            "Stage 2 mean days",
            "Mean days from the start to the end of stage 2, of those ended in the quarter.",
            mean("stage2_days", "stage2_done"),
        ),
        Column(
            "stage2_extended",
            "Stage 2 with a reason for more time",
            "Of the stage 2 assessments ended in the quarter, those with a recorded reason for taking more than "
            "four months.",
        ),
    )
    agency_ids = frozenset().union(*(area.agency_ids for area in area_list)) if area_list else frozenset()
    households = adopter_reads.pipeline_households(
        agency_ids=agency_ids, start=quarter.start, end=quarter.end, year_start=year_start
    )
    steps = ("enquired", "registered", "stage2", "approved")
    aggregates: dict[str, Aggregate] = dict(
        _flags(*(f"{step}_{when}" for step in steps for when in ("quarter", "year")))
    )
    for stage in ("stage1", "stage2"):
        aggregates[f"{stage}_done"] = _count(Q(**{f"{stage}_done": True}))
        aggregates[f"{stage}_in_time"] = _count(Q(**{f"{stage}_done": True, f"{stage}_in_time": True}))
        aggregates[f"{stage}_days"] = Sum(f"{stage}_days", filter=Q(**{f"{stage}_done": True}))
    aggregates["stage2_extended"] = _count(Q(stage2_done=True, stage2_extended=True))
    by_agency = _grouped(households, "approving_agency_id", aggregates)
    return Table(
        "pipeline",
        "Adopter pipeline",
        "Adopter pipeline, conversion and stage timeliness by agency",
        "Each step counted when its date is in the period. Conversion compares the numbers taking each step in the "
        "same 12 months (not the same households).",
        ("Area",),
        columns,
        _rows(area_list, columns, by_agency=by_agency),
        note="" if area_list else _FAMILIES_NOT_SHOWN,
    )


def delays(area_list: Sequence[Area], *, quarter: FinancialQuarter) -> Table:
    """Checks due in the quarter and late, by the reason for the delay recorded."""
    reasons = [*Check.DelayReason.choices, ("", "No reason recorded")]
    columns = (
        Column(
            "late",
            "Late checks",
            "Checks on applicants due in the quarter, received after the due date or not received by the "
            "quarter's end.",
        ),
        *(
            Column(f"reason_{code or 'none'}", label, f"Of the late checks, delay reason: {label}.")
            for code, label in reasons
        ),
    )
    agency_ids = frozenset().union(*(area.agency_ids for area in area_list)) if area_list else frozenset()
    checks = adopter_reads.late_checks(agency_ids=agency_ids, start=quarter.start, end=quarter.end)
    aggregates = {"late": Count("pk")} | {
        f"reason_{code or 'none'}": Count("pk", filter=Q(reason=code)) for code, _l in reasons
    }
    by_agency = _grouped(checks, "agency_id", aggregates)
    return Table(
        "delays",
        "Check delays",
        "Stage 1 checks that were late, by the reason for the delay",
        "DBS, medical, references and the other checks on applicants, by the delay reason the assessing worker "
        "recorded.",
        ("Area",),
        columns,
        _rows(area_list, columns, by_agency=by_agency),
        note="" if area_list else _FAMILIES_NOT_SHOWN,
    )


def early_permanence(
    area_list: Sequence[Area], *, la_ids: frozenset[int], quarter: FinancialQuarter, year_start: date
) -> Table:
    columns = (
        Column(
            "ep_ffa",
            "Fostering for adoption begun in the quarter",
            "Children placed under fostering for adoption in the quarter.",
        ),
        Column(
            "ep_concurrent",
            "Concurrent planning begun in the quarter",
            "Children placed under concurrent planning in the quarter.",
        ),
        Column(
            "ep_in_year",
            "Early permanence begun in the 12 months",
            "Children with an early permanence placement begun in the 12 months to the quarter's end.",
        ),
        Column(
            "ep_at_end",
            "In early permanence at the end",
            "Children in an early permanence placement at the quarter's end.",
        ),
    )
    children = child_reads.early_permanence(la_ids=la_ids, start=quarter.start, end=quarter.end, year_start=year_start)
    by_la = _grouped(children, "responsible_la_id", _flags(*(column.key for column in columns)))
    return Table(
        "early-permanence",
        "Early permanence",
        "Early permanence placements by local authority",
        "Fostering for adoption and concurrent planning placements (903 placements U2 and U5).",
        ("Area",),
        columns,
        _rows(area_list, columns, by_la),
    )


def best_interest(
    area_list: Sequence[Area], *, la_ids: frozenset[int], quarter: FinancialQuarter, year_start: date
) -> Table:
    columns = (
        Column(
            "decided_in_quarter",
            "Decisions in the quarter",
            "Children with an ADM decision that they should be placed for adoption in the quarter.",
        ),
        Column("decided_in_year", "Decisions in the 12 months", "The same, in the 12 months to the quarter's end."),
        Column(
            "reversed_in_year",
            "Decisions reversed in the 12 months",
            "Children whose decision was reversed in the 12 months.",
        ),
        Column(
            "entered_in_year",
            "Entered care in the 12 months",
            "Children whose period of care began in the 12 months (not those in care from before the returns held).",
        ),
        Column(
            "entered_then_decided",
            "Of them, with a decision",
            "Of the children who entered care in the 12 months, those with a decision made since, by the "
            "quarter's end.",
        ),
        Column(
            "decision_rate",
            "Best-interest decision rate (%)",
            "Those with a decision as a percentage of the children who entered care in the 12 months. Recent "
            "entrants may still have a decision to come.",
            share("entered_then_decided", "entered_in_year"),
        ),
    )
    children = child_reads.best_interest_decisions(
        la_ids=la_ids, start=quarter.start, end=quarter.end, year_start=year_start
    )
    aggregates = _flags("decided_in_quarter", "decided_in_year", "reversed_in_year", "entered_in_year")
    aggregates["entered_then_decided"] = _count(entered_in_year=True, entered_then_decided=True)
    by_la = _grouped(children, "responsible_la_id", aggregates)
    return Table(
        "best-interest",
        "Best-interest decisions",
        "Best-interest decisions (should be placed for adoption) by local authority",
        "The ADM's decisions that children should be placed for adoption, and the share of the children who entered "
        "care in the 12 months who have had one.",
        ("Area",),
        columns,
        _rows(area_list, columns, by_la),
    )


def orders(area_list: Sequence[Area], *, la_ids: frozenset[int], quarter: FinancialQuarter, year_start: date) -> Table:
    kinds = PermanenceOutcome.Kind
    columns = (
        Column("adoption_quarter", "Adoption orders in the quarter", "Adoption orders made in the quarter."),
        Column(
            "sgo_quarter",
            "Special guardianship orders in the quarter",
            "Special guardianship orders made in the quarter.",
        ),
        Column(
            "cao_quarter", "Child arrangements orders in the quarter", "Child arrangements orders made in the quarter."
        ),
        Column(
            "adoption_year",
            "Adoption orders in the 12 months",
            "Adoption orders made in the 12 months to the quarter's end.",
        ),
        Column(
            "sgo_year",
            "Special guardianship orders in the 12 months",
            "Special guardianship orders made in the 12 months.",
        ),
        Column(
            "cao_year", "Child arrangements orders in the 12 months", "Child arrangements orders made in the 12 months."
        ),
        Column(
            "sgo_share",
            "SGOs per 100 adoption and special guardianship orders",
            "Special guardianship orders in the 12 months as a percentage of adoption and special guardianship "
            "orders in the 12 months.",
            lambda c: share("sgo_year", "both_year")(
                dict(c) | {"both_year": c.get("sgo_year", 0) + c.get("adoption_year", 0)}
            ),
        ),
    )
    outcomes = child_reads.permanence_orders(la_ids=la_ids)
    aggregates = {}
    for code, kind in (
        ("adoption", kinds.ADOPTION_ORDER),
        ("sgo", kinds.SPECIAL_GUARDIANSHIP),
        ("cao", kinds.CHILD_ARRANGEMENTS),
    ):
        aggregates[f"{code}_quarter"] = _count(kind=kind, made_on__range=(quarter.start, quarter.end))
        aggregates[f"{code}_year"] = _count(kind=kind, made_on__range=(year_start, quarter.end))
    by_la = _grouped(outcomes, "la_id", aggregates)
    return Table(
        "orders",
        "SGOs and adoptions",
        "Special guardianship orders beside adoptions by local authority",
        "Orders recorded on the children's records here.",
        ("Area",),
        columns,
        _rows(area_list, columns, by_la),
        note="Special guardianship and child arrangements orders are counted from the permanence outcomes recorded "
        "on children's records in this service. Orders for children the service holds no record of are not counted.",
    )


# --- the whole pack ---------------------------------------------------------------------------------------------


def data_pack(
    *, las: Sequence[Organisation], cut: str, quarter: FinancialQuarter, agency_ids: Iterable[int] = ()
) -> DataPack:
    """Every table of the pack for ``las`` (with ``raa`` selected), cut by ``cut``, for ``quarter``.

    ``agency_ids``: the RAAs whose families the caller may see (the tables of families, checks and the pipeline
    are of those of the LAs' RAAs among them).
    """
    la_ids = frozenset(la.pk for la in las)
    year_start = quarter.previous.previous.previous.start
    child_areas = areas(las, cut, agency_ids)
    family_areas = agency_areas(las, cut, agency_ids)
    tables = (
        stock_and_flow(child_areas, la_ids=la_ids, quarter=quarter),
        waiting(child_areas, la_ids=la_ids, quarter=quarter),
        families(family_areas, la_ids=la_ids, quarter=quarter),
        placed_by_next(child_areas, la_ids=la_ids, quarter=quarter),
        longest_waiters(child_areas, la_ids=la_ids, quarter=quarter, cut=cut, year_start=year_start),
        pipeline(family_areas, quarter=quarter, year_start=year_start),
        delays(family_areas, quarter=quarter),
        early_permanence(child_areas, la_ids=la_ids, quarter=quarter, year_start=year_start),
        best_interest(child_areas, la_ids=la_ids, quarter=quarter, year_start=year_start),
        orders(child_areas, la_ids=la_ids, quarter=quarter, year_start=year_start),
    )
    return DataPack(quarter=quarter, cut=cut, year_start=year_start, tables=tables)


# --- the workbook ---------------------------------------------------------------------------------------------

ABOUT_SHEET = "About"
ABOUT_HEADINGS = ("Sheet", "Column", "What it counts")


def workbook(pack: DataPack) -> bytes:
    """The pack as an XLSX workbook: an "About" sheet documenting every sheet's columns, then one sheet per table."""
    about: list[tuple[str, str, str]] = [
        (
            "",
            "",
            f"Regional data pack, {pack.quarter.title}, {pack.cut_label.lower()}. 12 months: "
            f"{pack.year_start:%-d %B %Y} to {pack.quarter.end:%-d %B %Y}.",
        ),
    ]
    for table in pack.tables:
        about.append((table.sheet, "", f"{table.title}. {table.about} {table.note}".strip()))
        for heading in table.label_headings:
            about.append(
                (
                    table.sheet,
                    heading,
                    "The area (a local authority, regional adoption agency or region, or all)"
                    if heading == "Area"
                    else heading,
                )
            )
        about.extend((table.sheet, column.heading, column.about) for column in table.columns)
    sheets: list[tuple[str, Sequence[str], Iterable[Sequence[Any]]]] = [(ABOUT_SHEET, ABOUT_HEADINGS, about)]
    for table in pack.tables:
        sheets.append((table.sheet, table.headings, [[*row.labels, *row.values] for row in table.rows]))
    return xlsx_workbook(sheets, freeze="B2", width=24)


# --- the PDF summary -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SummaryTable:
    """One table of the PDF summary: the figures of all the LAs in the pack (the rows of each area are in the
    workbook), as (heading, what it counts, value) or, for the longest waiters, their rows of all the LAs."""

    table: Table
    figures: tuple[tuple[str, str, int | None], ...]
    rows: tuple[Row, ...] = ()


def summary(pack: DataPack) -> list[SummaryTable]:
    found = []
    for table in pack.tables:
        totals = [row for row in table.rows if row.is_total]
        if table.label_headings != ("Area",):
            found.append(SummaryTable(table, (), tuple(Row(row.labels[1:], row.values, True) for row in totals)))
        elif totals:
            figures = tuple(
                (column.heading, column.about, value)
                for column, value in zip(table.columns, totals[0].values, strict=True)
            )
            found.append(SummaryTable(table, figures))
        else:
            found.append(SummaryTable(table, ()))
    return found


CHART_TITLE = "Longest waiters against children placed (all the local authorities)"


def characteristics_chart_svg(pack: DataPack) -> str:
    """The longest waiters' characteristics against those of the children placed, as percentages of all the LAs in
    the pack: a horizontal bar chart in SVG, its text kept as text (readable in the PDF)."""
    rows = [row for row in pack.table("longest-waiters").rows if row.is_total]
    labels = [f"{row.labels[1]}: {row.labels[2]}" for row in rows]
    longest = [float(row.values[1] or 0) for row in rows]
    placed = [float(row.values[3] or 0) for row in rows]
    chart = Chart("data-pack", (6.5, 0.22 * len(rows) + 1.2), font_size=8)
    with chart as figure:
        axes = figure.add_subplot()
        positions = list(range(len(rows)))
        axes.barh([p - 0.2 for p in positions], longest, height=0.4, label="Longest waiters (%)", color="#1d70b8")
        axes.barh([p + 0.2 for p in positions], placed, height=0.4, label="Children placed (%)", color="#f47738")
        axes.set_yticks(positions, labels)
        axes.invert_yaxis()
        axes.set_xlim(0, 100)
        axes.set_xlabel("Percentage of the children")
        axes.set_title(CHART_TITLE)
        axes.legend(loc="lower right", fontsize=7)
        axes.grid(axis="x", alpha=0.3)
    return chart.svg


# --- asking for it, and the job's work ---------------------------------------------------------------------------


def data_pack_request(*, actor: Any, cut: str, year: int, quarter: int, today: date, file_format: str = XLSX) -> Job:
    """Queue the pack of the LAs ``actor`` reports on, cut by ``cut``, for a quarter that has ended: the workbook
    (``XLSX``) or the PDF summary (``PDF``).

    403 unless the actor is a manager, ADM or administrator; 404 when they report on no LA. The LAs and
    approving agencies are fixed now, so the job shows only what the actor may see.
    """
    from reporting.tasks import build_data_pack

    if not tenancy.has_role(actor, *REPORT_ROLES):
        raise PermissionDenied("Only managers, ADMs and administrators can ask for the data pack.")
    las = reporting_las(actor)
    if not las:
        raise Http404("No local authorities to report on.")
    if cut not in CUTS:
        raise ValidationError({"cut": "Choose how to cut the pack"})
    if file_format not in (XLSX, PDF):
        raise ValidationError("Choose the workbook or the PDF summary")
    ended_quarter(year, quarter, today=today)  # a ValidationError unless it has ended
    agency_ids = tenancy.raa_ids_with_roles(actor, REPORT_ROLES)
    # The job belongs to the RAA when all the LAs are of one RAA the actor reports on (its page then shows to
    # its managers), otherwise to the first LA.
    raas = {la.raa_id for la in las}
    organisation: Organisation = las[0]
    if len(raas) == 1 and las[0].raa is not None and las[0].raa_id in agency_ids:
        organisation = las[0].raa
    return jobs.job_create(
        actor=actor,
        kind=Job.Kind.DATA_PACK,
        organisation=organisation,
        params={
            "cut": cut,
            "format": file_format,
            "year": year,
            "quarter": quarter,
            "la_ids": sorted(la.pk for la in las),
            "agency_ids": sorted(agency_ids),
        },
        task=build_data_pack,
    )


def data_pack_build(job: Job) -> jobs.JobOutput:
    """The job's work: the pack of the job's LAs and quarter, as an XLSX workbook or a PDF summary."""
    la_ids = [int(pk) for pk in job.params["la_ids"]]
    las = list(
        Organisation.objects.filter(pk__in=la_ids, kind=Organisation.Kind.LA).select_related("raa").order_by("name")
    )
    quarter = FinancialQuarter(int(job.params["year"]), int(job.params["quarter"]))
    pack = data_pack(
        las=las, cut=job.params["cut"], quarter=quarter, agency_ids=[int(pk) for pk in job.params["agency_ids"]]
    )
    jobs.job_progress(job, 70)
    name = f"data-pack-{quarter.year}-Q{quarter.number}-{pack.cut}"
    result: dict[str, Any] = {"quarter": quarter.title, "cut": pack.cut, "local_authorities": len(las)}
    if job.params.get("format") == PDF:
        chart = characteristics_chart_svg(pack)
        content = render_pdf(
            "reporting/data_pack.pdf.html",
            {
                "pack": pack,
                "summary": summary(pack),
                "las": las,
                "chart_src": data_uri(chart),
                "chart_title": CHART_TITLE,
            },
        )
        return jobs.JobOutput(result=result, file_name=f"{name}.pdf", content=content)
    result["sheets"] = [ABOUT_SHEET, *(table.sheet for table in pack.tables)]
    return jobs.JobOutput(result=result, file_name=f"{name}.xlsx", content=workbook(pack))
