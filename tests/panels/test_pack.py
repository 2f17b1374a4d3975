"""The agenda pack: one PDF per meeting, built by a job, read only by the panel staff and that meeting's members.

The papers are small PDFs made here with WeasyPrint; the pack is read back with pypdf, so every
assertion is about what a reader of the PDF finds: the pages, the contents page's numbers, the
bookmarks, the page numbers at the foot of each page and the title.
"""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from pypdf import PdfReader, PdfWriter
from weasyprint import HTML

from adoption.models import AuditEvent, Job, Role
from children.models import Link, SiblingGroup, SiblingGroupMember
from panels import pack, tasks
from panels.models import AgendaItem, AgendaPaper, PanelMeeting, PanelSettings, PaperKind
from panels.pack import agenda_pack_request
from tests import factories
from tests.panels.conftest import R, invite, meeting, member
from tests.pdf_checks import tagged_pdf

pytestmark = pytest.mark.django_db

TITLE = "Panel agenda pack, 10 June 2025, Warwick"


def pdf(heading: str, pages: int = 1, size: str = "A4") -> bytes:
    """A paper whose first page carries ``heading`` (and only its first page does)."""
    more = "".join(f'<p style="break-before: page">Continued, sheet {n}.</p>' for n in range(2, pages + 1))
    html = f"<html lang='en-GB'><style>@page {{ size: {size} }}</style><h1>{heading}</h1><p>Text.</p>{more}</html>"
    return HTML(string=html).write_pdf()


def rotated(content: bytes) -> bytes:
    """The same PDF with its pages turned a quarter (a scanned paper saved sideways)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(content)))
    for page in writer.pages:
        page.rotate(90)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def add_paper(item, kind, title, content: bytes, *, by, day: int, replaced: bool = False) -> AgendaPaper:
    paper = AgendaPaper(
        item=item,
        kind=kind,
        title=title,
        original_name=f"{title}.pdf",
        pages=1,
        size=len(content),
        received_at=datetime(2025, 6, day, 9, 0, tzinfo=UTC),
        uploaded_by=by,
        replaced_at=datetime(2025, 6, day + 1, 9, 0, tzinfo=UTC) if replaced else None,
    )
    paper.file.save("paper.pdf", ContentFile(content), save=False)
    paper.save()
    return paper


@pytest.fixture
def panel(raa, la_a, panel_adviser, panel_member_user):
    """A meeting with an approval and a match; the match's support plan has not been received."""
    chair = member(raa, "Chloe Chair", R.CHAIR, user=panel_member_user)
    social = member(raa, "Sam Social", R.SOCIAL_WORK)
    panel = meeting(raa)
    invite(panel, chair, social)

    okafors = factories.HouseholdFactory(approving_agency=raa, name="The Okafor household")
    patels = factories.HouseholdFactory(approving_agency=raa, name="The Patel household")
    # A sibling group comes to panel as one link per child, sharing the group.
    group = SiblingGroup.objects.create(responsible_la=la_a, name="Stone siblings")
    links = []
    for first, born in (("Ben", date(2022, 3, 1)), ("Ava", date(2020, 8, 1))):
        child = factories.ChildFactory(responsible_la=la_a, first_name=first, last_name="Stone", date_of_birth=born)
        SiblingGroupMember.objects.create(group=group, child=child)
        links.append(
            Link.objects.create(
                child=child,
                sibling_group=group,
                household=patels,
                origin=Link.Origin.AGENCY,
                started_on=date(2025, 4, 1),
            )
        )
    approval = AgendaItem.objects.create(
        meeting=panel,
        position=1,
        kind="approval",
        household=okafors,
        starts_at=time(10),
        presenting_worker="Priya Shah",
    )
    matching = AgendaItem.objects.create(
        meeting=panel, position=2, kind="match", link=links[0], starts_at=time(10, 45), presenting_worker="Dan Reeve"
    )
    by = panel_adviser
    add_paper(approval, PaperKind.PAR, "PAR for the Okafors", pdf("PAR for the Okafors", 2), by=by, day=1)
    # Received out of order, and an old CPR replaced by a new one: the pack has the new one, in the set order.
    letter = "Letter from the foster carer"  # scanned sideways
    add_paper(matching, PaperKind.OTHER, letter, rotated(pdf(letter)), by=by, day=5)
    add_paper(matching, PaperKind.APR, "APR for Ava and Ben", pdf("APR for Ava and Ben"), by=by, day=3)
    add_paper(matching, PaperKind.CPR, "Old CPR for Ava", pdf("Old CPR for Ava"), by=by, day=1, replaced=True)
    add_paper(matching, PaperKind.CPR, "CPR for Ava", pdf("CPR for Ava", 2), by=by, day=4)
    add_paper(matching, PaperKind.OTHER, "Contact plan", pdf("Contact plan", size="A5 landscape"), by=by, day=2)
    return panel


