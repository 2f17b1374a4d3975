"""Children's pages: thin views over the selectors (reads) and the services (writes)."""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from adopters.models import Household
from adopters.selectors import household_list
from adoption import tenancy
from adoption.spreadsheets import csv_cell
from children import forms, selectors, services
from children.journey import (
    Situation,
    Stage,
    days_waiting,
    harder_to_place,
    next_steps,
    proceedings_due,
    stage_of,
    waiting_band,
)
from children.models import Child, FamilyFindingStatus, ProceedingsTracking

PAGE_SIZE = 25
GET_POST = require_http_methods(["GET", "POST"])


def _can_write(request: HttpRequest) -> bool:
    return tenancy.has_role(request.user, *services.JOURNEY_WRITERS)


def _require_writer(request: HttpRequest) -> None:
    if not _can_write(request):
        raise PermissionDenied("Your role cannot change children's records.")


def _form_data(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _form_response(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    """A form page, shown again with its errors after a refused submission.

    The status stays 200 when it shows errors: a browser reports a 4xx page as a failed resource
    load (a console error), and the page itself says what is wrong.
    """
    return render(request, template, context)


# --- the child list ------------------------------------------------------------------------------------------


@login_required
def child_list(request: HttpRequest) -> HttpResponse:
    las = tenancy.visible_las(request.user)
    form = forms.ChildSearchForm(request.GET or None, las=las)
    today = timezone.localdate()
    children = selectors.child_list(actor=request.user, today=today, **form.filters())
    page = Paginator(children, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for child in page.object_list:
        dates = selectors.journey_dates(child)
        rows.append({"child": child, "stage": stage_of(dates), "days_waiting": days_waiting(dates, today)})
    query = request.GET.copy()
    query.pop("page", None)
    filtered = any(value for key, value in form.filters().items() if key != "sort")
    # The search box is its own form: it carries the filters already chosen, and only those.
    keep_for_search = [(key, value) for key, values in query.lists() if key != "q" for value in values if value]
    return render(
        request,
        "children/child_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query.urlencode(),
            "show_la": las.count() > 1,
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
                child.entered_care_on,
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


# --- a child's page ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    url_name: str  # an EVENT_PAGES slug
    text: str
    href: str = ""


def _actions(child: Child, situation: Situation) -> list[tuple[str, list[Action]]]:
    """The "Record…" links that make sense for where the child is, grouped as on the page."""
    dates = situation.dates
    stage = stage_of(dates)
    care: list[Action] = []
    if situation.in_care:
        care += [
            Action("episode", "Record a change of legal status or placement"),
            Action("left-care", "Record that the child left care"),
        ]
    else:
        care.append(Action("entered-care", "Record that the child entered care"))
    care.append(Action("proceedings", "Record a court or pre-birth tracking stage"))
    plan: list[Action] = []
    if dates.decision_on:
        if not dates.placed_on:
            plan.append(Action("placement-order", "Record a placement order"))
        plan.append(Action("reverse-decision", "Record that the decision was reversed"))
    elif situation.in_care:
        plan.append(Action("decision", "Record the decision that the child should be placed for adoption"))
    plan.append(Action("permanence-report", "Update the Child's Permanence Report"))
    finding: list[Action] = [
        Action("family-finding", "Record the family-finding status"),
        Action("featuring", "Record that the child was featured"),
        Action("early-permanence", "Record an early permanence placement"),
    ]
    if dates.decision_on:
        finding.append(Action("match", "Record the match or the move to the family"))
    if dates.placed_on and not dates.adoption_order_on:
        finding.append(Action("placement-end", "Record that the placement ended before an adoption order"))
    outcome = [] if stage == Stage.ADOPTED else [Action("permanence-outcome", "Record an order or permanence outcome")]
    groups = [
        ("Care and court", care),
        ("Adoption plan", plan),
        ("Family finding and placement", finding),
        ("Outcome", outcome),
    ]
    return [
        (heading, [Action(a.url_name, a.text, reverse(f"children:{a.url_name}", args=[child.pk])) for a in links])
        for heading, links in groups
    ]


@login_required
def child_detail(request: HttpRequest, child_id: int) -> HttpResponse:
    child = selectors.child_record(actor=request.user, child_id=child_id)
    today = timezone.localdate()
    situation = selectors.child_situation(child)
    dates = situation.dates
    membership = selectors.sibling_membership(child)
    steps = next_steps(situation, today)
    can_write = _can_write(request)
    return render(
        request,
        "children/child_detail.html",
        {
            "child": child,
            "stage": stage_of(dates),
            "days_waiting": days_waiting(dates, today),
            "band": waiting_band(dates, today),
            "flags": harder_to_place(
                dates=dates,
                ethnicity=child.ethnicity,
                has_disability=child.has_disability,
                in_sibling_group=membership is not None,
                today=today,
            ),
            "sibling_group": membership.group if membership else None,
            "family_finding": dict(FamilyFindingStatus.Status.choices).get(situation.family_finding_status, ""),
            "report": selectors.permanence_report_current(child),
            "next_step": steps[0] if steps else None,
            "overdue": [step for step in steps if step.overdue],
            "other_steps": [step for step in steps[1:] if not step.overdue],
            "timeline": selectors.child_timeline(child),
            "can_write": can_write,
            "actions": _actions(child, situation) if can_write else [],
        },
    )


# --- recording an event ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventPage:
    """One "Record…" page: its form, the service it calls and what it tells the user afterwards."""

    slug: str  # URL path segment and URL name (children:<slug>)
    title: str
    form: type[forms.GovukForm]
    service: Callable[..., Any]
    done: str
    intro: str = ""
    households: bool = False
    initial: Callable[[Child], dict[str, Any]] | None = None


EVENT_PAGES = [
    EventPage(
        "update",
        "Change the child's details",
        forms.ChildForm,
        services.child_update,
        "The child's details were saved",
        initial=forms.ChildForm.initial_for,
    ),
    EventPage(
        "entered-care",
        "Record that the child entered care",
        forms.EnterCareForm,
        services.period_of_care_start,
        "The child's entry into care was recorded",
        intro="This starts a period of care and its first 903 episode.",
    ),
    EventPage(
        "episode",
        "Record a change of legal status or placement",
        forms.EpisodeForm,
        services.episode_record,
        "The change was recorded",
        intro="This starts a new 903 episode. The current episode ends on the date of the change.",
        initial=lambda child: forms.EpisodeForm.initial_for(selectors.current_episode(child)),
    ),
    EventPage(
        "left-care",
        "Record that the child left care",
        forms.LeaveCareForm,
        services.period_of_care_end,
        "The child leaving care was recorded",
        intro="This ends the current 903 episode and the period of care.",
    ),
    EventPage(
        "decision",
        "Record the decision that the child should be placed for adoption",
        forms.DecisionForm,
        services.adoption_decision_record,
        "The decision was recorded",
        intro="The agency decision maker's decision (903 AD1 DATE_INT).",
    ),
    EventPage(
        "reverse-decision",
        "Record that the decision was reversed",
        forms.ReverseDecisionForm,
        services.adoption_decision_reverse,
        "The reversal of the decision was recorded",
        intro="The decision that the child should no longer be placed for adoption.",
    ),
    EventPage(
        "placement-order",
        "Record a placement order",
        forms.PlacementOrderForm,
        services.placement_order_record,
        "The placement order was recorded",
    ),
    EventPage(
        "match",
        "Record the match or the move to the family",
        forms.MatchForm,
        services.adoptive_placement_record,
        "The match was recorded",
        intro="Record the match when it is decided, then come back to record the date the child moves in.",
        households=True,
        initial=lambda child: forms.MatchForm.initial_for(selectors.current_match(child)),
    ),
    EventPage(
        "placement-end",
        "Record that the placement ended before an adoption order",
        forms.PlacementEndForm,
        services.adoptive_placement_end,
        "The end of the placement was recorded",
        intro="A disruption: arrange a disruption meeting and record what was learned.",
    ),
    EventPage(
        "permanence-outcome",
        "Record an order or permanence outcome",
        forms.PermanenceOutcomeForm,
        services.permanence_outcome_record,
        "The outcome was recorded",
    ),
    EventPage(
        "family-finding",
        "Record the family-finding status",
        forms.FamilyFindingForm,
        services.family_finding_status_record,
        "The family-finding status was recorded",
    ),
    EventPage(
        "featuring",
        "Record that the child was featured",
        forms.FeaturingForm,
        services.featuring_record,
        "The featuring was recorded",
    ),
    EventPage(
        "early-permanence",
        "Record an early permanence placement",
        forms.EarlyPermanenceForm,
        services.early_permanence_record,
        "The early permanence placement was recorded",
        intro="Fostering for adoption or concurrent planning (903 placements U2 and U5).",
        households=True,
    ),
    EventPage(
        "proceedings",
        "Record a court or pre-birth tracking stage",
        forms.ProceedingsForm,
        services.proceedings_stage_record,
        "The tracking stage was recorded",
    ),
    EventPage(
        "permanence-report",
        "Update the Child's Permanence Report",
        forms.PermanenceReportForm,
        services.permanence_report_record,
        "The Child's Permanence Report was updated",
        initial=lambda child: forms.PermanenceReportForm.initial_for(selectors.permanence_report_current(child)),
    ),
]

# Households a family may be chosen from when recording a match or an early permanence placement.
OPEN_HOUSEHOLD_STATUSES = (Household.Status.APPROVED, Household.Status.MATCHED, Household.Status.PLACED)


@login_required
@GET_POST
def record_event(request: HttpRequest, child_id: int, page: EventPage) -> HttpResponse:
    child = selectors.child_record(actor=request.user, child_id=child_id)
    _require_writer(request)
    extra: dict[str, Any] = {}
    if page.households:
        extra["households"] = household_list(actor=request.user).filter(status__in=OPEN_HOUSEHOLD_STATUSES)
    initial = page.initial(child) if page.initial else None
    form = page.form(_form_data(request), initial=initial, **extra)
    if request.method == "POST" and form.is_valid():
        try:
            page.service(actor=request.user, child_id=child.pk, **form.service_kwargs())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, page.done)
            return redirect("children:detail", child_id=child.pk)
    return _form_response(request, "children/event_form.html", {"form": form, "child": child, "page": page})


@login_required
@GET_POST
def child_create(request: HttpRequest) -> HttpResponse:
    _require_writer(request)
    form = forms.ChildForm(_form_data(request), las=tenancy.visible_las(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            child = services.child_create(actor=request.user, **form.service_kwargs())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"{child.full_name} was added")
            return redirect("children:detail", child_id=child.pk)
    page = {"title": "Add a child", "intro": "For an unborn baby, give the expected date of birth."}
    return _form_response(request, "children/event_form.html", {"form": form, "page": page, "button": "Add the child"})


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


# --- sibling groups ------------------------------------------------------------------------------------------


@login_required
def sibling_group_detail(request: HttpRequest, group_id: int) -> HttpResponse:
    group = selectors.sibling_group_get(actor=request.user, group_id=group_id)
    members = [
        {"child": child, "stage": stage_of(selectors.journey_dates(child))}
        for child in selectors.sibling_group_children(actor=request.user, group=group)
    ]
    return render(
        request,
        "children/sibling_group_detail.html",
        {"group": group, "members": members, "can_write": _can_write(request)},
    )


@login_required
@GET_POST
def sibling_group_create(request: HttpRequest, child_id: int) -> HttpResponse:
    child = selectors.child_record(actor=request.user, child_id=child_id)
    _require_writer(request)
    candidates = selectors.sibling_candidates(actor=request.user, child=child)
    form = forms.SiblingGroupCreateForm(
        _form_data(request), child=child, candidates=candidates, initial={"name": f"{child.last_name} siblings"}
    )
    if request.method == "POST" and form.is_valid():
        try:
            group = services.sibling_group_create(actor=request.user, **form.service_kwargs())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "The sibling group was created")
            return redirect("children:sibling-group", group_id=group.pk)
    page = {
        "title": "Create a sibling group",
        "intro": f"A group for {child.full_name} and their brothers and sisters.",
    }
    context = {"form": form, "child": child, "page": page, "button": "Create the group"}
    return _form_response(request, "children/event_form.html", context)


@login_required
@GET_POST
def sibling_group_update(request: HttpRequest, group_id: int) -> HttpResponse:
    group = selectors.sibling_group_get(actor=request.user, group_id=group_id)
    _require_writer(request)
    form = forms.SiblingGroupUpdateForm(_form_data(request), initial=forms.SiblingGroupUpdateForm.initial_for(group))
    if request.method == "POST" and form.is_valid():
        try:
            services.sibling_group_update(actor=request.user, group_id=group.pk, **form.service_kwargs())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "The sibling group was updated")
            return redirect("children:sibling-group", group_id=group.pk)
    page = {"title": "Change the plan and sibling assessment", "intro": ""}
    back = reverse("children:sibling-group", kwargs={"group_id": group.pk})
    context = {"form": form, "group": group, "page": page, "back": back, "caption": group.name}
    return _form_response(request, "children/event_form.html", context)
