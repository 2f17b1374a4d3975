"""Reads of ASF applications: the lists, one application, what a child has used and has left, spend, deadlines.

Every list starts from ``support.access.scope_support`` (the LAs whose support the actor works on). Money is
summed in the database; ``support.asf_rules`` compares the sums with the year's limits.

What a child has used of a year's limit counts every application for the child in that year, whichever LA
made it: the limit is the child's, not the LA's.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import (
    Case,
    Count,
    DateField,
    DecimalField,
    ExpressionWrapper,
    F,
    Func,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Least
from django.http import Http404
from django.utils import timezone

from adoption import audit, tenancy
from adoption.models import AuditEvent, Organisation
from children.models import AdoptivePlacement, Child, PeriodOfCare, PermanenceOutcome
from support import access, asf_rules
from support.models import AsfApplication, AsfLimit

S = AsfApplication.Status
# Applications the fund has been asked for or has agreed to pay: they use the child's limit.
COUNTED = (S.SUBMITTED, S.APPROVED, S.INVOICED, S.PAID)
# Applications the fund has agreed to pay: the year's spend.
SPENT = (S.APPROVED, S.INVOICED, S.PAID)
# Applications whose work is still to be invoiced (a rejected one never will be).
NOT_INVOICED = (S.DRAFT, S.SUBMITTED, S.APPROVED)
DEADLINE_DAYS = 30

MONEY = DecimalField(max_digits=11, decimal_places=2)
NOTHING = Value(Decimal("0.00"), output_field=MONEY)


def share() -> ExpressionWrapper:
    """What the fund is asked to pay for an application: its cost less the LA's match funding."""
    return ExpressionWrapper(F("cost") - F("match_funding"), output_field=MONEY)


def _sum(condition: Q) -> Coalesce:
    return Coalesce(Sum(share(), filter=condition), NOTHING, output_field=MONEY)


def limits() -> list[AsfLimit]:
    return list(AsfLimit.objects.order_by("effective_from"))


# --- what a child has used and has left ---------------------------------------------------------------------


def child_year_used(*, child_id: int, year: int, exclude_id: int | None = None) -> asf_rules.Used:
    """The fund's shares of the child's counted applications in the financial year, therapy and assessments apart."""
    counted = AsfApplication.objects.filter(child_id=child_id, financial_year=year, status__in=COUNTED)
    if exclude_id is not None:
        counted = counted.exclude(pk=exclude_id)
    found = counted.aggregate(
        therapy=_sum(Q(specialist_assessment=False)),
        assessment=_sum(Q(specialist_assessment=True)),
    )
    return asf_rules.Used(therapy=found["therapy"], assessment=found["assessment"])


def child_year_left(
    *, child_id: int, year: int, rules: Sequence[AsfLimit] | None = None, exclude_id: int | None = None
) -> asf_rules.Left | None:
    """What is left for the child in the year under its rule (None when the year has no rule)."""
    limit = asf_rules.limit_for_year(limits() if rules is None else rules, year)
    if limit is None:
        return None
    return asf_rules.left(limit, year, child_year_used(child_id=child_id, year=year, exclude_id=exclude_id))


def child_record(child: Child) -> asf_rules.ChildRecord:
    """What the child's record says about their route out of care, for the eligibility rules."""
    adoption = (
        PermanenceOutcome.objects.filter(child=child, kind=PermanenceOutcome.Kind.ADOPTION_ORDER)
        .values_list("made_on", flat=True)
        .first()
    )
    orders = PermanenceOutcome.objects.filter(
        child=child, kind__in=(PermanenceOutcome.Kind.SPECIAL_GUARDIANSHIP, PermanenceOutcome.Kind.CHILD_ARRANGEMENTS)
    ).values_list("kind", "made_on")
    placements = AdoptivePlacement.objects.filter(child=child, placed_on__isnull=False).values_list(
        "placed_on", "ended_on"
    )
    care = PeriodOfCare.objects.filter(child=child).values_list("started_on", flat=True)
    return asf_rules.ChildRecord(
        first_name=child.first_name,
        date_of_birth=child.date_of_birth,
        adoption_order_on=adoption,
        placements=tuple((placed, ended) for placed, ended in placements if placed is not None),
        orders=tuple(orders),
        care_started=tuple(care),
    )


def eligibility(application: AsfApplication, *, on: date) -> asf_rules.Eligibility:
    """Whether the fund can help the application's child: the record as it stands on ``on``, and the age on the
    day the work starts."""
    return asf_rules.eligibility(
        child_record(application.child),
        on=on,
        work_starts_on=application.work_starts_on,
        ehc_plan=application.ehc_plan,
        intercountry=application.intercountry,
    )


def proposal(application: AsfApplication) -> asf_rules.Proposal:
    return asf_rules.Proposal(
        cost=application.cost,
        match_funding=application.match_funding,
        specialist_assessment=application.specialist_assessment,
        work_starts_on=application.work_starts_on,
        work_ends_on=application.work_ends_on,
    )


