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
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_http_methods

from adoption import audit, concurrency
from adoption.dates import in_words as _day
from adoption.forms import GovukForm
from adoption.models import AuditEvent
from panels import forms, selectors, services, tables
from panels.models import (
    AgendaItem,
    MinutesStatus,
    PanelMeeting,
    PanelMember,
)

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
        member = form.run(lambda: services.panel_member_create(actor=request.user, **form.service_kwargs()))
        if member is not None:
            messages.success(request, f"{member.name} was added to the central list")
            return redirect("panels:member", member.pk)
    return _form_page(request, form, title="Add a member to the central list", back=reverse("panels:members"))


@login_required
def member_detail(request: HttpRequest, member_id: int) -> HttpResponse:
    member = selectors.member_get(actor=request.user, member_id=member_id)
    attendances = list(member.attendances.all())
    can_write = selectors.may_write_panels(request.user, raa_id=member.raa_id)
    # A member's appraisals are for the panel's staff and the member themselves, not for the other members.
    sees_appraisals = can_write or (member.user_id is not None and member.user_id == request.user.pk)
    return render(
        request,
        "panels/member_detail.html",
        {
            "member": member,
            "sees_appraisals": sees_appraisals,
            "appraisals": member.appraisals.all() if sees_appraisals else [],
            "attendances": attendances,
            "attended": sum(1 for a in attendances if a.attended),
            "today": timezone.localdate(),
            "can_write": can_write,
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
        kwargs = {**form.service_kwargs(), "expected_version": form.expected_version}
        if form.run(lambda: services.panel_member_update(actor=request.user, member_id=member.pk, **kwargs)):
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
    # The version of the open appraisal (or of none): two people recording it at once do not both save.
    form = forms.AppraisalForm(request.POST or None, initial=concurrency.with_version(initial, open_appraisal))
    if request.method == "POST" and form.is_valid():
        data = {**form.cleaned_data, "expected_version": form.expected_version}
        if form.run(lambda: services.panel_appraisal_record(actor=request.user, member_id=member.pk, **data)):
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
        meeting = form.run(lambda: services.panel_meeting_create(actor=request.user, **form.service_kwargs()))
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
    # One read of the meeting with its settings, minutes, members and items: the quorum (fostering experience) and
    # the agenda read the same items.
    meeting = selectors.meeting_page_get(actor=request.user, meeting_id=meeting_id)
    today = timezone.localdate()
    verdict = selectors.meeting_quorum(meeting)
    minutes = selectors.minutes_of(meeting)
    agenda = selectors.agenda(meeting, list(meeting.items.all()))
    attendances = list(meeting.attendances.all())
    can_write = selectors.may_write_panels(request.user, raa_id=meeting.raa_id)
    minutes_final = minutes is not None and minutes.status == MinutesStatus.FINAL
    return render(
        request,
        "panels/meeting_detail.html",
        {
            "meeting": meeting,
            "agenda": agenda,
            "agenda_body": tables.agenda_body(request, agenda, moves=can_write and not minutes_final),
            "minutes": minutes,
            "minutes_final": minutes_final,
            "attendances": attendances,
            "members_body": tables.members_body(meeting, attendances),
            "verdict": verdict,
            "headline": _headline(meeting, verdict, today),
            "today": today,
            "can_write": can_write,
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
    initial = {
        "held_on": meeting.held_on,
        "starts_at": meeting.starts_at,
        "place": meeting.place,
        "joint": "yes" if meeting.joint else "no",
    }
    form = forms.MeetingForm(request.POST or None, initial=concurrency.with_version(initial, meeting))
    if request.method == "POST" and form.is_valid():
        kwargs = {**form.service_kwargs(), "expected_version": form.expected_version}
        if form.run(lambda: services.panel_meeting_update(actor=request.user, meeting_id=meeting.pk, **kwargs)):
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
    # The version of the meeting and all its invitations and attendances: a change made since is not overwritten.
    initial = concurrency.with_version(initial, meeting, *concurrency.in_pk_order(meeting.attendances.all()))
    form = form_class(request.POST or None, initial=initial, members=members)
    if request.method == "POST" and form.is_valid():
        kwargs = {"member_ids": form.cleaned_data["members"], "expected_version": form.expected_version}
        if form.run(lambda: save(actor=request.user, meeting_id=meeting.pk, **kwargs)):
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


# --- the agenda ----------------------------------------------------------------------------------------------
# Buttons that only POST (confirm, move, remove) find their record first, so a record outside the actor's
# panels is 404 whatever the method, and only then refuse any other method (405).


def _item_for_write(request: HttpRequest, item_id: int) -> selectors.ItemView:
    view = selectors.item_get(actor=request.user, item_id=item_id, record_read=False)
    _writer(request, view.item.meeting.raa_id)
    return view


def _item_caption(view: selectors.ItemView) -> str:
    return f"Item {view.item.position}: {view.item.get_kind_display()}, {view.subject}"


def _about_item(view: selectors.ItemView) -> dict[str, str]:
    """A form page's back link and caption for an item's form."""
    return {"back": reverse("panels:item", args=[view.item.pk]), "caption": _item_caption(view)}


def _record_options(raa_id: int, kind: str) -> list[tuple[int, str]]:
    K = AgendaItem.Kind
    if kind in (K.APPROVAL, K.REVIEW):
        return [(h.pk, h.name) for h in selectors.households_for_panel(raa_id, kind)]
    if kind == K.MATCH:
        return selectors.links_for_panel(raa_id)
    if kind == K.RELINQUISHED:
        return [(c.pk, f"{c.full_name} ({c.responsible_la.name})") for c in selectors.children_for_panel(raa_id)]
    return [
        (d.pk, f"{d.placement.child.full_name}: {d.get_reason_display().lower()}")
        for d in selectors.disruptions_for_panel(raa_id)
    ]


@login_required
@GET_POST
def item_add(request: HttpRequest, meeting_id: int) -> HttpResponse:
    """Choose the kind of business (a list of links), then the record it is about."""
    meeting = _meeting_for_write(request, meeting_id)
    back = reverse("panels:meeting", args=[meeting.pk])
    kind = request.GET.get("kind", "")
    if kind not in AgendaItem.Kind.values:
        return render(
            request,
            "panels/item_kind.html",
            {"meeting": meeting, "kinds": AgendaItem.Kind.choices, "back": back, "caption": _meeting_title(meeting)},
        )
    options = _record_options(meeting.raa_id, kind)
    form = forms.AgendaItemForm(request.POST or None, kind=kind, options=options)
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        item = form.run(
            lambda: services.agenda_item_add(actor=request.user, meeting_id=meeting.pk, kind=kind, **kwargs)
        )
        if item is not None:
            messages.success(
                request, f"Item {item.position} was added to the agenda, starting at {item.starts_at:%H:%M}"
            )
            return redirect("panels:meeting", meeting.pk)
    label = AgendaItem.Kind(kind).label
    empty = "" if options else f"There is nothing to choose: no record of this RAA can be a {label.lower()} item now."
    return _form_page(
        request, form, title=f"Add an item: {label.lower()}", back=back, caption=_meeting_title(meeting), problem=empty
    )


@login_required
def meeting_confirm(request: HttpRequest, meeting_id: int) -> HttpResponse:
    meeting = _meeting_for_write(request, meeting_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.panel_meeting_confirm(actor=request.user, meeting_id=meeting.pk)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, "The meeting is confirmed: it is quorate on the members invited")
    return redirect("panels:meeting", meeting.pk)


@login_required
def item_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    view = selectors.item_get(actor=request.user, item_id=item_id)
    item = view.item
    minutes = selectors.minutes_of(item.meeting)
    return render(
        request,
        "panels/item_detail.html",
        {
            "view": view,
            "item": item,
            "meeting": item.meeting,
            "minutes": minutes,
            "today": timezone.localdate(),
            "can_write": selectors.may_write_panels(request.user, raa_id=item.meeting.raa_id),
            "can_decide": selectors.may_decide(request.user, raa_id=item.meeting.raa_id),
            "decided_kinds": services.DECIDED_KINDS,
        },
    )


@login_required
@GET_POST
def item_edit(request: HttpRequest, item_id: int) -> HttpResponse:
    view = _item_for_write(request, item_id)
    item = view.item
    initial = {"starts_at": item.starts_at, "presenting_worker": item.presenting_worker}
    form = forms.AgendaItemUpdateForm(request.POST or None, initial=concurrency.with_version(initial, item))
    if request.method == "POST" and form.is_valid():
        kwargs = {**form.service_kwargs(), "expected_version": form.expected_version}
        if form.run(lambda: services.agenda_item_update(actor=request.user, item_id=item.pk, **kwargs)):
            messages.success(request, "The item was changed")
            return redirect("panels:meeting", item.meeting_id)
    return _form_page(request, form, title="Change the time or presenter", **_about_item(view))


@login_required
def item_move(request: HttpRequest, item_id: int) -> HttpResponse:
    view = _item_for_write(request, item_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        item = services.agenda_item_move(actor=request.user, item_id=view.item.pk, up=request.POST.get("to") == "up")
        messages.success(request, f"The item is now item {item.position}, starting at {item.starts_at:%H:%M}")
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    return redirect("panels:meeting", view.item.meeting_id)


@login_required
def item_remove(request: HttpRequest, item_id: int) -> HttpResponse:
    view = _item_for_write(request, item_id)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    try:
        services.agenda_item_remove(actor=request.user, item_id=view.item.pk)
        messages.success(request, f"The item about {view.subject} was taken off the agenda")
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect("panels:item", view.item.pk)
    return redirect("panels:meeting", view.item.meeting_id)


@login_required
@GET_POST
def paper_upload(request: HttpRequest, item_id: int) -> HttpResponse:
    view = _item_for_write(request, item_id)
    missing = [p.kind for p in view.papers if p.paper is None]
    form = forms.PaperForm(request.POST or None, request.FILES or None, initial={"kind": missing[0] if missing else ""})
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        paper = form.run(lambda: services.agenda_paper_upload(actor=request.user, item_id=view.item.pk, **kwargs))
        if paper is not None:
            messages.success(
                request, f"{paper.title} was received ({paper.pages} page{'s' if paper.pages != 1 else ''})"
            )
            return redirect("panels:item", view.item.pk)
    return _form_page(request, form, title="Upload a paper", **_about_item(view))


@login_required
def paper_download(request: HttpRequest, paper_id: int) -> FileResponse:
    paper = selectors.paper_get(actor=request.user, paper_id=paper_id)
    audit.record(
        actor=request.user, action=AuditEvent.Action.DOWNLOAD, obj=paper, organisation_id=paper.item.meeting.raa_id
    )
    return FileResponse(paper.file.open("rb"), as_attachment=True, filename=f"{slugify(paper.title) or 'paper'}.pdf")


@login_required
@GET_POST
def recommendation(request: HttpRequest, item_id: int) -> HttpResponse:
    view = _item_for_write(request, item_id)
    item = view.item
    initial = {"recommendation": item.recommendation, "reasons": item.recommendation_reasons}
    form = forms.RecommendationForm(request.POST or None, initial=concurrency.with_version(initial, item))
    if request.method == "POST" and form.is_valid():
        kwargs = {**form.service_kwargs(), "expected_version": form.expected_version}
        if form.run(lambda: services.recommendation_record(actor=request.user, item_id=item.pk, **kwargs)):
            messages.success(request, "The panel's recommendation was recorded")
            return redirect("panels:item", item.pk)
    return _form_page(request, form, title="Record the panel's recommendation", **_about_item(view))


@login_required
@GET_POST
def item_minutes(request: HttpRequest, item_id: int) -> HttpResponse:
    view = _item_for_write(request, item_id)
    initial = concurrency.with_version({"minutes": view.item.minutes}, view.item)
    form = forms.ItemMinutesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        kwargs = {**form.service_kwargs(), "expected_version": form.expected_version}
        if form.run(lambda: services.item_minutes_record(actor=request.user, item_id=view.item.pk, **kwargs)):
            messages.success(request, "The minutes of the item were saved")
            return redirect("panels:item", view.item.pk)
    return _form_page(request, form, title="Minutes of the item", **_about_item(view))


MINUTES_TITLES: dict[str, tuple[str, str]] = {
    MinutesStatus.DRAFT: ("Record the minutes drafted", "The minutes were recorded as drafted"),
    MinutesStatus.ACCURACY_CHECK: (
        "Record the minutes sent for accuracy check",
        "The minutes were recorded as sent to members and presenting social workers to check",
    ),
    MinutesStatus.FINAL: ("Record the minutes final", "The minutes are final: the ADM's decisions are now due"),
}


@login_required
@GET_POST
def minutes_step(request: HttpRequest, meeting_id: int, step: str) -> HttpResponse:
    meeting = _meeting_for_write(request, meeting_id)
    final = step == MinutesStatus.FINAL
    form = forms.MinutesStepForm(request.POST or None, final=final, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        if form.run(lambda: services.minutes_step(actor=request.user, meeting_id=meeting.pk, status=step, **kwargs)):
            messages.success(request, MINUTES_TITLES[step][1])
            return redirect("panels:meeting", meeting.pk)
    back = reverse("panels:meeting", args=[meeting.pk])
    return _form_page(request, form, title=MINUTES_TITLES[step][0], back=back, caption=_meeting_title(meeting))


@login_required
@GET_POST
def decision(request: HttpRequest, item_id: int) -> HttpResponse:
    view = selectors.item_get(actor=request.user, item_id=item_id, record_read=False)
    item = view.item
    if not selectors.may_decide(request.user, raa_id=item.meeting.raa_id):
        raise PermissionDenied("Only the agency decision maker (or the panel adviser for them) records the decision.")
    form_class = forms.ApprovalDecisionForm if item.kind == AgendaItem.Kind.APPROVAL else forms.DecisionForm
    form = form_class(request.POST or None, initial={"decided_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        if form.run(lambda: services.decision_record(actor=request.user, item_id=item.pk, **kwargs)):
            messages.success(request, "The agency decision was recorded")
            return redirect("panels:item", item.pk)
    recommended = item.get_recommendation_display().lower() if item.recommendation else "not recorded"
    about = f"The panel's recommendation: {recommended}. " + (
        "If approved, record what the family is approved for." if item.kind == AgendaItem.Kind.APPROVAL else ""
    )
    return _form_page(
        request,
        form,
        title="Record the agency decision",
        **_about_item(view),
        about=about,
    )


@login_required
@GET_POST
def told(request: HttpRequest, item_id: int) -> HttpResponse:
    view = selectors.item_get(actor=request.user, item_id=item_id, record_read=False)
    item = view.item
    if not (
        selectors.may_decide(request.user, raa_id=item.meeting.raa_id)
        or selectors.may_write_panels(request.user, raa_id=item.meeting.raa_id)
    ):
        raise PermissionDenied("Your role cannot change panel records.")
    form = forms.ToldForm(request.POST or None, initial={"told_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        if form.run(lambda: services.told_record(actor=request.user, item_id=item.pk, **kwargs)):
            messages.success(request, "The date they were told was recorded")
            return redirect("panels:item", item.pk)
    return _form_page(
        request,
        form,
        title="Record when they were told of the decision",
        **_about_item(view),
    )
