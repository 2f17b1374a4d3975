"""Lists of children: the searchable list and its CSV export, children waiting, the court and pre-birth tracker."""

from __future__ import annotations

import csv
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from adoption import tenancy
from adoption.spreadsheets import csv_cell
from children import forms, selectors, tables
from children.journey import (
    days_waiting,
    proceedings_due,
    stage_of,
)
from children.models import FamilyFindingStatus, ProceedingsTracking
from children.views.common import PAGE_SIZE, _can_write

# --- the child list ------------------------------------------------------------------------------------------


@login_required
def child_list(request: HttpRequest) -> HttpResponse:
    las = tenancy.visible_las(request.user)
    form = forms.ChildSearchForm(request.GET or None, las=las)
    filters = form.filters()
    listed = selectors.child_list_page(
        actor=request.user, number=request.GET.get("page"), page_size=PAGE_SIZE, today=timezone.localdate(), **filters
    )
    # The LAs the actor sees are the scope's (visible_las narrows to them), read once per request.
    show_la = len(tenancy.scope_for(request.user).la_ids) > 1
    query = request.GET.copy()
    query.pop("page", None)
    filtered = any(value for key, value in filters.items() if key != "sort")
    # The search box is its own form: it carries the filters already chosen, and only those.
    keep_for_search = [(key, value) for key, values in query.lists() if key != "q" for value in values if value]
    return render(
        request,
        "children/child_list.html",
        {
            "form": form,
            "page": listed.page,
            "rows": listed.rows,
            "table_rows": tables.list_rows(listed.rows, show_la=show_la),
            "query": query.urlencode(),
            "show_la": show_la,
            "filtered": filtered,
            "keep_for_search": keep_for_search,
            "can_write": _can_write(request),
        },
    )


EXPORT_COLUMNS = [
    "Local authority",
    "LA child ID",
    "903 child ID",
    "UPN",
    "First name",
    "Last name",
    "Date of birth",
    "Expected date of birth",
    "Sex",
    "Ethnicity (903)",
    "Disability",
    "Stage",
    "Entered care",
    "Decision",
    "Placement order",
    "Matched",
    "Placed",
    "Adoption order",
    "Days waiting",
    "Time since the decision",
    "Family-finding status",
    "Sibling group",
    "Harder to place",
]


@login_required
def child_list_export(request: HttpRequest) -> HttpResponse:
    """The filtered list, every page, as CSV. The export is audited."""
    form = forms.ChildSearchForm(request.GET or None, las=tenancy.visible_las(request.user))
    today = timezone.localdate()
    rows = selectors.child_list_export(actor=request.user, today=today, **form.filters())
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="children-{today:%Y-%m-%d}.csv"'
    response["Cache-Control"] = "no-store"
    response.write("\ufeff")  # a byte order mark, so Excel reads the file as UTF-8 (names with accents)
    writer = csv.writer(response)
    writer.writerow(EXPORT_COLUMNS)
    statuses = dict(FamilyFindingStatus.Status.choices)
    for row in rows:
        child: Any = row.child
        membership = selectors.sibling_membership(child)
        writer.writerow(
            csv_cell(value)
            for value in (
                child.responsible_la.name,
                child.la_child_id,
                child.child_903_id,
                child.upn,
                child.first_name,
                child.last_name,
                child.date_of_birth,
                child.expected_date_of_birth,
                child.sex,
                child.ethnicity,
                "Yes" if child.has_disability else "No",
                row.stage.label,
                "" if child.entered_care_before_records else child.entered_care_on,
                child.decision_on,
                child.placement_order_on,
                child.matched_on,
                child.placed_on,
                child.adoption_order_on,
                row.days_waiting,
                row.band.label if row.band else "",
                statuses.get(child.family_finding_status or "", ""),
                membership.group.name if membership else "",
                "; ".join(flag.label for flag in row.flags),
            )
        )
    return response


# --- lists of children waiting and in proceedings ----------------------------------------------------------


@login_required
def children_waiting(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    views = dict(selectors.WaitingView.CHOICES)
    view = request.GET.get("view", selectors.WaitingView.ALL)
    if view not in views:
        view = selectors.WaitingView.ALL
    children = selectors.children_waiting(actor=request.user, view=view, today=today)
    page = Paginator(children, PAGE_SIZE).get_page(request.GET.get("page"))
    counts = selectors.children_waiting_counts(actor=request.user, today=today)
    statuses = dict(FamilyFindingStatus.Status.choices)
    rows = []
    for child in page.object_list:
        dates = selectors.journey_dates(child)
        order_on = dates.placement_order_on
        rows.append(
            {
                "child": child,
                "stage": stage_of(dates),
                "days_waiting": days_waiting(dates, today),
                "days_since_order": (today - order_on).days if order_on else None,
                "family_finding": statuses.get(child.family_finding_status or "", ""),  # type: ignore[attr-defined]
            }
        )
    tabs = [
        {"view": key, "label": label, "count": counts[key], "current": key == view}
        for key, label in selectors.WaitingView.CHOICES
    ]
    return render(
        request,
        "children/children_waiting.html",
        {
            "rows": rows,
            "page": page,
            "tabs": tabs,
            "view_label": views[view],
            "query": f"view={view}",
            "show_la": tenancy.visible_las(request.user).count() > 1,
        },
    )


@login_required
def proceedings_tracker(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    children = list(selectors.proceedings_tracker(actor=request.user))
    stages = ProceedingsTracking.Stage
    sections: list[tuple[str, str, list[dict[str, Any]]]] = [
        ("unborn", "Unborn babies and pre-birth assessments", []),
        ("pre-proceedings", "Pre-proceedings (PLO)", []),
        ("care-proceedings", "Care proceedings", []),
    ]
    for child in children:
        tracking: Any = child
        if child.date_of_birth is None or tracking.tracking_stage == stages.PRE_BIRTH:
            index = 0
        elif tracking.tracking_stage == stages.PRE_PROCEEDINGS:
            index = 1
        else:
            index = 2
        limit = proceedings_due(tracking.tracking_stage, tracking.tracking_from)
        sections[index][2].append(
            {
                "child": child,
                "stage": stages(tracking.tracking_stage).label if tracking.tracking_stage else "Not tracked yet",
                "from": tracking.tracking_from,
                "final_hearing_on": tracking.final_hearing_on,
                "limit": limit,
                "overdue": bool(limit and today > limit),
                "hearing_passed": bool(tracking.final_hearing_on and today > tracking.final_hearing_on),
            }
        )
    return render(
        request,
        "children/proceedings_tracker.html",
        {"sections": sections, "show_la": tenancy.visible_las(request.user).count() > 1, "today": today},
    )
