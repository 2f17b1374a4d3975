"""The data pack as files: the workbook (one sheet per table, and what each column counts) and the PDF summary."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from adoption.spreadsheets import xlsx_workbook
from reporting.charts import Chart
from reporting.data_pack.core import (
    DataPack,
    Row,
    Table,
)

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
