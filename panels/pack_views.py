"""The agenda pack's pages: its status, building it, and downloading it.

Every view first finds the meeting through ``pack.pack_for_reader``: the RAA's panel staff and the
members on that meeting get it; anyone else gets 404 (audited). The views are not atomic requests,
so the refusal's audit event is committed although the response is an error.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render

from adoption import audit
from adoption.models import AuditEvent, Job
from panels import pack
from panels.models import PanelMeeting

ERROR_PREFIX = f"{pack.AgendaPackError.__name__}: "


def _failure(job: Job) -> str:
    """Why a build failed, in plain words: the pack's own message, or a general one for anything unexpected."""
    if job.error.startswith(ERROR_PREFIX):
        return job.error.removeprefix(ERROR_PREFIX)
    return (
        "Something went wrong while the pack was being built. Build it again; if it fails again, "
        f"tell your administrator and quote reference {job.pk}."
    )


def _page(request: HttpRequest, meeting: PanelMeeting) -> HttpResponse:
    job = meeting.pack_job
    context: dict[str, Any] = {
        "meeting": meeting,
        "job": job,
        "can_build": pack.may_build(request.user, meeting) and (job is None or not pack.pack_in_progress(job)),
        "failure": _failure(job) if job is not None and job.status == Job.Status.FAILED else "",
        "file_name": pack.pack_file_name(meeting),
    }
    return render(request, "panels/pack/page.html", context)


@transaction.non_atomic_requests
@login_required
def pack_page(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = pack.pack_for_reader(actor=request.user, meeting_id=meeting_id)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    return _page(request, meeting)


@transaction.non_atomic_requests
@login_required
def pack_build(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = pack.pack_for_reader(actor=request.user, meeting_id=meeting_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    was = meeting.pack_job_id
    try:
        job = pack.agenda_pack_request(actor=request.user, meeting_id=meeting.pk)
    except ValidationError as error:  # nothing to pack: back to the page, which says why
        for message in error.messages:
            messages.error(request, message)
        return redirect("panels:pack", meeting_id=meeting.pk)
    if job.pk == was:
        messages.success(request, "The agenda pack is already being built")
    else:
        messages.success(request, "The agenda pack is being built")
    return redirect("panels:pack", meeting_id=meeting.pk)


@transaction.non_atomic_requests
@login_required
def pack_download(request: HttpRequest, meeting_id: int) -> FileResponse | HttpResponse:
    meeting = pack.pack_for_reader(actor=request.user, meeting_id=meeting_id)
    if request.method not in ("GET", "HEAD"):
        return HttpResponseNotAllowed(["GET"])
    job = meeting.pack_job
    if job is None or job.status != Job.Status.SUCCEEDED or not job.file:  # not built (yet): its page says why
        return redirect("panels:pack", meeting_id=meeting.pk)
    audit.record(actor=request.user, action=AuditEvent.Action.DOWNLOAD, obj=meeting, organisation_id=meeting.raa_id)
    return FileResponse(
        job.file.open("rb"), as_attachment=True, filename=pack.pack_file_name(meeting), content_type="application/pdf"
    )
