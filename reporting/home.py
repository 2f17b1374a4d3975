"""Reads for the home page: each role's own work and what is overdue, from the apps' own selectors.

Every section is read only for the roles it is for (the panels' business for the panels' roles at an RAA, adoption
support for the support roles of an LA...), so a page never shows, nor spends a query on, what its reader's roles
do not do. Each section takes a fixed number of queries, however many records lie behind it.

* **Children with something overdue** (social workers, family finders, managers): the steps of
  ``children.journey.next_steps`` that are overdue, as the child's page shows them. The database narrows the
  children to the few who may have one (``_may_be_overdue``: an open decision waiting long, an unborn baby past
  the expected date, court proceedings, a CPR past due), read in one query with what ``next_steps`` needs, and
  ``next_steps`` itself decides: the page and the child's page cannot disagree.
* **ADM decisions due** (the ADM, the panel adviser who records decisions for them, managers): panel business whose
  final minutes reached the ADM, with the date the decision is due (``panels.dashboard.decisions_due``: 7 working
  days by default, the RAA's panel settings otherwise, counted when the minutes were recorded as final).
* **Panels in the next 14 days**: a panel member's meetings they are invited to; the RAA's meetings for its panel
  advisers and managers, with their items and the papers missing (``panels.dashboard.upcoming_meetings``).
* **Adoption support** (support social workers, managers): new requests on duty, the worker's own requests,
  assessments, plan reviews and life story work, and ASF applications near their deadline.
* **Administrators**: the LA's API clients (active, expiring, expired) and recent jobs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from adoption import tenancy
from adoption.models import ApiClient, Job, Role, User
from adoption.selectors import api_client_list, job_list
from children import journey
from children.journey import Step
from children.models import (
    AdoptionDecision,
    AdoptivePlacement,
    Child,
    ChildPermanenceReport,
    FamilyFindingStatus,
    PeriodOfCare,
    PermanenceOutcome,
    PlacementOrder,
    ProceedingsTracking,
)
from children.selectors import journey_dates
from children.selectors.dates import children_with_journey_dates
from panels import dashboard as panel_dashboard
from panels import selectors as panel_selectors
from panels.models import PanelAttendance
from support import access as support_access
from support.models import AssessmentOfNeed, LifeStoryWork, SupportPlan, SupportRequest
from support.selectors import asf as asf_selectors
from support.selectors import duty as duty_selectors
from support.selectors.asf import DEADLINE_DAYS as ASF_DAYS

# How far ahead the home page looks for panels and for support plan reviews.
PANELS_AHEAD = timedelta(days=14)
REVIEWS_AHEAD = timedelta(days=14)
LIFE_STORY_AHEAD = timedelta(days=28)
API_CLIENT_EXPIRY_WARNING = timedelta(days=30)
ROWS = 10  # each list shows at most this many; the count says how many there are

# Who sees which section (by role held; tenancy narrows the records).
OVERDUE_CHILDREN_ROLES = frozenset({Role.SOCIAL_WORKER, Role.FAMILY_FINDER, Role.MANAGER})
DECISION_ROLES = frozenset({Role.ADM, Role.PANEL_ADVISER, Role.MANAGER})


# --- children with something overdue -------------------------------------------------------------------------


def _may_be_overdue(actor: Any, today: date) -> list[int]:
    """The ids of the children the actor may see who may have an overdue step of :func:`children.journey.next_steps`:
    a superset of those who have one, read from the records' own tables (no journey dates) in one query.

    Each overdue step needs one of these: a stage's step, an open decision with no current match and no order or
    other permanence outcome (the decision older than 90 days, or a placement order older than the match's 121
    days); an unborn baby's, no date of birth; the court's, a tracking stage of pre-proceedings or care proceedings
    begun 26 weeks ago or with its final hearing passed (the latest stage); the CPR's, a report not completed by its
    due date; and none of them a child with an order or another permanence outcome, who has no next step. Each is
    a narrow query of one table through the child's LA, so PostgreSQL reads the LA's rows, not the country's.
    """
    la_ids = sorted(tenancy.scope_for(actor).la_ids)
    if not la_ids:
        return []
    in_scope = {"child__responsible_la__in": la_ids}
    of_child = {"child": OuterRef("child_id")}
    waiting = (
        AdoptionDecision.objects.filter(reversed_on__isnull=True, **in_scope)
        .exclude(Exists(AdoptivePlacement.objects.filter(ended_on__isnull=True, **of_child)))
        .exclude(Exists(PermanenceOutcome.objects.filter(**of_child)))
    )
    old_order = PlacementOrder.objects.filter(made_on__lt=today - timedelta(days=journey.MATCH_DUE_DAYS), **of_child)
    unborn = Child.objects.filter(
        responsible_la__in=la_ids, date_of_birth__isnull=True, expected_date_of_birth__lt=today
    ).exclude(Exists(PermanenceOutcome.objects.filter(child=OuterRef("pk"))))
    later_stage = ProceedingsTracking.objects.filter(
        Q(stage_from__gt=OuterRef("stage_from")) | Q(stage_from=OuterRef("stage_from"), id__gt=OuterRef("id")),
        **of_child,
    )
    court = (
        ProceedingsTracking.objects.filter(
            Q(stage_from__lt=today - timedelta(weeks=journey.CARE_PROCEEDINGS_WEEKS)) | Q(final_hearing_on__lt=today),
            stage__in=(ProceedingsTracking.Stage.PRE_PROCEEDINGS, ProceedingsTracking.Stage.CARE_PROCEEDINGS),
            **in_scope,
        )
        .exclude(Exists(later_stage))  # the child's latest stage only, as next_steps reads it
        .exclude(Exists(PermanenceOutcome.objects.filter(**of_child)))
    )
    report = (
        ChildPermanenceReport.objects.filter(due_on__lt=today, **in_scope)
        .exclude(status=ChildPermanenceReport.Status.COMPLETED)
        .exclude(Exists(PermanenceOutcome.objects.filter(**of_child)))
    )
    ids = (
        waiting.filter(Q(decided_on__lt=today - timedelta(days=journey.WAITING_OVER_DAYS)) | Q(Exists(old_order)))
        .order_by()
        .values_list("child_id", flat=True)
        .union(
            unborn.order_by().values_list("pk", flat=True),
            court.order_by().values_list("child_id", flat=True),
            report.order_by().values_list("child_id", flat=True),
        )
    )
    return list(ids)


def _latest_tracking(value: str) -> Subquery:
    # The latest stage, as child_situation reads it: by its start, then the latest recorded.
    latest = ProceedingsTracking.objects.filter(child=OuterRef("pk")).order_by("-stage_from", "-id")
    return Subquery(latest.values(value)[:1])


def _report(value: str) -> Subquery:
    # The child's CPR as child_situation reads it: the first (there is one per child).
    return Subquery(ChildPermanenceReport.objects.filter(child=OuterRef("pk")).order_by("id").values(value)[:1])


def _situation(child: Child) -> journey.Situation:
    """:func:`children.selectors.child_situation` from the annotations of :func:`_candidates` (one query for every
    child, not one per child): a test checks the two agree."""
    row: Any = child
    return journey.Situation(
        dates=journey_dates(child),
        expected_date_of_birth=child.expected_date_of_birth,
        cpr_status=row.cpr_status or "",
        cpr_due_on=row.cpr_due_on,
        proceedings_stage=row.tracking_stage or "",
        proceedings_from=row.tracking_from,
        final_hearing_on=row.tracking_final_hearing_on,
        family_finding_status=row.latest_family_finding or "",
        in_care=row.in_care,
    )


def _candidates(actor: Any, today: date) -> QuerySet[Child]:
    """The children who may have an overdue step, with what their next steps depend on, longest waiting first."""
    candidates = _may_be_overdue(actor, today)
    latest_status = FamilyFindingStatus.objects.filter(child=OuterRef("pk")).order_by("-status_from", "-id")
    return (
        tenancy.scope_children(children_with_journey_dates().select_related("responsible_la"), actor)
        .filter(pk__in=candidates)
        .annotate(
            latest_family_finding=Subquery(latest_status.values("status")[:1]),
            tracking_stage=_latest_tracking("stage"),
            tracking_from=_latest_tracking("stage_from"),
            tracking_final_hearing_on=_latest_tracking("final_hearing_on"),
            cpr_due_on=_report("due_on"),
            cpr_status=_report("status"),
            in_care=Exists(PeriodOfCare.objects.filter(child=OuterRef("pk"), ended_on__isnull=True)),
        )
        .order_by(F("decision_on").asc(nulls_last=True), "last_name", "first_name", "id")
    )


@dataclass(frozen=True)
class OverdueChild:
    child: Child
    steps: list[Step]  # the overdue steps, as the child's page lists them


@dataclass(frozen=True)
class ChildrenOverdue:
    total: int
    rows: list[OverdueChild]  # the first ``limit``, longest waiting first


def overdue_children(*, actor: Any, today: date) -> list[OverdueChild]:
    """Every child the actor may see with a step overdue (``children.journey.next_steps``, as the child's page),
    longest waiting first, then by name. Two queries: the few children who may have one, then those children with
    what their steps need."""
    rows = []
    for child in _candidates(actor, today):
        steps = [step for step in journey.next_steps(_situation(child), today) if step.overdue]
        if steps:
            rows.append(OverdueChild(child, steps))
    return rows


def children_overdue(*, actor: Any, today: date, limit: int = ROWS) -> ChildrenOverdue:
    """How many children have something overdue, and the first ``limit`` of them with their overdue steps."""
    rows = overdue_children(actor=actor, today=today)
    return ChildrenOverdue(len(rows), rows[:limit])


# --- panels -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PanelWork:
    decisions: panel_dashboard.DueAndOverdue | None  # None: not one of the reader's roles
    staff_meetings: list[panel_dashboard.UpcomingMeeting]  # the RAA's meetings (panel advisers and managers)
    my_meetings: list[panel_dashboard.UpcomingMeeting]  # meetings the reader is invited to as a panel member
    minutes_overdue: int | None  # None: not one of the reader's roles
    told_overdue: int | None


def panel_work(*, actor: Any, today: date) -> PanelWork | None:
    """None for someone who works with no RAA's panels."""
    readers = panel_selectors.panel_raa_ids(actor)
    if not readers:
        return None
    staff_raas = panel_selectors.panel_raa_ids(actor, panel_selectors.PANEL_WRITERS)
    deciding_raas = tenancy.raa_ids_with_roles(actor, DECISION_ROLES)
    is_member = bool(tenancy.raa_ids_with_roles(actor, [Role.PANEL_MEMBER]))
    until = today + PANELS_AHEAD
    upcoming = []
    if staff_raas or is_member:
        upcoming = [
            m for m in panel_dashboard.upcoming_meetings(actor=actor, today=today) if m.meeting.held_on <= until
        ]
    invited: set[int] = set()
    if is_member and isinstance(actor, User):
        invited = set(
            PanelAttendance.objects.filter(
                member__user=actor, invited=True, meeting__held_on__gte=today, meeting__held_on__lte=until
            ).values_list("meeting_id", flat=True)
        )
    decisions = None
    if deciding_raas:
        # Of the RAAs where the reader decides (or records decisions, or manages), not those where they only sit.
        due = panel_dashboard.decisions_due(actor=actor, today=today)
        decisions = panel_dashboard.DueAndOverdue(
            overdue=[row for row in due.overdue if row.meeting.raa_id in deciding_raas],
            due=[row for row in due.due if row.meeting.raa_id in deciding_raas],
        )
    return PanelWork(
        decisions=decisions,
        staff_meetings=[m for m in upcoming if m.meeting.raa_id in staff_raas],
        my_meetings=[m for m in upcoming if m.meeting.pk in invited],
        minutes_overdue=(
            _count_in(panel_dashboard.minutes_overdue(actor=actor, today=today), staff_raas) if staff_raas else None
        ),
        told_overdue=(
            _count_in(panel_dashboard.notifications_due(actor=actor, today=today).overdue, staff_raas)
            if staff_raas
            else None
        ),
    )


def _count_in(rows: list[Any], raa_ids: frozenset[int]) -> int:
    """How many of the panels' ``rows`` (each with its ``meeting``) are of ``raa_ids``."""
    return sum(1 for row in rows if row.meeting.raa_id in raa_ids)


# --- adoption support ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SupportWork:
    new_requests: int
    longest_waiting_days: int | None
    my_requests: list[SupportRequest]
    my_assessments: list[AssessmentOfNeed]
    my_reviews: list[SupportPlan]  # open plans of the reader's requests, review due within 14 days or overdue
    my_life_story: list[LifeStoryWork]  # not done, due within 28 days or overdue
    asf_deadlines: int


def support_work(*, actor: Any, today: date) -> SupportWork | None:
    """None for someone who does not work on adoption support (its writers: support social workers, managers; an
    administrator reads the records but holds no cases)."""
    if not support_access.may_write_support(actor):
        return None
    duty = duty_selectors.request_list(actor=actor, today=today, status=SupportRequest.Status.NEW)
    waiting = duty.order_by().aggregate(n=Count("id"), longest=Max("days_waiting"))
    mine = Q(allocated_to=actor) if isinstance(actor, User) else Q(pk__in=[])
    my_requests = list(
        duty_selectors.request_list(actor=actor, today=today, status=SupportRequest.Status.ALLOCATED).filter(mine)[
            :ROWS
        ]
    )
    assessments = support_access.scope_support(
        AssessmentOfNeed.objects.select_related("request"), actor, la_field="request__la"
    )
    plans = support_access.scope_support(
        SupportPlan.objects.select_related("assessment__request"), actor, la_field="assessment__request__la"
    )
    life_story = support_access.scope_support(
        LifeStoryWork.objects.select_related("child"), actor, la_field="child__responsible_la"
    )
    user = actor if isinstance(actor, User) else None
    return SupportWork(
        new_requests=waiting["n"],
        longest_waiting_days=waiting["longest"],
        my_requests=my_requests,
        my_assessments=list(
            assessments.filter(assessor=user, completed_on__isnull=True).order_by("started_on", "id")[:ROWS]
        ),
        my_reviews=list(
            plans.filter(
                assessment__request__allocated_to=user,
                assessment__request__status=SupportRequest.Status.ALLOCATED,
                ended_on__isnull=True,
                review_on__lte=today + REVIEWS_AHEAD,
            ).order_by("review_on", "id")[:ROWS]
        ),
        my_life_story=list(
            life_story.filter(worker=user, completed_on__isnull=True, due_on__lte=today + LIFE_STORY_AHEAD).order_by(
                "due_on", "id"
            )[:ROWS]
        ),
        asf_deadlines=asf_selectors.deadlines(actor=actor, today=today).count(),
    )


# --- administrators ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AdminWork:
    clients_active: int
    clients_expiring: list[ApiClient]  # active, expiring within 30 days
    clients_expired: int
    recent_jobs: list[Job]
    failed_jobs: int  # of the jobs the reader may see, failed in the last 7 days


def admin_work(*, actor: Any) -> AdminWork | None:
    """None for someone who administers no LA."""
    if not tenancy.la_ids_with_roles(actor, [Role.ADMINISTRATOR]):
        return None
    now = timezone.now()
    clients = api_client_list(actor=actor)
    # api_client_list's ``state``, as conditions: not revoked, and expiring after now (active) or not (expired).
    active = Q(revoked_at__isnull=True, expires_at__gt=now)
    expired = Q(revoked_at__isnull=True, expires_at__lte=now)
    counts = clients.order_by().aggregate(active=Count("id", filter=active), expired=Count("id", filter=expired))
    jobs = job_list(actor=actor)
    return AdminWork(
        clients_active=counts["active"],
        clients_expiring=list(
            clients.filter(active, expires_at__lte=now + API_CLIENT_EXPIRY_WARNING).order_by("expires_at")[:ROWS]
        ),
        clients_expired=counts["expired"],
        recent_jobs=list(jobs.order_by("-created_at")[:5]),
        failed_jobs=jobs.filter(status=Job.Status.FAILED, created_at__gte=now - timedelta(days=7)).count(),
    )


# --- the notifications at the top of the page ----------------------------------------------------------------


@dataclass(frozen=True)
class Notice:
    text: str
    href: str
    urgent: bool = False


@dataclass(frozen=True)
class Notices:
    items: list[Notice] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.items)


