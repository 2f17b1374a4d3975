"""Sibling groups: their page, creating and updating them, and adding and removing a child."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from children import forms, selectors, services
from children.journey import (
    stage_of,
)
from children.models import Child, SiblingGroup
from children.views.common import GET_POST, _can_write, _form_data, _form_response, _require_writer, _service_kwargs

# --- sibling groups ------------------------------------------------------------------------------------------


@login_required
def sibling_group_detail(request: HttpRequest, group_id: int) -> HttpResponse:
    group = selectors.sibling_group_get(actor=request.user, group_id=group_id)
    children = list(selectors.sibling_group_children(actor=request.user, group=group))
    members = [{"child": child, "stage": stage_of(selectors.journey_dates(child))} for child in children]
    can_write = _can_write(request)
    add_form = forms.SiblingGroupAddMemberForm(candidates=_candidates(request, children)) if can_write else None
    return render(
        request,
        "children/sibling_group_detail.html",
        {
            "group": group,
            "members": members,
            "can_write": can_write,
            # A group keeps at least two children, so nobody is offered for removal from a pair.
            "can_remove": can_write and len(members) > 2,
            "add_form": add_form,
        },
    )


def _candidates(request: HttpRequest, members: list[Child]) -> QuerySet[Child]:
    """Children who could join the group: as for a new group around its first member (same LA, in no group)."""
    if not members:
        return Child.objects.none()
    return selectors.sibling_candidates(actor=request.user, child=members[0])


def _group_form_page(
    request: HttpRequest,
    group: SiblingGroup,
    form: forms.GovukForm,
    service: Callable[..., Any],
    done: str,
    page: dict[str, str],
    **context: Any,
) -> HttpResponse:
    """A form page about a sibling group: on a valid POST call ``service``, then back to the group's page."""
    if request.method == "POST" and form.is_valid():
        try:
            service(actor=request.user, group_id=group.pk, **_service_kwargs(form))
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, done)
            return redirect("children:sibling-group", group_id=group.pk)
    back = reverse("children:sibling-group", kwargs={"group_id": group.pk})
    context = {"form": form, "group": group, "page": page, "back": back, "caption": group.name, **context}
    return _form_response(request, "children/event_form.html", context)


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
    page = {"title": "Change the name, plan and sibling assessment", "intro": ""}
    return _group_form_page(request, group, form, services.sibling_group_update, "The sibling group was updated", page)


@login_required
@GET_POST
def sibling_group_add_member(request: HttpRequest, group_id: int) -> HttpResponse:
    group = selectors.sibling_group_get(actor=request.user, group_id=group_id)
    _require_writer(request)
    children = list(selectors.sibling_group_children(actor=request.user, group=group))
    form = forms.SiblingGroupAddMemberForm(_form_data(request), candidates=_candidates(request, children))
    page = {
        "title": "Add a child to the group",
        "intro": ""
        if form.has_candidates
        else f"Every other child of {group.responsible_la.name} is in a sibling group.",
    }
    done = "The child was added to the sibling group"
    return _group_form_page(
        request, group, form, services.sibling_group_add_member, done, page, button="Add to the group"
    )


@login_required
@GET_POST
def sibling_group_remove_member(request: HttpRequest, group_id: int, child_id: int) -> HttpResponse:
    """Asks to confirm when visited; the group's page posts here directly from each child's "Remove" button."""
    group = selectors.sibling_group_get(actor=request.user, group_id=group_id)
    _require_writer(request)
    child = get_object_or_404(selectors.sibling_group_children(actor=request.user, group=group), pk=child_id)
    form = forms.GovukForm(_form_data(request))  # nothing to fill in: it carries the service's refusal, if any
    page = {
        "title": f"Remove {child.full_name} from the group",
        "intro": "Their own record stays as it is: only their place in this sibling group ends.",
    }
    return _group_form_page(
        request,
        group,
        form,
        partial(services.sibling_group_remove_member, child_id=child.pk),
        f"{child.full_name} was removed from the sibling group",
        page,
        button="Remove from the group",
        warning=True,
    )
