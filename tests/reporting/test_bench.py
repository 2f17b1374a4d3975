"""``manage.py bench`` on the demo region: one JSON report with every item, each timed against its floor.

The demo region is loaded once for the module and rolled back at the end. No assertion is about how fast anything
is (these machines are noisy): the report must hold every item with numeric timings and a ratio that is the
median over the floor's median, the pages' query counts for their two subjects, the 903 import's three sizes,
and, with no broker, the worker item skipped with its reason.
"""

from __future__ import annotations

import json
import re
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone

from adoption.models import ApiClient, Job
from children.models import Child
from reporting.bench.run import ITEM_NAMES
from reporting.management.commands.load_demo import load
from tests.conftest import figures_committed

SEED = 2026
# Pages whose SQL statements do not depend on the subject in the demo region (see the report's queries_subjects).
CONSTANT_PAGES = ("page.child_list", "page.dashboard", "page.api_children")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        load(seed=SEED, reference_date=timezone.localdate())
        figures_committed()  # the demo stands for data already there: the dashboard's figures are kept
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def bench_run(demo, django_db_blocker, tmp_path_factory) -> dict[str, Any]:
    """One run of the command (2 repetitions, no Redis), shared by the tests that read its report."""
    output = tmp_path_factory.mktemp("bench") / "bench.json"
    stdout, stderr = StringIO(), StringIO()
    with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as patch:
        from django.conf import settings

        patch.setattr(settings, "REDIS_URL", "")
        children_before = Child.objects.count()
        clients_before = ApiClient.objects.filter(revoked_at__isnull=True).count()
        jobs_before = Job.objects.count()
        call_command("bench", "--repeat", "2", "--output", str(output), stdout=stdout, stderr=stderr)
        after = {
            "children": Child.objects.count(),
            "live_api_clients": ApiClient.objects.filter(revoked_at__isnull=True).count(),
            "jobs": Job.objects.count(),
        }
    return {
        "report": json.loads(stdout.getvalue()),
        "file": json.loads(output.read_text()),
        "stderr": stderr.getvalue(),
        "before": {"children": children_before, "live_api_clients": clients_before, "jobs": jobs_before},
        "after": after,
    }


