"""Safe spreadsheet cells for every CSV and XLSX the service produces.

A spreadsheet program runs a cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return as a formula (CSV injection). Exports of special-category data must never do that, so text
cells that start with one get a leading apostrophe, which spreadsheets show as plain text.
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """The value, with a leading apostrophe if it is text a spreadsheet would read as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_cell(value: Any) -> str:
    """A CSV cell's text: empty for ``None``, neutralised otherwise."""
    return "" if value is None else neutralise(str(value))
