"""Safe spreadsheet cells for every CSV and XLSX the service produces.

A spreadsheet program runs a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return as a formula (CSV injection). Exports of special-category data must never do that, so text
cells that start with one get a leading apostrophe, which spreadsheets show as plain text.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """The value, with a leading apostrophe if it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_cell(value: Any) -> str:
    """A CSV cell's text: empty for ``None``, neutralised otherwise."""
    return "" if value is None else neutralise(str(value))


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
        sheet.append(list(headers))
        for header in sheet[1]:
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