def notices(
    *,
    today: date,
    overdue: ChildrenOverdue | None,
    panels: PanelWork | None,
    support: SupportWork | None,
    admin: AdminWork | None,
) -> Notices:
    """What needs the reader's attention, most urgent first, each a link to its section of the page."""

    def plural(n: int, one: str, many: str) -> str:
        return f"{n} {one if n == 1 else many}"

    items: list[Notice] = []
    if panels and panels.decisions is not None:
        late, due = len(panels.decisions.overdue), len(panels.decisions.due)
        if late:
            items.append(Notice(f"{plural(late, 'ADM decision', 'ADM decisions')} overdue", "#decisions", True))
        if due:
            items.append(Notice(f"{plural(due, 'ADM decision', 'ADM decisions')} due", "#decisions"))
    if overdue and overdue.total:
        text = f"{plural(overdue.total, 'child', 'children')} with something overdue"
        items.append(Notice(text, "#children-overdue", True))
    if panels:
        meetings = {m.meeting.pk: m for m in (*panels.staff_meetings, *panels.my_meetings)}
        if meetings:
            n = len(meetings)
            items.append(Notice(f"{plural(n, 'panel', 'panels')} in the next 14 days", "#panels-coming"))
        missing = sum(m.items_missing_papers for m in panels.staff_meetings)
        if missing:
            text = f"{plural(missing, 'agenda item', 'agenda items')} missing papers"
            items.append(Notice(text, "#panels-coming", True))
        if panels.minutes_overdue:
            text = f"Minutes overdue for {plural(panels.minutes_overdue, 'panel', 'panels')}"
            items.append(Notice(text, "#panels-coming", True))
    if support:
        if support.new_requests:
            text = f"{plural(support.new_requests, 'new support request', 'new support requests')} on duty"
            items.append(Notice(text, "#support"))
        late_reviews = sum(1 for plan in support.my_reviews if plan.review_on < today)
        if late_reviews:
            text = f"{plural(late_reviews, 'support plan review', 'support plan reviews')} overdue"
            items.append(Notice(text, "#support", True))
        if support.asf_deadlines:
            n = support.asf_deadlines
            text = f"{plural(n, 'ASF application', 'ASF applications')} with work to end within {ASF_DAYS} days"
            items.append(Notice(text, "#support"))
    if admin:
        if admin.clients_expiring:
            text = f"{plural(len(admin.clients_expiring), 'API client', 'API clients')} expiring within 30 days"
            items.append(Notice(text, "#administration", True))
        if admin.failed_jobs:
            text = f"{plural(admin.failed_jobs, 'job', 'jobs')} failed in the last 7 days"
            items.append(Notice(text, "#administration", True))
    return Notices(sorted(items, key=lambda notice: not notice.urgent))
