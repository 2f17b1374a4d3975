"""Every write to the panels' records. Pages (and, later, the API) come through here.

Each service finds the record within the actor's panels (404 outside them), checks that the actor
may change that RAA's panels (403: panel advisers and managers), checks the rules with the change
applied, saves inside one transaction and writes one audit event. A refused change raises
``ValidationError`` keyed by field, with a message a panel adviser understands, and saves nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import Http404
from django.utils import timezone

from adoption import audit
from adoption.models import AuditEvent, Membership
from panels.models import PanelAppraisal, PanelAttendance, PanelMeeting, PanelMember, PanelRole
from panels.selectors import PANEL_WRITERS, on_list, panel_raa_ids, scope_panels


def _fmt(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


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
) -> PanelMember:
    """Change a member's details, roles or dates on the list (taking them off the list is a date here)."""
    member: PanelMember = _for_write(actor, PanelMember, member_id)
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
) -> PanelAppraisal:
    """Schedule a member's appraisal, or record it done (and, optionally, when the next one is due).

    A member has at most one open appraisal: recording one when another is open updates that one.
    """
    member: PanelMember = _for_write(actor, PanelMember, member_id)
    if done_on is not None and done_on > timezone.localdate():
        raise ValidationError({"done_on": "The date done must be today or in the past"})
    if next_due_on is not None and done_on is None:
        raise ValidationError({"next_due_on": "Record the date this appraisal was done before scheduling the next"})
    if next_due_on is not None and done_on is not None and next_due_on <= done_on:
        raise ValidationError({"next_due_on": "The next appraisal must be due after this one was done"})
    appraisal = member.appraisals.filter(done_on__isnull=True).select_for_update().first()
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
def panel_meeting_create(*, actor: Any, raa_id: int, held_on: date, starts_at: time, place: str) -> PanelMeeting:
    _check_raa(actor, raa_id)
    meeting = PanelMeeting(raa_id=raa_id, held_on=held_on, starts_at=starts_at, place=place.strip())
    return _save(actor, meeting, raa_id=raa_id, action=AuditEvent.Action.CREATE)


@transaction.atomic
def panel_meeting_update(*, actor: Any, meeting_id: int, held_on: date, starts_at: time, place: str) -> PanelMeeting:
    """Move a meeting or change its place. Everyone invited must still be on the list on the new date."""
    meeting: PanelMeeting = _for_write(actor, PanelMeeting, meeting_id)
    if meeting.attendance_recorded_at is not None and held_on != meeting.held_on:
        raise ValidationError({"held_on": "Attendance has been recorded for this meeting, so its date cannot change"})
    off_list = (
        PanelMember.objects.filter(attendances__meeting=meeting).exclude(on_list(held_on)).order_by("name").first()
    )
    if off_list is not None:
        raise ValidationError(
            {"held_on": f"{off_list.name} is invited but is not on the central list on that date: remove them first"}
        )
    meeting.held_on, meeting.starts_at, meeting.place = held_on, starts_at, place.strip()
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


@transaction.atomic
def panel_meeting_invite(*, actor: Any, meeting_id: int, member_ids: Iterable[int]) -> PanelMeeting:
    """Set who is invited. Someone no longer invited who attended stays recorded as attending."""
    meeting: PanelMeeting = _for_write(actor, PanelMeeting, meeting_id)
    invited = _members_for(meeting, member_ids, "members")
    rows = {a.member_id: a for a in PanelAttendance.objects.select_for_update().filter(meeting=meeting)}
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
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=meeting, organisation_id=meeting.raa_id)
    return meeting


@transaction.atomic
def panel_attendance_record(*, actor: Any, meeting_id: int, member_ids: Iterable[int]) -> PanelMeeting:
    """Record who attended (invited or not), from the day of the meeting. The quorum is then checked on them."""
    meeting: PanelMeeting = _for_write(actor, PanelMeeting, meeting_id)
    if meeting.held_on > timezone.localdate():
        raise ValidationError(
            {"members": f"Attendance can be recorded from the day of the meeting, {_fmt(meeting.held_on)}"}
        )
    came = _members_for(meeting, member_ids, "members")
    rows = {a.member_id: a for a in PanelAttendance.objects.select_for_update().filter(meeting=meeting)}
    for member_id, row in rows.items():
        if not row.invited and member_id not in came:
            row.delete()
        elif row.attended != (member_id in came):
            row.attended = member_id in came
            row.full_clean()
            row.save(update_fields=["attended"])
    for member_id in came - set(rows):
        row = PanelAttendance(meeting=meeting, member_id=member_id, invited=False, attended=True)
        row.full_clean()
        row.save()
    meeting.attendance_recorded_at = timezone.now()
    meeting.save(update_fields=["attendance_recorded_at", "updated_at"])
    audit.record(actor=actor, action=AuditEvent.Action.UPDATE, obj=meeting, organisation_id=meeting.raa_id)
    return meeting
