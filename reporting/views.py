"""Dashboards and report requests."""

from __future__ import annotations

from datetime import date
from typing import cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from adopters.models import Household
from adopters.selectors import household_counts_by_status
from adoption import tenancy
from adoption.models import User
from adoption.selectors import job_list
from children.journey import days_waiting, stage_of
from children.selectors import children_waiting, journey_dates
from reporting import services
from reporting.forms import A1ReportForm


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """Each role's work: children waiting, households by stage, reports and recent jobs."""
    user = cast(User, request.user)  # login_required
    scope = tenancy.scope_for(user)
    today = date.today()
    waiting = []
    waiting_count = 0
    if scope.la_ids:
        waiting_qs = children_waiting(actor=request.user)
        waiting_count = waiting_qs.count()
        for child in waiting_qs[:10]:
            dates = journey_dates(child)
            waiting.append({"child": child, "stage": stage_of(dates), "days_waiting": days_waiting(dates, today)})
    households = []
    if scope.household_org_ids:
        counts = household_counts_by_status(actor=request.user)
        households = [(label, counts.get(value, 0)) for value, label in Household.Status.choices]
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
