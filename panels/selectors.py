"""Reads of the panels' records, scoped first to the RAAs whose panels the actor works with.

Panels belong to a regional adoption agency. Its panel advisers, panel members, agency decision
makers and managers see them (advisers and managers change them); LA staff, VAA staff and other
RAAs' staff do not: list pages answer 403, a member or meeting 404, as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Count, Max, Min, Prefetch, Q, QuerySet
from django.http import Http404

from adoption import audit, tenancy
from adoption.models import AuditEvent, Organisation, Role, User
from panels.models import Gender, PanelAttendance, PanelMeeting, PanelMember, PanelRole, QuorumRule
from panels.quorum import QuorumResult, describe, quorum

PANEL_READERS: tuple[str, ...] = (Role.PANEL_ADVISER, Role.PANEL_MEMBER, Role.ADM, Role.MANAGER)
PANEL_WRITERS: tuple[str, ...] = (Role.PANEL_ADVISER, Role.MANAGER)


# --- tenancy -----------------------------------------------------------------------------------------------


def panel_raa_ids(actor: Any, roles: Iterable[str] = PANEL_READERS) -> frozenset[int]:
    """The RAAs whose panels the actor may see (or, with writers' roles, change)."""
    return tenancy.raa_ids_with_roles(actor, roles)


def scope_panels(queryset: QuerySet, actor: Any, *, raa_field: str = "raa", roles: Iterable[str] = PANEL_READERS):
    """Narrow a queryset of panel records (anything with an RAA) to the RAAs the actor works with."""
    return tenancy.scope_raa_records(queryset, actor, roles=roles, raa_field=raa_field)


def may_see_panels(actor: Any) -> bool:
    return bool(panel_raa_ids(actor))


def may_write_panels(actor: Any, *, raa_id: int | None = None) -> bool:
    """May the actor change panel records: any RAA's, or ``raa_id``'s."""
    raas = panel_raa_ids(actor, PANEL_WRITERS)
    return bool(raas) if raa_id is None else raa_id in raas


def writable_raas(actor: Any) -> list[Organisation]:
    return list(Organisation.objects.filter(id__in=panel_raa_ids(actor, PANEL_WRITERS)).order_by("name"))


# --- the central list --------------------------------------------------------------------------------------


def on_list(day: date, prefix: str = "") -> Q:
    """Members on the central list on ``day``: joined on or before it, not taken off on or before it."""
    return Q(**{f"{prefix}on_list_from__lte": day}) & (
        Q(**{f"{prefix}off_list_on__isnull": True}) | Q(**{f"{prefix}off_list_on__gt": day})
    )


class Show:
    CURRENT = "current"
    PAST = "past"
    ALL = "all"
    CHOICES = ((CURRENT, "Current members"), (PAST, "Past members"), (ALL, "Everyone"))


def member_list(*, actor: Any, today: date, show: str = Show.CURRENT) -> QuerySet[PanelMember]:
    """The central list: current members (including those joining later), past members, or everyone.

    Each member carries ``next_appraisal_due`` (the open appraisal) and ``last_appraised_on``.
    """
    members = (
        scope_panels(PanelMember.objects.select_related("raa"), actor)
        .annotate(
            next_appraisal_due=Min("appraisals__due_on", filter=Q(appraisals__done_on__isnull=True)),
            last_appraised_on=Max("appraisals__done_on"),
        )
        .order_by("name", "id")  # Meta.ordering does not survive an aggregate
    )
    left = Q(off_list_on__lte=today)
    if show == Show.PAST:
        return members.filter(left)
    if show == Show.ALL:
        return members
    return members.exclude(left)


def member_get(*, actor: Any, member_id: int, record_read: bool = True) -> PanelMember:
    attendances = PanelAttendance.objects.select_related("meeting").order_by("-meeting__held_on")
    member = (
        scope_panels(PanelMember.objects.select_related("raa", "user"), actor)
        .prefetch_related("appraisals", Prefetch("attendances", queryset=attendances))
        .filter(pk=member_id)
        .first()
    )
    if member is None:
        raise Http404("No such panel member.")
    if record_read:
        audit.record(actor=actor, action=AuditEvent.Action.READ, obj=member, organisation_id=member.raa_id)
    return member


def linkable_users(*, raa_ids: Iterable[int]) -> QuerySet[User]:
    """Accounts a member's record may be linked to: people working for the RAA."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__organisation_id__in=list(raa_ids),
            memberships__is_active=True,
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


@dataclass(frozen=True)
class MakeUp:
    """The membership's make-up on a day, as the panel report asks for it."""

    on: date
    total: int
    by_role: list[tuple[str, int]]
    by_gender: list[tuple[str, int]]
    lived_experience: int
    no_lived_experience: int
    lived_experience_not_asked: int


def make_up(*, actor: Any, today: date) -> MakeUp:
    """Counts of the members on the list today, by role, gender and lived experience: one aggregate query."""
    counts = {
        **{f"role_{code}": Count("id", filter=Q(roles__contains=[code])) for code in PanelRole.values},
        **{f"gender_{code}": Count("id", filter=Q(gender=code)) for code in Gender.values},
        "gender_": Count("id", filter=Q(gender="")),
        "lived_yes": Count("id", filter=Q(lived_experience=True)),
        "lived_no": Count("id", filter=Q(lived_experience=False)),
        "lived_unknown": Count("id", filter=Q(lived_experience__isnull=True)),
        "total": Count("id"),
    }
    row = scope_panels(PanelMember.objects.filter(on_list(today)), actor).aggregate(**counts)
    return MakeUp(
        on=today,
        total=row["total"],
        by_role=[(label, row[f"role_{code}"]) for code, label in PanelRole.choices],
        by_gender=[
            *((label, row[f"gender_{code}"]) for code, label in Gender.choices),
            ("Not recorded", row["gender_"]),
        ],
        lived_experience=row["lived_yes"],
        no_lived_experience=row["lived_no"],
        lived_experience_not_asked=row["lived_unknown"],
    )


@dataclass(frozen=True)
class Appraisals:
    overdue: list[PanelMember]  # the open appraisal's due date has passed
    scheduled: list[PanelMember]  # due today or later, soonest first
    not_scheduled: list[PanelMember]  # on the list with no open appraisal


def appraisals(*, actor: Any, today: date) -> Appraisals:
    """Appraisals of the members on the list today, due and overdue."""
    members = list(member_list(actor=actor, today=today).filter(on_list(today)).order_by("name", "id"))
    # member_list annotates the open appraisal's due date; a member without one has None.
    annotated = ((m.pk, getattr(m, "next_appraisal_due", None)) for m in members)
    due: dict[int, date] = {pk: day for pk, day in annotated if day is not None}
    open_ = sorted((m for m in members if m.pk in due), key=lambda m: (due[m.pk], m.name))
    return Appraisals(
        overdue=[m for m in open_ if due[m.pk] < today],
        scheduled=[m for m in open_ if due[m.pk] >= today],
        not_scheduled=[m for m in members if m.pk not in due],
    )


# --- meetings ----------------------------------------------------------------------------------------------


def _with_attendances(queryset: QuerySet[PanelMeeting]) -> QuerySet[PanelMeeting]:
    attendances = PanelAttendance.objects.select_related("member").order_by("member__name", "member_id")
    return queryset.select_related("raa").prefetch_related(Prefetch("attendances", queryset=attendances))


def meeting_list(*, actor: Any, today: date) -> tuple[list[PanelMeeting], QuerySet[PanelMeeting]]:
    """Upcoming meetings (today on, soonest first) and past ones (newest first, for paging)."""
    meetings = _with_attendances(scope_panels(PanelMeeting.objects.all(), actor))
    upcoming = list(meetings.filter(held_on__gte=today).order_by("held_on", "starts_at", "id"))
    return upcoming, meetings.filter(held_on__lt=today).order_by("-held_on", "-starts_at", "-id")


def meeting_get(*, actor: Any, meeting_id: int, record_read: bool = True) -> PanelMeeting:
    meeting = _with_attendances(scope_panels(PanelMeeting.objects.all(), actor)).filter(pk=meeting_id).first()
    if meeting is None:
        raise Http404("No such panel meeting.")
    if record_read:
        audit.record(actor=actor, action=AuditEvent.Action.READ, obj=meeting, organisation_id=meeting.raa_id)
    return meeting


def members_on_list(*, raa_id: int, on: date) -> QuerySet[PanelMember]:
    """The RAA's members on the central list on a meeting's date: who may be invited or recorded as attending."""
    return PanelMember.objects.filter(on_list(on), raa_id=raa_id).order_by("name", "id")


def quorum_rules() -> list[QuorumRule]:
    """Every rule, newest first (a handful of rows): read once for a page of meetings."""
    return list(QuorumRule.objects.order_by("-effective_from"))


def quorum_rule_on(day: date, rules: Sequence[QuorumRule] | None = None) -> QuorumRule:
    """The rule in force on ``day``; before every configured rule the earliest; with none, the defaults."""
    rules = quorum_rules() if rules is None else rules
    found = next((r for r in rules if r.effective_from <= day), None) or (rules[-1] if rules else None)
    return found or QuorumRule(effective_from=date(2011, 4, 1))


@dataclass(frozen=True)
class MeetingQuorum:
    """The verdict on a meeting: on who attended once attendance is recorded, before that on who is invited."""

    counted: str  # "attended" or "invited"
    members: list[PanelMember]
    rule: QuorumRule
    result: QuorumResult

    @property
    def on_attendance(self) -> bool:
        return self.counted == "attended"

    @property
    def description(self) -> str:
        return describe(self.rule)


def meeting_quorum(meeting: PanelMeeting, rules: Sequence[QuorumRule] | None = None) -> MeetingQuorum:
    """The quorum verdict for a meeting whose ``attendances`` are prefetched (``meeting_get``, ``meeting_list``)."""
    rows = list(meeting.attendances.all())
    on_attendance = meeting.attendance_recorded_at is not None
    members = [a.member for a in rows if (a.attended if on_attendance else a.invited)]
    rule = quorum_rule_on(meeting.held_on, rules)
    # Agenda items (and so matches with foster carers or under fostering for adoption) arrive in a later
    # step of issue 6; until a meeting has items, none needs fostering experience, so this passes False.
    result = quorum(members, rule, needs_fostering_experience=False)
    return MeetingQuorum("attended" if on_attendance else "invited", members, rule, result)
