"""The data pack's result objects, the areas of a cut and the adding up of LAs' counts into them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Aggregate, Count, Q, QuerySet

from adoption.models import Organisation, Region
from adoption.periods import FinancialQuarter

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
