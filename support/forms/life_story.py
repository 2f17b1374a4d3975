"""Forms for the life story work pages. Each form only collects; the services decide."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

from django import forms

from adoption.forms import GovukForm, VersionedForm, date_field
from adoption.models import Organisation, User
from support.selectors.life_story import STATE_FILTERS, Kind

WORKER_MESSAGE = "Choose a support social worker or manager of the child's LA or its RAA"


def _worker_field(*, required: bool) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label="Worker",
        required=required,
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs={"class": "govuk-select"}),
        error_messages={"required": WORKER_MESSAGE, "invalid_choice": WORKER_MESSAGE},
    )


def _set_workers(form: forms.Form, workers: Iterable[User], blank: str) -> None:
    cast(forms.ChoiceField, form.fields["worker"]).choices = [("", blank), *((u.pk, u.display_name) for u in workers)]


class FilterForm(forms.Form):
    """The list's filters (GET): state, kind, LA. Anything not understood is ignored."""

    state = forms.ChoiceField(
        label="State",
        required=False,
        choices=[("", "Any state"), *STATE_FILTERS],
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )
    kind = forms.ChoiceField(
        label="Record",
        required=False,
        choices=[("", "Either"), *Kind.choices],
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )
    la = forms.TypedChoiceField(
        label="LA",
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )

    def __init__(self, *args: Any, las: Sequence[Organisation] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["la"]).choices = [("", "Any LA"), *((la.pk, la.name) for la in las)]

    def values(self) -> dict[str, Any]:
        """The filters as the selector's arguments; a value not understood is left out."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "state": data.get("state") or "",
            "kind": data.get("kind") or "",
            "la_id": data.get("la") if "la" not in self.errors else None,
        }


class ScheduleForm(VersionedForm, GovukForm):
    service_fields = {"worker_id": "worker"}

    due_on = date_field("Due by")
    worker = _worker_field(required=False)

    def __init__(self, *args: Any, workers: Iterable[User] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_workers(self, workers, "Not allocated yet")


class StartForm(VersionedForm, GovukForm):
    started_on = date_field("Date it started")


class CompleteForm(VersionedForm, GovukForm):
    completed_on = date_field(
        "Date it was done",
        help_text="The day it was given to the family or put on the child's file. For example, 27 3 2024",
    )


class WorkerForm(VersionedForm, GovukForm):
    service_fields = {"worker_id": "worker"}

    worker = _worker_field(required=False)

    def __init__(self, *args: Any, workers: Iterable[User] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_workers(self, workers, "No one")