def build(actor, panel, django_capture_on_commit_callbacks) -> Job:
    with django_capture_on_commit_callbacks(execute=True):
        job = agenda_pack_request(actor=actor, meeting_id=panel.pk)
    job.refresh_from_db()
    return job


def read(job: Job) -> PdfReader:
    with job.file.open("rb") as handle:
        return PdfReader(io.BytesIO(handle.read()))


def outline_titles(reader: PdfReader, entries=None, depth: int = 0) -> list[str]:
    titles = []
    for entry in reader.outline if entries is None else entries:
        if isinstance(entry, list):
            titles += outline_titles(reader, entry, depth + 1)
        else:
            titles.append("  " * depth + str(entry.title))
    return titles


def test_the_pack_has_a_cover_agenda_and_contents_then_the_papers_in_order(
    panel, panel_adviser, django_capture_on_commit_callbacks
):
    job = build(panel_adviser, panel, django_capture_on_commit_callbacks)
    assert job.status == Job.Status.SUCCEEDED, job.error
    panel.refresh_from_db()
    assert panel.pack_job == job
    reader = read(job)
    with job.file.open("rb") as handle:
        pdf = tagged_pdf(handle.read())
    # The front matter is tagged and reads in order: the cover, the members, the agenda, the contents. The page
    # numbers laid over each page are artifacts, not part of the page's first heading or paragraph.
    assert pdf.title == "Panel agenda pack, 10 June 2025, Warwick"
    assert pdf.headings[:4] == ["Adoption panel", "Members invited", "Agenda", "Contents"]
    assert pdf.headings[4].startswith("1. Approval of prospective adopters")
    assert pdf.blocks[0].text == "Heartlands Adoption"
    assert not any("Page " in block.text for block in pdf.blocks)
    pages = [" ".join(page.extract_text().split()) for page in reader.pages]  # words, without the line breaks

    # Cover, agenda and contents (3 pages), then PAR 2 + CPR 2 + APR 1 + contact plan 1 + letter 1.
    assert len(pages) == 3 + 7
    assert job.result == {"pages": 10, "papers": 5, "missing": 1}
    assert job.file.name.endswith(".pdf") and "agenda-pack-2025-06-10" in job.file.name

    cover, agenda, contents = pages[:3]
    for text in ("Heartlands Adoption", "Adoption panel", "Tuesday 10 June 2025", "10:00", "Warwick"):
        assert text in cover
    assert "Chloe Chair Chair" in cover and "Sam Social Social work member" in cover
    # Each item: its time, when to arrive (15 minutes before, the default), what and whom it is about, who presents.
    assert "1 10:00 09:45 Approval of prospective adopters The Okafor household Priya Shah" in agenda
    assert "2 10:45 10:30 Match Ava Stone and Ben Stone with The Patel household Dan Reeve" in agenda

    # The contents page gives each paper the page its first page really is in the pack.
    assert "Contents" in contents
    expected_order = [
        ("PAR for the Okafors", "Prospective Adopter's Report (PAR)"),
        ("CPR for Ava", "Child's Permanence Report (CPR)"),
        ("APR for Ava and Ben", "Adoption Placement Report (APR)"),
        ("Contact plan", "Other paper"),
        ("Letter from the foster carer", "Other paper"),
    ]
    starts = []
    for title, kind in expected_order:
        found = re.search(rf"{re.escape(title)} {re.escape(kind)} (\d+)", contents)
        assert found, f"{title} is not on the contents page:\n{contents}"
        start = int(found[1])
        assert title in pages[start - 1], f"{title} does not start on page {start}"
        starts.append(start)
    assert starts == [4, 6, 8, 9, 10]
    assert re.search(r"Adoption support plan\s+Not received", contents)
    assert "Old CPR for Ava" not in "".join(pages)

    assert outline_titles(reader) == [
        "Cover and agenda",
        "Contents",
        "1. Approval of prospective adopters: The Okafor household",
        "  PAR for the Okafors",
        "2. Match: Ava Stone and Ben Stone with The Patel household",
        "  CPR for Ava",
        "  APR for Ava and Ben",
        "  Contact plan",
        "  Letter from the foster carer",
    ]
    assert [reader.get_destination_page_number(d) + 1 for d in reader.outline if not isinstance(d, list)] == [
        1,
        3,
        4,
        6,
    ]

    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of 10" in text
    assert reader.metadata is not None and reader.metadata.title == TITLE
    assert reader.trailer["/Root"]["/Lang"] == "en-GB"


