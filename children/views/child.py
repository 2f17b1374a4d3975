"""A child's page: details, stage, next steps and the whole journey."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from children import selectors
from children.journey import (
    Situation,
    Stage,
    days_waiting,
    harder_to_place,
    next_steps,
    stage_of,
    waiting_band,
)
from children.models import Child, FamilyFindingStatus
from children.views.common import _can_write

# --- a child's page ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    url_name: str  # a children: URL name taking the child's id (an EVENT_PAGES slug, or a page of its own)
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
        finding += [
            Action("adoption-application", "Record the adoption application"),
            # A placement that ends before the order is a disruption: the meeting and learning go with it.
            Action("disruption-record", "Record a disruption (the placement ended before an adoption order)"),
        ]
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
