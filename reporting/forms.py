from __future__ import annotations

from datetime import date
from typing import Any, cast

from django import forms
from django.utils import timezone

from adoption.fields import GovukDateField
from adoption.forms import GovukForm, date_field
from adoption.models import Organisation
from adoption.periods import QUARTER_MONTHS, FinancialQuarter

ORGANISATION_ERRORS = {
    "required": "Choose a local authority or regional adoption agency",
    "invalid_choice": "Choose a local authority or regional adoption agency",
}


def organisation_field(*, label: str = "Local authority or regional adoption agency", **options: Any) -> Any:
    """The LA or RAA a quarterly report is of (its choices are set by the form, from what the user reports on)."""
    options.setdefault("error_messages", ORGANISATION_ERRORS)
    return forms.ModelChoiceField(
        label=label,
        queryset=Organisation.objects.none(),
        widget=forms.Select(attrs={"class": "govuk-select"}),
        **options,
    )


def year_field(*, required: bool = True) -> forms.TypedChoiceField:
    """A financial year, the last six to choose from (``set_years``)."""
    return forms.TypedChoiceField(
        label="Financial year",
        coerce=int,
        choices=(),
        required=required,
        error_messages={"required": "Choose a financial year", "invalid_choice": "Choose a financial year"},
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )


def quarter_field(*, required: bool = True) -> forms.TypedChoiceField:
    """A quarter of the financial year, with its months."""
    return forms.TypedChoiceField(
        label="Quarter",
        coerce=int,
        choices=[(n, f"Q{n}: {months}") for n, months in QUARTER_MONTHS.items()],
        required=required,
        error_messages={"required": "Choose a quarter", "invalid_choice": "Choose a quarter"},
        widget=forms.RadioSelect(),
    )


def set_years(form: forms.Form, today: date) -> FinancialQuarter:
    """Offer this financial year and the five before in ``form``'s ``year``; the last quarter that has ended."""
    this_year = FinancialQuarter.containing(today).year
    cast(forms.ChoiceField, form.fields["year"]).choices = [
        (year, FinancialQuarter(year, 1).financial_year) for year in range(this_year, this_year - 6, -1)
    ]
    return FinancialQuarter.last_complete(today)


def last_quarter_end(today: date) -> date:
    for month, day in ((12, 31), (9, 30), (6, 30), (3, 31)):
        candidate = date(today.year, month, day)
        if candidate < today:
            return candidate
    return date(today.year - 1, 12, 31)


class A1ReportForm(forms.Form):
    la = forms.ModelChoiceField(
        label="Local authority",
        queryset=Organisation.objects.none(),
        empty_label="Choose a local authority",
        error_messages={"required": "Choose a local authority", "invalid_choice": "Choose a local authority"},
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )
    period_end = GovukDateField(
        label="End of the 3-year period",
        help_text="For example, 31 3 2026 for the three years from 1 April 2023 to 31 March 2026.",
    )

    def __init__(self, *args, las, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["la"].queryset = las
        if not self.is_bound:
            self.initial.setdefault("period_end", last_quarter_end(date.today()))

    def clean_period_end(self) -> date:
        value = self.cleaned_data["period_end"]
        if value and value > date.today():
            raise forms.ValidationError("The end of the period must be today or in the past")
        return value


class AnnexAList11Form(GovukForm):
    agency = forms.ModelChoiceField(
        label="Approving agency",
        queryset=Organisation.objects.none(),
        empty_label="Choose an adoption agency",
        error_messages={"required": "Choose an adoption agency", "invalid_choice": "Choose an adoption agency"},
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )
    as_at = date_field(
        "Date of the request", help_text="The list covers the 12 months before this date. For example, 27 3 2026."
    )
    service_fields = {"agency_id": "agency"}

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = agencies
        if not self.is_bound:
            self.initial.setdefault("as_at", timezone.localdate())
            if agencies.count() == 1:
                self.initial["agency"] = agencies.first()

    def clean_as_at(self) -> date:
        value = self.cleaned_data["as_at"]
        if value and value > timezone.localdate():
            raise forms.ValidationError("The date of the request must be today or in the past")
        return value
