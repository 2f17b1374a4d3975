"""The retention page for administrators and managers: records past their disposal date, legal holds in force and
disposals waiting for a second person, with the forms that place and release holds and ask for, approve or refuse
a disposal. Anyone without those roles gets 403; another organisation's record, hold or request is 404."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from adoption.forms import GovukForm, choice
from adoption.retention import KINDS, kind_label, selectors, services

GET_POST = require_http_methods(["GET", "POST"])
PAGE_SIZE = 25


def _reason(label: str, *, required: bool = True, help_text: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=2000,
        help_text=help_text,
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 4}),
        error_messages={"required": f"Enter the {label.lower()}", "max_length": f"The {label.lower()} is too long"},
    )


class RecordForm(GovukForm):
    kind = choice("Kind of record", list(KINDS.items()))
    number = forms.IntegerField(
        label="Record number",
        min_value=1,
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-10", "inputmode": "numeric"}),
        error_messages={
            "required": "Enter the record number",
            "invalid": "Enter the record number in figures",
            "min_value": "Enter the record number in figures",
        },
    )


class HoldForm(RecordForm):
    reason = _reason("Reason for the hold", help_text="For example, the claim or inquiry that needs the record.")


class DisposalForm(RecordForm):
    reason = _reason("Note", required=False)


class ReleaseForm(GovukForm):
    reason = _reason("Reason for releasing the hold")


class RefuseForm(GovukForm):
    decision_note = _reason("Why the disposal is refused")


class ConfirmForm(GovukForm):
    """A button and nothing else."""


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _page(request: HttpRequest, form: GovukForm, **context: Any) -> HttpResponse:
    return render(
        request, "form_page.html", {"form": form, "caption": "Retention", "back": reverse("retention"), **context}
    )


@login_required
@require_GET
def retention_page(request: HttpRequest) -> HttpResponse:
    due = Paginator(selectors.due_record_list(actor=request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    for record in due.object_list:
        record.label = kind_label(record.table_name)  # type: ignore[attr-defined]
    holds = list(selectors.hold_list(actor=request.user))
    pending = list(selectors.pending_request_list(actor=request.user))
    for row in [*holds, *pending]:
        row.label = kind_label(row.table_name)  # type: ignore[attr-defined]
    return render(request, "retention/index.html", {"page": due, "holds": holds, "pending": pending})


@login_required
@GET_POST
def hold_place_page(request: HttpRequest) -> HttpResponse:
    selectors.retention_org_ids(request.user)  # 403 before any form for anyone else
    form = HoldForm(_posted(request), initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        hold = form.run(
            lambda: services.legal_hold_place(
                actor=request.user, table_name=data["kind"], object_id=data["number"], reason=data["reason"]
            )
        )
        if hold is not None:
            messages.success(request, f"{kind_label(hold.table_name)} {hold.object_id} is on legal hold")
            return redirect("retention")
    return _page(
        request,
        form,
        title="Place a legal hold",
        button="Place the hold",
        about="While the hold is in force the record cannot be disposed of, whatever its date.",
    )


@login_required
@GET_POST
def hold_release_page(request: HttpRequest, hold_id: int) -> HttpResponse:
    hold = selectors.hold_get(actor=request.user, hold_id=hold_id)
    name = f"{kind_label(hold.table_name)} {hold.object_id}"
    form = ReleaseForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        released = form.run(
            lambda: services.legal_hold_release(actor=request.user, hold_id=hold.pk, reason=form.cleaned_data["reason"])
        )
        if released is not None:
            messages.success(request, f"The legal hold on {name} has been released")
            return redirect("retention")
    return _page(request, form, title=f"Release the legal hold on {name}", button="Release the hold")


@login_required
@GET_POST
def disposal_request_page(request: HttpRequest) -> HttpResponse:
    selectors.retention_org_ids(request.user)
    form = DisposalForm(_posted(request), initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        asked = form.run(
            lambda: services.disposal_request(
                actor=request.user, table_name=data["kind"], object_id=data["number"], reason=data["reason"]
            )
        )
        if asked is not None:
            messages.success(
                request,
                f"Disposal of {kind_label(asked.table_name)} {asked.object_id} asked for: another administrator or "
                "manager must approve it",
            )
            return redirect("retention")
    return _page(
        request,
        form,
        title="Ask for a record to be disposed of",
        button="Ask for the disposal",
        about="A record can be disposed of once its earliest disposal date has passed and it is not on legal hold. "
        "Another administrator or manager approves the disposal.",
    )


@login_required
@GET_POST
def disposal_approve_page(request: HttpRequest, request_id: int) -> HttpResponse:
    asked = selectors.request_get(actor=request.user, request_id=request_id)
    name = f"{kind_label(asked.table_name)} {asked.object_id}"
    form = ConfirmForm(_posted(request))
    posted = request.method == "POST" and form.is_valid()
    if posted and form.run(lambda: services.disposal_approve(actor=request.user, request_id=asked.pk)) is not None:
        messages.success(request, f"{name} has been disposed of")
        return redirect("retention")
    return _page(
        request,
        form,
        title=f"Approve the disposal of {name}",
        button="Approve and dispose of the record",
        warning=True,
        problem="The record and everything that belongs to it will be deleted for good. This cannot be undone.",
    )


@login_required
@GET_POST
def disposal_refuse_page(request: HttpRequest, request_id: int) -> HttpResponse:
    asked = selectors.request_get(actor=request.user, request_id=request_id)
    name = f"{kind_label(asked.table_name)} {asked.object_id}"
    form = RefuseForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        note = form.cleaned_data["decision_note"]
        if form.run(lambda: services.disposal_refuse(actor=request.user, request_id=asked.pk, note=note)) is not None:
            messages.success(request, f"The disposal of {name} has been refused")
            return redirect("retention")
    return _page(request, form, title=f"Refuse the disposal of {name}", button="Refuse the disposal")