# --- lists ---------------------------------------------------------------------------------------------------


def _scoped(actor: Any) -> QuerySet[AsfApplication]:
    return access.scope_support(AsfApplication.objects.all(), actor)


def asf_application_list(
    *,
    actor: Any,
    la_id: int | None = None,
    status: str = "",
    financial_year: int | None = None,
    therapy: str = "",
    child_id: int | None = None,
) -> QuerySet[AsfApplication]:
    """The applications of the LAs whose support the actor works on, newest first, filtered; 403 for a role that
    works on no LA's support (not an empty list, which would say "none")."""
    if not access.may_see_support(actor):
        raise PermissionDenied("Adoption support is seen by the support workers and managers of the LA.")
    found = _scoped(actor).select_related("la", "child", "created_by")
    if la_id is not None:
        found = found.filter(la_id=la_id)
    if status:
        found = found.filter(status=status)
    if financial_year is not None:
        found = found.filter(financial_year=financial_year)
    if therapy:
        found = found.filter(therapy=therapy)
    if child_id is not None:
        found = found.filter(child_id=child_id)
    return found.order_by("-created_at", "-id")


def asf_application_get(*, actor: Any, application_id: int, record_read: bool = True) -> AsfApplication:
    """One application of the actor's LAs, or 404 (another LA's, or none). Records the read."""
    application = (
        _scoped(actor)
        .select_related("la", "child", "request", "created_by", "created_by_client")
        .filter(pk=application_id)
        .first()
    )
    if application is None:
        raise Http404("No such ASF application.")
    if record_read:
        audit.record(actor=actor, action=AuditEvent.Action.READ, obj=application, organisation_id=application.la_id)
    return application


def financial_years(*, actor: Any, today: date) -> list[int]:
    """The financial years to choose from, newest first: next year back to the fund's first, and any other year
    the actor's applications are in."""
    years = set(_scoped(actor).values_list("financial_year", flat=True).distinct())
    this_year = asf_rules.financial_year(today)
    first = min((first for first, _ in asf_rules.years_of_limits(limits())), default=this_year)
    years.update(range(min(first, this_year), this_year + 2))
    return sorted(years, reverse=True)


def reader_las(*, actor: Any) -> QuerySet[Organisation]:
    return Organisation.objects.filter(id__in=access.reader_la_ids(actor)).order_by("name")


def children_to_choose(*, actor: Any) -> QuerySet[Child]:
    """The children an application may be for: those whose record the actor may see."""
    return tenancy.scope_children(Child.objects.all(), actor).order_by("last_name", "first_name", "id")


# --- spend this year ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChildSpend:
    child_id: int
    name: str
    applications: int
    spent: Decimal  # the fund's shares approved, invoiced or paid
    asked: Decimal  # submitted and waiting for the fund's decision
    left: asf_rules.Left | None


def spend_by_child(*, actor: Any, year: int, la_id: int | None = None) -> list[ChildSpend]:
    """Each child with an application of the actor's LAs in the year: the spend and what is left for them.

    Two aggregate queries: the spend over the actor's applications, grouped by child; then what each of those
    children has used of the year's limit over all their applications (the limit is the child's).
    """
    scoped = _scoped(actor).filter(financial_year=year)
    if la_id is not None:
        scoped = scoped.filter(la_id=la_id)
    rows = list(
        scoped.values("child_id", "child__first_name", "child__last_name")
        .annotate(
            applications=Count("id"),
            spent=_sum(Q(status__in=SPENT)),
            asked=_sum(Q(status=S.SUBMITTED)),
        )
        .order_by("child__last_name", "child__first_name", "child_id")
    )
    used = {
        row["child_id"]: asf_rules.Used(therapy=row["therapy"], assessment=row["assessment"])
        for row in AsfApplication.objects.filter(
            child_id__in=[row["child_id"] for row in rows], financial_year=year, status__in=COUNTED
        )
        .values("child_id")
        .annotate(therapy=_sum(Q(specialist_assessment=False)), assessment=_sum(Q(specialist_assessment=True)))
        .order_by()
    }
    limit = asf_rules.limit_for_year(limits(), year)
    return [
        ChildSpend(
            child_id=row["child_id"],
            name=f"{row['child__first_name']} {row['child__last_name']}",
            applications=row["applications"],
            spent=row["spent"],
            asked=row["asked"],
            left=None if limit is None else asf_rules.left(limit, year, used.get(row["child_id"], asf_rules.Used())),
        )
        for row in rows
    ]


