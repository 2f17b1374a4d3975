"""Pages of the panels: the central list, its make-up, appraisals, meetings and their quorum.

Each view validates, calls one service or selector, renders. Lists answer 403 to anyone who works with
no RAA's panels; a member or meeting outside the actor's panels answers 404 (from the selector).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from adoption.forms import GovukForm
from panels import forms, selectors, services
from panels.models import PanelMeeting, PanelMember

PAGE_SIZE = 25
GET_POST = require_http_methods(["GET", "POST"])


def panels_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Signed in, and working with an RAA's panels (panel adviser, panel member, ADM or manager there)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not selectors.may_see_panels(request.user):
            raise PermissionDenied("Panels are seen by the panel advisers, members, ADMs and managers of the RAA.")
        return view(request, *args, **kwargs)

    return wrapper


def _writer(request: HttpRequest, raa_id: int | None = None) -> None:
    if not selectors.may_write_panels(request.user, raa_id=raa_id):
        raise PermissionDenied("Your role cannot change panel records.")


def _run(form: GovukForm, call: Callable[[], Any]) -> Any:
    """Call the service; on a refusal put its messages on the form (which keeps what was typed) and return None."""
    try:
        return call()
    except ValidationError as error:
        form.add_service_errors(error)
        return None


def _day(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _form_page(request: HttpRequest, form: GovukForm, *, title: str, back: str, caption: str = "", **extra: Any):
    context = {"form": form, "title": title, "back": back, "caption": caption, "button": "Save", **extra}
    return render(request, "panels/form.html", context)


# --- the central list --------------------------------------------------------------------------------------


@panels_page
def member_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    show = request.GET.get("show", selectors.Show.CURRENT)
    if show not in dict(selectors.Show.CHOICES):
        show = selectors.Show.CURRENT
    members = selectors.member_list(actor=request.user, today=today, show=show)
    page = Paginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "panels/member_list.html",
        {
            "page": page,
            "show": show,
            "filters": selectors.Show.CHOICES,
            "query": f"show={show}",
            "today": today,
            "can_write": selectors.may_write_panels(request.user),
        },
    )


@panels_page
def make_up(request: HttpRequest) -> HttpResponse:
    summary = selectors.make_up(actor=request.user, today=timezone.localdate())
    return render(request, "panels/make_up.html", {"summary": summary})


@panels_page
def appraisals(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    due = selectors.appraisals(actor=request.user, today=today)
    return render(
        request,
        "panels/appraisals.html",
        {"due": due, "today": today, "can_write": selectors.may_write_panels(request.user)},
    )


@panels_page
@GET_POST
def member_create(request: HttpRequest) -> HttpResponse:
    _writer(request)
    raas = selectors.writable_raas(request.user)
    users = selectors.linkable_users(raa_ids=[r.pk for r in raas])
    form = forms.MemberForm(request.POST or None, raas=raas, users=users)
    if request.method == "POST" and form.is_valid():
        member = _run(form, lambda: services.panel_member_create(actor=request.user, **form.service_kwargs()))
        if member is not None:
            messages.success(request, f"{member.name} was added to the central list")
            return redirect("panels:member", member.pk)
    return _form_page(request, form, title="Add a member to the central list", back=reverse("panels:members"))


@login_required
def member_detail(request: HttpRequest, member_id: int) -> HttpResponse:
    member = selectors.member_get(actor=request.user, member_id=member_id)
    attendances = list(member.attendances.all())
    return render(
        request,
        "panels/member_detail.html",
        {
            "member": member,
            "appraisals": member.appraisals.all(),
            "attendances": attendances,
            "attended": sum(1 for a in attendances if a.attended),
            "today": timezone.localdate(),
            "can_write": selectors.may_write_panels(request.user, raa_id=member.raa_id),
        },
    )


def _member_for_write(request: HttpRequest, member_id: int) -> PanelMember:
    member = selectors.member_get(actor=request.user, member_id=member_id, record_read=False)
    _writer(request, member.raa_id)
    return member


@login_required
@GET_POST
def member_edit(request: HttpRequest, member_id: int) -> HttpResponse:
    member = _member_for_write(request, member_id)
    users = selectors.linkable_users(raa_ids=[member.raa_id])
    form = forms.MemberForm(request.POST or None, initial=forms.MemberForm.initial_for(member), users=users)
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        if _run(form, lambda: services.panel_member_update(actor=request.user, member_id=member.pk, **kwargs)):
            messages.success(request, "The member's details were saved")
            return redirect("panels:member", member.pk)
    back = reverse("panels:member", args=[member.pk])
    return _form_page(request, form, title="Change the member's details", back=back, caption=member.name)


@login_required
@GET_POST
def appraisal_record(request: HttpRequest, member_id: int) -> HttpResponse:
    member = _member_for_write(request, member_id)
    open_appraisal = next((a for a in member.appraisals.all() if a.done_on is None), None)
    initial = {"due_on": open_appraisal.due_on} if open_appraisal else {}
    form = forms.AppraisalForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _run(form, lambda: services.panel_appraisal_record(actor=request.user, member_id=member.pk, **data)):
            messages.success(request, "The appraisal was recorded")
            return redirect("panels:member", member.pk)
    about = (
        f"An appraisal is due on {_day(open_appraisal.due_on)}: this records it done, or moves it."
        if open_appraisal
        else ""
    )
    back = reverse("panels:member", args=[member.pk])
    return _form_page(request, form, title="Record an appraisal", back=back, caption=member.name, about=about)


# --- meetings ----------------------------------------------------------------------------------------------


@panels_page
def meeting_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    upcoming, past = selectors.meeting_list(actor=request.user, today=today)
    page = Paginator(past, PAGE_SIZE).get_page(request.GET.get("page"))
    rules = selectors.quorum_rules()
    return render(
        request,
        "panels/meeting_list.html",
        {
            "upcoming": [(m, selectors.meeting_quorum(m, rules)) for m in upcoming],
            "past": [(m, selectors.meeting_quorum(m, rules)) for m in page.object_list],
            "page": page,
            "query": "",
            "can_write": selectors.may_write_panels(request.user),
        },
    )


@panels_page
@GET_POST
def meeting_create(request: HttpRequest) -> HttpResponse:
    _writer(request)
    form = forms.MeetingForm(request.POST or None, raas=selectors.writable_raas(request.user))
    if request.method == "POST" and form.is_valid():
        meeting = _run(form, lambda: services.panel_meeting_create(actor=request.user, **form.service_kwargs()))
        if meeting is not None:
            messages.success(request, "The meeting was added: now invite its members")
            return redirect("panels:invite", meeting.pk)
    return _form_page(request, form, title="Add a panel meeting", back=reverse("panels:meetings"))


def _headline(meeting: PanelMeeting, verdict: selectors.MeetingQuorum, today: date) -> str:
    """The verdict in words: on attendance once recorded, else on who is invited, in the meeting's tense."""
    ok = verdict.result.is_quorate
    if verdict.on_attendance:
        return "The meeting was quorate" if ok else "The meeting was not quorate"
    if meeting.held_on < today:
        would = "would have been" if ok else "would not have been"
        return f"Attendance is not recorded yet. On the members invited, the meeting {would} quorate"
    return "The meeting will be quorate" if ok else "The meeting will not be quorate"


