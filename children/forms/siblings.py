"""Sibling group forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from adoption.concurrency import with_version
from adoption.forms import VersionedForm
from children.forms.base import GovukForm, choice, date_field, text
from children.models import (
    Child,
    SiblingGroup,
)

# --- sibling groups -------------------------------------------------------------------------------------------


def _name_field() -> forms.CharField:
    return text(
        "Name of the group",
        max_length=SiblingGroup._meta.get_field("name").max_length or 200,
        help_text="How the group is known, for example 'Bates siblings'.",
    )


class SiblingGroupCreateForm(GovukForm):
    name = _name_field()
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


class SiblingGroupUpdateForm(VersionedForm, GovukForm):
    name = _name_field()
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
        names = ("name", "plan", "assessed_on", "assessment_outcome")
        return with_version({name: getattr(group, name) for name in names}, group)


class SiblingGroupAddMemberForm(GovukForm):
    """A brother or sister to add, offered from ``candidates``; the service decides whether they may join.

    The choice is taken as a child's id rather than checked against the list, so that a child who
    joined another group since the page was shown gets the service's reason, not "not in the list".
    """

    child = forms.IntegerField(
        label="Brother or sister",
        widget=forms.Select(attrs={"class": "govuk-select"}),
        help_text="Children of the same local authority who are not in a sibling group yet.",
        error_messages={"required": "Choose the child to add", "invalid": "Choose a child from the list"},
    )

    service_fields = {"child_id": "child"}

    def __init__(self, *args: Any, candidates: QuerySet[Child], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options = [("", "Choose a child"), *((child.pk, _sibling_label(child)) for child in candidates)]
        self.fields["child"].widget.choices = options  # type: ignore[attr-defined]
        self.has_candidates = len(options) > 1
