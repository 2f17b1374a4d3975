"""Forms for links and matches: each turns what the user chose into one service's arguments."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.db.models import QuerySet

from adopters.models import Household
from adoption.forms import VersionedForm
from children.forms.base import GovukForm, choice, date_field
from children.models import Link, Match
from children.services.matching import OUTCOMES_TO_RECORD


def _family_label(household: Household) -> str:
    approved = f", approved {household.approved_on.day} {household.approved_on:%B %Y}" if household.approved_on else ""
    return f"{household.name} ({household.reference}, {household.approving_agency.name}{approved})"


def family_choices(households: Iterable[Household]) -> list[Any]:
    """The select's options: the user's own agencies' families first, then each other agency's under its name.

    ``households`` as ``adopters.selectors.families_for_matching`` gives them (annotated ``own_agency``, own
    first, then by agency). With no other agency's family the list is flat, as it always was.
    """
    own: list[tuple[int, str]] = []
    others: dict[str, list[tuple[int, str]]] = {}
    for household in households:
        option = (household.pk, _family_label(household))
        if getattr(household, "own_agency", True):
            own.append(option)
        else:
            others.setdefault(f"{household.approving_agency.name} (another agency)", []).append(option)
    if not others:
        return own
    return [*([("Your agency's families", own)] if own else []), *others.items()]


class _WithFamily(GovukForm):
    """A form with the family chosen from the families the user may choose (``families_for_matching``).

    The choice is taken as a household's id rather than checked against the list, so that a family whose
    approval or availability changed since the page was shown gets the service's reason, not "not in the list".
    """

    household = forms.IntegerField(
        label="Family",
        widget=forms.Select(attrs={"class": "govuk-select"}),
        error_messages={"required": "Choose the family", "invalid": "Choose a family from the list"},
    )

    service_fields = {"household_id": "household"}

    def __init__(self, *args: Any, households: QuerySet[Household], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        families = family_choices(households.select_related("approving_agency"))
        self.fields["household"].widget.choices = [("", "Choose a family"), *families]  # type: ignore[attr-defined]
        self.has_families = bool(families)


class LinkForm(_WithFamily):
    origin = choice("How the link came about", Link.Origin.choices, radios=True)
    started_on = date_field("Date of the link")


class LinkOutcomeForm(GovukForm):
    outcome = choice(
        "What happened",
        [(value, label) for value, label in Link.Outcome.choices if value in OUTCOMES_TO_RECORD],
        radios=True,
    )
    outcome_on = date_field("Date")
    decline_reason = choice(
        "Why the link was declined",
        Link.DeclineReason.choices,
        required=False,
        blank="Not declined",
        help_text="Needed when the link was declined: the family is told why.",
    )


def _matched_on() -> forms.Field:
    return date_field(
        "Date of the match decision", help_text="The agency decision maker's decision. For example, 27 3 2024"
    )


class MatchRecordForm(_WithFamily):
    matched_on = _matched_on()


class MatchFromLinkForm(GovukForm):
    """A match with the family of a link: the family and the children come from the link."""

    matched_on = _matched_on()


class MatchReportsForm(VersionedForm, GovukForm):
    placement_report_status = choice("Adoption Placement Report", Match.ReportStatus.choices, radios=True)
    support_plan_status = choice("Adoption support plan", Match.ReportStatus.choices, radios=True)


class MatchPanelForm(VersionedForm, GovukForm):
    panel_on = date_field("Date of the matching panel")
    panel_recommendation = choice("Recommendation", Match.Recommendation.choices, radios=True)


class MatchDecisionForm(VersionedForm, GovukForm):
    decided_on = date_field(
        "Date of the agency decision",
        help_text="The date of the match for every child (903 AD1 DATE_MATCH). For example, 27 3 2024",
    )
