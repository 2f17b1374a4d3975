"""Forms for the ASF pages. Each form only collects; the services decide."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, cast

from django import forms

from adoption.concurrency import with_version
from adoption.forms import GovukForm, VersionedForm, choice, date_field, text, yes_no
from adoption.models import Organisation
from adoption.periods import financial_year_label
from children.models import Child
from support.models import AsfApplication, TherapyType

S = AsfApplication.Status


def _money(label: str, *, required: bool = True, help_text: str = "") -> forms.DecimalField:
    what = label[0].lower() + label[1:]
    return forms.DecimalField(
        label=label,
        required=required,
        help_text=help_text,
        max_digits=9,
        decimal_places=2,
        min_value=Decimal("0"),
        widget=forms.TextInput(attrs={"class": "govuk-input govuk-input--width-10", "inputmode": "decimal"}),
        error_messages={
            "required": f"Enter the {what}",
            "invalid": f"Enter the {what} as an amount in pounds, like 1500 or 1500.50",
            "min_value": f"The {what} cannot be less than £0",
            "max_digits": f"The {what} is too large",
            "max_decimal_places": f"The {what} can have at most 2 decimal places (pence)",
            "max_whole_digits": f"The {what} is too large",
        },
    )


def _pick(label: str, message: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        coerce=int,
        widget=forms.Select(attrs={"class": "govuk-select"}),
        error_messages={"required": message, "invalid_choice": message},
    )


def child_label(child: Child) -> str:
    born = f", born {child.date_of_birth.day} {child.date_of_birth:%B %Y}" if child.date_of_birth else ""
    ref = f" ({child.la_child_id}{born})" if child.la_child_id else (f" ({born[2:]})" if born else "")
    return f"{child.first_name} {child.last_name}{ref}"


class ApplicationForm(VersionedForm, GovukForm):
    """A draft application: for which child, what work, from whom, for how much, when. A change to a draft carries
    the draft's version (``adoption.concurrency``)."""

    service_fields = {"la_id": "la", "child_id": "child"}

    child = _pick("Child", "Choose the child the application is for")
    therapy = choice("Therapy or assessment", TherapyType.choices)
    specialist_assessment = yes_no(
        "Is this a specialist assessment?",
        help_text="Under some years' rules a specialist assessment has its own allowance.",
    )
    provider = text("Provider", help_text="Who does the work, as on their quote.")
    sessions = forms.IntegerField(
        label="Number of sessions",
        min_value=1,
        max_value=1000,
        widget=forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-3", "inputmode": "numeric"}),
        error_messages={
            "required": "Enter the number of sessions",
            "invalid": "Enter the number of sessions as a whole number",
            "min_value": "Enter 1 session or more",
            "max_value": "Enter 1,000 sessions or fewer",
        },
    )
    cost = _money("Cost of the work (£)", help_text="The whole cost. The fund pays it less any match funding.")
    match_funding = _money(
        "The LA's match funding (£)",
        required=False,
        help_text="Leave empty for none. Only where the year's rule allows match funding above the limit.",
    )
    work_starts_on = date_field("Date the work starts", help_text="It sets the financial year. For example, 5 5 2025")
    work_ends_on = date_field("Date the work ends")
    ehc_plan = yes_no(
        "Does the child have an education, health and care plan?",
        help_text="With a plan the fund helps young people up to 25 rather than 21.",
    )
    intercountry = yes_no("Was the child adopted from abroad (intercountry adoption)?")

    def __init__(
        self, *args: Any, las: Sequence[Organisation] = (), children: Iterable[Child] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if len(las) > 1:
            la = _pick("LA", "Choose the LA whose spoke makes the application")
            la.help_text = "The LA whose adoption support team makes the application."
            la.choices = [("", "Choose one"), *((o.pk, o.name) for o in las)]
            self.fields = {"la": la, **self.fields}
        self.only_la = las[0].pk if len(las) == 1 else None
        options = [(c.pk, child_label(c)) for c in children]
        cast(forms.ChoiceField, self.fields["child"]).choices = [("", "Choose the child"), *options]

    def clean_match_funding(self) -> Decimal:
        return self.cleaned_data.get("match_funding") or Decimal("0.00")

    def service_kwargs(self) -> dict[str, Any]:
        kwargs = super().service_kwargs()
        if self.only_la is not None:
            kwargs["la_id"] = self.only_la
        return kwargs

    @staticmethod
    def initial_for(application: AsfApplication | None) -> dict[str, Any]:
        if application is None:
            return {"specialist_assessment": "no", "ehc_plan": "no", "intercountry": "no"}

        def yes(value: bool) -> str:
            return "yes" if value else "no"

        initial = {
            "la": application.la_id,
            "child": application.child_id,
            "therapy": application.therapy,
            "specialist_assessment": yes(application.specialist_assessment),
            "provider": application.provider,
            "sessions": application.sessions,
            "cost": application.cost,
            "match_funding": application.match_funding or None,
            "work_starts_on": application.work_starts_on,
            "work_ends_on": application.work_ends_on,
            "ehc_plan": yes(application.ehc_plan),
            "intercountry": yes(application.intercountry),
        }
        return with_version(initial, application)


class ConfirmForm(GovukForm):
    """No fields: the submit page's button. The service's refusals show above it."""


class DecisionForm(GovukForm):
    constraint_messages = {
        "asf_decided_after_submitted": ("decided_on", "The decision must be on or after the day it was submitted"),
    }

    decision = choice(
        "The fund's decision",
        [("approve", "Approved"), ("reject", "Rejected")],
        radios=True,
    )
    decided_on = date_field("Date of the decision")
    rejection_reason = forms.CharField(
        label="Reason for the rejection",
        help_text="Only if the fund rejected the application: as the fund gave it.",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 4}),
        error_messages={"max_length": "The reason must be 2,000 characters or fewer"},
    )

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "approved": data["decision"] == "approve",
            "decided_on": data["decided_on"],
            "rejection_reason": data["rejection_reason"],
        }


class InvoiceForm(GovukForm):
    invoiced_on = date_field("Date of the invoice to the fund")


class PaidForm(GovukForm):
    paid_on = date_field("Date the fund paid")


class FilterForm(GovukForm):
    """The list's filters (a GET form): every field optional."""

    la = forms.TypedChoiceField(
        label="LA", required=False, coerce=int, empty_value=None, widget=forms.Select(attrs={"class": "govuk-select"})
    )
    status = choice("Status", S.choices, required=False, blank="Any status")
    financial_year = forms.TypedChoiceField(
        label="Financial year",
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )
    therapy = choice("Therapy", TherapyType.choices, required=False, blank="Any therapy")
    # One child's applications (the spend table's links); not shown as a field.
    child = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, las: Iterable[Organisation] = (), years: Iterable[int] = (), **kwargs: Any):
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["la"]).choices = [("", "Every LA"), *((o.pk, o.name) for o in las)]
        cast(forms.ChoiceField, self.fields["financial_year"]).choices = [
            ("", "Every year"),
            *((year, financial_year_label(year)) for year in years),
        ]

    def filters(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        found = {
            "la_id": data.get("la"),
            "status": data.get("status") or "",
            "financial_year": data.get("financial_year"),
            "therapy": data.get("therapy") or "",
            "child_id": data.get("child"),
        }
        return {key: value for key, value in found.items() if value not in (None, "")}
