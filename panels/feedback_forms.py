"""Forms for the quality and attendee feedback pages. Each form only collects; ``panels.feedback`` decides."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from adoption.forms import GovukForm, choice
from panels.feedback import MAX_COMMENT_CHARS, MAX_WAITED_MINUTES, PaperToRate
from panels.models import AttendeeFeedback, Rating

# --- ratings of papers -----------------------------------------------------------------------------------------


def _rating_name(paper_id: int, criterion: str) -> str:
    return f"paper{paper_id}_{criterion}"


def _comment_name(paper_id: int) -> str:
    return f"paper{paper_id}_comment"


class RatingsForm(GovukForm):
    """One radios group per criterion of each paper (Inadequate to Outstanding) and a comment per paper.

    Nothing is required here: a rater may rate some criteria now and the rest later. The service refuses a
    paper with none.
    """

    def __init__(self, *args: Any, sheet: Sequence[PaperToRate] = (), **kwargs: Any) -> None:
        initial = kwargs.setdefault("initial", {})
        for entry in sheet:
            for code, value in entry.ratings.items():
                initial.setdefault(_rating_name(entry.paper.pk, code), value)
            initial.setdefault(_comment_name(entry.paper.pk), entry.comment)
        super().__init__(*args, **kwargs)
        self.sheet = list(sheet)
        for entry in sheet:
            for code, label in entry.criteria:
                self.fields[_rating_name(entry.paper.pk, code)] = forms.TypedChoiceField(
                    label=label,
                    choices=Rating.choices,
                    coerce=int,
                    required=False,
                    empty_value=None,
                    widget=forms.RadioSelect(attrs={"inline": True, "small": True}),
                    error_messages={
                        "invalid_choice": f"Choose a rating of {label.lower()} from Inadequate to Outstanding"
                    },
                )
            self.fields[_comment_name(entry.paper.pk)] = forms.CharField(
                label=f"Comments on the {entry.kind_label} (optional)",
                required=False,
                max_length=MAX_COMMENT_CHARS,
                widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 3}),
                error_messages={"max_length": f"The comment must be {MAX_COMMENT_CHARS} characters or fewer"},
            )

    def papers(self) -> list[tuple[PaperToRate, list[forms.BoundField], forms.BoundField]]:
        """Each paper with its criteria's fields and its comment field, for the template."""
        return [
            (
                entry,
                [self[_rating_name(entry.paper.pk, code)] for code, _label in entry.criteria],
                self[_comment_name(entry.paper.pk)],
            )
            for entry in self.sheet
        ]

    def rated(self) -> list[tuple[PaperToRate, dict[str, int], str]]:
        """The papers given at least one rating, with the ratings chosen and the comment."""
        chosen = []
        for entry in self.sheet:
            ratings = {
                code: self.cleaned_data[_rating_name(entry.paper.pk, code)]
                for code, _label in entry.criteria
                if self.cleaned_data.get(_rating_name(entry.paper.pk, code)) is not None
            }
            comment = self.cleaned_data.get(_comment_name(entry.paper.pk), "")
            if ratings:
                chosen.append((entry, ratings, comment))
        return chosen

    def add_paper_errors(self, entry: PaperToRate, error: ValidationError) -> None:
        """A service's refusal for one paper: each criterion's message on its radios, the rest above the form."""
        for key, messages in error.message_dict.items():
            name = _comment_name(entry.paper.pk) if key == "comment" else _rating_name(entry.paper.pk, key)
            for message in messages:
                if name in self.fields:
                    self.add_error(name, message)
                else:
                    self.add_error(None, f"{entry.kind_label}: {message}")


# --- feedback links --------------------------------------------------------------------------------------------


class FeedbackInviteForm(GovukForm):
    respondent = choice("Who is the link for?", AttendeeFeedback.Respondent.choices, radios=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["respondent"].error_messages.update(
            {"required": "Choose who the link is for", "invalid_choice": "Choose who the link is for"}
        )


WELCOME_CHOICES = [(1, "Very poor"), (2, "Poor"), (3, "Neither good nor poor"), (4, "Good"), (5, "Very good")]
RELEVANCE_CHOICES = [
    (1, "Not at all relevant"),
    (2, "Slightly relevant"),
    (3, "Somewhat relevant"),
    (4, "Mostly relevant"),
    (5, "Very relevant"),
]


def _scale(label: str, options: list[tuple[int, str]], message: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=options,
        coerce=int,
        widget=forms.RadioSelect(),
        error_messages={"required": message, "invalid_choice": message},
    )


class AttendeeFeedbackForm(GovukForm):
    welcome = _scale(
        "How welcome did the panel make you feel?", WELCOME_CHOICES, "Choose how welcome you were made to feel"
    )
    relevance = _scale(
        "How relevant were the panel's questions?", RELEVANCE_CHOICES, "Choose how relevant the panel's questions were"
    )
    waited_minutes = forms.IntegerField(
        label="How many minutes after your arrival time did your item start?",
        help_text="Enter 0 if it started on time. A whole number, for example 20.",
        min_value=0,
        max_value=MAX_WAITED_MINUTES,
        widget=forms.TextInput(
            attrs={"class": "govuk-input govuk-input--width-3", "inputmode": "numeric", "spellcheck": "false"}
        ),
        error_messages={
            "required": "Enter how many minutes after your arrival time your item started",
            "invalid": "Enter the minutes as a whole number, for example 20",
            "min_value": "Enter 0 or more minutes",
            "max_value": f"Enter {MAX_WAITED_MINUTES} minutes or fewer",
        },
    )
    comments = forms.CharField(
        label="Anything else you would like to tell us? (optional)",
        help_text=f"Up to {MAX_COMMENT_CHARS} characters. Please do not include names.",
        required=False,
        max_length=MAX_COMMENT_CHARS,
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 5}),
        error_messages={"max_length": f"Your comments must be {MAX_COMMENT_CHARS} characters or fewer"},
    )
