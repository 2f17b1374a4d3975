"""Every write to the panels' records. Pages (and, later, the API) come through here.

Each service finds the record within the actor's panels (404 outside them), checks that the actor
may change that RAA's panels (403: panel advisers and managers), checks the rules with the change
applied, saves inside one transaction and writes one audit event. A refused change raises
``ValidationError`` keyed by field, with a message a panel adviser understands, and saves nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from pypdf import PdfReader
from pypdf.errors import PdfReadError as PdfError

from adopters.models import Household
from adopters.services import household_transition
from adopters.workflow import Action as HouseholdAction
from adoption import audit, concurrency, tenancy
from adoption.dates import in_words as _fmt
from adoption.models import AuditEvent, Membership, Organisation
from adoption.uploads import size_in_words, upload_max_bytes
from adoption.working_days import add_working_days
from children.models import Child, Disruption, EarlyPermanencePlacement, Link, Match
from children.services import adoption_decision_record
from children.services.matching import match_panel_record, match_record
from panels.models import (
    AgendaItem,
    AgendaPaper,
    Decision,
    MeetingMinutes,
    MinutesStatus,
    PanelAppraisal,
    PanelAttendance,
    PanelMeeting,
    PanelMember,
    PanelRole,
    PanelSettings,
    PaperKind,
    Recommendation,
)
from panels.selectors import PANEL_WRITERS, meeting_quorum, on_list, panel_raa_ids, scope_panels, settings_for


def _check_raa(actor: Any, raa_id: int) -> None:
    """A new record's RAA must be one whose panels the actor runs."""
    writable = panel_raa_ids(actor, PANEL_WRITERS)
    if not writable:
        raise PermissionDenied("Your role cannot change panel records.")
    if raa_id not in writable:
        raise ValidationError({"raa": "Choose an RAA whose panels you run"})


def _for_write(actor: Any, model: type[models.Model], pk: int) -> Any:
    """The record, locked for this transaction: 404 outside the actor's panels, 403 if they only read them."""
    found = scope_panels(model._default_manager.select_for_update(of=("self",)), actor).filter(pk=pk).first()
    if found is None:
        raise Http404("No such record.")
    if found.raa_id not in panel_raa_ids(actor, PANEL_WRITERS):
        raise PermissionDenied("Your role cannot change panel records.")
    return found


def _save(actor: Any, obj: models.Model, *, raa_id: int, action: AuditEvent.Action) -> Any:
    obj.full_clean()
    obj.save()
    audit.record(actor=actor, action=action, obj=obj, organisation_id=raa_id)
    return obj


# --- the central list --------------------------------------------------------------------------------------


def _member_fields(
    *,
    raa_id: int,
    roles: Iterable[str],
    post_qualifying_years: int | None,
    user_id: int | None,
) -> dict[str, Any]:
    chosen = set(roles)
    unknown = chosen - set(PanelRole.values)
    if unknown:
        raise ValidationError({"roles": "Choose roles from the list"})
    ordered = [code for code in PanelRole.values if code in chosen]  # one order, whatever the form sent
    if not ordered:
        raise ValidationError({"roles": "Choose at least one role"})
    social_worker = PanelRole.SOCIAL_WORK in chosen
    if social_worker and post_qualifying_years is None:
        raise ValidationError(
            {"post_qualifying_years": "Enter the social work member's years of post-qualifying experience"}
        )
    if not social_worker and post_qualifying_years is not None:
        raise ValidationError(
            {
                "post_qualifying_years": (
                    "Years of post-qualifying experience are for social work members: "
                    "choose 'Social work member' or leave the years empty"
                )
            }
        )
    if user_id is not None:
        works_here = Membership.objects.filter(
            user_id=user_id, organisation_id=raa_id, is_active=True, user__is_active=True
        ).exists()
        if not works_here:
            raise ValidationError({"user": "Choose the account of someone who works for this RAA"})
    return {"roles": ordered, "post_qualifying_years": post_qualifying_years, "user_id": user_id}


def _meetings_outside_list(member: PanelMember) -> None:
    """A member stays on the list for every meeting they are invited to or attended."""
    outside = (
        PanelAttendance.objects.filter(member=member)
        .exclude(meeting__held_on__gte=member.on_list_from, meeting__held_on__lt=member.off_list_on or date.max)
        .select_related("meeting")
        .order_by("meeting__held_on")
        .first()
    )
    if outside is None:
        return
    held_on = outside.meeting.held_on
    field = "on_list_from" if held_on < member.on_list_from else "off_list_on"
    message = f"{member.name} is recorded at the panel on {_fmt(held_on)}: their dates on the list must include it"
    raise ValidationError({field: message})


