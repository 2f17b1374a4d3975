"""The whole data pack: every table of a cut and a quarter."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from adoption.models import Organisation
from adoption.periods import FinancialQuarter
from reporting.data_pack.children_tables import (
    longest_waiters,
    placed_by_next,
    stock_and_flow,
    waiting,
)
from reporting.data_pack.core import (
    DataPack,
    agency_areas,
    areas,
)
from reporting.data_pack.family_tables import (
    delays,
    families,
    pipeline,
)
from reporting.data_pack.la_tables import (
    best_interest,
    early_permanence,
    orders,
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