def _number_position(page) -> tuple[float, float]:
    """Where "Page N of M" is drawn on a page, in the page's own coordinates."""
    found = []

    def visit(text, cm, tm, font, size):
        if text.startswith("Page "):
            x, y = tm[4], tm[5]
            found.append((cm[0] * x + cm[2] * y + cm[4], cm[1] * x + cm[3] * y + cm[5]))

    page.extract_text(visitor_text=visit)
    assert found, "no page number on the page"
    return found[0]


def test_the_page_number_lands_at_the_foot_of_pages_of_any_size_and_turn(
    panel, panel_adviser, django_capture_on_commit_callbacks
):
    reader = read(build(panel_adviser, panel, django_capture_on_commit_callbacks))
    for index in (0, 8, 9):  # A4 portrait, A5 landscape, and the sideways scan
        page = reader.pages[index]
        box = page.cropbox
        x, y = _number_position(page)
        assert float(box.left) + 20 < x < float(box.right) - 20, (index, x, box)
        assert float(box.bottom) < y < float(box.bottom) + 25, (index, y, box)
    assert (reader.pages[9].cropbox.width, reader.pages[9].cropbox.height) == pytest.approx((841.89, 595.28), abs=1)


def test_arrival_times_follow_the_raas_setting(panel, raa, panel_adviser, django_capture_on_commit_callbacks):
    PanelSettings.objects.create(raa=raa, arrive_minutes_before=30)
    reader = read(build(panel_adviser, panel, django_capture_on_commit_callbacks))
    agenda = " ".join(reader.pages[1].extract_text().split())
    assert "1 10:00 09:30 Approval" in agenda and "2 10:45 10:15 Match" in agenda


def test_a_paper_that_is_not_a_pdf_fails_the_job_and_says_why(
    client, panel, panel_adviser, django_capture_on_commit_callbacks
):
    item = panel.items.get(position=2)
    word = b"PK\x03\x04 this is a Word document"
    add_paper(item, PaperKind.SUPPORT_PLAN, "Support plan", word, by=panel_adviser, day=6)
    job = build(panel_adviser, panel, django_capture_on_commit_callbacks)
    assert (job.status, job.attempts) == (Job.Status.FAILED, 1)  # at once: building it again would not mend it
    assert not job.file
    client.force_login(panel_adviser)
    page = client.get(f"/panels/meetings/{panel.pk}/pack/").content.decode()
    assert "The agenda pack could not be built" in page
    assert "The paper “Support plan” for item 2 is not a PDF that can be read. Upload it again as a PDF." in page
    assert "Download the agenda pack" not in page
    assert client.get(f"/panels/meetings/{panel.pk}/pack/download/").status_code == 302  # back to the page
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).exists()


# --- the pages and who may read the pack -----------------------------------------------------------------------