@transaction.atomic
def panel_member_create(
    *,
    actor: Any,
    raa_id: int,
    name: str,
    roles: Iterable[str],
    on_list_from: date,
    off_list_on: date | None = None,
    post_qualifying_years: int | None = None,
    gender: str = "",
    lived_experience: bool | None = None,
    user_id: int | None = None,
) -> PanelMember:
    """Add a person to an RAA's central list."""
    _check_raa(actor, raa_id)
    member = PanelMember(
        raa_id=raa_id,
        name=name.strip(),
        on_list_from=on_list_from,
        off_list_on=off_list_on,
        gender=gender,
        lived_experience=lived_experience,
        **_member_fields(raa_id=raa_id, roles=roles, post_qualifying_years=post_qualifying_years, user_id=user_id),
    )
    return _save(actor, member, raa_id=raa_id, action=AuditEvent.Action.CREATE)


@transaction.atomic
def panel_member_update(
    *,
    actor: Any,
    member_id: int,
    name: str,
    roles: Iterable[str],
    on_list_from: date,
    off_list_on: date | None = None,
    post_qualifying_years: int | None = None,
    gender: str = "",
    lived_experience: bool | None = None,
    user_id: int | None = None,
    expected_version: str | None = None,
) -> PanelMember:
    """Change a member's details, roles or dates on the list (taking them off the list is a date here); refused if
    the member's record is no longer ``expected_version`` (``adoption.concurrency``)."""
    member: PanelMember = _for_write(actor, PanelMember, member_id)
    concurrency.check_unchanged(expected_version, member)
    fields = _member_fields(
        raa_id=member.raa_id, roles=roles, post_qualifying_years=post_qualifying_years, user_id=user_id
    )
    member.name = name.strip()
    member.on_list_from = on_list_from
    member.off_list_on = off_list_on
    member.gender = gender
    member.lived_experience = lived_experience
    for key, value in fields.items():
        setattr(member, key, value)
    _meetings_outside_list(member)
    return _save(actor, member, raa_id=member.raa_id, action=AuditEvent.Action.UPDATE)


@transaction.atomic
def panel_appraisal_record(
    *,
    actor: Any,
    member_id: int,
    due_on: date,
    done_on: date | None = None,
    next_due_on: date | None = None,
    expected_version: str | None = None,
) -> PanelAppraisal:
    """Schedule a member's appraisal, or record it done (and, optionally, when the next one is due).

    A member has at most one open appraisal: recording one when another is open updates that one. Refused if the
    open appraisal (or the absence of one) is no longer ``expected_version`` (``adoption.concurrency``).
    """
    member: PanelMember = _for_write(actor, PanelMember, member_id)
    if done_on is not None and done_on > timezone.localdate():
        raise ValidationError({"done_on": "The date done must be today or in the past"})
    if next_due_on is not None and done_on is None:
        raise ValidationError({"next_due_on": "Record the date this appraisal was done before scheduling the next"})
    if next_due_on is not None and done_on is not None and next_due_on <= done_on:
        raise ValidationError({"next_due_on": "The next appraisal must be due after this one was done"})
    appraisal = member.appraisals.filter(done_on__isnull=True).select_for_update().first()
    concurrency.check_unchanged(expected_version, appraisal)
    action = AuditEvent.Action.UPDATE if appraisal else AuditEvent.Action.CREATE
    appraisal = appraisal or PanelAppraisal(member=member)
    appraisal.due_on = due_on
    appraisal.done_on = done_on
    _save(actor, appraisal, raa_id=member.raa_id, action=action)
    if next_due_on is not None:
        _save(
            actor,
            PanelAppraisal(member=member, due_on=next_due_on),
            raa_id=member.raa_id,
            action=AuditEvent.Action.CREATE,
        )
    return appraisal


# --- meetings ----------------------------------------------------------------------------------------------


@transaction.atomic
def panel_meeting_create(
    *, actor: Any, raa_id: int, held_on: date, starts_at: time, place: str, joint: bool = False
) -> PanelMeeting:
    _check_raa(actor, raa_id)
    meeting = PanelMeeting(raa_id=raa_id, held_on=held_on, starts_at=starts_at, place=place.strip(), joint=joint)
    return _save(actor, meeting, raa_id=raa_id, action=AuditEvent.Action.CREATE)


@transaction.atomic
def panel_meeting_update(
    *,
    actor: Any,
    meeting_id: int,
    held_on: date,
    starts_at: time,
    place: str,
    joint: bool = False,
    expected_version: str | None = None,
) -> PanelMeeting:
    """Move a meeting or change its place. Everyone invited must still be on the list on the new date. Refused if
    the meeting's record is no longer ``expected_version`` (``adoption.concurrency``)."""
    meeting: PanelMeeting = _for_write(actor, PanelMeeting, meeting_id)
    concurrency.check_unchanged(expected_version, meeting)
    if meeting.attendance_recorded_at is not None and held_on != meeting.held_on:
        raise ValidationError({"held_on": "Attendance has been recorded for this meeting, so its date cannot change"})
    off_list = (
        PanelMember.objects.filter(attendances__meeting=meeting).exclude(on_list(held_on)).order_by("name").first()
    )
    if off_list is not None:
        raise ValidationError(
            {"held_on": f"{off_list.name} is invited but is not on the central list on that date: remove them first"}
        )
    if joint != meeting.joint:
        _unconfirm(meeting)  # a joint panel needs more members: confirm again
    meeting.held_on, meeting.starts_at, meeting.place, meeting.joint = held_on, starts_at, place.strip(), joint
    return _save(actor, meeting, raa_id=meeting.raa_id, action=AuditEvent.Action.UPDATE)


