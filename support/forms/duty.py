"""Forms for the duty service's pages. Each form only collects; the services decide."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

from django import forms

from adopters.models import Household
from adoption.forms import GovukForm, choice, date_field, text
from adoption.models import Organisation, User
from children.models import Child
from support.models import AssessmentOfNeed, SupportKind, SupportRequest, TherapyType, Tier, Topic


def _textarea(label: str, *, required: bool = True, help_text: str = "", rows: int = 5) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        help_text=help_text,
        max_length=10000,
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": rows}),
        error_messages={"required": f"Enter the {label[0].lower()}{label[1:]}", "max_length": "This is too long"},
    )


def _id_field(label: str, *, required: bool, message: str, help_text: str = "") -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        required=required,
        help_text=help_text,
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs={"class": "govuk-select"}),
        error_messages={"required": message, "invalid_choice": message},
    )


def _set_choices(form: forms.Form, name: str, options: Iterable[tuple[Any, str]], blank: str) -> None:
    cast(forms.ChoiceField, form.fields[name]).choices = [("", blank), *options]


# --- the duty list's search and filters ----------------------------------------------------------------------------


class DutyFilterForm(GovukForm):
    q = text("Search by family name", required=False, max_length=100)
    la = _id_field("LA", required=False, message="Choose an LA from the list")
    status = choice("Status", SupportRequest.Status.choices, required=False, blank="Any open request")
    topic = choice("What it is about", Topic.choices, required=False, blank="Any topic")
    kind = choice("Kind of support", SupportKind.choices, required=False, blank="Either kind")

    def __init__(self, *args: Any, las: Sequence[Organisation] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if len(las) > 1:
            _set_choices(self, "la", ((la.pk, la.name) for la in las), "Any LA")
        else:
            del self.fields["la"]

    def filters(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "q": data["q"] or "",
            "la_id": data.get("la"),
            "status": data["status"] or "",
            "topic": data["topic"] or "",
            "kind": data["kind"] or "",
        }


# --- a request -------------------------------------------------------------------------------------------------------


class RequestForm(GovukForm):
    """A new request on duty. The LA is asked only when the actor runs the support of more than one."""

    service_fields = {"la_id": "la", "child_id": "child", "household_id": "household"}

    la = _id_field("LA", required=True, message="Choose the LA whose support service holds the request")
    kind = choice("Kind of support", SupportKind.choices, radios=True, initial=SupportKind.ADOPTION)
    family_name = text("Family", help_text="How the family is known, for example the Okafors.")
    child = _id_field(
        "Child (optional)",
        required=False,
        message="Choose a child of the LA",
        help_text="The child the request is about, if they are on the system.",
    )
    household = _id_field(
        "Adoptive family on the system (optional)",
        required=False,
        message="Choose a family from the list",
        help_text="A family a child of the LA was placed with.",
    )
    requested_by = text("Who asked", help_text="Their name.")
    requester = choice("Who they are", SupportRequest.Requester.choices)
    received_on = date_field("Date received")
    topic = choice("What it is about", Topic.choices, radios=True)
    summary = _textarea("Summary (optional)", required=False)

    def __init__(
        self,
        *args: Any,
        las: Sequence[Organisation] = (),
        children: Iterable[Child] = (),
        households: Iterable[Household] = (),
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        several = len(las) > 1
        if several:
            _set_choices(self, "la", ((la.pk, la.name) for la in las), "Choose one")
        else:
            del self.fields["la"]
        self.only_la = las[0].pk if len(las) == 1 else None

        def child_label(c: Child) -> str:
            born = f", born {c.date_of_birth:%d/%m/%Y}" if c.date_of_birth else ""
            return f"{c.full_name}{born}" + (f" ({c.responsible_la.name})" if several else "")

        _set_choices(self, "child", ((c.pk, child_label(c)) for c in children), "No child chosen")
        _set_choices(self, "household", ((h.pk, f"{h.name} ({h.reference})") for h in households), "No family chosen")

    def service_kwargs(self) -> dict[str, Any]:
        kwargs = super().service_kwargs()
        if self.only_la is not None:
            kwargs["la_id"] = self.only_la
        kwargs["summary"] = kwargs.get("summary") or ""
        return kwargs


class RespondForm(GovukForm):
    responded_on = date_field("Date of the first response")
    tier = forms.TypedChoiceField(
        label="Tier of support",
        choices=Tier.choices,
        coerce=int,
        widget=forms.RadioSelect(),
        error_messages={"required": "Choose the tier of support", "invalid_choice": "Choose the tier of support"},
    )


class AllocateForm(GovukForm):
    service_fields = {"worker_id": "worker"}

    worker = _id_field(
        "Worker", required=True, message="Choose a support social worker or manager of this LA or its RAA"
    )
    allocated_on = date_field("Date allocated")

    def __init__(self, *args: Any, workers: Iterable[User] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "worker", ((u.pk, u.display_name) for u in workers), "Choose one")


class CloseForm(GovukForm):
    closed_on = date_field("Date closed")
    closed_reason = choice("Why it is closed", SupportRequest.ClosedReason.choices, radios=True)


# --- assessments and plans ---------------------------------------------------------------------------------------


class AssessmentStartForm(GovukForm):
    started_on = date_field("Date the assessment started")


class AssessmentCompleteForm(GovukForm):
    completed_on = date_field("Date completed")
    outcome = choice("Outcome", AssessmentOfNeed.Outcome.choices, radios=True)
    needs = _textarea("Needs identified")


class PlanForm(GovukForm):
    agreed_on = date_field("Date agreed")
    services = _textarea("Services agreed")
    therapies = forms.MultipleChoiceField(
        label="Therapies agreed (optional)",
        help_text="Choose every therapy the plan includes.",
        required=False,
        choices=TherapyType.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"small": True}),
        error_messages={"invalid_choice": "Choose therapies from the list"},
    )
    review_on = date_field("First review due")


class ReviewForm(GovukForm):
    reviewed_on = date_field("Date of the review")
    next_review_on = date_field("Next review due")


class PlanEndForm(GovukForm):
    ended_on = date_field("Date the plan ended")