def test_staff_build_the_pack_from_its_page_and_downloads_are_audited(
    client, panel, panel_adviser, django_capture_on_commit_callbacks
):
    client.force_login(panel_adviser)
    page = client.get(f"/panels/meetings/{panel.pk}/pack/").content.decode()
    assert "The agenda pack has not been built yet" in page and "Build the agenda pack" in page
    with django_capture_on_commit_callbacks(execute=True):  # the job runs when the request's transaction commits
        response = client.post(f"/panels/meetings/{panel.pk}/pack/build/")
    assert response["Location"] == f"/panels/meetings/{panel.pk}/pack/"
    body = client.get(response["Location"]).content.decode()
    assert "The agenda pack is being built" in body  # the message, shown on the next page
    assert "Built" in body and "10 (5 papers)" in body and "Rebuild the agenda pack" in body
    assert re.search(r"Papers not received</dt>\s*<dd[^>]*>1 ", body)
    assert "Download the agenda pack (PDF)" in body

    download = client.get(f"/panels/meetings/{panel.pk}/pack/download/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"] == 'attachment; filename="agenda-pack-2025-06-10.pdf"'
    assert len(PdfReader(io.BytesIO(b"".join(download.streaming_content))).pages) == 10
    events = AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD)
    assert [(e.actor, e.object_type, e.object_id, e.organisation_id) for e in events] == [
        (panel_adviser, "panels.panelmeeting", str(panel.pk), panel.raa_id)
    ]


def test_a_meeting_with_no_items_has_nothing_to_pack(client, raa, panel_adviser):
    empty = meeting(raa, place="Nuneaton")
    client.force_login(panel_adviser)
    response = client.post(f"/panels/meetings/{empty.pk}/pack/build/", follow=True)
    assert response.redirect_chain == [(f"/panels/meetings/{empty.pk}/pack/", 302)]
    body = response.content.decode()
    assert "Add items to the agenda before building the pack" in body and "not been built yet" in body
    assert not Job.objects.exists()
    # Nothing to download either: the pack's page says so.
    assert client.get(f"/panels/meetings/{empty.pk}/pack/download/")["Location"] == f"/panels/meetings/{empty.pk}/pack/"
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).exists()


def test_a_member_of_the_meeting_reads_and_downloads_it_but_cannot_build_it(
    client, panel, panel_adviser, panel_member_user, django_capture_on_commit_callbacks
):
    build(panel_adviser, panel, django_capture_on_commit_callbacks)
    client.force_login(panel_member_user)
    page = client.get(f"/panels/meetings/{panel.pk}/pack/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Download the agenda pack (PDF)" in body and "Rebuild the agenda pack" not in body
    assert client.get(f"/panels/meetings/{panel.pk}/pack/download/").status_code == 200
    assert AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD, actor=panel_member_user).count() == 1
    assert client.post(f"/panels/meetings/{panel.pk}/pack/build/").status_code == 403
    assert Job.objects.count() == 1


@pytest.mark.parametrize("who", ["other_member", "social_worker_a", "panel_adviser_other", "adm"])
def test_anyone_not_on_the_meeting_gets_404_and_the_attempt_is_audited(
    who, client, raa, panel, panel_adviser, django_capture_on_commit_callbacks, request
):
    build(panel_adviser, panel, django_capture_on_commit_callbacks)
    if who == "other_member":  # on the RAA's central list, signs in, but not on this meeting
        outsider = factories.staff(raa, Role.PANEL_MEMBER, username="pm.two")
        member(raa, "Olu Other", R.INDEPENDENT, user=outsider)
    else:
        outsider = request.getfixturevalue(who)
    client.force_login(outsider)
    response = client.get(f"/panels/meetings/{panel.pk}/pack/download/")
    assert response.status_code == 404
    assert b"%PDF" not in response.content
    refused = AuditEvent.objects.filter(action=AuditEvent.Action.ACCESS_REFUSED)
    assert [(e.actor, e.object_type, e.object_id, e.organisation_id) for e in refused] == [
        (outsider, "panels.panelmeeting", str(panel.pk), panel.raa_id)
    ]
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.DOWNLOAD).exists()
    for url in (f"/panels/meetings/{panel.pk}/pack/", f"/panels/meetings/{panel.pk}/pack/build/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/panels/meetings/{panel.pk}/pack/build/").status_code == 404
    assert Job.objects.count() == 1
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ACCESS_REFUSED).count() == 4