def _members_for(meeting: PanelMeeting, member_ids: Iterable[int], field: str) -> set[int]:
    """The chosen members, all of them on the meeting RAA's list on the meeting's date."""
    wanted = set(member_ids)
    allowed = set(
        PanelMember.objects.filter(on_list(meeting.held_on), raa_id=meeting.raa_id, pk__in=wanted).values_list(
            "pk", flat=True
        )
    )
    if wanted - allowed:
        raise ValidationError({field: "Choose members who are on the central list on the date of the meeting"})
    return wanted


def _attendances_for_write(meeting: PanelMeeting, expected_version: str | None) -> dict[int, PanelAttendance]:
    """The meeting's invitations and attendances, locked (the meeting is locked first), by member; refused if the
    meeting and these rows are no longer ``expected_version`` (``adoption.concurrency``): the page that chose the
    members started from other invitations or another attendance."""
    rows = concurrency.in_pk_order(PanelAttendance.objects.select_for_update().filter(meeting=meeting))
    concurrency.check_unchanged(expected_version, meeting, *rows)
    return {row.member_id: row for row in rows}


@transaction.atomic
def panel_meeting_invite(
    *, actor: Any, meeting_id: int, member_ids: Iterable[int], expected_version: str | None = None
) -> PanelMeeting:
    """Set who is invited. Someone no longer invited who attended stays recorded as attending. Refused if the
    meeting or its invitations are no longer ``expected_version`` (``adoption.concurrency``)."""
    meeting: PanelMeeting = _for_write(actor, PanelMeeting, meeting_id)
    _refuse_once_minutes_final(meeting)  # the record stands: the database keeps it (adoption.retention)
    rows = _attendances_for_write(meeting, expected_version)
    invited = _members_for(meeting, member_ids, "members")
    for member_id, row in rows.items():
        if member_id in invited or row.attended:
            if row.invited != (member_id in invited):
                row.invited = member_id in invited
                row.full_clean()
                row.save(update_fields=["invited"])
        else:
            row.delete()
    for member_id in invited - set(rows):
        row = PanelAttendance(meeting=meeting, member_id=member_id, invited=True)
        row.full_clean()
        row.save()
    _unconfirm(meeting)
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=meeting, organisation_id=meeting.raa_id)
    return meeting


def _snapshot(row: PanelAttendance) -> None:
    """Keep what an attending member was on the day (their roles may change later); clear it for absentees."""
    if row.attended:
        member = PanelMember.objects.get(pk=row.member_id)
        row.roles_at_meeting, row.years_at_meeting = list(member.roles), member.post_qualifying_years
    else:
        row.roles_at_meeting, row.years_at_meeting = [], None


@transaction.atomic
def panel_attendance_record(
    *, actor: Any, meeting_id: int, member_ids: Iterable[int], expected_version: str | None = None
) -> PanelMeeting:
    """Record who attended (invited or not), from the day of the meeting. The quorum is then checked on them.
    Refused if the meeting or its attendances are no longer ``expected_version`` (``adoption.concurrency``)."""
    meeting: PanelMeeting = _for_write(actor, PanelMeeting, meeting_id)
    _refuse_once_minutes_final(meeting)  # the record stands: the database keeps it (adoption.retention)
    rows = _attendances_for_write(meeting, expected_version)
    if meeting.held_on > timezone.localdate():
        raise ValidationError(
            {"members": f"Attendance can be recorded from the day of the meeting, {_fmt(meeting.held_on)}"}
        )
    came = _members_for(meeting, member_ids, "members")
    for member_id, row in rows.items():
        if not row.invited and member_id not in came:
            row.delete()
        else:
            row.attended = member_id in came
            _snapshot(row)
            row.full_clean()
            row.save(update_fields=["attended", "roles_at_meeting", "years_at_meeting"])
    for member_id in came - set(rows):
        row = PanelAttendance(meeting=meeting, member_id=member_id, invited=False, attended=True)
        _snapshot(row)
        row.full_clean()
        row.save()
    meeting.attendance_recorded_at = timezone.now()
    meeting.save(update_fields=["attendance_recorded_at", "updated_at"])
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=meeting, organisation_id=meeting.raa_id)
    return meeting


