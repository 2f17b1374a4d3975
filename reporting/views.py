"""Dashboards and report requests."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from adopters import selectors as adopter_selectors
from adopters.models import Household
from adoption import tenancy
from adoption.models import Role, User
from adoption.selectors import job_list
from children.journey import days_waiting, stage_of
from children.selectors import child_list, children_waiting, journey_dates
from reporting import annex_a_list_11, services
from reporting import home as home_reads
from reporting.forms import A1ReportForm, AnnexAList11Form
from reporting.recent import recently_viewed


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role's work and what is overdue: what needs attention first, then children waiting and overdue, the
    households, the panels' business, adoption support, administration, reports and the records viewed last."""
    user = cast(User, request.user)  # login_required
    scope = tenancy.scope_for(user)
    today = timezone.localdate()
    waiting = []
    waiting_count = 0
    if scope.la_ids:
        waiting_qs = children_waiting(actor=request.user)
        waiting_count = waiting_qs.count()
        # The ten longest waiting, then those ten with their dates: ordering by the decision date needs only that
        # date, and selecting every annotation of the list for every child waiting before the sort cost more than
        # ten times as much (national data, an RAA's manager: 630 ms against 50 ms).
        first_ten = list(waiting_qs.values_list("pk", flat=True)[:10])
        found = {child.pk: child for child in child_list(actor=request.user, dates_only=True).filter(pk__in=first_ten)}
        for child in (found[pk] for pk in first_ten if pk in found):
            dates = journey_dates(child)
            waiting.append({"child": child, "stage": stage_of(dates), "days_waiting": days_waiting(dates, today)})
    households: list[dict] = []
    my_households: list[Household] = []
    adopter_alerts: dict[str, int] = {}
    if scope.household_org_ids:
        households = adopter_selectors.pipeline(actor=request.user, today=today)
        mine = adopter_selectors.household_search(actor=request.user, today=today, worker=user.pk, sort="due")
        my_households = list(mine.exclude(status__in=(Household.Status.LEFT, Household.Status.ADOPTED))[:10])
        adopter_alerts = {
            "stages_overdue": sum(column["overdue"] for column in households),
            "my_checks_overdue": adopter_selectors.outstanding_checks(
                actor=request.user, today=today, worker=user.pk
            ).count(),
            "waiting_long": adopter_selectors.waiting_households(
                actor=request.user, today=today, flagged_only=True
            ).count(),
            "reviews_due": adopter_selectors.reviews_due(actor=request.user, today=today).count(),
        }
    overdue = (
        home_reads.children_overdue(actor=user, today=today)
        if scope.la_ids and tenancy.has_role(user, *home_reads.OVERDUE_CHILDREN_ROLES)
        else None
    )
    panels = home_reads.panel_work(actor=user, today=today)
    support = home_reads.support_work(actor=user, today=today)
    admin = home_reads.admin_work(actor=user)
    can_report = tenancy.has_role(request.user, *services.REPORT_ROLES)
    jobs = job_list(actor=user).filter(requested_by=user)[:5]
    return render(
        request,
        "home.html",
        {
            "waiting": waiting,
            "waiting_count": waiting_count,
            "sees_children": bool(scope.la_ids),
            "households": households,
            "my_households": my_households,
            "adopters_first": tenancy.has_role(user, Role.ASSESSING_SOCIAL_WORKER),
            "adopter_alerts": adopter_alerts,
            "overdue": overdue,
            "panels": panels,
            "support": support,
            "admin": admin,
            "notices": home_reads.notices(today=today, overdue=overdue, panels=panels, support=support, admin=admin),
            "recent": recently_viewed(actor=user),
            "today": today,
            "can_report": can_report,
            "jobs": jobs,
            "memberships": user.memberships.filter(is_active=True).select_related("organisation"),
        },
    )


@login_required
def a1_report(request: HttpRequest) -> HttpResponse:
    if not tenancy.has_role(request.user, *services.REPORT_ROLES):
        raise PermissionDenied
    form = A1ReportForm(request.POST or None, las=tenancy.visible_las(request.user))
    if request.method == "POST" and form.is_valid():
        job = services.a1_report_request(
            actor=request.user, la_id=form.cleaned_data["la"].pk, period_end=form.cleaned_data["period_end"]
        )
        return redirect("job-detail", job_id=job.pk)
    return render(request, "reporting/a1_request.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def annex_a_list_11_request(request: HttpRequest) -> HttpResponse:
    """Ofsted Annex A list 11 (adopters) for one approving agency the user works for, as a tracked job."""
    agencies = annex_a_list_11.requestable_agencies(request.user)
    if not agencies.exists():
        raise PermissionDenied("Only managers and assessing social workers of an adoption agency can export adopters.")
    form = AnnexAList11Form(request.POST or None, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        try:
            job = annex_a_list_11.annex_a_list_11_request(
                actor=request.user, agency_id=form.cleaned_data["agency"].pk, as_at=form.cleaned_data["as_at"]
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return redirect("job-detail", job_id=job.pk)
    return render(request, "reporting/annex_a_list_11.html", {"form": form}, status=400 if form.errors else 200)