def test_the_generic_job_pages_do_not_serve_the_pack(
    client, panel, panel_adviser, manager, django_capture_on_commit_callbacks
):
    job = build(panel_adviser, panel, django_capture_on_commit_callbacks)
    client.force_login(manager)  # panel staff, but the pack is read through the panel's pages only
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 404
    assert client.get(f"/panels/meetings/{panel.pk}/pack/download/").status_code == 200


def test_a_second_build_while_one_is_queued_is_the_same_job_unless_it_stalled(client, panel, panel_adviser):
    first = agenda_pack_request(actor=panel_adviser, meeting_id=panel.pk)  # on_commit not run: it stays queued
    again = agenda_pack_request(actor=panel_adviser, meeting_id=panel.pk)
    assert again == first and Job.objects.count() == 1
    assert PanelMeeting.objects.get(pk=panel.pk).pack_job == first

    client.force_login(panel_adviser)
    page = client.get(f"/panels/meetings/{panel.pk}/pack/").content.decode()
    assert "Waiting to be built" in page and '<meta name="app-refresh"' in page
    assert "Rebuild the agenda pack" not in page and "Download the agenda pack" not in page

    Job.objects.filter(pk=first.pk).update(created_at=timezone.now() - timedelta(hours=2))  # its message was lost
    page = client.get(f"/panels/meetings/{panel.pk}/pack/").content.decode()
    assert "Rebuild the agenda pack" in page
    replacement = agenda_pack_request(actor=panel_adviser, meeting_id=panel.pk)
    assert replacement != first and PanelMeeting.objects.get(pk=panel.pk).pack_job == replacement


# --- trying again ---------------------------------------------------------------------------------------------


@pytest.fixture
def countdowns(monkeypatch) -> list[int]:
    """The pauses the pack's task asked for before each new try (it still runs at once: tasks are eager)."""
    asked: list[int] = []
    apply_async = tasks.build_agenda_pack.apply_async

    def recording(args=None, kwargs=None, countdown=None, **options):
        if countdown is not None:  # a new try (the first message is sent by .delay(), without a pause)
            asked.append(countdown)
        return apply_async(args, kwargs, countdown=countdown, **options)

    monkeypatch.setattr(tasks.build_agenda_pack, "apply_async", recording)
    return asked


def test_a_pack_that_fails_once_is_queued_again_and_then_built(
    panel, panel_adviser, monkeypatch, countdowns, settings, django_capture_on_commit_callbacks
):
    settings.JOB_RETRY_SECONDS = 60
    work = pack.agenda_pack_build
    seen: list[int] = []

    def flaky(job):
        seen.append(job.attempts)
        if len(seen) == 1:
            raise ConnectionError("the database went away")
        return work(job)

    monkeypatch.setattr(pack, "agenda_pack_build", flaky)
    job = build(panel_adviser, panel, django_capture_on_commit_callbacks)
    assert seen == [1, 2]
    assert countdowns == [60]
    assert (job.status, job.attempts, job.error) == (Job.Status.SUCCEEDED, 2, "")
    assert read(job).pages[0].extract_text()


def test_a_pack_that_keeps_failing_waits_longer_each_time_then_fails_with_its_reason(
    panel, panel_adviser, monkeypatch, countdowns, settings, django_capture_on_commit_callbacks
):
    settings.JOB_RETRY_SECONDS = 30
    settings.JOB_MAX_ATTEMPTS = 4

    def broken(job):
        raise OSError("the file store is not answering")

    monkeypatch.setattr(pack, "agenda_pack_build", broken)
    job = build(panel_adviser, panel, django_capture_on_commit_callbacks)
    assert countdowns == [30, 60, 120]
    assert (job.status, job.attempts) == (Job.Status.FAILED, 4)
    assert job.error == "OSError: the file store is not answering"
    assert not job.file