# --- the agenda ----------------------------------------------------------------------------------------------
#
# Items are about a household (approval, review), a match, a child (plan for a relinquished child) or a
# disruption. Only records of the meeting RAA's own work may be put on its agenda: households it approves,
# children of its local authorities. The outcome of an item reaches the household or the match through
# their own services (``adopters.services.household_transition``, ``children.services.matching``), so a
# household's timeline and a match's 903 dates are the same whichever page recorded them.

Kind = AgendaItem.Kind
DECIDED_KINDS = frozenset({Kind.APPROVAL, Kind.MATCH, Kind.RELINQUISHED, Kind.REVIEW})  # the ADM decides these
RECOMMENDED_KINDS = DECIDED_KINDS  # a disruption report is considered, not recommended on


def _meeting_settings(meeting: PanelMeeting) -> PanelSettings:
    return settings_for(meeting.raa_id)


def _minutes_final(meeting: PanelMeeting) -> bool:
    minutes = MeetingMinutes.objects.filter(meeting=meeting).first()
    return minutes is not None and minutes.status == MinutesStatus.FINAL


def _refuse_once_minutes_final(meeting: PanelMeeting) -> None:
    if _minutes_final(meeting):
        raise ValidationError(
            {"members": "The minutes of this meeting are final: who was invited and who attended stands"}
        )


def _unconfirm(meeting: PanelMeeting) -> None:
    """A change to the agenda or the invitations needs the meeting confirmed again."""
    if meeting.confirmed_at is not None:
        meeting.confirmed_at = None
        meeting.save(update_fields=["confirmed_at", "updated_at"])


def _retime(meeting: PanelMeeting) -> None:
    """Number the items 1, 2, 3... in their order and give each its slot from the meeting's start."""
    minutes = _meeting_settings(meeting).item_minutes
    start = datetime.combine(meeting.held_on, meeting.starts_at)
    for index, item in enumerate(meeting.items.select_for_update().order_by("position", "id"), start=1):
        slot = (start + timedelta(minutes=minutes * (index - 1))).time()
        if (item.position, item.starts_at) != (index, slot):
            item.position, item.starts_at = index, slot
            item.save(update_fields=["position", "starts_at", "updated_at"])


def _subject(kind: str, raa_id: int, **ids: int | None) -> dict[str, Any]:
    """The record an item of ``kind`` is about, checked to be the RAA's own work; the item's link fields."""
    la_ids = list(Organisation.objects.filter(raa_id=raa_id).values_list("pk", flat=True))
    if kind in (Kind.APPROVAL, Kind.REVIEW):
        household = Household.objects.filter(pk=ids.get("household_id") or 0, approving_agency_id=raa_id).first()
        if household is None:
            raise ValidationError({"household": "Choose a household this RAA is assessing or has approved"})
        if kind == Kind.APPROVAL and household.status != Household.Status.AWAITING_PANEL:
            raise ValidationError(
                {
                    "household": f"{household.name} is not waiting for panel "
                    f"(their stage is {household.get_status_display().lower()})"
                }
            )
        if kind == Kind.REVIEW and household.status not in (Household.Status.APPROVED, Household.Status.MATCHED):
            raise ValidationError({"household": f"{household.name} is not approved, so there is nothing to review"})
        return {"household": household}
    if kind == Kind.MATCH:
        link = (
            Link.objects.filter(pk=ids.get("link_id") or 0, child__responsible_la__in=la_ids)
            .select_related("household")
            .first()
        )
        if link is None:
            raise ValidationError({"link": "Choose a proposed match of a child of this RAA's local authorities"})
        if link.outcome != Link.Outcome.OPEN:
            raise ValidationError({"link": f"This link is closed: {link.get_outcome_display().lower()}"})
        return {"link": link, "needs_fostering_experience": _fostering_for_adoption(link)}
    if kind == Kind.RELINQUISHED:
        child = Child.objects.filter(pk=ids.get("child_id") or 0, responsible_la__in=la_ids).first()
        if child is None:
            raise ValidationError({"child": "Choose a child of this RAA's local authorities"})
        return {"child": child}
    if kind == Kind.DISRUPTION:
        disruption = Disruption.objects.filter(
            pk=ids.get("disruption_id") or 0, placement__child__responsible_la__in=la_ids
        ).first()
        if disruption is None:
            raise ValidationError({"disruption": "Choose a disruption of a child of this RAA's local authorities"})
        return {"disruption": disruption}
    raise ValidationError({"kind": "Choose the kind of item"})


def _fostering_for_adoption(link: Link) -> bool:
    """Is the family already caring for the child (or one of the siblings) under early permanence?"""
    group = link.sibling_group_id
    children = Q(child__sibling_membership__group_id=group) if group else Q(child_id=link.child_id)
    return EarlyPermanencePlacement.objects.filter(children, household_id=link.household_id).exists()


