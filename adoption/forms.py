"""Sign-in forms, and the GOV.UK form building blocks shared by every app: field builders, error styles,
a service's errors on a form."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from adoption.fields import GovukDateField

T = TypeVar("T")


def add_service_errors(
    form: forms.Form,
    error: ValidationError,
    fields: dict[str, str] | None = None,
    constraint_messages: Mapping[str, tuple[str, str]] | None = None,
) -> None:
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
            for constraint, (constraint_field, friendly) in (constraint_messages or {}).items():
                if constraint in message:
                    name, text = constraint_field, friendly
            form.add_error(name if name in form.fields else None, text)


# --- building blocks -----------------------------------------------------------------------------------


class GovukForm(forms.Form):
    """A form whose inputs take the GOV.UK error styles when their field has an error."""

    # Service argument name -> form field name, for add_service_errors.
    service_fields: dict[str, str] = {}
    # Database constraint name -> (field, message), for the constraints a service's full_clean() reports by name.
    constraint_messages: Mapping[str, tuple[str, str]] = {}

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
        add_service_errors(self, error, self.service_fields, self.constraint_messages)

    def run(self, call: Callable[[], T]) -> T | None:
        """Call a service; on a refusal put its messages on this form (which keeps what was typed) and return None."""
        try:
            return call()
        except ValidationError as error:
            self.add_service_errors(error)
            return None

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


# --- signing in ---------------------------------------------------------------------------------------------------


class SignInForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "Enter a correct username and password. Both are case-sensitive.",
        "inactive": "This account has been switched off. Ask your administrator.",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update(
            {"autocomplete": "username", "class": "govuk-input", "spellcheck": "false"}
        )
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password", "class": "govuk-input"})


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Security code",
        help_text="The 6-digit code from your authenticator app.",
        min_length=6,
        max_length=8,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "inputmode": "numeric",
                "class": "govuk-input govuk-input--width-10",
                "spellcheck": "false",
            }
        ),
        error_messages={"required": "Enter the security code", "min_length": "The security code must be 6 digits"},
    )

    def clean_token(self) -> str:
        token = self.cleaned_data["token"].replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError("The security code must be 6 digits")
        return token


# --- editing an existing record ------------------------------------------------------------------------------


class VersionedForm(forms.Form):
    """A form that changes an existing record: it carries the record's version (``adoption.concurrency``).

    The view gives the version in ``initial`` (``concurrency.with_version``); it goes out in a hidden field and
    comes back with the user's changes as ``expected_version``, which the view passes to the service. It is not
    among the cleaned data, so ``service_kwargs()`` is as before. A form posted without it (a page opened
    before this field existed) has ``expected_version`` None, and the service checks nothing.
    Put it before the form's other bases: ``class ChildForm(VersionedForm, GovukForm)``.
    """

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    expected_version: str | None = None

    def full_clean(self) -> None:
        super().full_clean()
        cleaned = getattr(self, "cleaned_data", None)
        if cleaned is not None:
            self.expected_version = cleaned.pop("version", "") or None
