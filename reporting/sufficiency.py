"""The sufficiency forecast: will recruitment keep pace with the children waiting?

For an area (an RAA: its LAs' children and its own households; or one LA's children with its RAA's households),
from the last 8 complete financial quarters' records:

* the history, quarter by quarter, computed in the database (one aggregate query per side:
  :func:`children.selectors.flows.quarterly_child_flows`, :func:`adopters.selectors.flows.quarterly_household_flows`):
  children's new decisions, placement orders, matches and placements, and at each quarter's end the children
  waiting for a family and the families they need; adopters' enquiries, registrations, stage 2 starts, approvals
  and families matched, and at each quarter's end the approved families waiting and those available;
* the assumptions, defaulted from that history (:func:`default_assumptions`) and adjustable: decisions, children
  matched, enquiries and families matched per quarter (the 8 quarters' average), the share of children with a
  decision who go on to need a family, the conversion rates from enquiry to registration and from registration
  to approval (flows over the 8 quarters: registrations / enquiries, approvals / registrations), and families per
  child (families needed / children waiting over the 8 quarter ends: a sibling group placed together needs one);
* the projection of the next 4 quarters (:func:`project`): pure arithmetic on Decimals, so the same assumptions
  always give the same figures.

The caller passes LAs and approving agencies already narrowed to what whoever asked may see; with no agency
(an LA's staff do not see their RAA's families) the families' side is left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from decimal import ROUND_HALF_UP, Decimal

from adopters.selectors.flows import quarterly_household_flows
from adoption.periods import FinancialQuarter
from children.selectors.flows import quarterly_child_flows
from reporting.charts import Chart

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


def default_reasons(found: History, defaults: Assumptions) -> dict[str, str]:
    """Where each default comes from, in plain English: the records' figures and the sum."""
    count = len(found.quarters)

    def average(total: int, things: str, value: Decimal | None) -> str:
        return f"From the records: {total:,} {things} in {count} quarters, {number(value or ZERO)} a quarter"

    def share(part: int, whole: int, of: str, value: Decimal | None) -> str:
        if not whole:
            return f"From the records: no {of} in the {count} quarters, so {number(value or ZERO)}%"
        return f"From the records: {part:,} of {whole:,} {of}, {number(value or ZERO)}%"

    reasons = {
        "decisions_per_quarter": average(
            found.child_total("decisions"), "new decisions", defaults.decisions_per_quarter
        ),
        "needing_family_percent": share(
            found.needing_family, found.decided, "children with a decision", defaults.needing_family_percent
        ),
        "children_matched_per_quarter": average(
            found.child_total("matched"), "children matched", defaults.children_matched_per_quarter
        ),
        "families_per_child": (
            f"From the records: {found.child_total('families_needed'):,} families needed for "
            f"{found.child_total('waiting'):,} children waiting, over the {count} quarter ends, "
            f"{number(defaults.families_per_child, TWO_PLACES)} a child"
        ),
    }
    if found.families is not None:
        reasons |= {
            "enquiries_per_quarter": average(
                found.family_total("enquiries"), "enquiries", defaults.enquiries_per_quarter
            ),
            "registration_percent": share(
                found.family_total("registrations"),
                found.family_total("enquiries"),
                "enquiries registered",
                defaults.registration_percent,
            ),
            "approval_percent": share(
                found.family_total("approvals"),
                found.family_total("registrations"),
                "registrations approved",
                defaults.approval_percent,
            ),
            "families_matched_per_quarter": average(
                found.family_total("matched"), "families matched", defaults.families_matched_per_quarter
            ),
        }
    return reasons


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


# --- the table, the chart and the words -------------------------------------------------------------------------


