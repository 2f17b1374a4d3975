from __future__ import annotations

from datetime import date

from django import forms

from adoption.fields import GovukDateField
from adoption.models import Organisation


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