def spend_by_la(*, actor: Any, year: int) -> list[dict[str, Any]]:
    """Each of the actor's LAs with applications in the year: applications approved, the fund's spend, match funding."""
    spent = Q(status__in=SPENT)
    rows = (
        _scoped(actor)
        .filter(financial_year=year)
        .values("la_id", "la__name")
        .annotate(
            applications=Count("id"),
            approved=Count("id", filter=spent),
            spent=_sum(spent),
            la_match_funding=Coalesce(Sum("match_funding", filter=spent), NOTHING, output_field=MONEY),
            asked=_sum(Q(status=S.SUBMITTED)),
        )
        .order_by("la__name")
    )
    return [dict(row) for row in rows]


# --- deadlines ---------------------------------------------------------------------------------------------


def _year_end() -> Func:
    """31 March at the end of the application's financial year, in the database."""
    return Func(F("financial_year") + 1, Value(3), Value(31), function="make_date", output_field=DateField())


def must_end_on(rules: Sequence[AsfLimit]) -> Case:
    """The day the work must end, in the database: its planned end, or 31 March of its year if that is sooner
    under a rule that needs the work finished within the year (by year, from the configured rules)."""
    periods = asf_rules.years_of_limits(rules)
    whens = []
    for index, (first, limit) in enumerate(periods):
        if not limit.work_within_year:
            continue
        years = Q(financial_year__gte=first)
        if index + 1 < len(periods):
            years &= Q(financial_year__lt=periods[index + 1][0])
        whens.append(When(years, then=Least(F("work_ends_on"), _year_end())))
    return Case(*whens, default=F("work_ends_on"), output_field=DateField())


def deadlines(*, actor: Any, today: date, days: int = DEADLINE_DAYS) -> QuerySet[AsfApplication]:
    """Applications not yet invoiced whose work must end within ``days`` (or already should have), soonest first."""
    return (
        _scoped(actor)
        .filter(status__in=NOT_INVOICED)
        .annotate(must_end_on=must_end_on(limits()))
        .filter(must_end_on__lte=today + timedelta(days=days))
        .select_related("la", "child")
        .order_by("must_end_on", "id")
    )


# --- one application ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryStep:
    status: str
    on: date
    detail: str = ""


@dataclass(frozen=True)
class ApplicationSummary:
    """What the application's page shows beside its fields."""

    eligibility: asf_rules.Eligibility
    checked_on: date  # the day the route out of care was read (the submission, or today for a draft)
    limit: asf_rules.Limit | None
    year_label: str
    left_before: asf_rules.Left | None  # what is left without this application
    left_after: asf_rules.Left | None  # and after it (the same for a rejected one)
    over: Decimal  # how much more than is left the application asks the fund for (0 when it fits)
    must_end_on: date
    history: list[HistoryStep]
    refusals: asf_rules.Refusals


def _created_on(application: AsfApplication) -> date:
    created: datetime = application.created_at
    return timezone.localdate(created)


def history(application: AsfApplication) -> list[HistoryStep]:
    """The status changes, from the dates the application holds, oldest first."""
    maker = application.created_by.display_name if application.created_by else ""
    if application.created_by_client is not None:
        maker = f"{application.created_by_client.name} (through the API)"
    steps = [HistoryStep("Draft created", _created_on(application), maker)]
    if application.submitted_on:
        steps.append(HistoryStep("Submitted to the fund", application.submitted_on))
    if application.decided_on:
        if application.status == S.REJECTED:
            steps.append(HistoryStep("Rejected", application.decided_on, application.rejection_reason))
        else:
            steps.append(HistoryStep("Approved", application.decided_on))
    if application.invoiced_on:
        steps.append(HistoryStep("Invoiced", application.invoiced_on))
    if application.paid_on:
        steps.append(HistoryStep("Paid", application.paid_on))
    return steps


def application_summary(application: AsfApplication, *, today: date) -> ApplicationSummary:
    rules = limits()
    year = application.financial_year
    limit = asf_rules.limit_for_year(rules, year)
    on = application.submitted_on or today
    eligible = eligibility(application, on=on)
    before = child_year_left(child_id=application.child_id, year=year, rules=rules, exclude_id=application.pk)
    after = before
    over = asf_rules.ZERO
    wanted = proposal(application)
    if before is not None and limit is not None and application.status != S.REJECTED:
        fund_share = wanted.share if limit.match_funding else wanted.cost
        used = before.used.plus(fund_share, specialist_assessment=application.specialist_assessment)
        after = asf_rules.left(limit, year, used)
        over = max(
            asf_rules.ZERO, fund_share - before.for_kind(specialist_assessment=application.specialist_assessment)
        )
    found = asf_rules.Refusals()
    if application.status == S.DRAFT:
        found = asf_rules.refusals(
            wanted,
            child_name=application.child.first_name,
            limits=rules,
            used=before.used if before is not None else asf_rules.Used(),
            eligible=eligible,
        )
    return ApplicationSummary(
        eligibility=eligible,
        checked_on=on,
        limit=limit,
        year_label=application.year_label,
        left_before=before,
        left_after=after,
        over=over,
        must_end_on=asf_rules.must_end_by(limit, year, application.work_ends_on),
        history=history(application),
        refusals=found,
    )
