"""Forms for the panels' pages. Each form only collects; the services decide."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, cast

from django import forms

from adopters.models import Household
from adoption.concurrency import with_version
from adoption.forms import GovukForm, VersionedForm, choice, date_field, text, yes_no
from adoption.models import Organisation, User
from adoption.uploads import size_in_words, upload_max_bytes
from panels.models import AgendaItem, Decision, Gender, PanelMember, PanelRole, PaperKind, Recommendation


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


class MemberForm(VersionedForm, _RaaForm):
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
        """The member's details, and the version of their record (``adoption.concurrency``)."""
        initial = {
            "name": member.name,
            "roles": list(member.roles),
            "post_qualifying_years": member.post_qualifying_years,
            "on_list_from": member.on_list_from,
            "off_list_on": member.off_list_on,
            "gender": member.gender,
            "lived_experience": {True: "yes", False: "no", None: None}[member.lived_experience],
            "user": member.user_id,
        }
        return with_version(initial, member)


class AppraisalForm(VersionedForm, GovukForm):
    due_on = date_field("Date the appraisal is (or was) due")
    done_on = date_field("Date it was done", required=False, help_text="Leave empty if it has not happened yet.")
    next_due_on = date_field(
        "Date the next appraisal is due (optional)",
        required=False,
        help_text="Only when recording one done. For example, 30 6 2026",
    )


# --- meetings ----------------------------------------------------------------------------------------------


class MeetingForm(VersionedForm, _RaaForm):
    held_on = date_field("Date of the meeting", help_text="For example, 14 10 2025")
    starts_at = forms.TimeField(
        label="Start time",
        help_text="Use the 24-hour clock, for example 09:30 or 13:00.",
        input_formats=["%H:%M", "%H.%M"],
        widget=forms.TimeInput(format="%H:%M", attrs={"class": "govuk-input govuk-input--width-5"}),
        error_messages={"required": "Enter the start time", "invalid": "Enter the start time like 09:30 or 13:00"},
    )
    place = text("Place", max_length=100, width="20", help_text="The town or venue, for example Warwick.")
    joint = yes_no(
        "Is it a joint panel with another agency?",
        required=False,
        help_text="A joint panel needs more members to be quorate (six under the regulations).",
    )

    def service_kwargs(self) -> dict[str, Any]:
        kwargs = super().service_kwargs()
        kwargs["joint"] = bool(kwargs.get("joint"))
        return kwargs


class InviteForm(VersionedForm, GovukForm):
    """Who is invited; it carries the version of the meeting and its invitations (``adoption.concurrency``)."""

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


# --- the agenda ----------------------------------------------------------------------------------------------


def _time_field(label: str, help_text: str = "Use the 24-hour clock, for example 09:30 or 13:00.") -> forms.TimeField:
    return forms.TimeField(
        label=label,
        help_text=help_text,
        input_formats=["%H:%M", "%H.%M"],
        widget=forms.TimeInput(format="%H:%M", attrs={"class": "govuk-input govuk-input--width-5"}),
        error_messages={"required": f"Enter the {label.lower()}", "invalid": "Enter a time like 09:30 or 13:00"},
    )


def _record_field(label: str, options: Iterable[tuple[int, str]], message: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        coerce=int,
        choices=[("", "Choose one"), *options],
        widget=forms.Select(attrs={"class": "govuk-select"}),
        error_messages={"required": message, "invalid_choice": message},
    )