@transaction.atomic
def agenda_item_add(
    *,
    actor: Any,
    meeting_id: int,
    kind: str,
    presenting_worker: str = "",
    household_id: int | None = None,
    link_id: int | None = None,
    child_id: int | None = None,
    disruption_id: int | None = None,
    with_foster_carers: bool = False,
) -> AgendaItem:
    """Put a piece of business on a meeting's agenda, in the next slot, within the RAA's limit of items.

    A match comes as its link (the proposed family for a child or sibling group). It needs a member with
    fostering experience on the panel when the family are the child's foster carers (``with_foster_carers``)
    or are fostering the child for adoption (found from the child's early permanence placements).
    """
    meeting: PanelMeeting = _for_write(actor, PanelMeeting, meeting_id)
    if _minutes_final(meeting):
        raise ValidationError({"kind": "The minutes of this meeting are final: its agenda cannot change"})
    limit = _meeting_settings(meeting).item_limit
    count = meeting.items.count()
    if count >= limit:
        raise ValidationError(
            {"kind": f"This agenda already has {count} items, the most one meeting takes: use another meeting"}
        )
    links = _subject(
        kind,
        meeting.raa_id,
        household_id=household_id,
        link_id=link_id,
        child_id=child_id,
        disruption_id=disruption_id,
    )
    field, record = next((k, v) for k, v in links.items() if k != "needs_fostering_experience")
    if kind == Kind.MATCH and with_foster_carers:
        links["needs_fostering_experience"] = True
    already = (
        AgendaItem.objects.filter(**{field: record}, kind=kind, meeting__held_on__gte=timezone.localdate())
        .select_related("meeting")
        .first()
    )
    if already is not None:
        raise ValidationError({field: f"This is already on the agenda of the {already.meeting}"})
    item = AgendaItem(
        meeting=meeting,
        kind=kind,
        position=count + 1,
        starts_at=meeting.starts_at,
        presenting_worker=presenting_worker.strip(),
        **links,
    )
    _save(actor, item, raa_id=meeting.raa_id, action=AuditEvent.Action.CREATE)
    _retime(meeting)
    _unconfirm(meeting)
    item.refresh_from_db()
    return item


def _item_for(actor: Any, item_id: int, roles: Iterable[str]) -> AgendaItem:
    """The item, locked; 404 outside the actor's panels, 403 unless they hold one of ``roles`` at its RAA."""
    item = (
        scope_panels(AgendaItem.objects.select_for_update(of=("self",)), actor, raa_field="meeting__raa")
        .select_related("meeting")
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise Http404("No such agenda item.")
    if item.meeting.raa_id not in panel_raa_ids(actor, roles):
        raise PermissionDenied("Your role cannot change this.")
    return item


def _item_for_staff(actor: Any, item_id: int) -> AgendaItem:
    return _item_for(actor, item_id, PANEL_WRITERS)


@transaction.atomic
def agenda_item_move(*, actor: Any, item_id: int, up: bool) -> AgendaItem:
    """Move an item one place earlier (``up``) or later; the slots follow the new order."""
    item = _item_for_staff(actor, item_id)
    meeting = item.meeting
    if _minutes_final(meeting):
        raise ValidationError({"__all__": "The minutes of this meeting are final: its agenda cannot change"})
    items = list(meeting.items.select_for_update().order_by("position", "id"))
    index = next(i for i, other in enumerate(items) if other.pk == item.pk)
    swap = index - 1 if up else index + 1
    if 0 <= swap < len(items):
        items[index], items[swap] = items[swap], items[index]
        for position, other in enumerate(items, start=1):
            if other.position != position:
                other.position = position
                other.save(update_fields=["position", "updated_at"])
        _retime(meeting)
        audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=meeting, organisation_id=meeting.raa_id)
    item.refresh_from_db()
    return item


@transaction.atomic
def agenda_item_update(
    *, actor: Any, item_id: int, starts_at: time, presenting_worker: str, expected_version: str | None = None
) -> AgendaItem:
    """Change an item's start time (the agenda keeps its order) and who presents it; refused if the item is no
    longer ``expected_version`` (``adoption.concurrency``)."""
    item = _item_for_staff(actor, item_id)
    concurrency.check_unchanged(expected_version, item)
    neighbours = item.meeting.items.exclude(pk=item.pk)
    earlier = neighbours.filter(position__lt=item.position).order_by("-position").first()
    later = neighbours.filter(position__gt=item.position).order_by("position").first()
    if starts_at < item.meeting.starts_at:
        raise ValidationError(
            {"starts_at": f"The meeting starts at {item.meeting.starts_at:%H:%M}: choose that or later"}
        )
    if earlier is not None and starts_at <= earlier.starts_at:
        raise ValidationError(
            {"starts_at": f"Item {earlier.position} starts at {earlier.starts_at:%H:%M}: choose a later time"}
        )
    if later is not None and starts_at >= later.starts_at:
        raise ValidationError(
            {"starts_at": f"Item {later.position} starts at {later.starts_at:%H:%M}: choose an earlier time"}
        )
    item.starts_at, item.presenting_worker = starts_at, presenting_worker.strip()
    return _save(actor, item, raa_id=item.meeting.raa_id, action=AuditEvent.Action.UPDATE)


