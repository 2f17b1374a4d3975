"""Reads of the panels' records, scoped first to the RAAs whose panels the actor works with.

Panels belong to a regional adoption agency. Its panel advisers, panel members, agency decision
makers and managers see them (advisers and managers change them); LA staff, VAA staff and other
RAAs' staff do not: list pages answer 403, a member or meeting 404, as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Count, JSONField, Max, Min, Prefetch, Q, QuerySet, TextField
from django.db.models.expressions import RawSQL
from django.http import Http404
from django.utils import timezone

from adopters.models import Household
from adoption import audit, tenancy
from adoption.models import AuditEvent, Organisation, Role, User
from adoption.prefetch import as_prefetched
from adoption.working_days import subtract_working_days
from children.models import AdoptivePlacement, Child, Disruption, Link, SiblingGroup
from panels.models import (
    AgendaItem,
    AgendaPaper,
    Gender,
    MeetingMinutes,
    PanelAttendance,
    PanelMeeting,
    PanelMember,
    PanelRole,
    PanelSettings,
    PaperKind,
    QuorumRule,
)
from panels.quorum import QuorumResult, describe, quorum

PANEL_READERS: tuple[str, ...] = (Role.PANEL_ADVISER, Role.PANEL_MEMBER, Role.ADM, Role.MANAGER)
# The panel adviser and a manager run the panel: the roles that record its recommendations (tenancy).
PANEL_WRITERS: tuple[str, ...] = tuple(sorted(tenancy.PANEL_RECORDERS))


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


def may_decide(actor: Any, *, raa_id: int) -> bool:
    """May the actor record the agency decision maker's decisions on the RAA's panel business."""
    return raa_id in panel_raa_ids(actor, tenancy.DECISION_RECORDERS)


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
    """Appraisals of the members on the list today, due and overdue: for the panels' staff (advisers and managers)
    of the members' RAAs; 403 for the other panel roles, who do not read members' appraisals."""
    raa_ids = panel_raa_ids(actor, PANEL_WRITERS)
    if not raa_ids:
        raise PermissionDenied("Members' appraisals are seen by the panel advisers and managers of the RAA.")
    members = list(
        member_list(actor=actor, today=today).filter(on_list(today), raa_id__in=raa_ids).order_by("name", "id")
    )
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
    return queryset.select_related("raa").prefetch_related(Prefetch("attendances", queryset=attendances), "items")


def meeting_list(*, actor: Any, today: date) -> tuple[list[PanelMeeting], QuerySet[PanelMeeting]]:
    """Upcoming meetings (today on, soonest first) and past ones (newest first, for paging)."""
    meetings = _with_attendances(scope_panels(PanelMeeting.objects.all(), actor))
    upcoming = list(meetings.filter(held_on__gte=today).order_by("held_on", "starts_at", "id"))
    return upcoming, meetings.filter(held_on__lt=today).order_by("-held_on", "-starts_at", "-id")


def meeting_get(*, actor: Any, meeting_id: int, record_read: bool = True) -> PanelMeeting:
    """The meeting with its attendances and items prefetched (the meeting's own page: ``meeting_page_get``)."""
    meeting = _with_attendances(scope_panels(PanelMeeting.objects.all(), actor)).filter(pk=meeting_id).first()
    if meeting is None:
        raise Http404("No such panel meeting.")
    if record_read:
        audit.record(actor=actor, action=AuditEvent.Action.READ, obj=meeting, organisation_id=meeting.raa_id)
    return meeting


# What the meeting's page shows of the meeting (the quorum reads the same): not the pack's job or the row's
# timestamps.
MEETING_PAGE_FIELDS = (
    "raa_id",
    "held_on",
    "starts_at",
    "place",
    "joint",
    "attendance_recorded_at",
    "confirmed_at",
)


def meeting_page_get(*, actor: Any, meeting_id: int) -> PanelMeeting:
    """The meeting for its own page, read in one query whatever its size, and the read recorded.

    With the meeting come its RAA's panel settings, its minutes and the quorum rule in force on its date (at most
    one row each: ``settings_of``, ``minutes_of`` and ``meeting_quorum`` use them rather than asking again), who is
    invited and attending, and the agenda's items with the words for their subjects and their current papers (what
    ``agenda_items`` reads; the quorum reads the items too). Only the columns the page shows are read.
    """
    meeting = (
        scope_panels(PanelMeeting.objects.all(), actor)
        .only(*MEETING_PAGE_FIELDS)
        .annotate(
            raa_row=_json(_one_row_sql(Organisation, ("id", "name"), "id", "raa")),
            settings_row=_json(_one_row_sql(PanelSettings, None, "raa", "raa")),
            minutes_row=_json(_one_row_sql(MeetingMinutes, None, "meeting", "id")),
            rule_in_force=_json(_rule_in_force_sql()),
            attendance_rows=_json(_attendances_sql()),
            item_rows=_json(_items_sql(), [str(kind) for kind in SUBJECT_KINDS]),
        )
        .filter(pk=meeting_id)
        .first()
    )
    if meeting is None:
        raise Http404("No such panel meeting.")
    db = meeting._state.db
    raa = _from_json(Organisation, db, meeting.raa_row)
    PanelMeeting.raa.field.set_cached_value(meeting, raa)
    settings = _from_json(PanelSettings, db, meeting.settings_row) if meeting.settings_row else None
    _one_to_one(Organisation.panel_settings.related, raa, settings)
    minutes = _from_json(MeetingMinutes, db, meeting.minutes_row) if meeting.minutes_row else None
    _one_to_one(PanelMeeting.minutes_record.related, meeting, minutes)  # type: ignore[attr-defined]
    attendances = []
    for row in meeting.attendance_rows:
        attendance = _from_json(PanelAttendance, db, row)
        PanelAttendance.member.field.set_cached_value(attendance, _from_json(PanelMember, db, row["member"]))
        attendances.append(attendance)
    items = []
    for row in meeting.item_rows:
        item = _from_json(AgendaItem, db, row)
        item.subject_name, item.current_paper_rows = row["subject_name"], row["current_paper_rows"]
        items.append(item)
    as_prefetched(meeting, "attendances", attendances)
    as_prefetched(meeting, "items", items)
    del meeting.raa_row, meeting.settings_row, meeting.minutes_row, meeting.attendance_rows, meeting.item_rows
    audit.record(actor=actor, action=AuditEvent.Action.READ, obj=meeting, organisation_id=meeting.raa_id)
    return meeting


# --- rows read as JSON with the record they belong to ---------------------------------------------------------
# The meeting's page reads the meeting and every row it shows in one query: each relation a subquery that returns
# the columns the page shows as JSON (as ``adoption.prefetch`` does for a child's page), turned here into model
# instances where ``prefetch_related`` would have put them. Separate queries cost more to build and to send than
# the rows they read; the SQL is written once per process from the models' tables and columns.


def _json(sql: str, params: Sequence[Any] = ()) -> RawSQL:
    """A subquery written by the functions below (from the models' names only, never from input), as an annotation
    whose value is JSON."""
    return RawSQL(sql, params, output_field=JSONField())  # noqa: S611


def _json_object_sql(model: Any, alias: str, names: Iterable[str], **extra: str) -> str:
    """``jsonb_build_object`` of the named fields of ``model``'s row ``alias`` (keyed by attname), and of the
    ``extra`` SQL values (keyed by their names)."""
    meta = model._meta
    pairs = [f"'{meta.get_field(n).attname}', {alias}.\"{meta.get_field(n).column}\"" for n in names]
    pairs += [f"'{key}', {sql}" for key, sql in extra.items()]
    return f"jsonb_build_object({', '.join(pairs)})"


def _from_json(model: Any, db: str | None, row: dict[str, Any]) -> Any:
    """An instance of ``model`` from a row of ``_json_object_sql``: the fields in it loaded, the others deferred."""
    fields = [f for f in model._meta.concrete_fields if f.attname in row]
    return model.from_db(db, [f.attname for f in fields], [f.to_python(row[f.attname]) for f in fields])


def _one_to_one(relation: Any, record: Any, other: Any) -> None:
    """Put ``other`` (or None, when there is none) where ``select_related`` puts the row of a reverse one-to-one
    ``relation`` of ``record``, and ``record`` where it puts the row ``other`` points to."""
    relation.set_cached_value(record, other)
    if other is not None:
        relation.field.set_cached_value(other, record)


@cache
def _one_row_sql(model: Any, names: tuple[str, ...] | None, key: str, meeting_field: str) -> str:
    """SQL for the row of ``model`` whose ``key`` is the meeting's ``meeting_field``, as JSON of its fields
    ``names`` (None: all of them); none when there is no such row."""
    meta, meeting = model._meta, PanelMeeting._meta
    fields = names or tuple(f.name for f in meta.concrete_fields)
    on: Any = meeting.get_field(meeting_field)
    return (
        f'(SELECT {_json_object_sql(model, "o", fields)} FROM "{meta.db_table}" o '  # noqa: S608 (model names only)
        f'WHERE o."{meta.get_field(key).column}" = "{meeting.db_table}"."{on.column}")'
    )


@cache
def _attendances_sql() -> str:
    """SQL for who is invited to and attended the meeting, with what the page and the quorum read of each member,
    as JSON, in the order of the members' names."""
    attendance, member, meeting = PanelAttendance._meta, PanelMember._meta, PanelMeeting._meta
    row = _json_object_sql(
        PanelAttendance,
        "a",
        ("id", "meeting", "member", "invited", "attended", "roles_at_meeting", "years_at_meeting"),
        member=_json_object_sql(PanelMember, "m", ("id", "name", "roles", "post_qualifying_years")),
    )
    name, member_id = f'm."{member.get_field("name").column}"', f'a."{attendance.get_field("member").column}"'
    return (
        f"(SELECT COALESCE(jsonb_agg({row} ORDER BY {name}, {member_id}), '[]') "  # noqa: S608 (model names only)
        f'FROM "{attendance.db_table}" a JOIN "{member.db_table}" m ON m."{member.pk.column}" = {member_id} '
        f'WHERE a."{attendance.get_field("meeting").column}" = "{meeting.db_table}"."{meeting.pk.column}")'
    )


@cache
def _items_sql() -> str:
    """SQL for the meeting's agenda items in order, as JSON: what ``agenda_items`` reads of each, with the words for
    its subject (``_subject_sql``, whose parameters are the kinds) and its current papers (``_papers_sql``)."""
    item, meeting = AgendaItem._meta, PanelMeeting._meta
    table = f'"{item.db_table}"'
    row = _json_object_sql(
        AgendaItem, table, ("id", *AGENDA_ITEM_FIELDS), subject_name=_subject_sql(), current_paper_rows=_papers_sql()
    )
    position = f'{table}."{item.get_field("position").column}"'
    return (
        f"(SELECT COALESCE(jsonb_agg({row} ORDER BY {position}), '[]') FROM {table} "  # noqa: S608 (model names only)
        f'WHERE {table}."{item.get_field("meeting").column}" = "{meeting.db_table}"."{meeting.pk.column}")'
    )


def members_on_list(*, raa_id: int, on: date) -> QuerySet[PanelMember]:
    """The RAA's members on the central list on a meeting's date: who may be invited or recorded as attending."""
    return PanelMember.objects.filter(on_list(on), raa_id=raa_id).order_by("name", "id")


def quorum_rules() -> list[QuorumRule]:
    """Every rule, newest first (a handful of rows): read once for a page of meetings."""
    return list(QuorumRule.objects.order_by("-effective_from"))


@cache
def _rule_in_force_sql() -> str:
    """SQL for the quorum rule ``quorum_rule_on`` finds for a meeting's date, as JSON: the latest in force on the
    day, else (a meeting before every rule) the earliest; none when no rule is configured. Written once per
    process from the models' tables and columns."""
    rule, meeting = QuorumRule._meta, PanelMeeting._meta
    since = f'r."{rule.get_field("effective_from").column}"'
    held_on = f'"{meeting.db_table}"."{meeting.get_field("held_on").column}"'
    return (
        f'(SELECT to_jsonb(r) FROM "{rule.db_table}" r '  # noqa: S608 (model names only)
        f"ORDER BY {since} <= {held_on} DESC, CASE WHEN {since} <= {held_on} THEN {since} END DESC, {since} "
        "LIMIT 1)"
    )


def _rules_read_with(meeting: PanelMeeting) -> list[QuorumRule] | None:
    """The rule in force read with the meeting (``meeting_page_get``), as the only rule to choose from; None when
    the meeting was read without it."""
    if not hasattr(meeting, "rule_in_force"):
        return None
    row = meeting.rule_in_force
    if row is None:
        return []  # no rule configured: the defaults apply
    fields = QuorumRule._meta.concrete_fields
    values = [field.to_python(row[field.column]) for field in fields]
    return [QuorumRule.from_db(meeting._state.db, [field.attname for field in fields], values)]


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
    joint: bool = False

    @property
    def on_attendance(self) -> bool:
        return self.counted == "attended"

    @property
    def description(self) -> str:
        return describe(self.rule, self.joint)


@dataclass(frozen=True)
class Seat:
    """A member as the quorum counts them at a meeting: their roles then, once attendance is recorded."""

    roles: Sequence[str]
    post_qualifying_years: int | None


def meeting_quorum(
    meeting: PanelMeeting, rules: Sequence[QuorumRule] | None = None, *, on: str | None = None
) -> MeetingQuorum:
    """The quorum verdict for a meeting whose ``attendances`` and ``items`` are prefetched (``meeting_get``...).

    On who attended once attendance is recorded (with the roles they held that day), before that on who is
    invited (``on="invited"`` asks for that regardless). Fostering experience is needed when an item is a
    match with the child's foster carers or under fostering for adoption.
    """
    rows = list(meeting.attendances.all())
    on_attendance = meeting.attendance_recorded_at is not None if on is None else on == "attended"
    chosen = [a for a in rows if (a.attended if on_attendance else a.invited)]
    seats = [
        Seat(a.roles_at_meeting, a.years_at_meeting)
        if on_attendance and a.roles_at_meeting
        else Seat(a.member.roles, a.member.post_qualifying_years)
        for a in chosen
    ]
    rule = quorum_rule_on(meeting.held_on, _rules_read_with(meeting) if rules is None else rules)
    fostering = any(item.needs_fostering_experience for item in meeting.items.all())
    result = quorum(seats, rule, needs_fostering_experience=fostering, joint=meeting.joint)
    counted = "attended" if on_attendance else "invited"
    return MeetingQuorum(counted, [a.member for a in chosen], rule, result, meeting.joint)


def settings_for(raa_id: int) -> PanelSettings:
    """The RAA's panel settings, or the defaults when it has configured none."""
    return PanelSettings.objects.filter(raa_id=raa_id).first() or PanelSettings(raa_id=raa_id)


def settings_of(meeting: PanelMeeting) -> PanelSettings:
    """The panel settings of the meeting's RAA: those read with the meeting (``meeting_page_get``), else a query."""
    raa = PanelMeeting.raa.field.get_cached_value(meeting, default=None)
    if isinstance(raa, Organisation) and Organisation.panel_settings.is_cached(raa):
        return getattr(raa, "panel_settings", None) or PanelSettings(raa_id=meeting.raa_id)
    return settings_for(meeting.raa_id)


# --- the agenda ----------------------------------------------------------------------------------------------


def _item_related(queryset: QuerySet[AgendaItem]) -> QuerySet[AgendaItem]:
    current = AgendaPaper.objects.filter(replaced_at__isnull=True).order_by("received_at", "id")
    return queryset.select_related(
        "meeting__raa",
        "household",
        "link__child",
        "link__household",
        "link__sibling_group",
        "match",
        "child",
        "disruption__placement__child",
        "decided_by",
    ).prefetch_related(Prefetch("papers", queryset=current, to_attr="current_papers"))


def link_subject(link: Link) -> str:
    """A proposed match in words: the child, or the sibling group, with the family."""
    children = link.sibling_group.name if link.sibling_group else link.child.full_name
    return f"{children} with {link.household.name}"


def item_subject(item: AgendaItem) -> str:
    """What an item is about, in a few words (names: the agenda is read only by the panel and its staff).

    An item read by ``agenda_items`` comes with the words already (``subject_name``, by ``_subject_sql``, which
    names each kind of record as here)."""
    named = getattr(item, "subject_name", None)
    if named is not None:
        return named
    if item.kind in (AgendaItem.Kind.APPROVAL, AgendaItem.Kind.REVIEW) and item.household:
        return item.household.name
    if item.kind == AgendaItem.Kind.MATCH and item.link:
        return link_subject(item.link)
    if item.kind == AgendaItem.Kind.RELINQUISHED and item.child:
        return item.child.full_name
    if item.kind == AgendaItem.Kind.DISRUPTION and item.disruption:
        return item.disruption.placement.child.full_name
    return ""


@dataclass(frozen=True)
class PaperState:
    kind: str
    label: str
    paper: AgendaPaper | None  # None: not received
    late: bool


@dataclass(frozen=True)
class ItemView:
    item: AgendaItem
    subject: str
    arrive_at: time
    papers: list[PaperState]  # the required papers, then any others

    @property
    def missing(self) -> list[str]:
        return [p.label for p in self.papers if p.paper is None]

    @property
    def late(self) -> list[str]:
        return [p.label for p in self.papers if p.late]


@dataclass(frozen=True)
class Agenda:
    meeting: PanelMeeting
    settings: PanelSettings
    papers_due_on: date
    items: list[ItemView]

    @property
    def full(self) -> bool:
        return len(self.items) >= self.settings.item_limit

    @property
    def missing_papers(self) -> int:
        return sum(len(i.missing) for i in self.items)


def item_view(item: AgendaItem, *, settings: PanelSettings, papers_due_on: date) -> ItemView:
    """An item with the state of its papers: each required one received (late when after the due date) or not."""
    prefetched = getattr(item, "current_papers", None)
    if prefetched is None:
        prefetched = _papers_read_with(item)
    current: list[AgendaPaper] = list(
        prefetched if prefetched is not None else item.papers.filter(replaced_at__isnull=True)
    )
    by_kind = {p.kind: p for p in current if p.kind != PaperKind.OTHER}

    def late(paper: AgendaPaper | None) -> bool:
        return paper is not None and timezone.localtime(paper.received_at).date() > papers_due_on

    states = [
        PaperState(kind, PaperKind(kind).label, by_kind.get(kind), late(by_kind.get(kind)))
        for kind in item.required_papers
    ]
    states += [
        PaperState(p.kind, p.title, p, late(p))
        for p in current
        if p.kind == PaperKind.OTHER or p.kind not in item.required_papers
    ]
    return ItemView(item, item_subject(item), arrival_time(item, settings), states)


def arrival_time(item: AgendaItem, settings: PanelSettings) -> time:
    """When those presenting an item are asked to arrive: the RAA's set minutes before the item starts."""
    starts = datetime.combine(item.meeting.held_on, item.starts_at)
    return (starts - timedelta(minutes=settings.arrive_minutes_before)).time()


def papers_due(meeting: PanelMeeting, settings: PanelSettings) -> date:
    return subtract_working_days(meeting.held_on, settings.papers_due_working_days)


# The columns the agenda shows of an item: its time, business, presenter and outcome (the quorum reads whether it
# needs fostering experience); the reasons and minutes are for the item's own page. Of an item's papers, what the
# agenda says of each.
AGENDA_ITEM_FIELDS = (
    "meeting_id",
    "position",
    "kind",
    "starts_at",
    "presenting_worker",
    "needs_fostering_experience",
    "recommendation",
    "decision",
    "decided_on",
    "decision_due_on",
)
AGENDA_PAPER_FIELDS = ("item_id", "kind", "title", "received_at")


# The kinds of item, in the order ``_subject_sql`` takes them as parameters.
SUBJECT_KINDS = (
    AgendaItem.Kind.APPROVAL,
    AgendaItem.Kind.REVIEW,
    AgendaItem.Kind.MATCH,
    AgendaItem.Kind.RELINQUISHED,
    AgendaItem.Kind.DISRUPTION,
)


@cache
def _subject_sql() -> str:
    """SQL for what an agenda item is about, in the words of ``item_subject``: a household's name; a proposed
    match's child (or sibling group) with the family; a relinquished child; a disrupted placement's child.

    One subquery for each kind of record, not a join of every record an item may name: joining them all cost more
    to plan than to run, and building them as Django expressions (or reading the records as model instances) cost
    more again, for a name each. Written once per process from the models' tables and columns; no value in it
    comes from input (the kinds are parameters)."""

    def table(model: Any) -> str:
        return f'"{model._meta.db_table}"'

    def col(alias: str, model: Any, name: str) -> str:
        return f'{alias}."{model._meta.get_field(name).column}"'

    def full_name(alias: str) -> str:  # as Child.full_name
        return f"{col(alias, Child, 'first_name')} || ' ' || {col(alias, Child, 'last_name')}"

    def key(model: Any) -> str:
        return f'"{model._meta.pk.column}"'

    item = table(AgendaItem)
    household = (
        f"SELECT {col('h', Household, 'name')} FROM {table(Household)} h "  # noqa: S608 (model names only)
        f"WHERE h.{key(Household)} = {col(item, AgendaItem, 'household')}"
    )
    match = (
        f"SELECT COALESCE({col('g', SiblingGroup, 'name')}, {full_name('c')}) "  # noqa: S608 (model names only)
        f"|| ' with ' || {col('h', Household, 'name')} FROM {table(Link)} l "
        f"JOIN {table(Child)} c ON c.{key(Child)} = {col('l', Link, 'child')} "
        f"JOIN {table(Household)} h ON h.{key(Household)} = {col('l', Link, 'household')} "
        f"LEFT JOIN {table(SiblingGroup)} g ON g.{key(SiblingGroup)} = {col('l', Link, 'sibling_group')} "
        f"WHERE l.{key(Link)} = {col(item, AgendaItem, 'link')}"
    )
    child = (
        f"SELECT {full_name('c')} FROM {table(Child)} c "  # noqa: S608 (model names only)
        f"WHERE c.{key(Child)} = {col(item, AgendaItem, 'child')}"
    )
    disrupted = (
        f"SELECT {full_name('c')} FROM {table(Disruption)} d "  # noqa: S608 (model names only)
        f"JOIN {table(AdoptivePlacement)} p ON p.{key(AdoptivePlacement)} = {col('d', Disruption, 'placement')} "
        f"JOIN {table(Child)} c ON c.{key(Child)} = {col('p', AdoptivePlacement, 'child')} "
        f"WHERE d.{key(Disruption)} = {col(item, AgendaItem, 'disruption')}"
    )
    kind = col(item, AgendaItem, "kind")
    return (
        f"COALESCE(CASE WHEN {kind} IN (%s, %s) THEN ({household}) WHEN {kind} = %s THEN ({match}) "
        f"WHEN {kind} = %s THEN ({child}) WHEN {kind} = %s THEN ({disrupted}) END, '')"
    )


@cache
def _papers_sql() -> str:
    """SQL for an item's current papers (not those replaced), oldest first, as a JSON list of what the agenda says
    of each (``AGENDA_PAPER_FIELDS``): read with the item rather than by a query of their own. Written once per
    process from the models' tables and columns."""
    paper, item = AgendaPaper._meta, AgendaItem._meta

    def col(name: str) -> str:
        field: Any = paper.get_field(name)
        return f'p."{field.column}"'

    row = _json_object_sql(AgendaPaper, "p", ("id", *AGENDA_PAPER_FIELDS))
    return (
        f"(SELECT COALESCE(jsonb_agg({row} "  # noqa: S608 (model names only)
        f"ORDER BY {col('received_at')}, {col('id')}), '[]') FROM \"{paper.db_table}\" p "
        f'WHERE {col("item")} = "{item.db_table}"."{item.pk.column}" AND {col("replaced_at")} IS NULL)'
    )


def _papers_read_with(item: AgendaItem) -> list[AgendaPaper] | None:
    """The item's current papers read with it (``agenda_items``), as instances; None when it was read without."""
    rows = getattr(item, "current_paper_rows", None)
    if rows is None:
        return None
    return [_from_json(AgendaPaper, item._state.db, row) for row in rows]


def agenda_items() -> QuerySet[AgendaItem]:
    """Agenda items in order with what the agenda shows of them: the words for what each is about
    (``subject_name``, see ``_subject_sql``) and their current papers; not the records themselves, the ADM who
    decided or the match made (an item's own page shows those, through ``item_get``)."""
    subject = RawSQL(_subject_sql(), [str(k) for k in SUBJECT_KINDS], output_field=TextField())  # noqa: S611
    return (
        AgendaItem.objects.only(*AGENDA_ITEM_FIELDS)
        .annotate(subject_name=subject, current_paper_rows=_json(_papers_sql()))
        .order_by("position")
    )


def agenda(meeting: PanelMeeting, items: Sequence[AgendaItem] | None = None) -> Agenda:
    """The meeting's items in order, with their arrival times and papers: ``items`` when the caller has them
    (``meeting_page_get``), else one query for the items with their subjects and papers (``agenda_items``)."""
    settings = settings_of(meeting)
    due = papers_due(meeting, settings)
    rows = list(items) if items is not None else list(agenda_items().filter(meeting=meeting))
    for item in rows:
        item.meeting = meeting  # for the arrival times: the meeting's day, without a query per item
    return Agenda(meeting, settings, due, [item_view(i, settings=settings, papers_due_on=due) for i in rows])


def item_get(*, actor: Any, item_id: int, record_read: bool = True) -> ItemView:
    item = (
        _item_related(scope_panels(AgendaItem.objects.all(), actor, raa_field="meeting__raa"))
        .filter(pk=item_id)
        .first()
    )
    if item is None:
        raise Http404("No such agenda item.")
    if record_read:
        audit.record(actor=actor, action=AuditEvent.Action.READ, obj=item, organisation_id=item.meeting.raa_id)
    settings = settings_for(item.meeting.raa_id)
    return item_view(item, settings=settings, papers_due_on=papers_due(item.meeting, settings))


def minutes_of(meeting: PanelMeeting) -> MeetingMinutes | None:
    """The meeting's minutes, if begun: those read with the meeting (``meeting_page_get``), else a query."""
    if PanelMeeting.minutes_record.is_cached(meeting):  # type: ignore[attr-defined]
        return getattr(meeting, "minutes_record", None)
    return MeetingMinutes.objects.filter(meeting=meeting).first()


def paper_get(*, actor: Any, paper_id: int) -> AgendaPaper:
    """A paper, for its meeting's panel staff and members (the same readers as the pack); 404 for anyone else."""
    paper = (
        scope_panels(AgendaPaper.objects.select_related("item__meeting"), actor, raa_field="item__meeting__raa")
        .filter(pk=paper_id)
        .first()
    )
    if paper is None:
        raise Http404("No such paper.")
    meeting = paper.item.meeting
    on_meeting = PanelAttendance.objects.filter(meeting=meeting, member__user=actor).exists()
    if not on_meeting and meeting.raa_id not in panel_raa_ids(actor, PANEL_WRITERS):
        audit.record(actor=actor, action=AuditEvent.Action.ACCESS_REFUSED, obj=paper, organisation_id=meeting.raa_id)
        raise Http404("No such paper.")
    return paper


def households_for_panel(raa_id: int, kind: str) -> QuerySet[Household]:
    """Households an item of ``kind`` may be about: waiting for panel (approval) or approved (review)."""
    statuses = (
        [Household.Status.AWAITING_PANEL]
        if kind == AgendaItem.Kind.APPROVAL
        else [Household.Status.APPROVED, Household.Status.MATCHED]
    )
    return Household.objects.filter(approving_agency_id=raa_id, status__in=statuses).order_by("name")


def links_for_panel(raa_id: int) -> list[tuple[int, str]]:
    """Proposed matches (open links) of the RAA's children, one per child or sibling group, as (link id, words)."""
    links = (
        Link.objects.filter(outcome=Link.Outcome.OPEN, child__responsible_la__raa_id=raa_id)
        .select_related("child", "household", "sibling_group")
        .order_by("sibling_group_id", "household_id", "child_id")
    )
    seen: set[tuple[int, int]] = set()
    options = []
    for link in links:
        key = (link.household_id, -link.sibling_group_id if link.sibling_group_id else link.child_id)
        if key not in seen:
            seen.add(key)
            options.append((link.pk, link_subject(link)))
    return sorted(options, key=lambda option: option[1])


def children_for_panel(raa_id: int) -> QuerySet[Child]:
    return Child.objects.filter(responsible_la__raa_id=raa_id).order_by("last_name", "first_name", "id")


def disruptions_for_panel(raa_id: int) -> QuerySet[Disruption]:
    return (
        Disruption.objects.filter(placement__child__responsible_la__raa_id=raa_id)
        .select_related("placement__child")
        .order_by("-created_at")
    )
