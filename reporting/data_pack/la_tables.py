"""The data pack's tables by LA: early permanence, best-interest decisions, special guardianship beside adoption."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from adoption.periods import FinancialQuarter
from children.models import PermanenceOutcome
from children.selectors import data_pack as child_reads
from reporting.data_pack.core import (
    Area,
    Column,
    Table,
    _count,
    _flags,
    _grouped,
    _rows,
    share,
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
