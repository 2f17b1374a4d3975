"""The sufficiency forecast's assumptions (from the history, or as the user sets them) and its projection, which is
arithmetic on them."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from decimal import ROUND_HALF_UP, Decimal

from adoption.periods import FinancialQuarter
from reporting.sufficiency.history import (
    HUNDRED,
    ONE_PLACE,
    PROJECTION_QUARTERS,
    TWO_PLACES,
    ZERO,
    History,
)

# --- the assumptions -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Assumptions:
    """What the projection assumes of each coming quarter. Percentages are 0 to 100."""

    decisions_per_quarter: Decimal
    needing_family_percent: Decimal  # of children with a decision, those who go on to need a family
    children_matched_per_quarter: Decimal
    families_per_child: Decimal  # below 1 where sibling groups are placed together
    # The families' side (None when it is not shown).
    enquiries_per_quarter: Decimal | None = None
    registration_percent: Decimal | None = None  # of enquiries, those who register
    approval_percent: Decimal | None = None  # of registrations, those approved
    families_matched_per_quarter: Decimal | None = None

    @property
    def has_families(self) -> bool:
        return self.enquiries_per_quarter is not None

    def as_dict(self) -> dict[str, Decimal | None]:
        return {field.name: getattr(self, field.name) for field in fields(self)}


ASSUMPTION_NAMES = tuple(field.name for field in fields(Assumptions))
FAMILY_ASSUMPTIONS = (
    "enquiries_per_quarter",
    "registration_percent",
    "approval_percent",
    "families_matched_per_quarter",
)


def _per_quarter(total: int, quarters: int) -> Decimal:
    """The average of a quarter, to one decimal place."""
    return (Decimal(total) / Decimal(quarters)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def _percent(part: int, whole: int, *, none: Decimal) -> Decimal:
    """``part`` as a percentage of ``whole`` to one decimal place, at most 100; ``none`` when ``whole`` is 0."""
    if not whole:
        return none
    return min(HUNDRED, Decimal(part) * HUNDRED / Decimal(whole)).quantize(ONE_PLACE, rounding=ROUND_HALF_UP)


def default_assumptions(found: History) -> Assumptions:
    """The assumptions the history gives: averages of its quarters, its conversion rates and its families per child.

    With no decisions in the history every child with one is taken to need a family (100%); with no children
    waiting at any quarter end, one family per child; with no enquiries (or registrations), a conversion of 0%.
    """
    count = len(found.quarters)
    waiting = found.child_total("waiting")
    per_child = (
        (Decimal(found.child_total("families_needed")) / Decimal(waiting)).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)
        if waiting
        else Decimal("1.00")
    )
    assumptions = Assumptions(
        decisions_per_quarter=_per_quarter(found.child_total("decisions"), count),
        needing_family_percent=_percent(found.needing_family, found.decided, none=HUNDRED),
        children_matched_per_quarter=_per_quarter(found.child_total("matched"), count),
        families_per_child=per_child,
    )
    if found.families is None:
        return assumptions
    return replace(
        assumptions,
        enquiries_per_quarter=_per_quarter(found.family_total("enquiries"), count),
        registration_percent=_percent(found.family_total("registrations"), found.family_total("enquiries"), none=ZERO),
        approval_percent=_percent(found.family_total("approvals"), found.family_total("registrations"), none=ZERO),
        families_matched_per_quarter=_per_quarter(found.family_total("matched"), count),
    )


# --- the projection --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProjectedQuarter:
    """One coming quarter, worked out from the one before: start + new - matched = end (never below 0)."""

    quarter: FinancialQuarter
    children_waiting_start: Decimal
    new_children_needing: Decimal  # decisions per quarter x the share who go on to need a family
    children_matched: Decimal  # as assumed, or the children there were when fewer
    children_waiting: Decimal  # at the end
    families_needed: Decimal  # children waiting x families per child
    families_available_start: Decimal | None = None
    new_approvals: Decimal | None = None  # enquiries x registration % x approval %
    families_matched: Decimal | None = None  # as assumed, or the families there were when fewer
    families_available: Decimal | None = None  # at the end

    @property
    def gap(self) -> Decimal | None:
        """Families available less families needed: a surplus above 0, a shortfall below."""
        if self.families_available is None:
            return None
        return self.families_available - self.families_needed


def project(
    assumptions: Assumptions,
    *,
    after: FinancialQuarter,
    children_waiting: int,
    families_available: int | None,
    quarters: int = PROJECTION_QUARTERS,
) -> tuple[ProjectedQuarter, ...]:
    """The ``quarters`` quarters after ``after``, from the stocks at its end and the assumptions.

    Each quarter: children waiting at the end = at the start + decisions x the share who go on to need a family
    - children matched; families needed = children waiting x families per child. Families available at the end
    = at the start + enquiries x registration % x approval % (newly approved) - families matched. A quarter
    cannot match more children (or families) than there are: the stock stops at 0.
    """
    new_children = assumptions.decisions_per_quarter * assumptions.needing_family_percent / HUNDRED
    new_approvals: Decimal | None = None
    if assumptions.has_families and families_available is not None:
        assert assumptions.enquiries_per_quarter is not None
        assert assumptions.registration_percent is not None and assumptions.approval_percent is not None
        new_approvals = (
            assumptions.enquiries_per_quarter
            * assumptions.registration_percent
            / HUNDRED
            * assumptions.approval_percent
            / HUNDRED
        )
    children = Decimal(children_waiting)
    families = Decimal(families_available) if new_approvals is not None and families_available is not None else None
    projected: list[ProjectedQuarter] = []
    quarter = after
    for _ in range(quarters):
        quarter = quarter.next
        matched = min(assumptions.children_matched_per_quarter, children + new_children)
        children_end = children + new_children - matched
        row = ProjectedQuarter(
            quarter=quarter,
            children_waiting_start=children,
            new_children_needing=new_children,
            children_matched=matched,
            children_waiting=children_end,
            families_needed=children_end * assumptions.families_per_child,
        )
        if families is not None and new_approvals is not None:
            assert assumptions.families_matched_per_quarter is not None
            families_matched = min(assumptions.families_matched_per_quarter, families + new_approvals)
            families_end = families + new_approvals - families_matched
            row = replace(
                row,
                families_available_start=families,
                new_approvals=new_approvals,
                families_matched=families_matched,
                families_available=families_end,
            )
            families = families_end
        projected.append(row)
        children = children_end
    return tuple(projected)


def forecast_projection(found: History, assumptions: Assumptions) -> tuple[ProjectedQuarter, ...]:
    """The projection from the stocks at the end of the history's last quarter."""
    last_children = found.children[-1].waiting
    last_families = found.families[-1].available if found.families else None
    return project(assumptions, after=found.last, children_waiting=last_children, families_available=last_families)
