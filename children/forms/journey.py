"""The event forms: the child's own record, care, decisions and orders, family finding, matching and placement."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from adoption.concurrency import VERSION_FIELD, with_version
from adoption.forms import VersionedForm
from adoption.models import Organisation
from children.codes import (
    CategoryOfNeed,
    LegalStatus,
    PlacementProvider,
    PlacementType,
    ReasonEpisodeCeased,
    ReasonNewEpisode,
    ReasonPlaceChange,
)
from children.forms.base import CONSTRAINT_MESSAGES, GovukForm, choice, date_field, text, yes_no
from children.models import (
    AdoptionDecision,
    AdoptivePlacement,
    Child,
    ChildPermanenceReport,
    EarlyPermanencePlacement,
    Episode,
    Ethnicity,
    FamilyFindingStatus,
    Featuring,
    PermanenceOutcome,
    PlacementOrder,
    ProceedingsTracking,
    Sex,
)

# --- the child's own record ------------------------------------------------------------------------------


class ChildForm(VersionedForm, GovukForm):
    """A child's details. ``las`` given: a new child, with the LA chosen from the LAs the user sees; otherwise a
    change to a child's record, which carries its version."""

    responsible_la = forms.ModelChoiceField(
        label="Responsible local authority",
        queryset=Organisation.objects.none(),
        empty_label="Choose a local authority",
        error_messages={"required": "Choose the local authority", "invalid_choice": "Choose the local authority"},
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )
    first_name = text("First name", max_length=100)
    last_name = text("Last name", max_length=100)
    date_of_birth = date_field("Date of birth", required=False, help_text="Leave blank for an unborn baby.")
    expected_date_of_birth = date_field(
        "Expected date of birth", required=False, help_text="For an unborn baby, until the date of birth is known."
    )
    sex = choice("Sex", Sex.choices, required=False, radios=True, attrs={"inline": True})
    ethnicity = choice("Ethnicity", Ethnicity.choices, help_text="The child's ethnicity, as recorded for the 903.")
    has_disability = yes_no("Does the child have a disability?")
    is_uasc = yes_no("Is the child an unaccompanied asylum-seeking child?")
    la_child_id = text("LA child ID", required=False, max_length=50, width="10")
    child_903_id = text("903 child ID", required=False, max_length=10, width="10")
    upn = text("UPN", required=False, max_length=13, width="20", help_text="The unique pupil number, if known.")

    service_fields = {"responsible_la_id": "responsible_la"}

    def __init__(self, *args: Any, las: QuerySet[Organisation] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if las is None:
            del self.fields["responsible_la"]
        else:
            self.fields["responsible_la"].queryset = las  # type: ignore[attr-defined]
            if len(las) == 1 and not self.is_bound:
                self.initial.setdefault("responsible_la", las[0])
        if not self.is_bound:
            self.initial.setdefault("ethnicity", Ethnicity.NOBT)
            self.initial.setdefault("has_disability", "no")
            self.initial.setdefault("is_uasc", "no")

    @classmethod
    def initial_for(cls, child: Child) -> dict[str, Any]:
        skip = ("responsible_la", VERSION_FIELD)
        initial: dict[str, Any] = {name: getattr(child, name) for name in cls.base_fields if name not in skip}
        initial["has_disability"] = "yes" if child.has_disability else "no"
        initial["is_uasc"] = "yes" if child.is_uasc else "no"
        return with_version(initial, child)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (
            "date_of_birth" in data
            and "expected_date_of_birth" in data
            and not data["date_of_birth"]
            and not data["expected_date_of_birth"]
        ):
            self.add_error("date_of_birth", CONSTRAINT_MESSAGES["child_has_birth_or_expected_date"][1])
        return data

    def service_kwargs(self) -> dict[str, Any]:
        kwargs = dict(self.cleaned_data)
        if "responsible_la" in kwargs:
            kwargs["responsible_la_id"] = kwargs.pop("responsible_la").pk
        return kwargs


# --- care ------------------------------------------------------------------------------------------------------


def _postcode(label: str) -> forms.CharField:
    return text(label, required=False, max_length=8, width="10")


class EnterCareForm(GovukForm):
    started_on = date_field("Date the child entered care")
    legal_status = choice("Legal status", LegalStatus.choices, help_text="903 LS")
    category_of_need = choice("Category of need", CategoryOfNeed.choices, help_text="903 CIN")
    placement_type = choice("Placement type", PlacementType.choices, help_text="903 PLACE")
    placement_provider = choice(
        "Placement provider",
        PlacementProvider.choices,
        required=False,
        blank="Not recorded",
        help_text="903 PLACE_PROVIDER",
    )
    home_postcode = _postcode("Home postcode")
    placement_postcode = _postcode("Placement postcode")
    urn = text("Ofsted URN", required=False, max_length=8, width="10", help_text="For a placement Ofsted registers.")


class EpisodeForm(EnterCareForm):
    """A change of legal status or placement; the previous episode ends the day before."""

    field_order = [
        "started_on",
        "reason_new_episode",
        "legal_status",
        "category_of_need",
        "placement_type",
        "placement_provider",
        "reason_place_change",
    ]

    reason_new_episode = choice(
        "What changed",
        [c for c in ReasonNewEpisode.choices if c[0] != ReasonNewEpisode.S],
        radios=True,
        help_text="903 RNE",
    )
    reason_place_change = choice(
        "Reason for the change of placement",
        ReasonPlaceChange.choices,
        required=False,
        blank="Not a change of placement",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["started_on"].label = "Date of the change"

    @staticmethod
    def initial_for(episode: Episode | None) -> dict[str, Any]:
        """The current episode's codes, so the user changes only what changed."""
        if episode is None:
            return {}
        names = (
            "legal_status",
            "category_of_need",
            "placement_type",
            "placement_provider",
            "home_postcode",
            "placement_postcode",
            "urn",
        )
        return {name: getattr(episode, name) for name in names}


class LeaveCareForm(GovukForm):
    ended_on = date_field("Date the child left care")
    reason_ended = choice(
        "Reason the child left care",
        [c for c in ReasonEpisodeCeased.choices if c[0] != ReasonEpisodeCeased.X1],
        help_text="903 REC. For an adoption order, choose E11 or E12.",
    )


# --- the adoption decision and orders ---------------------------------------------------------------------


class DecisionForm(GovukForm):
    decided_on = date_field("Date of the decision")


class ReverseDecisionForm(GovukForm):
    reversed_on = date_field("Date the decision was reversed")
    reason = choice("Reason", AdoptionDecision.ReversalReason.choices, radios=True)


class PlacementOrderForm(GovukForm):
    made_on = date_field("Date of the order")
    order_type = choice("Type of order", PlacementOrder.OrderType.choices, radios=True, initial="E1")
    court = text("Court", required=False, help_text="For example, Birmingham Family Court.")


class PermanenceOutcomeForm(GovukForm):
    kind = choice("Outcome", PermanenceOutcome.Kind.choices, radios=True)
    made_on = date_field("Date of the order or decision")
    court = text("Court", required=False, help_text="The court that made the order. Needed for an adoption order.")


# --- family finding, matching and placement ---------------------------------------------------------------


def _household_field() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label="Adoptive family",
        queryset=Organisation.objects.none(),  # replaced by the households the user may see
        required=False,
        empty_label="Not recorded here",
        widget=forms.Select(attrs={"class": "govuk-select"}),
        error_messages={"invalid_choice": "Choose a family from the list"},
    )


class _WithHousehold(GovukForm):
    service_fields = {"household_id": "household"}

    def __init__(self, *args: Any, households: QuerySet | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["household"]
        if households is None or not households.exists():
            del self.fields["household"]  # the user sees no households (e.g. an LA's social worker)
        else:
            field.queryset = households  # type: ignore[attr-defined]

    def service_kwargs(self) -> dict[str, Any]:
        kwargs = dict(self.cleaned_data)
        household = kwargs.pop("household", None)
        if household is not None:
            kwargs["household_id"] = household.pk
        return kwargs


class MatchForm(VersionedForm, _WithHousehold):
    """The current match, to record the child moving in; it carries the match's version (``adoption.concurrency``)."""

    matched_on = date_field("Date of the match decision", help_text="The agency decision maker's decision.")
    household = _household_field()
    placed_on = date_field(
        "Date the child moved in with the family", required=False, help_text="Leave blank until the child moves in."
    )
    with_foster_carers = yes_no("Is the child being adopted by their foster carers?", initial="no")
    moved_in_with_carers_on = date_field(
        "Date the child moved in with the foster carers", required=False, help_text="Only for foster carers adopting."
    )

    @staticmethod
    def initial_for(placement: AdoptivePlacement | None) -> dict[str, Any]:
        """The current match, so the date the child moves in can be added to it, with its version (the version
        of no match before the first is recorded)."""
        if placement is None:
            return with_version({}, None)
        initial = {
            "matched_on": placement.matched_on,
            "household": placement.household_id,
            "placed_on": placement.placed_on,
            "with_foster_carers": "yes" if placement.with_foster_carers else "no",
            "moved_in_with_carers_on": placement.moved_in_with_carers_on,
        }
        return with_version(initial, placement)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("moved_in_with_carers_on") and data.get("with_foster_carers") is False:
            self.add_error("moved_in_with_carers_on", "Leave this blank unless the child's foster carers are adopting")
        if data.get("moved_in_with_carers_on") and not data.get("placed_on") and "placed_on" in data:
            self.add_error("placed_on", "Enter the date the child was placed for adoption with their foster carers")
        return data


class PlacementEndForm(GovukForm):
    ended_on = date_field("Date the placement ended")


class FamilyFindingForm(GovukForm):
    status = choice("Family-finding status", FamilyFindingStatus.Status.choices, radios=True)
    status_from = date_field("From")
    note = forms.CharField(
        label="Note",
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 3}),
        help_text="Optional. Do not include sensitive details.",
        error_messages={"max_length": "The note must be 500 characters or fewer"},
    )


class FeaturingForm(GovukForm):
    channel = choice("Where the child was featured", Featuring.Channel.choices, radios=True)
    featured_on = date_field("Date featured")


class EarlyPermanenceForm(_WithHousehold):
    kind = choice("Kind of early permanence", EarlyPermanencePlacement.Kind.choices, radios=True)
    started_on = date_field("Date placed")
    household = _household_field()


class ProceedingsForm(GovukForm):
    stage = choice("Stage", ProceedingsTracking.Stage.choices, radios=True)
    stage_from = date_field("From")
    final_hearing_on = date_field("Expected final hearing", required=False, help_text="If a date is listed.")


class PermanenceReportForm(VersionedForm, GovukForm):
    status = choice("Status", ChildPermanenceReport.Status.choices, radios=True)
    started_on = date_field("Date started", required=False)
    due_on = date_field("Date due", required=False)
    completed_on = date_field("Date completed", required=False)

    @staticmethod
    def initial_for(report: ChildPermanenceReport | None) -> dict[str, Any]:
        """The CPR's values and version (the version of no report, before the first is saved)."""
        if report is None:
            return with_version({}, None)
        names = ("status", "started_on", "due_on", "completed_on")
        return with_version({name: getattr(report, name) for name in names}, report)
