"""The child list's search, filters and sort."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms

from adoption.models import Organisation
from children.journey import HarderToPlace, Stage, WaitingBand
from children.models import (
    FamilyFindingStatus,
)
from children.selectors import NO_FAMILY_FINDING_STATUS

# --- the child list ------------------------------------------------------------------------------------------


SORT_CHOICES = [
    ("name", "Name (A to Z)"),
    ("-name", "Name (Z to A)"),
    ("date_of_birth", "Date of birth (oldest first)"),
    ("-date_of_birth", "Date of birth (youngest first)"),
    ("-waiting", "Days waiting (most first)"),
    ("waiting", "Days waiting (fewest first)"),
]


class ChildSearchForm(forms.Form):
    q = forms.CharField(
        label="Search by name or ID",
        required=False,
        max_length=100,
        help_text="A name, LA child ID, 903 child ID or UPN.",
        widget=forms.TextInput(attrs={"class": "govuk-input", "type": "search", "spellcheck": "false"}),
    )
    # The LAs the user sees, read once (``__init__``): the choices and the check of the one chosen, without a query
    # for each (as a ModelChoiceField makes: one to check the choice, another to list the options).
    la = forms.TypedChoiceField(
        label="Local authority",
        choices=[("", "All local authorities")],
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={"invalid_choice": forms.ModelChoiceField.default_error_messages["invalid_choice"]},
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )
    stage = forms.ChoiceField(
        label="Stage",
        required=False,
        choices=[("", "Any stage"), *Stage.choices],
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )
    band = forms.ChoiceField(
        label="Time since the decision",
        required=False,
        choices=[("", "Any"), *WaitingBand.choices],
        help_text="Children waiting: a decision, not yet placed.",
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )
    family_finding = forms.ChoiceField(
        label="Family-finding status",
        required=False,
        choices=[("", "Any"), *FamilyFindingStatus.Status.choices, (NO_FAMILY_FINDING_STATUS, "Not recorded")],
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )
    flags = forms.MultipleChoiceField(
        label="Harder to place",
        required=False,
        choices=HarderToPlace.choices,
        help_text="Show children with every characteristic ticked.",
        widget=forms.CheckboxSelectMultiple(attrs={"small": True}),
    )
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=SORT_CHOICES,
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )

    def __init__(self, *args: Any, las: Iterable[Organisation] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "All local authorities"), *((la.pk, la.name) for la in las)]
        self.fields["la"].choices = choices  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        """The selector's keyword arguments; what did not validate is left out."""
        if not self.is_bound:
            return {}
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        filters: dict[str, Any] = {
            "search": data.get("q", ""),
            "la_id": data.get("la"),
            "stage": data.get("stage", ""),
            "band": data.get("band", ""),
            "flags": data.get("flags", []),
            "family_finding": data.get("family_finding", ""),
        }
        if data.get("sort"):
            filters["sort"] = data["sort"]
        return filters
