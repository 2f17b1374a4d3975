"""Reads for the panel dashboard and the regular report to panel, scoped first to the actor's panels.

The dashboard: meetings in the next 8 weeks (items against the limit, the quorum on those invited,
papers missing), minutes overdue, ADM decisions and telling the adopters due and overdue, and
appraisals. The lists are filtered in the database in a fixed number of queries however many meetings
there are; only the working-day arithmetic (which the database cannot do: bank holidays) runs in
Python on the rows fetched.

The report to panel (the panel report's "regular report": children waiting, adopters waiting,
matches last quarter, disruptions) reads the children's and the households' records through their
own selectors, narrowed to the LAs of the RAAs whose panels the actor works with.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import reduce
from typing import Any

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from adopters.models import Availability
from adopters.selectors import waiting_households
from adoption.models import Organisation
from adoption.periods import FinancialQuarter
from adoption.working_days import add_working_days, subtract_working_days, working_days_between
from children.journey import Stage
from children.models import AdoptivePlacement, Disruption
from children.selectors import child_list
from children.selectors.matches import match_list
from children.selectors.placements import disruptions_list
from panels import selectors
from panels.models import (
    AgendaItem,
    AgendaPaper,
    MeetingMinutes,
    MinutesStatus,
    PanelAttendance,
    PanelMeeting,
    PanelMember,
    PanelSettings,
    PaperKind,
)

# How far ahead the dashboard looks for meetings and appraisals.
LOOK_AHEAD = timedelta(weeks=8)


# --- settings ----------------------------------------------------------------------------------------------


def settings_for_raas(raa_ids: Iterable[int]) -> dict[int, PanelSettings]:
    """``panels.selectors.settings_for`` for several RAAs in one query (defaults, unsaved, where none)."""
    wanted = set(raa_ids)
    found = {s.raa_id: s for s in PanelSettings.objects.filter(raa_id__in=wanted)}
    return {raa_id: found.get(raa_id) or PanelSettings(raa_id=raa_id) for raa_id in wanted}


# --- what each item is about -------------------------------------------------------------------------------


def _with_subjects(items: QuerySet[AgendaItem]) -> QuerySet[AgendaItem]:
    """What ``panels.selectors.item_subject`` reads, fetched with the items rather than per row.

    Keep this in step with ``item_subject``: the dashboard's query-count test fails if a row starts a query.
    """
    related = (
        "household",
        "child",
        "link__child",
        "link__household",
        "link__sibling_group",
        "disruption__placement__child",
    )
    return items.select_related(*related)


# --- upcoming meetings -------------------------------------------------------------------------------------

# One "is there a current paper of this kind" flag per kind an item may need.
_NEEDED_KINDS: tuple[str, ...] = tuple(
    dict.fromkeys(kind for kinds in AgendaItem.REQUIRED_PAPERS.values() for kind in kinds)
)


def _has_paper(kind: str) -> Exists:
    """The item (the outer query's row) has a current paper of ``kind`` (not replaced by a later version)."""
    return Exists(AgendaPaper.objects.filter(item=OuterRef("pk"), kind=kind, replaced_at__isnull=True))


def _missing_a_paper() -> Q:
    """An item (in a query of items) lacks a current paper its kind requires."""
    return reduce(
        operator.or_,
        (
            Q(kind=item_kind) & reduce(operator.or_, (Q(~_has_paper(kind)) for kind in kinds))
            for item_kind, kinds in AgendaItem.REQUIRED_PAPERS.items()
        ),
    )


def _items_with_paper_flags() -> QuerySet[AgendaItem]:
    flags = {f"has_{kind}": _has_paper(kind) for kind in _NEEDED_KINDS}
    return _with_subjects(AgendaItem.objects.annotate(**flags)).order_by("position")


def _count_items(condition: Q | None = None) -> Coalesce:
    items = AgendaItem.objects.filter(meeting=OuterRef("pk"))
    if condition is not None:
        items = items.filter(condition)
    counted = items.order_by().values("meeting").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


@dataclass(frozen=True)
class MissingPapers:
    item: AgendaItem
    subject: str
    papers: list[str]  # the labels of the papers it lacks


@dataclass(frozen=True)
class UpcomingMeeting:
    meeting: PanelMeeting
    items: int
    item_limit: int
    quorum: selectors.MeetingQuorum  # on those invited (until attendance is recorded)
    items_missing_papers: int
    missing: list[MissingPapers]
    papers_due_on: date
    papers_deadline_passed: bool

    @property
    def over_limit(self) -> bool:
        return self.items > self.item_limit

    @property
    def quorum_at_risk(self) -> bool:
        return not self.quorum.result.is_quorate


def upcoming_meetings(*, actor: Any, today: date, rules: Any = None) -> list[UpcomingMeeting]:
    """Meetings from today to 8 weeks ahead, soonest first, with the figures the dashboard shows for each."""
    attendances = PanelAttendance.objects.select_related("member").order_by("member__name", "member_id")
    meetings = list(
        selectors.scope_panels(PanelMeeting.objects.select_related("raa"), actor)
        .filter(held_on__gte=today, held_on__lte=today + LOOK_AHEAD)
        .annotate(item_count=_count_items(), missing_count=_count_items(_missing_a_paper()))
        .prefetch_related(
            Prefetch("attendances", queryset=attendances),
            # Under the default name, so anything reading ``meeting.items`` (the quorum) uses these rows.
            Prefetch("items", queryset=_items_with_paper_flags()),
        )
        .order_by("held_on", "starts_at", "id")
    )
    rules = selectors.quorum_rules() if rules is None else rules
    settings = settings_for_raas(m.raa_id for m in meetings)
    rows = []
    for meeting in meetings:
        own = settings[meeting.raa_id]
        papers_due_on = subtract_working_days(meeting.held_on, own.papers_due_working_days)
        missing = []
        for item in meeting.items.all():
            lacking = [PaperKind(kind).label for kind in item.required_papers if not getattr(item, f"has_{kind}")]
            if lacking:
                missing.append(MissingPapers(item, selectors.item_subject(item), lacking))
        rows.append(
            UpcomingMeeting(
                meeting=meeting,
                items=meeting.item_count,  # type: ignore[attr-defined]
                item_limit=own.item_limit,
                quorum=selectors.meeting_quorum(meeting, rules, on="invited"),
                items_missing_papers=meeting.missing_count,  # type: ignore[attr-defined]
                missing=missing,
                papers_due_on=papers_due_on,
                papers_deadline_passed=papers_due_on < today,
            )
        )
    return rows


# --- minutes overdue ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MinutesOverdue:
    meeting: PanelMeeting
    status: str  # the minutes' status label ("Not started" when there is no record yet)
    due_on: date
    working_days_overdue: int


def minutes_overdue(*, actor: Any, today: date) -> list[MinutesOverdue]:
    """Past meetings with business whose minutes are not final and should be, longest overdue first.

    The minutes are due (final and with the ADM) ``minutes_due_working_days`` working days after the
    meeting; the rows are fetched in one query, the due dates counted on them.
    """
    final = MeetingMinutes.objects.filter(meeting=OuterRef("pk"), status=MinutesStatus.FINAL)
    meetings = list(
        selectors.scope_panels(PanelMeeting.objects.select_related("raa", "minutes_record"), actor)
        .filter(held_on__lt=today)
        .filter(Exists(AgendaItem.objects.filter(meeting=OuterRef("pk"))))
        .exclude(Exists(final))
        .order_by("held_on", "starts_at", "id")
    )
    settings = settings_for_raas(m.raa_id for m in meetings)
    rows = []
    for meeting in meetings:
        due_on = add_working_days(meeting.held_on, settings[meeting.raa_id].minutes_due_working_days)
        if due_on >= today:
            continue
        record = getattr(meeting, "minutes_record", None)
        status = record.get_status_display() if record is not None else MinutesStatus.NOT_STARTED.label
        rows.append(MinutesOverdue(meeting, status, due_on, working_days_between(due_on, today)))
    return rows


# --- ADM decisions and telling the adopters ----------------------------------------------------------------


@dataclass(frozen=True)
class ItemDue:
    item: AgendaItem
    meeting: PanelMeeting
    subject: str
    due_on: date
    working_days_overdue: int  # 0 when not yet overdue


@dataclass(frozen=True)
class DueAndOverdue:
    overdue: list[ItemDue] = field(default_factory=list)  # most overdue first
    due: list[ItemDue] = field(default_factory=list)  # soonest first


def _items(actor: Any) -> QuerySet[AgendaItem]:
    items = AgendaItem.objects.select_related("meeting")
    return _with_subjects(selectors.scope_panels(items, actor, raa_field="meeting__raa"))


def _split(items: Iterable[AgendaItem], due_field: str, today: date) -> DueAndOverdue:
    result = DueAndOverdue()
    for item in items:
        due_on: date = getattr(item, due_field)
        late = working_days_between(due_on, today) if due_on < today else 0
        row = ItemDue(item, item.meeting, selectors.item_subject(item), due_on, late)
        (result.overdue if due_on < today else result.due).append(row)
    return result


def decisions_due(*, actor: Any, today: date) -> DueAndOverdue:
    """Items waiting for the ADM's decision: overdue (due before today) and due (today or later)."""
    items = _items(actor).filter(decided_on__isnull=True, decision_due_on__isnull=False)
    return _split(items.order_by("decision_due_on", "meeting__held_on", "position"), "decision_due_on", today)


def notifications_due(*, actor: Any, today: date) -> DueAndOverdue:
    """Decisions made whose adopters are not yet recorded as told: overdue and due."""
    items = _items(actor).filter(decided_on__isnull=False, told_on__isnull=True, told_due_on__isnull=False)
    return _split(items.order_by("told_due_on", "meeting__held_on", "position"), "told_due_on", today)


# --- appraisals --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AppraisalsDue:
    overdue: list[PanelMember]
    due: list[PanelMember]  # due in the next 8 weeks


def appraisals_due(*, actor: Any, today: date) -> AppraisalsDue | None:
    """None for the panel roles that do not read members' appraisals (members, ADMs)."""
    if not selectors.may_write_panels(actor):
        return None
    found = selectors.appraisals(actor=actor, today=today)
    until = today + LOOK_AHEAD
    due = [m for m in found.scheduled if m.next_appraisal_due <= until]  # type: ignore[attr-defined]
    return AppraisalsDue(overdue=found.overdue, due=due)


# --- the dashboard -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    today: date
    upcoming: list[UpcomingMeeting]
    minutes_overdue: list[MinutesOverdue]
    decisions: DueAndOverdue
    notifications: DueAndOverdue
    appraisals: AppraisalsDue | None

    @property
    def quorum_at_risk(self) -> int:
        return sum(1 for m in self.upcoming if m.quorum_at_risk)


def dashboard(*, actor: Any, today: date) -> Dashboard:
    return Dashboard(
        today=today,
        upcoming=upcoming_meetings(actor=actor, today=today),
        minutes_overdue=minutes_overdue(actor=actor, today=today),
        decisions=decisions_due(actor=actor, today=today),
        notifications=notifications_due(actor=actor, today=today),
        appraisals=appraisals_due(actor=actor, today=today),
    )


# --- the regular report to panel ---------------------------------------------------------------------------


Quarter = FinancialQuarter
# The last complete quarter of the financial year before a day (April-June, July-September, ...).
last_quarter = FinancialQuarter.last_complete


@dataclass(frozen=True)
class DisruptionRow:
    la: str
    ended_on: date
    reason: str


@dataclass(frozen=True)
class RaaReport:
    raa: Organisation
    children_waiting: int  # a decision to place for adoption, not reversed, not yet matched
    children_waiting_with_order: int  # of them, with a placement order
    adopters_waiting: int  # approved families, not matched, available for family finding
    adopters_waiting_not_available: int  # approved, not matched, but on hold, not available or not recorded
    matches: int
    children_matched: int
    sibling_group_matches: int
    inter_agency_matches: int
    disruptions: list[DisruptionRow]


@dataclass(frozen=True)
class PanelReport:
    today: date
    quarter: Quarter
    raas: list[RaaReport]


def _by_raa(rows: Iterable[Any], key: str) -> dict[int, dict[str, Any]]:
    return {row[key]: row for row in rows}


def _children_waiting(actor: Any, raa_ids: frozenset[int], today: date) -> dict[int, dict[str, Any]]:
    """Children with an open decision and no match (stages "should be placed" and "placement order made")."""
    waiting = (Stage.DECISION, Stage.PLACEMENT_ORDER)
    rows = (
        child_list(actor=actor, today=today)
        .filter(responsible_la__raa_id__in=raa_ids, journey_stage__in=waiting)  # type: ignore[misc]
        .order_by()
        .values("responsible_la__raa_id")
        .annotate(total=Count("id"), with_order=Count("id", filter=Q(journey_stage=Stage.PLACEMENT_ORDER)))
    )
    return _by_raa(rows, "responsible_la__raa_id")


def _adopters_waiting(actor: Any, raa_ids: frozenset[int], today: date) -> dict[int, dict[str, Any]]:
    """The RAA's approved families not yet matched (the households' own list), by availability now.

    The households app has no count of these by agency, so it is made here from ``waiting_households``.
    """
    rows = (
        waiting_households(actor=actor, today=today)
        .filter(approving_agency_id__in=raa_ids)
        .prefetch_related(None)
        .order_by()
        .values("approving_agency_id")
        .annotate(
            total=Count("id"),
            available=Count("id", filter=Q(availability_now=Availability.Status.AVAILABLE)),
        )
    )
    return _by_raa(rows, "approving_agency_id")


def _matches(actor: Any, raa_ids: frozenset[int], quarter: Quarter) -> dict[int, dict[str, Any]]:
    """Matches decided in the quarter for the RAAs' LAs' children: how many, of how many children, siblings."""
    placements = AdoptivePlacement.objects.filter(match=OuterRef("pk"))
    children = placements.order_by().values("match").annotate(n=Count("pk")).values("n")
    rows = (
        match_list(actor=actor)
        .filter(decided_on__gte=quarter.start, decided_on__lte=quarter.end)
        .prefetch_related(None)
        .annotate(
            raa_id=Subquery(placements.order_by("pk").values("child__responsible_la__raa_id")[:1]),
            children=Coalesce(Subquery(children, output_field=IntegerField()), Value(0)),
        )
        .filter(raa_id__in=raa_ids)
        .order_by()
        .values("raa_id")
        .annotate(
            total=Count("id"),
            children_matched=Sum("children"),
            siblings=Count("id", filter=Q(children__gte=2) | Q(sibling_group__isnull=False)),
            inter_agency=Count("id", filter=Q(inter_agency=True)),
        )
    )
    return _by_raa(rows, "raa_id")


def _disruptions(actor: Any, raa_ids: frozenset[int], quarter: Quarter, today: date) -> list[Disruption]:
    """Placements that ended (disrupted) in the quarter, for the RAAs' LAs' children."""
    return list(
        disruptions_list(actor=actor, today=today)
        .prefetch_related(None)
        .filter(
            placement__ended_on__gte=quarter.start,
            placement__ended_on__lte=quarter.end,
            placement__child__responsible_la__raa_id__in=raa_ids,
        )
        .order_by("placement__ended_on", "id")
    )


def panel_report(*, actor: Any, today: date) -> PanelReport:
    """The figures of the regular report to panel for each RAA whose panels the actor works with."""
    raa_ids = selectors.panel_raa_ids(actor)
    quarter = last_quarter(today)
    children = _children_waiting(actor, raa_ids, today)
    adopters = _adopters_waiting(actor, raa_ids, today)
    matches = _matches(actor, raa_ids, quarter)
    disruptions: dict[int, list[DisruptionRow]] = {}
    for d in _disruptions(actor, raa_ids, quarter, today):
        la = d.placement.child.responsible_la
        row = DisruptionRow(la.name, d.placement.ended_on, d.get_reason_display())  # type: ignore[arg-type]
        disruptions.setdefault(la.raa_id or 0, []).append(row)
    reports = []
    for raa in Organisation.objects.filter(id__in=raa_ids).order_by("name"):
        c, a, m = children.get(raa.pk, {}), adopters.get(raa.pk, {}), matches.get(raa.pk, {})
        reports.append(
            RaaReport(
                raa=raa,
                children_waiting=c.get("total", 0),
                children_waiting_with_order=c.get("with_order", 0),
                adopters_waiting=a.get("available", 0),
                adopters_waiting_not_available=a.get("total", 0) - a.get("available", 0),
                matches=m.get("total", 0),
                children_matched=m.get("children_matched") or 0,
                sibling_group_matches=m.get("siblings", 0),
                inter_agency_matches=m.get("inter_agency", 0),
                disruptions=disruptions.get(raa.pk, []),
            )
        )
    return PanelReport(today=today, quarter=quarter, raas=reports)