@transaction.atomic
def agenda_item_remove(*, actor: Any, item_id: int) -> PanelMeeting:
    """Take an item off the agenda before the meeting, while nothing has been recorded against it."""
    item = _item_for_staff(actor, item_id)
    meeting = item.meeting
    if meeting.held_on < timezone.localdate() or item.recommendation:
        raise ValidationError({"__all__": "The meeting has taken place: the item stays in its record"})
    if item.papers.exists():
        raise ValidationError(
            {"__all__": "Papers have been received for this item: it stays on the agenda (move it to the end instead)"}
        )
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=meeting, organisation_id=meeting.raa_id)
    item.delete()
    _retime(meeting)
    _unconfirm(meeting)
    return meeting


# --- papers ------------------------------------------------------------------------------------------------


def _pdf_pages(upload: UploadedFile) -> int:
    """The number of pages of an uploaded PDF; a clear refusal for anything else."""
    limit = upload_max_bytes()  # the service's one upload limit
    if upload.size is not None and upload.size > limit:
        raise ValidationError({"file": f"The file is larger than {size_in_words(limit)}"})
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head != b"%PDF-":
        raise ValidationError({"file": "The file must be a PDF"})
    try:
        reader = PdfReader(upload)
        if reader.is_encrypted:
            raise ValidationError({"file": "The PDF is password-protected: upload it without a password"})
        pages = len(reader.pages)
    except PdfError as error:
        raise ValidationError(
            {"file": "The PDF cannot be read: it may be damaged. Save it again and upload it"}
        ) from error
    upload.seek(0)
    if pages == 0:
        raise ValidationError({"file": "The PDF has no pages"})
    return pages


@transaction.atomic
def agenda_paper_upload(*, actor: Any, item_id: int, kind: str, upload: UploadedFile, title: str = "") -> AgendaPaper:
    """Add an item's paper (a PDF). A new version of a paper replaces the current one, which is kept."""
    item = _item_for_staff(actor, item_id)
    if kind not in PaperKind.values:
        raise ValidationError({"kind": "Choose which paper this is"})
    if _minutes_final(item.meeting):
        raise ValidationError({"file": "The minutes of this meeting are final: its papers cannot change"})
    pages = _pdf_pages(upload)
    now = timezone.now()
    if kind != PaperKind.OTHER:
        AgendaPaper.objects.filter(item=item, kind=kind, replaced_at__isnull=True).update(replaced_at=now)
    paper = AgendaPaper(
        item=item,
        kind=kind,
        title=title.strip() or PaperKind(kind).label,
        original_name=(upload.name or "paper.pdf")[-255:],
        pages=pages,
        size=upload.size or 0,
        received_at=now,
        uploaded_by=actor,
    )
    paper.file.save("paper.pdf", upload, save=False)
    return _save(actor, paper, raa_id=item.meeting.raa_id, action=AuditEvent.Action.CREATE)


# --- confirming the meeting ----------------------------------------------------------------------------------


@transaction.atomic
def panel_meeting_confirm(*, actor: Any, meeting_id: int) -> PanelMeeting:
    """Confirm a meeting: it needs business and a quorum among those invited, else the message names what is missing."""
    meeting: PanelMeeting = _for_write(actor, PanelMeeting, meeting_id)
    if not meeting.items.exists():
        raise ValidationError({"__all__": "Add items to the agenda before confirming the meeting"})
    verdict = meeting_quorum(
        PanelMeeting.objects.prefetch_related("attendances__member", "items").get(pk=meeting.pk), on="invited"
    )
    if not verdict.result.is_quorate:
        raise ValidationError(
            {"__all__": ["The meeting is not quorate, so it cannot be confirmed:", *verdict.result.missing]}
        )
    meeting.confirmed_at = timezone.now()
    meeting.save(update_fields=["confirmed_at", "updated_at"])
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=meeting, organisation_id=meeting.raa_id)
    return meeting


# --- recommendations, minutes, decisions -------------------------------------------------------------------


