"""Forms for placements from a match, the adoption application, disruptions and their learning actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from adoption.concurrency import with_version
from adoption.forms import VersionedForm
from adoption.models import User
from children.forms.base import GovukForm, choice, date_field, yes_no
from children.models import AdoptivePlacement, Disruption

# --- the children move in -----------------------------------------------------------------------------------------


class PlacementForm(VersionedForm, GovukForm):
    """The children of a match moving in; with siblings, which of them (all by default). It carries the version of
    the match's placements (``adoption.concurrency``)."""

    placed_on = date_field("Date the children moved in with the family")
    children = forms.TypedMultipleChoiceField(
        label="Which children moved in on this date?",
        coerce=int,
        widget=forms.CheckboxSelectMultiple(attrs={"small": True}),
        help_text="When brothers and sisters move in on different days, record each day for the children who moved.",
        error_messages={"required": "Choose the children who moved in", "invalid_choice": "Choose from the list"},
    )
    with_foster_carers = yes_no("Are the children being adopted by their foster carers?", initial="no")
    moved_in_with_carers_on = date_field(
        "Date the children moved in with the foster carers",
        required=False,
        help_text="Only for foster carers adopting.",
    )

    service_fields = {"child_ids": "children"}

    def __init__(self, *args: Any, waiting: list[AdoptivePlacement], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["children"]
        field.choices = [(p.child_id, p.child.full_name) for p in waiting]  # type: ignore[attr-defined]
        if len(waiting) < 2:
            del self.fields["children"]  # one child: nothing to choose
        elif not self.is_bound:
            self.initial.setdefault("children", [p.child_id for p in waiting])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("moved_in_with_carers_on") and data.get("with_foster_carers") is False:
            self.add_error(
                "moved_in_with_carers_on", "Leave this blank unless the children's foster carers are adopting"
            )
        return data

    def service_kwargs(self) -> dict[str, Any]:
        kwargs = dict(self.cleaned_data)
        if "children" in kwargs:
            kwargs["child_ids"] = kwargs.pop("children")
        return kwargs


class AdoptionApplicationForm(VersionedForm, GovukForm):
    applied_on = date_field(
        "Date the adopters applied for the adoption order", help_text="The date the court received the application."
    )

    @staticmethod
    def initial_for(placement: AdoptivePlacement | None) -> dict[str, Any]:
        """The date already recorded (to correct it), with the version of the child's current placement."""
        return with_version({"applied_on": placement.adoption_applied_on if placement else None}, placement)


# --- disruptions --------------------------------------------------------------------------------------------------


class DisruptionForm(GovukForm):
    ended_on = date_field("Date the placement ended")
    reason = choice("Main reason the placement ended", Disruption.Reason.choices, radios=True)
    meeting_on = date_field(
        "Date of the disruption meeting", required=False, help_text="Leave blank until the meeting has been held."
    )


class DisruptionMeetingForm(VersionedForm, GovukForm):
    meeting_on = date_field("Date of the disruption meeting")


class LearningActionForm(GovukForm):
    action = forms.CharField(
        label="What will be done",
        max_length=300,
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 3}),
        help_text="What the agency will do differently. Do not include sensitive details.",
        error_messages={"required": "Enter what will be done", "max_length": "Use 300 characters or fewer"},
    )
    owner = forms.ModelChoiceField(
        label="Who owns it",
        queryset=User.objects.none(),
        empty_label="Choose someone",
        widget=forms.Select(attrs={"class": "govuk-select"}),
        error_messages={"required": "Choose who owns the action", "invalid_choice": "Choose someone from the list"},
    )
    due_on = date_field("Due by")

    service_fields = {"owner_id": "owner"}

    def __init__(self, *args: Any, owners: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["owner"]
        field.queryset = owners  # type: ignore[attr-defined]
        field.label_from_instance = lambda user: user.display_name  # type: ignore[attr-defined]

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"action": data["action"], "owner_id": data["owner"].pk, "due_on": data["due_on"]}


class LearningActionDoneForm(GovukForm):
    done_on = date_field("Date it was done")
