from __future__ import annotations

from django import forms

from adoption.models import Organisation


class ChildSearchForm(forms.Form):
    q = forms.CharField(
        label="Search by name or ID",
        required=False,
        max_length=100,
        help_text="A name, LA child ID, 903 child ID or UPN.",
        widget=forms.TextInput(attrs={"class": "govuk-input", "type": "search", "spellcheck": "false"}),
    )
    la = forms.ModelChoiceField(
        label="Local authority",
        queryset=Organisation.objects.none(),
        required=False,
        empty_label="All local authorities",
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )

    def __init__(self, *args, las=None, **kwargs):
        super().__init__(*args, **kwargs)
        if las is not None:
            self.fields["la"].queryset = las
