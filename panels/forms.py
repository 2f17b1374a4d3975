"""Forms for the panels' pages. Each form only collects; the services decide."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

from django import forms

from adoption.forms import GovukForm, choice, date_field, text, yes_no
from adoption.models import Organisation, User
from panels.models import Gender, PanelMember, PanelRole


def _raa_field() -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label="Regional adoption agency",
        coerce=int,
        widget=forms.Select(attrs={"class": "govuk-select"}),
        error_messages={"required": "Choose the RAA", "invalid_choice": "Choose the RAA"},
    )


class _RaaForm(GovukForm):
    """A form for a new record of one of the RAAs whose panels the actor runs; the choice is asked only if several."""

    service_fields = {"raa_id": "raa"}

    def __init__(self, *args: Any, raas: Sequence[Organisation] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if len(raas) > 1:
            self.fields = {"raa": _raa_field(), **self.fields}
            cast(forms.ChoiceField, self.fields["raa"]).choices = [("", "Choose one"), *((r.pk, r.name) for r in raas)]
        self.only_raa = raas[0].pk if len(raas) == 1 else None

    def service_kwargs(self) -> dict[str, Any]:
        kwargs = super().service_kwargs()
        if self.only_raa is not None:
            kwargs["raa_id"] = self.only_raa
        return kwargs


def _members_field(label: str, help_text: str = "") -> forms.TypedMultipleChoiceField:
    return forms.TypedMultipleChoiceField(
        label=label,
        help_text=help_text,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"small": True}),
        error_messages={"invalid_choice": "Choose members who are on the central list on the date of the meeting"},
    )


def member_label(member: PanelMember) -> str:
    return f"{member.name} ({', '.join(member.role_labels).lower()})"


# --- the central list --------------------------------------------------------------------------------------


class MemberForm(_RaaForm):
    service_fields = {"raa_id": "raa", "user_id": "user"}
    constraint_messages = {
        "panel_member_off_list_after_on": (
            "off_list_on",
            "The date taken off the list must be on or after the date they joined it",
        ),
        "panel_member_one_per_user_per_raa": ("user", "That account is already linked to another member of the list"),
    }

    name = text("Name")
    roles = forms.MultipleChoiceField(
        label="Roles",
        help_text="Choose every role the member holds.",
        choices=PanelRole.choices,
        widget=forms.CheckboxSelectMultiple(attrs={"small": True}),
        error_messages={"required": "Choose at least one role", "invalid_choice": "Choose roles from the list"},
    )
    post_qualifying_years = forms.IntegerField(
        label="Years of post-qualifying experience (social work members)",
        required=False,
        min_value=0,
        max_value=60,
        widget=forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-3", "inputmode": "numeric"}),
        error_messages={
            "invalid": "Enter the years of post-qualifying experience as a number",
            "min_value": "Enter 0 or more",
            "max_value": "Enter 60 or less",
        },
    )
    on_list_from = date_field("Date they joined the central list")
    off_list_on = date_field(
        "Date they were taken off the central list",
        required=False,
        help_text="Leave empty while they are on the list. For example, 31 3 2025",
    )
    gender = choice("Gender (optional)", Gender.choices, required=False, radios=True)
    lived_experience = yes_no(
        "Do they have lived experience of adoption or care? (optional)", required=False, empty_value=None
    )
    user = forms.TypedChoiceField(
        label="Their account (optional)",
        help_text="Link an account if they sign in to read agenda packs.",
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs={"class": "govuk-select"}),
        error_messages={"invalid_choice": "Choose the account of someone who works for the RAA"},
    )

    def __init__(self, *args: Any, users: Iterable[User] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        options = [(u.pk, f"{u.display_name} ({u.username})") for u in users]
        cast(forms.ChoiceField, self.fields["user"]).choices = [("", "No account"), *options]

    @staticmethod
    def initial_for(member: PanelMember) -> dict[str, Any]:
        return {
            "name": member.name,
            "roles": list(member.roles),
            "post_qualifying_years": member.post_qualifying_years,
            "on_list_from": member.on_list_from,
            "off_list_on": member.off_list_on,
            "gender": member.gender,
            "lived_experience": {True: "yes", False: "no", None: None}[member.lived_experience],
            "user": member.user_id,
        }


class AppraisalForm(GovukForm):
    due_on = date_field("Date the appraisal is (or was) due")
    done_on = date_field("Date it was done", required=False, help_text="Leave empty if it has not happened yet.")
    next_due_on = date_field(
        "Date the next appraisal is due (optional)",
        required=False,
        help_text="Only when recording one done. For example, 30 6 2026",
    )


# --- meetings ----------------------------------------------------------------------------------------------


class MeetingForm(_RaaForm):
    held_on = date_field("Date of the meeting", help_text="For example, 14 10 2025")
    starts_at = forms.TimeField(
        label="Start time",
        help_text="Use the 24-hour clock, for example 09:30 or 13:00.",
        input_formats=["%H:%M", "%H.%M"],
        widget=forms.TimeInput(format="%H:%M", attrs={"class": "govuk-input govuk-input--width-5"}),
        error_messages={"required": "Enter the start time", "invalid": "Enter the start time like 09:30 or 13:00"},
    )
    place = text("Place", max_length=100, width="20", help_text="The town or venue, for example Warwick.")


class InviteForm(GovukForm):
    members = _members_field(
        "Members invited", help_text="Members on the central list on the date of the meeting. Untick to withdraw."
    )

    def __init__(self, *args: Any, members: Sequence[PanelMember] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["members"]).choices = [(m.pk, member_label(m)) for m in members]


class AttendanceForm(InviteForm):
    members = _members_field(
        "Members who attended",
        help_text="Tick everyone who sat on the panel, including anyone who came without an invitation.",
    )
