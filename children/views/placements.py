"""Placements (children living with their adoptive family, matches waiting for the move) and disruptions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from adoption import tenancy
from adoption.concurrency import in_pk_order, with_version
from children import selectors, services
from children.forms.base import GovukForm
from children.forms.placements import (
    AdoptionApplicationForm,
    DisruptionForm,
    DisruptionMeetingForm,
    LearningActionDoneForm,
    LearningActionForm,
    PlacementForm,
)
from children.models import AdoptivePlacement, Child, Disruption
from children.selectors import placements as reads
from children.views.common import GET_POST, _can_write, _form_data, _form_response, _require_writer, _service_form_page


def _day(day: Any) -> str:
    return date_format(day, "j F Y")


# --- placements ---------------------------------------------------------------------------------------------------


@login_required
def placements_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "children/placements_list.html",
        {
            "placed": reads.placements_current(actor=request.user, today=today),
            "awaiting": reads.matches_awaiting_placement(actor=request.user, today=today),
            "show_la": tenancy.visible_las(request.user).count() > 1,
            "can_write": _can_write(request),
        },
    )


@login_required
@GET_POST
def placement_record(request: HttpRequest, match_id: int) -> HttpResponse:
    match = reads.match_to_place_get(actor=request.user, match_id=match_id)
    _require_writer(request)
    children = list(match.placements.all())
    waiting = [p for p in children if p.ended_on is None and p.placed_on is None]
    names = ", ".join(p.child.full_name for p in children)
    about = f"Matched with {match.household.name} on {_day(children[0].matched_on)}: {names}."
    if not waiting:
        about += " Every child of this match has moved in."
    if not match.household.postcode:
        about += (
            " The family's postcode is not recorded: record it in the household's details first, or the"
            " move's 903 episode will have no placement postcode."
        )
    page = {
        "title": "Record the children moving in with the family",
        "intro": "Brothers and sisters who move in on different days: record each day for the children who moved.",
    }
    # The version of every placement of the match: a move recorded by someone else since is not overwritten.
    form = PlacementForm(_form_data(request), waiting=waiting, initial=with_version(None, *in_pk_order(children)))
    call = lambda **kwargs: services.placement_record(actor=request.user, match_id=match.pk, **kwargs)  # noqa: E731
    back = reverse("children:placements")
    return _service_form_page(
        request, form, call, done="The move was recorded", then=back, page=page, about=about, back=back,
        caption=match.household.name,
    )  # fmt: skip


def _placement_about(request: HttpRequest, child: Child) -> tuple[AdoptivePlacement | None, str]:
    placement = reads.current_placement(actor=request.user, child_id=child.pk)
    if placement is None:
        return None, "The child has not moved in with an adoptive family."
    family = placement.household.name if placement.household else "their adoptive family"
    about = f"Living with {family} since {_day(placement.placed_on)}."
    if earliest := reads.may_apply_from(placement):
        about += f" The adopters may apply for the adoption order from {_day(earliest)} (10 weeks living with them)."
    return placement, about


@login_required
@GET_POST
def adoption_application(request: HttpRequest, child_id: int) -> HttpResponse:
    child = selectors.child_get(actor=request.user, child_id=child_id)
    _require_writer(request)
    placement, about = _placement_about(request, child)
    form = AdoptionApplicationForm(_form_data(request), initial=AdoptionApplicationForm.initial_for(placement))
    call = lambda **kwargs: services.adoption_application_record(actor=request.user, child_id=child.pk, **kwargs)  # noqa: E731
    page = {"title": "Record the application for the adoption order", "intro": ""}
    then = reverse("children:detail", args=[child.pk])
    return _service_form_page(
        request, form, call, done="The adoption application was recorded", then=then, page=page, child=child,
        about=about, warn=reads.early_application_warning,
    )  # fmt: skip


# --- disruptions --------------------------------------------------------------------------------------------------


@login_required
@GET_POST
def disruption_record(request: HttpRequest, child_id: int) -> HttpResponse:
    child = selectors.child_get(actor=request.user, child_id=child_id)
    _require_writer(request)
    _placement, about = _placement_about(request, child)
    form = DisruptionForm(_form_data(request))
    page = {
        "title": "Record that the placement ended before an adoption order",
        "intro": "A disruption. The placement stays on the child's record with the date it ended; the child is "
        "family-found again from that date, and the family goes back to waiting, due a review of their approval.",
    }
    if request.method == "POST" and form.is_valid():
        try:
            disruption = services.disruption_record(actor=request.user, child_id=child.pk, **form.service_kwargs())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "The disruption was recorded")
            return redirect("children:disruption", disruption_id=disruption.pk)
    context = {"form": form, "page": page, "child": child, "about": about, "button": "Record the disruption"}
    return _form_response(request, "children/event_form.html", context)


@login_required
def disruptions_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    return render(
        request,
        "children/disruptions_list.html",
        {
            "disruptions": reads.disruptions_list(actor=request.user, today=today),
            "show_la": tenancy.visible_las(request.user).count() > 1,
            "today": today,
        },
    )


@login_required
def disruption_detail(request: HttpRequest, disruption_id: int) -> HttpResponse:
    disruption = reads.disruption_get(actor=request.user, disruption_id=disruption_id)
    return render(
        request,
        "children/disruption_detail.html",
        {
            "disruption": disruption,
            "placement": disruption.placement,
            "child": disruption.placement.child,
            "actions": disruption.actions.all(),
            "can_write": _can_write(request),
            "today": timezone.localdate(),
        },
    )


def _disruption_form_page(
    request: HttpRequest, disruption: Disruption, form: GovukForm, call: Callable[..., Any], done: str, title: str
) -> HttpResponse:
    back = reverse("children:disruption", args=[disruption.pk])
    child = disruption.placement.child
    about = f"The placement of {child.full_name} ended on {_day(disruption.placement.ended_on)}."
    page = {"title": title, "intro": ""}
    return _service_form_page(
        request, form, call, done=done, then=back, page=page, back=back, caption=child.full_name, about=about
    )


@login_required
@GET_POST
def disruption_meeting(request: HttpRequest, disruption_id: int) -> HttpResponse:
    disruption = reads.disruption_get(actor=request.user, disruption_id=disruption_id)
    _require_writer(request)
    initial = with_version({"meeting_on": disruption.meeting_on}, disruption)
    form = DisruptionMeetingForm(_form_data(request), initial=initial)
    call = lambda **kwargs: services.disruption_meeting_record(  # noqa: E731
        actor=request.user, disruption_id=disruption.pk, **kwargs
    )
    return _disruption_form_page(
        request, disruption, form, call, "The disruption meeting was recorded", "Record the disruption meeting"
    )


@login_required
@GET_POST
def learning_action_add(request: HttpRequest, disruption_id: int) -> HttpResponse:
    disruption = reads.disruption_get(actor=request.user, disruption_id=disruption_id)
    _require_writer(request)
    owners = reads.learning_action_owners(la=disruption.placement.child.responsible_la)
    form = LearningActionForm(_form_data(request), owners=owners)
    call = lambda **kwargs: services.learning_action_add(actor=request.user, disruption_id=disruption.pk, **kwargs)  # noqa: E731
    return _disruption_form_page(
        request, disruption, form, call, "The learning action was added", "Add a learning action"
    )


@login_required
@GET_POST
def learning_action_done(request: HttpRequest, disruption_id: int, action_id: int) -> HttpResponse:
    disruption = reads.disruption_get(actor=request.user, disruption_id=disruption_id)
    _require_writer(request)
    action = next((a for a in disruption.actions.all() if a.pk == action_id), None)
    if action is None:
        raise Http404("No such learning action.")
    form = LearningActionDoneForm(_form_data(request))
    call = lambda **kwargs: services.learning_action_done(actor=request.user, action_id=action.pk, **kwargs)  # noqa: E731
    return _disruption_form_page(
        request, disruption, form, call, "The learning action was marked as done", f"Mark as done: {action.action}"
    )