@transaction.atomic
def recommendation_record(
    *, actor: Any, item_id: int, recommendation: str, reasons: str, expected_version: str | None = None
) -> AgendaItem:
    """The panel's recommendation on an item, with its reasons, from the day of the meeting.

    A recommendation on an approval moves the household on to wait for the agency decision (a deferral
    leaves it waiting for panel); a match is written on the child's record with it when the ADM agrees.
    Once recorded it stands (the reasons may be corrected until the minutes are final). Refused if the item is no
    longer ``expected_version`` (``adoption.concurrency``), so two people recording it at once do not overwrite.
    """
    item = _item_for_staff(actor, item_id)
    concurrency.check_unchanged(expected_version, item)
    meeting = item.meeting
    if item.kind not in RECOMMENDED_KINDS:
        raise ValidationError({"recommendation": "The panel considers a disruption report: record its minutes instead"})
    if meeting.held_on > timezone.localdate():
        raise ValidationError(
            {"recommendation": f"The recommendation is recorded from the day of the meeting, {_fmt(meeting.held_on)}"}
        )
    if recommendation not in Recommendation.values:
        raise ValidationError({"recommendation": "Choose the panel's recommendation"})
    if not reasons.strip():
        raise ValidationError({"recommendation_reasons": "Enter the panel's reasons"})
    if _minutes_final(meeting):
        raise ValidationError({"recommendation": "The minutes of this meeting are final: the recommendation stands"})
    if item.recommendation and item.recommendation != recommendation:
        raise ValidationError(
            {
                "recommendation": f"The panel's recommendation was recorded as "
                f"{item.get_recommendation_display().lower()}: it cannot change"
            }
        )
    first = not item.recommendation
    item.recommendation, item.recommendation_reasons = recommendation, reasons.strip()
    _save(actor, item, raa_id=meeting.raa_id, action=AuditEvent.Action.UPDATE)
    if first and recommendation != Recommendation.DEFERRED and item.kind == Kind.APPROVAL and item.household_id:
        suitable = (
            Household.Recommendation.SUITABLE
            if recommendation == Recommendation.RECOMMENDED
            else Household.Recommendation.NOT_SUITABLE
        )
        household_transition(
            actor=actor,
            household_id=item.household_id,
            action=HouseholdAction.RECORD_PANEL,
            on=meeting.held_on,
            panel_recommendation=suitable,
        )
    return item


@transaction.atomic
def item_minutes_record(*, actor: Any, item_id: int, minutes: str, expected_version: str | None = None) -> AgendaItem:
    """The minutes' text for one item, until the minutes are final; refused if the item is no longer
    ``expected_version`` (``adoption.concurrency``), so one person's minutes never silently replace another's."""
    item = _item_for_staff(actor, item_id)
    concurrency.check_unchanged(expected_version, item)
    if _minutes_final(item.meeting):
        raise ValidationError({"minutes": "The minutes of this meeting are final"})
    item.minutes = minutes.strip()
    return _save(actor, item, raa_id=item.meeting.raa_id, action=AuditEvent.Action.UPDATE)


MINUTES_STEPS: dict[str, tuple[str, ...]] = {
    # status -> the statuses it may follow
    MinutesStatus.DRAFT: (MinutesStatus.NOT_STARTED,),
    MinutesStatus.ACCURACY_CHECK: (MinutesStatus.DRAFT,),
    MinutesStatus.FINAL: (MinutesStatus.DRAFT, MinutesStatus.ACCURACY_CHECK),
}


@transaction.atomic
def minutes_step(
    *, actor: Any, meeting_id: int, status: str, on: date, sent_to_adm_on: date | None = None
) -> MeetingMinutes:
    """Move a meeting's minutes on: drafted, sent for accuracy check, final (and received by the ADM).

    Final minutes start the ADM's clock: each item the ADM decides is due a decision
    ``decision_working_days`` working days after the ADM received them (weekends and England and
    Wales bank holidays skipped).
    """
    meeting: PanelMeeting = _for_write(actor, PanelMeeting, meeting_id)
    minutes = MeetingMinutes.objects.select_for_update().filter(meeting=meeting).first()
    current = minutes.status if minutes else MinutesStatus.NOT_STARTED
    if status not in MINUTES_STEPS:
        raise ValidationError({"status": "Choose where the minutes have got to"})
    if current not in MINUTES_STEPS[status]:
        raise ValidationError(
            {
                "status": f"The minutes are {MinutesStatus(current).label.lower()}: "
                f"they cannot be marked {MinutesStatus(status).label.lower()}"
            }
        )
    today = timezone.localdate()
    if on > today:
        raise ValidationError({"on": "The date must be today or in the past"})
    if on < meeting.held_on:
        raise ValidationError({"on": f"The date must be on or after the meeting, {_fmt(meeting.held_on)}"})
    minutes = minutes or MeetingMinutes(meeting=meeting)
    if status == MinutesStatus.DRAFT:
        minutes.drafted_on = on
    elif status == MinutesStatus.ACCURACY_CHECK:
        minutes.sent_for_check_on = on
    else:
        waiting = meeting.items.filter(kind__in=RECOMMENDED_KINDS, recommendation="").order_by("position").first()
        if waiting is not None:
            raise ValidationError(
                {"status": f"Record the panel's recommendation on item {waiting.position} before the minutes are final"}
            )
        received = sent_to_adm_on or on
        if received < on:
            raise ValidationError(
                {"sent_to_adm_on": "The ADM receives the final minutes on or after the day they are final"}
            )
        if received > today:
            raise ValidationError({"sent_to_adm_on": "The date must be today or in the past"})
        minutes.finalised_on, minutes.sent_to_adm_on = on, received
        due = add_working_days(received, _meeting_settings(meeting).decision_working_days)
        meeting.items.filter(kind__in=DECIDED_KINDS, decided_on__isnull=True).exclude(
            recommendation=Recommendation.DEFERRED
        ).update(decision_due_on=due, updated_at=timezone.now())
    minutes.status = status
    action = AuditEvent.Action.UPDATE if minutes.pk else AuditEvent.Action.CREATE
    return _save(actor, minutes, raa_id=meeting.raa_id, action=action)