@login_required
def meeting_detail(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = selectors.meeting_get(actor=request.user, meeting_id=meeting_id)
    today = timezone.localdate()
    verdict = selectors.meeting_quorum(meeting)
    return render(
        request,
        "panels/meeting_detail.html",
        {
            "meeting": meeting,
            "attendances": list(meeting.attendances.all()),
            "verdict": verdict,
            "headline": _headline(meeting, verdict, today),
            "today": today,
            "can_write": selectors.may_write_panels(request.user, raa_id=meeting.raa_id),
        },
    )


def _meeting_for_write(request: HttpRequest, meeting_id: int) -> PanelMeeting:
    meeting = selectors.meeting_get(actor=request.user, meeting_id=meeting_id, record_read=False)
    _writer(request, meeting.raa_id)
    return meeting


def _meeting_title(meeting: PanelMeeting) -> str:
    return f"Panel on {_day(meeting.held_on)} at {meeting.starts_at:%H:%M}, {meeting.place}"


@login_required
@GET_POST
def meeting_edit(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _meeting_for_write(request, meeting_id)
    initial = {"held_on": meeting.held_on, "starts_at": meeting.starts_at, "place": meeting.place}
    form = forms.MeetingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        if _run(form, lambda: services.panel_meeting_update(actor=request.user, meeting_id=meeting.pk, **kwargs)):
            messages.success(request, "The meeting was changed")
            return redirect("panels:meeting", meeting.pk)
    back = reverse("panels:meeting", args=[meeting.pk])
    return _form_page(request, form, title="Change the date, time or place", back=back, caption=_meeting_title(meeting))


def _members_page(
    request: HttpRequest,
    meeting_id: int,
    *,
    form_class: type[forms.InviteForm],
    chosen: Callable[[Any], bool],
    save: Callable[..., PanelMeeting],
    title: str,
    done: str,
) -> HttpResponse:
    """Choose members of the list for a meeting (invited, or attended); the meeting page then re-checks the quorum."""
    meeting = _meeting_for_write(request, meeting_id)
    members = list(selectors.members_on_list(raa_id=meeting.raa_id, on=meeting.held_on))
    initial = {"members": [a.member_id for a in meeting.attendances.all() if chosen(a)]}
    form = form_class(request.POST or None, initial=initial, members=members)
    if request.method == "POST" and form.is_valid():
        ids = form.cleaned_data["members"]
        if _run(form, lambda: save(actor=request.user, meeting_id=meeting.pk, member_ids=ids)):
            saved = selectors.meeting_get(actor=request.user, meeting_id=meeting.pk, record_read=False)
            verdict = selectors.meeting_quorum(saved)
            if verdict.result.is_quorate:
                messages.success(request, f"{done}: the meeting is quorate")
            else:
                messages.warning(request, f"{done}: the meeting is not quorate. {'. '.join(verdict.result.missing)}.")
            return redirect("panels:meeting", meeting.pk)
    back = reverse("panels:meeting", args=[meeting.pk])
    return _form_page(request, form, title=title, back=back, caption=_meeting_title(meeting), no_members=not members)


@login_required
@GET_POST
def meeting_invite(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return _members_page(
        request,
        meeting_id,
        form_class=forms.InviteForm,
        chosen=lambda a: a.invited,
        save=services.panel_meeting_invite,
        title="Invite members",
        done="The invitations were saved",
    )


@login_required
@GET_POST
def meeting_attendance(request: HttpRequest, meeting_id: int) -> HttpResponse:
    return _members_page(
        request,
        meeting_id,
        form_class=forms.AttendanceForm,
        # Before attendance is first recorded, start from who was invited.
        chosen=lambda a: a.attended if a.meeting.attendance_recorded_at else a.invited,
        save=services.panel_attendance_record,
        title="Record attendance",
        done="Attendance was recorded",
    )
