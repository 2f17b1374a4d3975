"""Sibling group forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from children.forms.base import GovukForm, choice, date_field, text
from children.models import (
    Child,
    SiblingGroup,
)

# --- sibling groups -------------------------------------------------------------------------------------------


class SiblingGroupCreateForm(GovukForm):
    name = text("Name of the group", help_text="How the group is known, for example 'Bates siblings'.")
    siblings = forms.ModelMultipleChoiceField(
        label="Brothers and sisters",
        queryset=Child.objects.none(),
        widget=forms.CheckboxSelectMultiple(attrs={"small": True}),
        help_text="Children of the same local authority who are not in a sibling group yet.",
        error_messages={"required": "Choose at least one brother or sister", "invalid_choice": "Choose from the list"},
    )
    plan = choice("Plan", SiblingGroup.Plan.choices, radios=True, initial=SiblingGroup.Plan.UNDECIDED)

    service_fields = {"child_ids": "siblings"}

    def __init__(self, *args: Any, child: Child, candidates: QuerySet[Child], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.child = child
        field = self.fields["siblings"]
        field.queryset = candidates  # type: ignore[attr-defined]
        field.label_from_instance = _sibling_label  # type: ignore[attr-defined]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "plan": data["plan"],
            "child_ids": [self.child.pk, *(c.pk for c in data["siblings"])],
        }


def _sibling_label(child: Child) -> str:
    born = child.date_of_birth or child.expected_date_of_birth
    prefix = "born" if child.date_of_birth else "expected"
    return f"{child.full_name} ({prefix} {born.day} {born:%B %Y})" if born else child.full_name


class SiblingGroupUpdateForm(GovukForm):
    plan = choice("Plan", SiblingGroup.Plan.choices, radios=True)
    assessed_on = date_field("Date of the sibling assessment", required=False)
    assessment_outcome = choice(
        "Outcome of the sibling assessment",
        SiblingGroup.AssessmentOutcome.choices,
        required=False,
        blank="Not assessed yet",
    )

    @staticmethod
    def initial_for(group: SiblingGroup) -> dict[str, Any]:
        return {"plan": group.plan, "assessed_on": group.assessed_on, "assessment_outcome": group.assessment_outcome}
