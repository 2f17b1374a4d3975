"""The agenda pack: one PDF per panel meeting, built by a background job and read only by those who sit on it.

The front matter (a cover, the agenda and a contents page) is HTML rendered by WeasyPrint; the papers
uploaded for each item are appended after it with pypdf, in the agenda's order, with a bookmark for
each item and paper, and every page is stamped "Page N of M" at its foot.

Who may read a pack: the RAA's panel staff (panel advisers and managers) and the members on that
meeting (invited or attended). Anyone else is answered 404, as if the meeting did not exist, and the
attempt is audited; every download is audited too.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import time, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.utils import timezone

from adoption import audit, jobs
from adoption.models import AuditEvent, Job, Membership
from children.models import SiblingGroupMember
from panels.models import AgendaItem, AgendaPaper, PanelAttendance, PanelMeeting, PanelRole, PaperKind
from panels.selectors import PANEL_WRITERS, arrival_time, panel_raa_ids, scope_panels, settings_for
from reporting.pdf import render_pdf

FRONT_TEMPLATE = "panels/pack/front.pdf.html"
PAGE_NUMBERS_TEMPLATE = "panels/pack/page_numbers.pdf.html"
CONTENTS_ANCHOR = "contents"  # the id of the contents page's heading in the front matter


class AgendaPackError(jobs.JobCannotSucceed):
    """The pack cannot be built; the message says why in words a panel adviser can act on (and building it again
    would not mend it, so the job is not retried)."""


# --- who may ask for and read a pack ---------------------------------------------------------------------------


@transaction.atomic
def agenda_pack_request(*, actor: Any, meeting_id: int) -> Job:
    """Queue the building of a meeting's agenda pack (the RAA's panel advisers and managers).

    A pack already queued or being built is returned rather than queued twice (unless that job has stalled).
    """
    meeting = scope_panels(PanelMeeting.objects.select_for_update(of=("self",)), actor).filter(pk=meeting_id).first()
    if meeting is None:
        raise Http404("No such panel meeting.")
    if meeting.raa_id not in panel_raa_ids(actor, PANEL_WRITERS):
        raise PermissionDenied("Only the panel advisers and managers of the RAA can build the agenda pack.")
    if not meeting.items.exists():
        raise ValidationError("Add items to the agenda before building the pack")
    current = meeting.pack_job
    if current is not None and pack_in_progress(current):
        return current
    from panels.tasks import build_agenda_pack

    job = jobs.job_create(
        actor=actor,
        kind=Job.Kind.AGENDA_PACK,
        organisation=meeting.raa,
        params={"meeting_id": meeting.pk},
        task=build_agenda_pack,
    )
    meeting.pack_job = job
    meeting.save(update_fields=["pack_job"])
    return job


def pack_in_progress(job: Job) -> bool:
    """Queued or being built, and not stalled: a job stuck longer than a job should take may be replaced."""
    stalled_before = timezone.now() - timedelta(minutes=settings.JOB_STALL_MINUTES)
    return job.status in (Job.Status.QUEUED, Job.Status.RUNNING) and job.created_at > stalled_before


def _on_meeting(actor: Any, meeting: PanelMeeting) -> bool:
    """The actor sits on this meeting (invited or attended) and still works for its RAA."""
    return (
        PanelAttendance.objects.filter(meeting=meeting, member__user=actor).exists()
        and Membership.objects.filter(user=actor, organisation_id=meeting.raa_id, is_active=True).exists()
    )


def pack_for_reader(*, actor: Any, meeting_id: int) -> PanelMeeting:
    """The meeting whose pack the actor may read: the RAA's panel staff, or a member on that meeting.

    Anyone else gets 404 and one ``access_refused`` audit event. The event is written straight away
    (the panels' views are not atomic requests, and the pack views are marked non-atomic), so it is
    committed even though the request ends in a 404.
    """
    meeting = PanelMeeting.objects.select_related("raa", "pack_job").filter(pk=meeting_id).first()
    allowed = meeting is not None and getattr(actor, "is_authenticated", False)
    if allowed and meeting is not None:
        allowed = meeting.raa_id in panel_raa_ids(actor, PANEL_WRITERS) or _on_meeting(actor, meeting)
    if not allowed or meeting is None:
        audit.record(
            actor=actor,
            action=AuditEvent.Action.ACCESS_REFUSED,
            obj=meeting,
            organisation_id=meeting.raa_id if meeting else None,
            object_type="" if meeting else PanelMeeting._meta.label_lower,
            object_id="" if meeting else meeting_id,
        )
        raise Http404("No such panel meeting.")
    return meeting


def may_build(actor: Any, meeting: PanelMeeting) -> bool:
    return meeting.raa_id in panel_raa_ids(actor, PANEL_WRITERS)


def pack_file_name(meeting: PanelMeeting) -> str:
    return f"agenda-pack-{meeting.held_on.isoformat()}.pdf"


def pack_title(meeting: PanelMeeting) -> str:
    return f"Panel agenda pack, {meeting.held_on.day} {meeting.held_on:%B %Y}, {meeting.place}"


# --- what goes in the pack ---------------------------------------------------------------------------------------


@dataclass
class PackPaper:
    kind_label: str
    title: str = ""
    paper: AgendaPaper | None = None  # None: a required paper not received
    pages: int = 0
    start_page: int | None = None  # in the final pack, from 1
    reader: Any = None  # the paper's pypdf reader


@dataclass
class PackItem:
    item: AgendaItem
    number: int
    kind: str
    about: str
    arrive_at: time
    papers: list[PackPaper] = field(default_factory=list)

    @property
    def bookmark(self) -> str:
        return f"{self.number}. {self.kind}: {self.about}" if self.about else f"{self.number}. {self.kind}"

    @property
    def received(self) -> list[PackPaper]:
        return [p for p in self.papers if p.paper is not None]


def _names(people: list[str]) -> str:
    """ "Ava", "Ava and Ben", "Ava, Ben and Cal"."""
    if len(people) < 2:
        return "".join(people)
    return ", ".join(people[:-1]) + " and " + people[-1]


def _children(item: AgendaItem) -> list[str]:
    """The children a match item is about: the linked child, or every child of the linked sibling group."""
    link = item.link
    if link is not None and link.sibling_group is not None:
        return [m.child.full_name for m in link.sibling_group.members.all()]
    if link is not None:
        return [link.child.full_name]
    if item.match is not None:
        return [p.child.full_name for p in item.match.placements.all()]
    return []


def item_about(item: AgendaItem) -> str:
    """What an item is about: the household, the child or children, the proposed match's family and children."""
    if item.kind in (AgendaItem.Kind.APPROVAL, AgendaItem.Kind.REVIEW) and item.household:
        return item.household.name
    if item.kind == AgendaItem.Kind.MATCH:
        household = item.link.household if item.link else item.match.household if item.match else None
        children = _names(_children(item))
        if household is None:
            return children
        return f"{children} with {household.name}" if children else household.name
    if item.kind == AgendaItem.Kind.RELINQUISHED and item.child:
        return item.child.full_name
    if item.kind == AgendaItem.Kind.DISRUPTION and item.disruption:
        placement = item.disruption.placement
        household = placement.household
        return f"{placement.child.full_name} with {household.name}" if household else placement.child.full_name
    return ""


def _paper_order(item: AgendaItem, papers: list[AgendaPaper]) -> list[PackPaper]:
    """Required kinds in the order the item needs them (missing ones included), other kinds, then "other" papers."""
    by_kind = {p.kind: p for p in papers if p.kind != PaperKind.OTHER}
    required = list(item.required_papers)
    rest = [k for k in PaperKind.values if k not in required and k != PaperKind.OTHER]
    ordered: list[PackPaper] = []
    for kind in required + rest:
        paper = by_kind.get(kind)
        if paper is not None:
            ordered.append(PackPaper(kind_label=PaperKind(kind).label, title=paper.title, paper=paper))
        elif kind in required:
            ordered.append(PackPaper(kind_label=PaperKind(kind).label))
    others = sorted((p for p in papers if p.kind == PaperKind.OTHER), key=lambda p: (p.received_at, p.pk))
    ordered += [PackPaper(kind_label=PaperKind.OTHER.label, title=p.title, paper=p) for p in others]
    return ordered


def _meeting_for_pack(meeting_id: int) -> PanelMeeting:
    attendances = PanelAttendance.objects.select_related("member").filter(invited=True).order_by("member__name")
    items = AgendaItem.objects.select_related(
        "household",
        "link__child",
        "link__household",
        "link__sibling_group",
        "match__household",
        "child",
        "disruption__placement__child",
        "disruption__placement__household",
    ).prefetch_related(
        Prefetch(
            "link__sibling_group__members",
            queryset=SiblingGroupMember.objects.select_related("child").order_by("child__date_of_birth", "child_id"),
        ),
        "match__placements__child",
        Prefetch("papers", queryset=AgendaPaper.objects.filter(replaced_at__isnull=True), to_attr="current_papers"),
    )
    return (
        PanelMeeting.objects.select_related("raa")
        .prefetch_related(
            Prefetch("attendances", queryset=attendances, to_attr="invited_rows"),
            Prefetch("items", queryset=items.order_by("position", "id"), to_attr="agenda"),
        )
        .get(pk=meeting_id)
    )


def _agenda(meeting: PanelMeeting) -> list[PackItem]:
    panel_settings = settings_for(meeting.raa_id)
    result = []
    for item in meeting.agenda:  # type: ignore[attr-defined]
        result.append(
            PackItem(
                item=item,
                number=item.position,
                kind=item.get_kind_display(),
                about=item_about(item),
                arrive_at=arrival_time(item, panel_settings),
                papers=_paper_order(item, list(item.current_papers)),
            )
        )
    return result


def _members(meeting: PanelMeeting) -> list[dict[str, str]]:
    rows = []
    for attendance in meeting.invited_rows:  # type: ignore[attr-defined]
        codes = attendance.roles_at_meeting or attendance.member.roles
        roles = [PanelRole(code).label for code in PanelRole.values if code in codes]
        rows.append({"name": attendance.member.name, "roles": ", ".join(roles)})
    return rows


def _open_paper(number: int, paper: PackPaper) -> None:
    """Read a paper's PDF; refuse the whole pack if it is not a PDF that can be read."""
    from pypdf import PdfReader

    assert paper.paper is not None
    where = f"The paper \u201c{paper.title}\u201d for item {number}"
    try:
        with paper.paper.file.open("rb") as handle:
            data = handle.read()
    except (OSError, ValueError) as exc:
        raise AgendaPackError(f"{where} cannot be found in the file store. Upload it again.") from exc
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise AgendaPackError(f"{where} is protected by a password. Upload a copy without a password.")
        pages = len(reader.pages)
        for page in reader.pages:
            page.mediabox  # noqa: B018  (reading each page's box finds a damaged page tree now, not half-way)
    except AgendaPackError:
        raise
    except Exception as exc:
        raise AgendaPackError(f"{where} is not a PDF that can be read. Upload it again as a PDF.") from exc
    if pages == 0:
        raise AgendaPackError(f"{where} has no pages. Upload it again.")
    paper.reader, paper.pages = reader, pages


# --- building it -------------------------------------------------------------------------------------------------


def _render_front(meeting: PanelMeeting, agenda: list[PackItem], members: list[dict[str, str]]) -> bytes:
    missing = sum(1 for item in agenda for p in item.papers if p.paper is None)
    context = {"meeting": meeting, "agenda": agenda, "members": members, "title": pack_title(meeting)}
    return render_pdf(FRONT_TEMPLATE, {**context, "missing": missing, "contents_anchor": CONTENTS_ANCHOR})


def _number_from(agenda: list[PackItem], front_pages: int) -> None:
    page = front_pages + 1
    for item in agenda:
        for paper in item.received:
            paper.start_page = page
            page += paper.pages


def _front_matter(meeting: PanelMeeting, agenda: list[PackItem]) -> tuple[Any, int]:
    """The front matter's pages (a pypdf reader) and the page its contents start on (from 0).

    Rendered once to count its pages; then again with each paper's start page. If the numbers changed the
    length of the contents (they cannot in practice), it is rendered until the count holds.
    """
    from pypdf import PdfReader

    members = _members(meeting)
    front_pages = 0
    for _attempt in range(4):
        _number_from(agenda, front_pages)
        reader = PdfReader(io.BytesIO(_render_front(meeting, agenda, members)))
        if len(reader.pages) == front_pages:
            contents = reader.get_destination_page_number(reader.named_destinations[CONTENTS_ANCHOR])
            if contents is None:
                break
            return reader, contents
        front_pages = len(reader.pages)
    raise AgendaPackError("The contents page could not be numbered.")


def _page_numbers(sizes: list[tuple[float, float]]) -> Any:
    """One page per page of the pack, each the size of that page, with "Page N of M" at its foot (a writer's pages,
    so that they can be marked as artifacts)."""
    from pypdf import PdfReader, PdfWriter

    distinct = list(dict.fromkeys(sizes))
    page_sizes = [{"name": f"size{i}", "width": f"{w:.3f}", "height": f"{h:.3f}"} for i, (w, h) in enumerate(distinct)]
    pages = [f"size{distinct.index(size)}" for size in sizes]
    reader = PdfReader(io.BytesIO(render_pdf(PAGE_NUMBERS_TEMPLATE, {"page_sizes": page_sizes, "pages": pages})))
    if len(reader.pages) != len(sizes):
        raise AgendaPackError("The page numbers could not be added.")
    return PdfWriter(clone_from=reader)


def _as_artifact(page: Any, writer: Any) -> None:
    """Mark everything ``page`` shows as an artifact (page furniture that screen readers skip).

    WeasyPrint tags the page number as text of its own document (marked content 0); laid over a page of the pack,
    that number would be read as part of whatever the pack's page tagged 0, its first heading say."""
    from pypdf.generic import ContentStream, NameObject

    content = ContentStream(page.get_contents(), writer)
    content.operations = [
        ([NameObject("/Artifact")], b"BMC") if operator == b"BDC" else (operands, operator)
        for operands, operator in content.operations
    ]
    page.replace_contents(content)


def agenda_pack_build(job: Job) -> jobs.JobOutput:
    """The job's work: the front matter, then each current paper in agenda order, bookmarked and page-numbered."""
    from pypdf import PdfWriter, Transformation
    from pypdf.generic import NameObject, TextStringObject

    meeting = _meeting_for_pack(int(job.params["meeting_id"]))
    agenda = _agenda(meeting)
    received = [(item.number, paper) for item in agenda for paper in item.received]
    for done, (number, paper) in enumerate(received, start=1):
        _open_paper(number, paper)
        jobs.job_progress(job, 5 + 25 * done // len(received))
    front, contents_index = _front_matter(meeting, agenda)
    jobs.job_progress(job, 40)

    # Cloned from the front matter: keeps its language, tags, XMP metadata and "display the title" preference.
    writer = PdfWriter(clone_from=front)
    for done, (_number, paper) in enumerate(received, start=1):
        writer.append(paper.reader, import_outline=False)
        jobs.job_progress(job, 40 + 30 * done // len(received))

    writer.add_outline_item(title="Cover and agenda", page_number=0)
    writer.add_outline_item(title="Contents", page_number=contents_index)
    for item in agenda:
        first = next((p.start_page for p in item.received if p.start_page), None)
        parent = writer.add_outline_item(
            title=item.bookmark, page_number=first - 1 if first else contents_index, is_open=True
        )
        for paper in item.received:
            assert paper.start_page is not None
            writer.add_outline_item(title=paper.title, page_number=paper.start_page - 1, parent=parent)

    sizes = []
    for page in writer.pages:
        if page.rotation:
            page.transfer_rotation_to_content()
        box = page.cropbox
        sizes.append((float(box.width), float(box.height)))
    numbers = _page_numbers(sizes)
    jobs.job_progress(job, 85)
    for page, overlay in zip(writer.pages, numbers.pages, strict=True):
        _as_artifact(overlay, numbers)
        box = page.cropbox
        page.merge_transformed_page(overlay, Transformation().translate(float(box.left), float(box.bottom)))

    writer.add_metadata({"/Title": pack_title(meeting), "/Author": meeting.raa.name, "/Subject": "Adoption panel"})
    if "/Lang" not in writer._root_object:
        writer._root_object[NameObject("/Lang")] = TextStringObject("en-GB")
    writer.page_mode = "/UseOutlines"
    out = io.BytesIO()
    writer.write(out)
    return jobs.JobOutput(
        result={
            "pages": len(writer.pages),
            "papers": len(received),
            "missing": sum(1 for item in agenda for p in item.papers if p.paper is None),
        },
        file_name=pack_file_name(meeting),
        content=out.getvalue(),
    )
