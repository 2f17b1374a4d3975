"""Safe spreadsheet cells for every CSV and XLSX the service produces.

A spreadsheet program runs a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return as a formula (CSV injection). Exports of special-category data must never do that, so text
cells that start with one get a leading apostrophe, which spreadsheets show as plain text.

Numbers are not text: a number cell (``-3``, ``Decimal("-1.5")``) stays a number, in an XLSX as a
number cell and in a CSV as the bare figure, which a spreadsheet reads as that number and nothing
more. Text that only looks like a figure (a name typed as ``-1+1``) is still text and is neutralised.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """The value, with a leading apostrophe if it is text a spreadsheet would read as a formula. Anything that is
    not text (numbers, dates, ``None``) is returned as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_cell(value: Any) -> str:
    """A CSV cell's text: empty for ``None``; a number as its figure (a negative number stays a number); any other
    value as text, neutralised."""
    if value is None:
        return ""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool) and math.isfinite(value):
        return str(value)
    return neutralise(str(value))  # text, and "-inf", which a spreadsheet would read as a formula


def xlsx_workbook(
    sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence[Any]]]], *, freeze: str = "B2", width: int = 22
) -> bytes:
    """An XLSX file of ``(title, headers, rows)`` sheets: bold wrapped headings, dates shown day first, text cells
    neutralised and stored as text (never a formula)."""
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    workbook.remove(first)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(title)
        sheet.append([neutralise(header) for header in headers])
        for header in sheet[1]:
            if isinstance(header.value, str):
                header.data_type = "s"
            header.font = Font(bold=True)
            header.alignment = Alignment(wrap_text=True, vertical="top")
            sheet.column_dimensions[header.column_letter].width = width
        for row in rows:
            sheet.append([neutralise(value) for value in row])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, date):
                    cell.number_format = "dd/mm/yyyy"
                elif isinstance(cell.value, str):
                    cell.data_type = "s"
        sheet.freeze_panes = freeze
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_sheet(
    *, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], freeze: str = "B2", width: int = 22
) -> bytes:
    """One sheet as an XLSX file (see ``xlsx_workbook``)."""
    return xlsx_workbook([(title, headers, rows)], freeze=freeze, width=width)
