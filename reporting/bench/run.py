"""One benchmark run: the machine, the data, then every item wanted, in order."""

from __future__ import annotations

import os
import platform
from collections.abc import Callable
from pathlib import Path
from typing import Any

import django
from django.conf import settings
from django.db import connection

from adopters.models import Household
from adoption.models import Organisation
from children.models import Child, Episode
from panels.models import PanelMeeting
from reporting.bench import pages, reports, ssda903
from reporting.bench.subjects import NoSubject, largest_raa
from reporting.bench.timing import Item
from support.models import AsfApplication

ITEM_NAMES = (
    "page.child_list",
    "page.child_detail",
    "page.family_finding",
    "page.panel_agenda",
    "page.dashboard",
    "page.api_children",
    "return.children",
    "return.families",
    "return.summary",
    "scorecard.all_las",
    "pdf.scorecard_one_la",
    "pdf.scorecard_all_las_worker",
    "ssda903.import",
)


def machine() -> dict[str, Any]:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    return {
        "cpus": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "python": platform.python_version(),
        "django": django.get_version(),
        "postgres": postgres,
        "platform": platform.platform(),
        "redis": bool(settings.REDIS_URL),
    }


def data() -> dict[str, int]:
    las = Organisation.objects.filter(kind=Organisation.Kind.LA, is_active=True)
    return {
        "raas": Organisation.objects.filter(kind=Organisation.Kind.RAA, is_active=True).count(),
        "las": las.count(),
        "las_with_children": las.filter(children__isnull=False).distinct().count(),
        "children": Child.objects.count(),
        "episodes": Episode.objects.count(),
        "households": Household.objects.count(),
        "panel_meetings": PanelMeeting.objects.count(),
        "asf_applications": AsfApplication.objects.count(),
    }


def run(
    *, repeat: int, only: str = "", log_dir: Path, progress: Callable[[str], None] = lambda _m: None
) -> dict[str, Any]:
    """The whole report (``machine``, ``data``, ``region``, ``items``); ``only`` keeps the items named so."""

    def wanted(name: str) -> bool:
        return name.startswith(only)

    report: dict[str, Any] = {"machine": machine(), "data": data(), "repeat": repeat}
    items: list[Item] = []
    try:
        region = largest_raa()
    except NoSubject as exc:
        report["items"] = [
            Item(name=name, description="", target=0, skipped=f"no subject: {exc}").as_dict()
            for name in ITEM_NAMES
            if wanted(name)
        ]
        return report
    report["region"] = {
        "raa": region.raa.pk,
        "raa_name": region.raa.name,
        "las": len(region.las),
        "children": sum(count for _la, count in region.las),
        "largest_la": region.largest_la.pk,
        "smallest_la": region.smallest_la.pk,
    }
    if any(wanted(name) for name in ITEM_NAMES if name.startswith("page.")):
        progress("pages")
        items += pages.page_items(region, repeat=repeat, wanted=wanted)
    if any(wanted(name) for name in ITEM_NAMES if name.startswith(("return.", "scorecard."))):
        progress("returns and scorecards")
        items += reports.return_items(repeat=repeat, wanted=wanted)
    if any(wanted(name) for name in ITEM_NAMES if name.startswith("pdf.")):
        progress("scorecard PDF")
        pdf, floor = reports.pdf_item(region, repeat=repeat)
        if wanted(pdf.name):
            items.append(pdf)
        if wanted("pdf.scorecard_all_las_worker"):
            progress("scorecard PDFs on the worker")
            items.append(reports.worker_item(region, floor=floor, log_dir=log_dir))
    if wanted("ssda903.import"):
        progress("903 import")
        items.append(ssda903.import_item(repeat=repeat))
    report["items"] = [item.as_dict() for item in items]
    return report