class AgendaItemForm(GovukForm):
    """An item of one kind: the record it is about (the choices the page passes) and who presents it."""

    RECORD_FIELDS: dict[str, tuple[str, str, str]] = {
        AgendaItem.Kind.APPROVAL: ("household", "Household", "Choose the household"),
        AgendaItem.Kind.REVIEW: ("household", "Household", "Choose the household"),
        AgendaItem.Kind.MATCH: ("link", "Proposed match (the link)", "Choose the proposed match"),
        AgendaItem.Kind.RELINQUISHED: ("child", "Child", "Choose the child"),
        AgendaItem.Kind.DISRUPTION: ("disruption", "Disruption", "Choose the disruption"),
    }

    presenting_worker = text("Presenting social worker", required=False, width="20")

    def __init__(self, *args: Any, kind: str, options: Iterable[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        name, label, message = self.RECORD_FIELDS[kind]
        self.fields = {name: _record_field(label, options, message), **self.fields}
        self.record_name = name
        self.service_fields = {f"{name}_id": name}
        if kind == AgendaItem.Kind.MATCH:
            self.fields["with_foster_carers"] = yes_no(
                "Are the family the child's foster carers?",
                required=False,
                help_text="A member with fostering experience must then sit (fostering for adoption is found "
                "from the child's record).",
            )

    def service_kwargs(self) -> dict[str, Any]:
        kwargs = super().service_kwargs()
        if "with_foster_carers" in kwargs:
            kwargs["with_foster_carers"] = bool(kwargs["with_foster_carers"])
        return kwargs


class AgendaItemUpdateForm(VersionedForm, GovukForm):
    starts_at = _time_field("Item starts", "The agenda keeps its order. Use the 24-hour clock, for example 10:45.")
    presenting_worker = text("Presenting social worker", required=False, width="20")


# What a file that is not a PDF starts with, and what it is. Nothing is opened or unpacked to tell: a ZIP (a Word
# or Excel file is one) could expand to gigabytes.
_NOT_PDF: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a Word or Excel document, or a ZIP file"),
    (b"PK\x05\x06", "an empty ZIP file"),
    (b"\xd0\xcf\x11\xe0", "an older Word or Excel document"),
    (b"\x1f\x8b", "a compressed (GZIP) file"),
    (b"7z\xbc\xaf\x27\x1c", "a compressed (7-Zip) file"),
    (b"Rar!", "a compressed (RAR) file"),
    (b"\x89PNG", "a picture (PNG)"),
    (b"\xff\xd8\xff", "a picture (JPEG)"),
)


class PaperForm(GovukForm):
    kind = choice("Which paper", PaperKind.choices)
    title = text("Title", required=False, help_text="Leave empty to use the paper's name.")
    upload = forms.FileField(
        label="The paper (PDF)",
        help_text="A PDF. A new version replaces the current one, which is kept.",
        widget=forms.ClearableFileInput(attrs={"class": "govuk-file-upload", "accept": "application/pdf"}),
        error_messages={"required": "Choose the PDF to upload", "empty": "The file is empty"},
    )
    service_fields = {"upload": "upload"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["upload"].help_text = (
            f"A PDF smaller than {size_in_words(upload_max_bytes())}. "
            "A new version replaces the current one, which is kept."
        )

    def clean_upload(self) -> Any:
        """Refuse, before anything is stored, a file too big or that is plainly not a PDF (judged by its first
        bytes: nothing is opened). The service reads the PDF itself to count its pages."""
        upload = self.cleaned_data["upload"]
        limit = upload_max_bytes()  # the service's one upload limit (setting UPLOAD_MAX_BYTES)
        if (upload.size or 0) > limit:
            raise forms.ValidationError(
                f"The file is larger than {size_in_words(limit)}: save the paper as a smaller PDF (for example with "
                "'Reduce file size' or without scanned pages in colour) and upload it again"
            )
        upload.seek(0)
        head = upload.read(8)
        upload.seek(0)
        for signature, what in _NOT_PDF:
            if head.startswith(signature):
                raise forms.ValidationError(
                    f"The file must be a PDF: this is {what}. Save the paper as PDF and upload that"
                )
        if not head.startswith(b"%PDF-"):
            raise forms.ValidationError("The file must be a PDF: save the paper as PDF and upload that")
        return upload


class RecommendationForm(VersionedForm, GovukForm):
    recommendation = choice("The panel's recommendation", Recommendation.choices, radios=True)
    reasons = forms.CharField(
        label="The panel's reasons",
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 5}),
        error_messages={"required": "Enter the panel's reasons"},
    )
    service_fields = {"reasons": "reasons"}


class ItemMinutesForm(VersionedForm, GovukForm):
    minutes = forms.CharField(
        label="Minutes of this item",
        required=False,
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 10}),
    )


class MinutesStepForm(GovukForm):
    on = date_field("Date")
    sent_to_adm_on = date_field(
        "Date the ADM received the final minutes",
        required=False,
        help_text="Leave empty if the same day. The ADM's decision is due 7 working days after it.",
    )

    def __init__(self, *args: Any, final: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not final:
            del self.fields["sent_to_adm_on"]


def _number(label: str, *, max_value: int = 18) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=0,
        max_value=max_value,
        widget=forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-2"}),
        error_messages={"invalid": f"Enter {label.lower()} as a number"},
    )


class DecisionForm(GovukForm):
    decision = choice("The agency decision", Decision.choices, radios=True)
    decided_on = date_field("Date of the decision")
    reasons = forms.CharField(
        label="Reasons (optional)",
        required=False,
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 4}),
    )
    service_fields = {"reasons": "reasons"}


class ApprovalDecisionForm(DecisionForm):
    """An approval also records what the family is approved for (used when approved)."""

    approved_children_min = _number("Number of children, at least", max_value=6)
    approved_children_max = _number("Number of children, at most", max_value=6)
    approved_age_min = _number("Youngest age (years)")
    approved_age_max = _number("Oldest age (years)")
    approved_for_siblings = yes_no("Approved for a sibling group?", required=False)
    disability_openness = choice("Open to a child's disability", Household.Openness.choices, required=False)
    early_permanence_approved = yes_no("Approved for early permanence (fostering for adoption)?", required=False)

    def service_kwargs(self) -> dict[str, Any]:
        kwargs = super().service_kwargs()
        for flag in ("approved_for_siblings", "early_permanence_approved"):
            kwargs[flag] = bool(kwargs.get(flag))
        return kwargs


class ToldForm(GovukForm):
    told_on = date_field("Date they were told of the decision")
