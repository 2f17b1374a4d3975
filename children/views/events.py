"""Recording an event on a child's journey (one page per service), and adding a child."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.formats import date_format

from adopters.models import Household
from adopters.selectors import household_list
from adoption import tenancy
from children import forms, selectors, services
from children.models import Child
from children.views.common import GET_POST, _form_data, _form_response, _require_writer, _service_kwargs

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
    # A page about one of the child's records rather than the child: the URL after the child's
    # (its ids go to the service too), and what the page says about the record, from the child and
    # those ids. ``about`` raises Http404 when the child has no such record.
    route: str = ""
    about: Callable[..., str] | None = None

    @property
    def path(self) -> str:
        return f"<int:child_id>/{self.route or self.slug}/"


def _early_permanence_about(child: Child, placement_id: int) -> str:
    """The placement being ended, from the history :func:`selectors.child_record` fetched with the child."""
    placement = next((p for p in child.early_permanence_placements.all() if p.pk == placement_id), None)
    if placement is None:
        raise Http404("No such early permanence placement.")
    family = f" with {placement.household.name}" if placement.household else ""
    about = f"{placement.get_kind_display()} placement{family}, from {date_format(placement.started_on, 'j F Y')}."
    if placement.ended_on:
        about += f" It ended on {date_format(placement.ended_on, 'j F Y')}."
    return about


EVENT_PAGES = [
    EventPage(
        "update",
        "Change the child's details",
        forms.ChildForm,
        services.child_update,
        "The child's details were saved",
        initial=forms.ChildForm.initial_for,  # with the child's version: a change made since is not overwritten
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
    # A placement that ends before the adoption order is a disruption: it is recorded on the disruption page
    # (children.views.placements.disruption_record), with its reason, so it is never ended without one.
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
        "early-permanence-end",
        "Record that the early permanence placement ended",
        forms.PlacementEndForm,
        services.early_permanence_end,
        "The end of the early permanence placement was recorded",
        route="early-permanence/<int:placement_id>/end",
        about=_early_permanence_about,
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
def record_event(request: HttpRequest, child_id: int, page: EventPage, **ids: int) -> HttpResponse:
    child = selectors.child_record(actor=request.user, child_id=child_id)
    _require_writer(request)
    about = page.about(child, **ids) if page.about else ""
    extra: dict[str, Any] = {}
    if page.households:
        extra["households"] = household_list(actor=request.user).filter(status__in=OPEN_HOUSEHOLD_STATUSES)
    initial = page.initial(child) if page.initial else None
    form = page.form(_form_data(request), initial=initial, **extra)
    if request.method == "POST" and form.is_valid():
        try:
            page.service(actor=request.user, child_id=child.pk, **ids, **_service_kwargs(form))
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, page.done)
            return redirect("children:detail", child_id=child.pk)
    context = {"form": form, "child": child, "page": page, "about": about}
    return _form_response(request, "children/event_form.html", context)


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