def _items(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {item["name"]: item for item in report["items"]}


def test_the_report_holds_every_item_with_numeric_timings_and_a_ratio(bench_run, db):
    report = bench_run["report"]
    assert bench_run["file"] == report  # --output writes what is printed
    assert report["machine"]["cpus"] >= 1
    assert report["machine"]["postgres"]
    assert report["data"]["children"] == bench_run["before"]["children"] > 0
    assert report["data"]["las"] >= 5
    items = _items(report)
    assert list(items) == list(ITEM_NAMES)
    for name, item in items.items():
        if name == "pdf.scorecard_all_las_worker":
            continue
        assert "skipped" not in item, item
        for key in ("median_ms", "p95_ms", "floor_median_ms", "ratio", "target"):
            assert isinstance(item[key], int | float) and item[key] > 0, (name, key, item[key])
        assert item["p95_ms"] >= item["median_ms"]
        assert item["ratio"] == pytest.approx(item["median_ms"] / item["floor_median_ms"], rel=0.01)
        assert isinstance(item["met"], bool)
    for name in ("return.children", "return.families", "return.summary", "scorecard.all_las"):
        assert items[name]["target"] == 2
        assert items[name]["queries"] >= 1
    assert items["pdf.scorecard_one_la"]["target"] == 5
    assert items["pdf.scorecard_one_la"]["pdf_bytes"] > items["pdf.scorecard_one_la"]["floor_pdf_bytes"] > 0
    # The table for people names every item.
    for name in ITEM_NAMES:
        assert name in bench_run["stderr"]


def test_pages_count_their_queries_for_a_small_and_a_large_subject(bench_run, db):
    items = _items(bench_run["report"])
    for name in [n for n in ITEM_NAMES if n.startswith("page.")]:
        item = items[name]
        assert item["target"] == 3
        small, large = item["queries_subjects"]["small"], item["queries_subjects"]["large"]
        assert small["subject"] != large["subject"], name
        assert small["size"] <= large["size"], name
        assert item["queries"] == large["queries"] > 0
        assert item["queries_constant"] == (small["queries"] == large["queries"])
        if not item["queries_constant"]:
            assert item["met"] is False  # a page whose queries grow misses its target whatever its time
    for name in ("page.dashboard", "page.api_children"):  # the smallest LA's against the RAA's, the largest LA's
        item = items[name]
        assert item["queries_subjects"]["small"]["size"] < item["queries_subjects"]["large"]["size"], name
    for name in CONSTANT_PAGES:
        small, large = items[name]["queries_subjects"]["small"], items[name]["queries_subjects"]["large"]
        assert small["queries"] == large["queries"], name
        assert items[name]["queries_constant"] is True


def test_the_worker_item_is_skipped_without_redis(bench_run, db):
    item = _items(bench_run["report"])["pdf.scorecard_all_las_worker"]
    assert item["skipped"] == "skipped: no REDIS_URL"
    assert item["met"] is None
    assert "median_ms" not in item


def test_the_903_import_reports_speed_and_memory_at_three_sizes(bench_run, db):
    item = _items(bench_run["report"])["ssda903.import"]
    sizes = item["sizes"]
    assert len(sizes) == 3
    assert [s["children"] for s in sizes] == sorted({s["children"] for s in sizes})
    assert item["children"] == sizes[-1]["children"] == item["children_in_files"]
    # The files are the largest LAs' exported years, each LA's in turn, with every child once.
    assert sum(source["children"] for source in item["source_las"]) == item["children_in_files"]
    for size in sizes:
        # Every child of the files was imported, as new children of the scratch LA.
        assert size["applied"] is True and size["blocking_problems"] == 0, size
        assert size["new_children"] == size["children"]
        assert size["children_per_second"] > 0 and size["peak_memory_mb"] > 0
    assert item["children_per_second"] == sizes[-1]["children_per_second"]
    assert item["memory_growth"] == pytest.approx(sizes[-1]["peak_memory_mb"] / sizes[0]["peak_memory_mb"], rel=0.02)


def test_the_run_leaves_nothing_behind(bench_run, db):
    # The import's scratch LA and children were rolled back; the API tokens made for the pages are revoked.
    assert bench_run["after"]["children"] == bench_run["before"]["children"]
    assert bench_run["after"]["live_api_clients"] == bench_run["before"]["live_api_clients"]
    assert bench_run["after"]["jobs"] == bench_run["before"]["jobs"]


def test_only_runs_the_items_named_and_refuses_an_unknown_name(demo, db):
    stdout = StringIO()
    call_command("bench", "--repeat", "1", "--only", "page.api", stdout=stdout, stderr=StringIO())
    report = json.loads(stdout.getvalue())
    assert [item["name"] for item in report["items"]] == ["page.api_children"]
    with pytest.raises(CommandError, match="No item's name starts with 'nothing'"):
        call_command("bench", "--only", "nothing", stdout=StringIO(), stderr=StringIO())


def test_the_903_files_put_several_las_years_together_with_each_child_once(monkeypatch):
    """No LA has 2,000 children in a year, so the item's files are several LAs' exported years in turn: every row
    as exported, but a CHILD ID an earlier LA already used is changed (in every table, within the 903's 10
    characters), and no more LAs are read than the children wanted need."""
    from types import SimpleNamespace

    from reporting.bench import ssda903

    exports = {
        1: {
            "Header": [{"CHILD": "1234567890", "SEX": "F"}, {"CHILD": "101", "SEX": "M"}],
            "Episodes": [{"CHILD": "1234567890", "DECOM": "01/05/2025"}],
            "AD1": [],
            "PlacedAdoption": [{"CHILD": "101", "DATE_PLACED": "02/06/2025"}],
        },
        2: {
            "Header": [{"CHILD": "1234567890", "SEX": "M"}, {"CHILD": "200", "SEX": "F"}],
            "Episodes": [{"CHILD": "1234567890", "DECOM": "03/07/2025"}, {"CHILD": "200", "DECOM": "04/08/2025"}],
            "AD1": [{"CHILD": "1234567890", "DATE_INT": "05/09/2025"}],
            "PlacedAdoption": [],
        },
    }
    las = [SimpleNamespace(pk=1, raa_id=9), SimpleNamespace(pk=2, raa_id=8), SimpleNamespace(pk=3, raa_id=9)]
    read: list[int] = []

    def build_tables(*, la, year_start):
        read.append(la.pk)
        return SimpleNamespace(rows=exports[la.pk])

    monkeypatch.setattr(ssda903, "largest_las", lambda: las)
    monkeypatch.setattr(ssda903, "build_tables", build_tables)
    source = ssda903.combined_years(2025, wanted=4)
    assert read == [1, 2]  # four children wanted: LA 3's year is not needed
    assert source.la is las[0] and source.las == [(1, 2), (2, 2)] and source.renamed == 1
    assert source.rows["Header"] == [
        {"CHILD": "1234567890", "SEX": "F"},
        {"CHILD": "101", "SEX": "M"},
        {"CHILD": "12345678X1", "SEX": "M"},
        {"CHILD": "200", "SEX": "F"},
    ]
    assert source.rows["Episodes"] == [
        {"CHILD": "1234567890", "DECOM": "01/05/2025"},
        {"CHILD": "12345678X1", "DECOM": "03/07/2025"},
        {"CHILD": "200", "DECOM": "04/08/2025"},
    ]
    assert source.rows["AD1"] == [{"CHILD": "12345678X1", "DATE_INT": "05/09/2025"}]
    assert source.rows["PlacedAdoption"] == [{"CHILD": "101", "DATE_PLACED": "02/06/2025"}]
    read.clear()
    assert ssda903.combined_years(2025, wanted=2).las == [(1, 2)] and read == [1]


def test_the_dashboard_is_also_timed_just_after_a_change(bench_run, db):
    """Its figures are kept in the cache while its records are unchanged, so it is timed both ways: as most views
    get it, and just after a change to the area's records, its figures computed afresh (more queries)."""
    item = _items(bench_run["report"])["page.dashboard"]
    fresh = item["after_a_change"]
    assert fresh["median_ms"] > 0 and fresh["p95_ms"] >= fresh["median_ms"]
    assert fresh["ratio"] == pytest.approx(fresh["median_ms"] / item["floor_median_ms"], rel=0.01)
    assert fresh["queries"] > item["queries"]
    assert re.search(r"^page\.dashboard .*\n  just after a change +[0-9.]+ ", bench_run["stderr"], re.M)
