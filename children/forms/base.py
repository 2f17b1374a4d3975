"""What every children's form shares: GOV.UK field builders, and a service's errors shown on the form."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from adoption.fields import GovukDateField

# Messages for the database constraints a service's full_clean() reports by name.
CONSTRAINT_MESSAGES: dict[str, tuple[str, str]] = {
    "child_has_birth_or_expected_date": (
        "date_of_birth",
        "Enter the date of birth, or the expected date of birth for an unborn baby",
    ),
    "adoptive_placement_carers_before_placement": (
        "moved_in_with_carers_on",
        "The date the child moved in with their foster carers must be on or before the date they were placed for "
        "adoption",
    ),
    "adoptive_placement_placed_after_match": (
        "placed_on",
        "The child must be matched on or before being placed for adoption (903 rule 331)",
    ),
    "cpr_completed_after_started": (
        "completed_on",
        "Enter the date the CPR was started, on or before it was completed",
    ),
    "cpr_completed_has_date": ("completed_on", "Enter the date the CPR was completed"),
    "sibling_group_assessment_has_outcome": (
        "assessment_outcome",
        "Enter both the date and the outcome of the sibling assessment",
    ),
}


def add_service_errors(form: forms.Form, error: ValidationError, fields: dict[str, str] | None = None) -> None:
    """Show a service's ``ValidationError`` on the form: each message on its field, the rest above the form.

    ``fields`` maps a service's argument names to the form's field names (``household_id`` ->
    ``household``). A message for a field the form does not have goes to the top of the form, so
    nothing the service said is lost.
    """
    fields = fields or {}
    items: Iterable[tuple[str, list[str]]]
    items = error.message_dict.items() if hasattr(error, "error_dict") else [(NON_FIELD_ERRORS, error.messages)]
    for key, messages in items:
        for message in messages:
            name, text = fields.get(key, key), message
            for constraint, (constraint_field, friendly) in CONSTRAINT_MESSAGES.items():
                if constraint in message:
                    name, text = constraint_field, friendly
            form.add_error(name if name in form.fields else None, text)


# --- building blocks -----------------------------------------------------------------------------------


class GovukForm(forms.Form):
    """A form whose inputs take the GOV.UK error styles when their field has an error."""

    # Service argument name -> form field name, for add_service_errors.
    service_fields: dict[str, str] = {}

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        names = [field] if field else []
        if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
            names = list(error.error_dict)
        for name in names:
            if name in self.fields:
                self._mark_error(self.fields[name].widget)

    @staticmethod
    def _mark_error(widget: forms.Widget) -> None:
        for part in getattr(widget, "widgets", [widget]):
            css = part.attrs.get("class", "")
            for base in ("govuk-input", "govuk-select", "govuk-textarea"):
                if base in css.split() and f"{base}--error" not in css:
                    part.attrs["class"] = f"{css} {base}--error"

    def add_service_errors(self, error: ValidationError) -> None:
        add_service_errors(self, error, self.service_fields)

    def service_kwargs(self) -> dict[str, Any]:
        """The cleaned data as the service's keyword arguments."""
        return {self.service_fields_reverse().get(k, k): v for k, v in self.cleaned_data.items()}

    def service_fields_reverse(self) -> dict[str, str]:
        return {form_name: service_name for service_name, form_name in self.service_fields.items()}


def text(
    label: str, *, required: bool = True, max_length: int = 200, width: str = "", **kwargs: Any
) -> forms.CharField:
    css = "govuk-input" + (f" govuk-input--width-{width}" if width else "")
    messages = {"required": f"Enter the {label.lower()}", "max_length": f"The {label.lower()} is too long"}
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.TextInput(attrs={"class": css, "spellcheck": "false"}),
        error_messages=messages,
        **kwargs,
    )


def choice(label: str, choices: Any, *, required: bool = True, blank: str = "", radios: bool = False, **kwargs: Any):
    """A select (long lists) or radios (a few options) over a model's ``TextChoices``."""
    options = list(choices)
    message = f"Choose the {label[0].lower()}{label[1:]}"
    if radios:
        widget: forms.Widget = forms.RadioSelect(attrs=kwargs.pop("attrs", {}))
    else:
        widget = forms.Select(attrs={"class": "govuk-select"})
        options = [("", blank or "Choose one"), *options]
    return forms.ChoiceField(
        label=label,
        choices=options,
        required=required,
        widget=widget,
        error_messages={"required": message, "invalid_choice": message},
        **kwargs,
    )


def yes_no(label: str, **kwargs: Any) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect(attrs={"inline": True}),
        error_messages={"required": f"Select yes if {label[0].lower()}{label[1:].rstrip('?')}"},
        **kwargs,
    )


def date_field(label: str, *, required: bool = True, help_text: str = "For example, 27 3 2024") -> GovukDateField:
    return GovukDateField(label=label, required=required, help_text=help_text)
