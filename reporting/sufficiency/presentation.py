"""The sufficiency forecast as the page shows it: the table, the chart and the arithmetic in words."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from adoption.periods import FinancialQuarter
from reporting.charts import Chart
from reporting.sufficiency.history import (
    HUNDRED,
    ONE_PLACE,
    TIMES,
    TWO_PLACES,
    ZERO,
    History,
)
from reporting.sufficiency.projection import (
    Assumptions,
    ProjectedQuarter,
)

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
