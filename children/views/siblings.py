"""Sibling groups: their page, and creating and updating them."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from children import forms, selectors, services
from children.journey import (
    stage_of,
)
from children.views.common import GET_POST, _can_write, _form_data, _form_response, _require_writer

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
