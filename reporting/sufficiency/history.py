"""The sufficiency forecast's history: the last 8 quarters' flows and stocks, from the selectors, one query a side."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from adopters.selectors.flows import quarterly_household_flows
from adoption.periods import FinancialQuarter
from children.selectors.flows import quarterly_child_flows

HISTORY_QUARTERS = 8
PROJECTION_QUARTERS = 4

ONE_PLACE = Decimal("0.1")
TWO_PLACES = Decimal("0.01")
HUNDRED = Decimal(100)
ZERO = Decimal(0)
TIMES = "\u00d7"  # the multiplication sign, in the arithmetic in words


# --- the history ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChildQuarter:
    """The children of one quarter: flows in it, stocks at its end."""

    quarter: FinancialQuarter
    decisions: int  # children with a new decision that they should be placed for adoption
    placement_orders: int  # children with a new placement order
    matched: int  # children matched
    placed: int  # children who moved in with an adoptive family
    waiting: int  # at the end: children waiting for a family (a decision, no match current)
    families_needed: int  # at the end: the families they need (a sibling group placed together needs one)


@dataclass(frozen=True)
class FamilyQuarter:
    """The households of one quarter: flows in it, stocks at its end."""

    quarter: FinancialQuarter
    enquiries: int
    registrations: int  # registration of interest accepted: stage 1 begins
    stage2_starts: int
    approvals: int
    matched: int  # families matched with a child (or a sibling group)
    waiting: int  # at the end: approved families with no match
    available: int  # of those, available for a child (not on hold, not unavailable, no early permanence child)


@dataclass(frozen=True)
class History:
    quarters: tuple[FinancialQuarter, ...]
    children: tuple[ChildQuarter, ...]
    families: tuple[FamilyQuarter, ...] | None  # None: no approving agency the caller may see
    decided: int  # children with a decision in the quarters
    needing_family: int  # of those, the decision still stood at the end (or was reversed as no adopters found)

    @property
    def last(self) -> FinancialQuarter:
        return self.quarters[-1]

    def child_total(self, name: str) -> int:
        return sum(getattr(row, name) for row in self.children)

    def family_total(self, name: str) -> int:
        return sum(getattr(row, name) for row in self.families or ())


def history_quarters(last: FinancialQuarter, count: int = HISTORY_QUARTERS) -> tuple[FinancialQuarter, ...]:
    """The ``count`` quarters up to and including ``last``, oldest first."""
    quarters = [last]
    while len(quarters) < count:
        quarters.append(quarters[-1].previous)
    return tuple(reversed(quarters))


def history(*, la_ids: Iterable[int], agency_ids: Iterable[int] | None, last: FinancialQuarter) -> History:
    """The 8 quarters to ``last`` of the children of ``la_ids`` and the households of ``agency_ids`` (none: the
    families' side is not computed). Two aggregate queries, whatever the number of children and households."""
    quarters = history_quarters(last)
    windows = [(quarter.start, quarter.end) for quarter in quarters]
    child_rows, decided = quarterly_child_flows(la_ids=la_ids, quarters=windows)
    families: tuple[FamilyQuarter, ...] | None = None
    if agency_ids is not None:
        family_rows = quarterly_household_flows(agency_ids=agency_ids, quarters=windows)
        families = tuple(FamilyQuarter(quarter, **row) for quarter, row in zip(quarters, family_rows, strict=True))
    return History(
        quarters=quarters,
        children=tuple(ChildQuarter(quarter, **row) for quarter, row in zip(quarters, child_rows, strict=True)),
        families=families,
        decided=decided["decided"],
        needing_family=decided["needing_family"],
    )
