"""The DfE's own 903 rules (csc-validator-be-903) on the uploaded tables."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.utils import timezone

from adoption.models import Organisation
from children.ssda903.importer.constants import BLOCKING_DFE_RULES, DFE_NOT_RUN, LETTER_SEX_FROM
from children.ssda903.reader import Problem, Tables
from children.ssda903.validation import ADOPTION_TABLES, collection_year_label, collection_year_of, validate_tables

logger = logging.getLogger(__name__)

# --- the DfE's rules --------------------------------------------------------------------------------


@dataclass
class DfeCheck:
    problems: list[Problem]
    collection_year: str
    rules_not_run: list[str]


def dfe_findings(tables: Tables, la: Organisation) -> DfeCheck:
    """The DfE validator's findings on the tables that were read whole (takes a few seconds)."""
    usable = {table: tables.csv_text(table) for table in ADOPTION_TABLES if table in tables.sources}
    year = collection_year_of(tables.latest_date() or timezone.localdate())
    # The SEX codes say which return this is: M/F/U from the 2024 to 2025 collection, 1/2 before it.
    sexes = {row.values.get("SEX", "") for row in tables.rows["Header"]} - {""}
    if sexes and sexes <= {"M", "F", "U"}:
        year = max(year, LETTER_SEX_FROM)
    elif sexes and sexes <= {"1", "2"}:
        year = min(year, LETTER_SEX_FROM - 1)
    label = collection_year_label(year)
    if not any(tables.rows[t] for t in usable):
        return DfeCheck([], label, [])
    try:
        result = validate_tables(usable, year_start=year, la_ons_code=la.ons_code)
    except Exception as exc:  # the validator is third-party code run on uploaded data
        logger.exception("903 import: the DfE validator failed")
        return DfeCheck(
            [Problem(DFE_NOT_RUN, f"The files could not be checked against the DfE's rules ({type(exc).__name__})")],
            label,
            [],
        )
    problems = []
    for finding in result.for_tables(*ADOPTION_TABLES):
        rows = tables.rows[finding.table]
        row = rows[finding.row] if 0 <= finding.row < len(rows) else None
        problems.append(
            Problem(
                finding.rule,
                finding.message,
                file=tables.sources.get(finding.table, ""),
                table=finding.table,
                row=row.row if row else None,
                child=row.child if row else finding.child,
                blocking=finding.rule in BLOCKING_DFE_RULES,
                source="dfe",
            )
        )
    return DfeCheck(problems, label, sorted(result.rules_not_run))


def _merge(own: list[Problem], dfe: list[Problem]) -> list[Problem]:
    """Both lists, dropping a DfE finding the import already reported for the same row and rule."""
    seen = {(p.table, p.row, p.rule) for p in own}
    merged = own + [p for p in dfe if (p.table, p.row, p.rule) not in seen]
    order = {t: i for i, t in enumerate(ADOPTION_TABLES)}
    return sorted(
        merged, key=lambda p: (not p.blocking, p.file, order.get(p.table, 9), p.row or 0, p.child, str(p.rule))
    )
