"""Timing a callable, the record of one measured item, and the human table."""

from __future__ import annotations

import gc
import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext


@dataclass(frozen=True)
class Timings:
    """Wall-clock times of repeated runs, in milliseconds."""

    samples: tuple[float, ...]

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        """The nearest-rank 95th percentile (with few samples: the slowest)."""
        ordered = sorted(self.samples)
        return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def time_rounds(*calls: Callable[[], Any], repeat: int, warmup: int = 1) -> tuple[Timings, ...]:
    """Run every call ``warmup`` times unmeasured, then ``repeat`` rounds of each call once, in turn: one Timings
    per call. A thing and its floor measured in the same rounds see the same machine (these machines are shared: a
    slow spell then falls on both, not on whichever was being measured in it)."""
    for _ in range(warmup):
        for call in calls:
            call()
    samples: list[list[float]] = [[] for _ in calls]
    for _ in range(max(1, repeat)):
        for call, taken in zip(calls, samples, strict=True):
            gc.collect()  # a collection started by an earlier run is not charged to this one
            started = time.perf_counter()
            call()
            taken.append((time.perf_counter() - started) * 1000)
    return tuple(Timings(tuple(taken)) for taken in samples)


def count_queries(call: Callable[[], Any]) -> int:
    """How many SQL statements one run of ``call`` sends."""
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


def _ms(value: float) -> float:
    return round(value, 2)


@dataclass
class Item:
    """One line of the report: a measured thing against its floor."""

    name: str
    description: str
    target: float
    timings: Timings | None = None
    floor: Timings | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    skipped: str = ""
    # Further conditions of the target besides the ratio (e.g. a constant query count), name -> held.
    conditions: dict[str, bool] = field(default_factory=dict)
    # What the target is when it is not the ratio: the item is met by its conditions alone, and its ratio to
    # ``target`` is reported for comparison (all LAs' PDFs on the worker: spread over its processes).
    target_is: str = ""

    @property
    def ratio(self) -> float | None:
        if self.timings is None or self.floor is None or self.floor.median <= 0:
            return None
        return self.timings.median / self.floor.median

    @property
    def met(self) -> bool | None:
        ratio = self.ratio
        if self.skipped or ratio is None:
            return None
        return (bool(self.target_is) or ratio <= self.target) and all(self.conditions.values())

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "description": self.description, "target": self.target}
        if self.skipped:
            return out | {"skipped": self.skipped, "met": None}
        assert self.timings is not None and self.floor is not None
        ratio = self.ratio
        out |= {
            "median_ms": _ms(self.timings.median),
            "p95_ms": _ms(self.timings.p95),
            "runs": len(self.timings.samples),
            "floor_median_ms": _ms(self.floor.median),
            "floor_p95_ms": _ms(self.floor.p95),
            "ratio": round(ratio, 3) if ratio is not None else None,
            "met": self.met,
        }
        if self.target_is:
            out["target_is"] = self.target_is
        return out | self.extra


def table(items: list[dict[str, Any]]) -> str:
    """The items as a fixed-width table for people (stderr)."""
    headings = ("item", "median ms", "p95 ms", "floor ms", "ratio", "target", "met", "queries")
    rows = []
    for item in items:
        if item.get("skipped"):
            rows.append((item["name"], "", "", "", "", f"{item['target']:g}", "skipped", item["skipped"]))
            continue
        queries = item.get("queries")
        if "queries_subjects" in item:
            counts = "/".join(str(s["queries"]) for s in item["queries_subjects"].values())
            queries = f"{counts} ({'constant' if item['queries_constant'] else 'NOT constant'})"
        rows.append(
            (
                item["name"],
                f"{item['median_ms']:.1f}",
                f"{item['p95_ms']:.1f}",
                f"{item['floor_median_ms']:.1f}",
                "" if item["ratio"] is None else f"{item['ratio']:.2f}",
                item.get("target_is", "").split(":")[0] or f"{item['target']:g}",
                {True: "yes", False: "NO", None: ""}[item["met"]],
                "" if queries is None else str(queries),
            )
        )
        if fresh := item.get("after_a_change"):  # figures kept in the cache: the page just after a change too
            rows.append(
                (
                    "  just after a change",
                    f"{fresh['median_ms']:.1f}",
                    f"{fresh['p95_ms']:.1f}",
                    f"{item['floor_median_ms']:.1f}",
                    "" if fresh["ratio"] is None else f"{fresh['ratio']:.2f}",
                    "",
                    "",
                    str(fresh["queries"]),
                )
            )
    widths = [max(len(str(row[i])) for row in [headings, *rows]) for i in range(len(headings))]
    lines = [
        "  ".join(str(cell).ljust(width) for cell, width in zip(row, widths, strict=True)) for row in [headings, *rows]
    ]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(line.rstrip() for line in lines)
