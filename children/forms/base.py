"""What every children's form shares: the GOV.UK building blocks (``adoption.forms``) and the messages for the
children's database constraints."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from adoption import forms as shared
from adoption.forms import choice, date_field, text, yes_no

__all__ = ["CONSTRAINT_MESSAGES", "GovukForm", "add_service_errors", "choice", "date_field", "text", "yes_no"]

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
    shared.add_service_errors(form, error, fields, CONSTRAINT_MESSAGES)


class GovukForm(shared.GovukForm):
    constraint_messages = CONSTRAINT_MESSAGES