def whole(value: Decimal) -> int:
    """A figure as shown: rounded to a whole number (halves up)."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _whole_or_none(value: Decimal | None) -> int | None:
    return None if value is None else whole(value)


def number(value: Decimal | int, places: Decimal = ONE_PLACE) -> str:
    """A figure in words: to ``places`` (one decimal place), without a trailing ".0", with thousands commas."""
    rounded = Decimal(value).quantize(places, rounding=ROUND_HALF_UP)
    if rounded == rounded.to_integral_value():
        return f"{int(rounded):,}"
    return f"{rounded:,}"


@dataclass(frozen=True)
class Row:
    """One quarter of the table, the chart and the CSV: recorded (history) or projected."""

    quarter: FinancialQuarter
    projected: bool
    decisions: Decimal | int
    placement_orders: int | None  # not projected
    children_matched: Decimal | int
    children_placed: int | None  # not projected
    children_waiting: int
    families_needed: int
    enquiries: Decimal | int | None = None
    registrations: Decimal | int | None = None
    stage2_starts: int | None = None  # not projected
    approvals: Decimal | int | None = None
    families_matched: Decimal | int | None = None
    families_waiting: int | None = None  # not projected
    families_available: int | None = None

    @property
    def gap(self) -> int | None:
        """Families available less families needed, of the figures as shown."""
        if self.families_available is None:
            return None
        return self.families_available - self.families_needed

    @property
    def surplus(self) -> int | None:
        return None if self.gap is None else max(self.gap, 0)

    @property
    def shortfall(self) -> int | None:
        return None if self.gap is None else max(-self.gap, 0)

    @property
    def label(self) -> str:
        return f"Q{self.quarter.number} {self.quarter.financial_year}"


def rows(found: History, assumptions: Assumptions, projection: tuple[ProjectedQuarter, ...]) -> list[Row]:
    """The recorded quarters, then the projected ones (their flows are the assumptions of a quarter)."""
    table: list[Row] = []
    families = found.families or (None,) * len(found.children)
    for child, family in zip(found.children, families, strict=True):
        table.append(
            Row(
                quarter=child.quarter,
                projected=False,
                decisions=child.decisions,
                placement_orders=child.placement_orders,
                children_matched=child.matched,
                children_placed=child.placed,
                children_waiting=child.waiting,
                families_needed=child.families_needed,
                enquiries=family.enquiries if family else None,
                registrations=family.registrations if family else None,
                stage2_starts=family.stage2_starts if family else None,
                approvals=family.approvals if family else None,
                families_matched=family.matched if family else None,
                families_waiting=family.waiting if family else None,
                families_available=family.available if family else None,
            )
        )
    for quarter in projection:
        registrations = None
        if quarter.new_approvals is not None:
            assert assumptions.enquiries_per_quarter is not None and assumptions.registration_percent is not None
            registrations = assumptions.enquiries_per_quarter * assumptions.registration_percent / HUNDRED
        table.append(
            Row(
                quarter=quarter.quarter,
                projected=True,
                decisions=assumptions.decisions_per_quarter,
                placement_orders=None,
                children_matched=quarter.children_matched,
                children_placed=None,
                children_waiting=whole(quarter.children_waiting),
                families_needed=whole(quarter.families_needed),
                enquiries=assumptions.enquiries_per_quarter if quarter.new_approvals is not None else None,
                registrations=registrations,
                approvals=quarter.new_approvals,
                families_matched=quarter.families_matched,
                families_available=_whole_or_none(quarter.families_available),
            )
        )
    return table


def gap_words(gap: int | Decimal) -> str:
    """In words: "a surplus of 3 families", "a shortfall of 1 family", or no gap."""
    if gap == 0:
        return "no gap: as many families available as needed"
    amount = -gap if gap < 0 else gap
    families = "family" if amount == 1 else "families"
    return f"a {'surplus' if gap > 0 else 'shortfall'} of {number(amount)} {families}"


def explain(assumptions: Assumptions, quarter: ProjectedQuarter) -> list[str]:
    """The arithmetic of a projected quarter, in plain English."""
    children = (
        f"{number(quarter.children_waiting_start)} children waiting for a family at the start, "
        f"plus {number(quarter.new_children_needing)} newly needing one "
        f"({number(assumptions.decisions_per_quarter)} decisions {TIMES} {number(assumptions.needing_family_percent)}% "
        f"who go on to need a family), less {number(quarter.children_matched)} matched: "
        f"{number(quarter.children_waiting)} waiting at the end, needing {number(quarter.families_needed)} "
        f"families ({number(quarter.children_waiting)} {TIMES} {number(assumptions.families_per_child, TWO_PLACES)} "
        "families per child)."
    )
    words = [children]
    if (
        quarter.families_available is not None
        and quarter.families_available_start is not None
        and quarter.new_approvals is not None
        and quarter.families_matched is not None
        and quarter.gap is not None
    ):
        assert assumptions.enquiries_per_quarter is not None
        assert assumptions.registration_percent is not None and assumptions.approval_percent is not None
        words.append(
            f"{number(quarter.families_available_start)} families available at the start, "
            f"plus {number(quarter.new_approvals)} newly approved "
            f"({number(assumptions.enquiries_per_quarter)} enquiries {TIMES} "
            f"{number(assumptions.registration_percent)}% who register {TIMES} "
            f"{number(assumptions.approval_percent)}% of registrations approved), "
            f"less {number(quarter.families_matched)} matched: {number(quarter.families_available)} available "
            f"at the end. That is {gap_words(quarter.gap)}."
        )
    return words


CHART_TITLE = "Families needed and families available at each quarter's end"
CHART_Y_LABEL = "Families"


def chart_svg(table: list[Row]) -> str:
    """The families needed (and available) at each quarter's end as an SVG line chart: recorded quarters solid,
    projected ones dashed, the text kept as text."""
    labels = [row.label for row in table]
    positions = list(range(len(table)))
    recorded = [i for i, row in enumerate(table) if not row.projected]
    split = recorded[-1] if recorded else 0
    chart = Chart("sufficiency", (7.5, 3.6))
    with chart as figure:
        axes = figure.add_subplot()
        series: list[tuple[str, list[int], str, str]] = [
            ("Families needed", [row.families_needed for row in table], "o", "#d4351c"),
        ]
        if all(row.families_available is not None for row in table):
            series.append(("Families available", [row.families_available or 0 for row in table], "s", "#1d70b8"))
        for name, values, marker, colour in series:
            axes.plot(positions[: split + 1], values[: split + 1], f"{marker}-", color=colour, label=f"{name}")
            axes.plot(positions[split:], values[split:], f"{marker}--", color=colour, label=f"{name} (projected)")
        axes.axvline(split + 0.5, color="#505a5f", linestyle=":", linewidth=1)
        axes.set_xticks(positions, labels, rotation=45, ha="right")
        axes.set_title(CHART_TITLE)
        axes.set_ylabel(CHART_Y_LABEL)
        axes.set_ylim(bottom=0)
        axes.legend(loc="best", fontsize=8)
        axes.grid(axis="y", alpha=0.3)
    return chart.svg


def chart_text(table: list[Row]) -> str:
    """The chart in words, its text alternative."""
    recorded = [row for row in table if not row.projected]
    projected = [row for row in table if row.projected]
    first, last_recorded = recorded[0], recorded[-1]
    with_families = all(row.families_available is not None for row in table)
    shown = "families needed and families available" if with_families else "families needed"
    words = [
        f"Line chart of the {shown} at the end of each quarter, recorded from {first.label} to "
        f"{last_recorded.label} and projected to {projected[-1].label if projected else last_recorded.label}."
    ]
    for name, row in (("recorded", last_recorded), ("projected", projected[-1] if projected else None)):
        if row is None:
            continue
        sentence = f"At the end of {row.label} ({name}): {row.families_needed:,} families needed"
        if row.families_available is not None and row.gap is not None:
            sentence += f", {row.families_available:,} available, {gap_words(row.gap)}"
        words.append(sentence + ".")
    words.append("The table below gives every figure.")
    return " ".join(words)