@transaction.atomic
def decision_record(
    *, actor: Any, item_id: int, decision: str, decided_on: date, reasons: str = "", **approval: Any
) -> AgendaItem:
    """The agency decision maker's decision on an item, after the final minutes reached them.

    An approval updates the household (approved, with what it is approved for, or the application
    refused); an agreed match is the match decision (its date is the 903 match date). The adopters are
    then due to be told within ``tell_working_days`` working days.
    """
    item = _item_for(actor, item_id, tenancy.DECISION_RECORDERS)
    meeting = item.meeting
    if item.kind not in DECIDED_KINDS:
        raise ValidationError({"decision": "There is no agency decision on a disruption report"})
    if item.recommendation == Recommendation.DEFERRED:
        raise ValidationError({"decision": "The panel deferred this item: it comes back to a later panel"})
    minutes = MeetingMinutes.objects.filter(meeting=meeting).first()
    if minutes is None or minutes.status != MinutesStatus.FINAL or minutes.sent_to_adm_on is None:
        raise ValidationError({"decision": "The ADM decides once the final minutes have reached them"})
    if item.decided_on is not None:
        raise ValidationError({"decision": f"The decision was recorded on {_fmt(item.decided_on)}"})
    if decision not in Decision.values:
        raise ValidationError({"decision": "Choose the agency decision"})
    if decided_on > timezone.localdate():
        raise ValidationError({"decided_on": "The date must be today or in the past"})
    if decided_on < minutes.sent_to_adm_on:
        raise ValidationError(
            {
                "decided_on": f"The ADM received the final minutes on {_fmt(minutes.sent_to_adm_on)}: "
                "the decision is on or after that"
            }
        )
    agreed = decision == Decision.AGREED
    approve = agreed == (item.recommendation == Recommendation.RECOMMENDED)  # the ADM may decide against panel
    if item.kind == Kind.APPROVAL and item.household_id:
        household_transition(
            actor=actor,
            household_id=item.household_id,
            action=HouseholdAction.RECORD_DECISION,
            on=decided_on,
            decision="approve" if approve else "not_approve",
            **(approval if approve else {}),
        )
    if item.kind == Kind.MATCH and item.link_id and approve:
        item.match = _match_decided(actor, item, decided_on)
    if item.kind == Kind.RELINQUISHED and item.child_id and approve:
        adoption_decision_record(actor=actor, child_id=item.child_id, decided_on=decided_on)
    item.decision, item.decided_on, item.decision_reasons = decision, decided_on, reasons.strip()
    item.decided_by = actor
    item.told_due_on = add_working_days(decided_on, _meeting_settings(meeting).tell_working_days)
    return _save(actor, item, raa_id=meeting.raa_id, action=AuditEvent.Action.UPDATE)


def _match_decided(actor: Any, item: AgendaItem, decided_on: date) -> Match:
    """The ADM agreed the match: record it on the children's records (the decision date is the 903 match date),
    with the panel's date and recommendation. Only those who record children's journeys can (the ADM does)."""
    if not tenancy.has_role(actor, *tenancy.JOURNEY_ROLES):
        raise PermissionDenied(
            "The agency decision maker records a match decision: it records the match on the child's record."
        )
    link = item.link
    assert link is not None
    match = match_record(actor=actor, household_id=link.household_id, link_id=link.pk, matched_on=decided_on)
    return match_panel_record(
        actor=actor, match_id=match.pk, panel_on=item.meeting.held_on, panel_recommendation=item.recommendation
    )


@transaction.atomic
def told_record(*, actor: Any, item_id: int, told_on: date) -> AgendaItem:
    """When the adopters (or, for a child's plan, the birth parents' social worker) were told of the decision."""
    item = _item_for(actor, item_id, (*PANEL_WRITERS, *tenancy.DECISION_RECORDERS))
    if item.decided_on is None:
        raise ValidationError({"told_on": "Record the decision before when they were told of it"})
    if told_on < item.decided_on:
        raise ValidationError(
            {"told_on": f"The decision was made on {_fmt(item.decided_on)}: they were told on or after it"}
        )
    if told_on > timezone.localdate():
        raise ValidationError({"told_on": "The date must be today or in the past"})
    item.told_on = told_on
    return _save(actor, item, raa_id=item.meeting.raa_id, action=AuditEvent.Action.UPDATE)
