"""Forms for the adopters' journey pages. Each form only collects; the services decide."""

from __future__ import annotations

from typing import Any, cast

from django import forms

from adopters.models import Applicant, Availability, Check, Household, Review
from adopters.workflow import Action
from adoption.codes import Ethnicity
from adoption.concurrency import VERSION_FIELD, with_version
from adoption.forms import GovukForm, VersionedForm, choice, date_field, text, yes_no

H = Household


def _number(label: str, *, required: bool = False, max_value: int = 18) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=0,
        max_value=max_value,
        widget=forms.NumberInput(attrs={"class": "govuk-input govuk-input--width-3", "inputmode": "numeric"}),
        error_messages={
            "required": f"Enter {label[0].lower()}{label[1:]}",
            "invalid": f"Enter {label[0].lower()}{label[1:]} as a number",
            "min_value": "Enter 0 or more",
            "max_value": f"Enter {max_value} or less",
        },
    )


def _reason(label: str, *, required: bool = True) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=300,
        widget=forms.Textarea(attrs={"class": "govuk-textarea", "rows": 3}),
        error_messages={"required": f"Enter the {label.lower()}", "max_length": "Keep it to 300 characters"},
    )


class HouseholdSearchForm(GovukForm):
    q = text("Search by household, applicant or reference", required=False, max_length=100)
    status = choice("Stage", H.Status.choices, required=False, blank="Any stage")
    route = choice("Route", H.Route.choices, required=False, blank="Either route")
    worker = forms.TypedChoiceField(
        label="Assessing social worker",
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )
    overdue = forms.BooleanField(
        label="Only households whose stage is overdue",
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "govuk-checkboxes__input"}),
    )
    sort = choice(
        "Sort by",
        [("name", "Name"), ("reference", "Reference"), ("enquired", "Newest enquiry"), ("due", "Stage due soonest")],
        required=False,
        blank="Name",
    )

    def __init__(self, *args: Any, workers: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "Anyone")] + [(u.pk, u.display_name) for u in workers]
        cast(forms.ChoiceField, self.fields["worker"]).choices = choices

    def filters(self) -> dict[str, Any]:
        if not self.is_bound or not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "q": data["q"] or "",
            "status": data["status"] or "",
            "route": data["route"] or "",
            "worker": data["worker"],
            "overdue": bool(data["overdue"]),
            "sort": data["sort"] or "name",
        }


class ApplicantForm(VersionedForm, GovukForm):
    """An applicant's details: a new applicant, or a change to one (which carries the record's version)."""

    first_name = text("First name", max_length=100)
    last_name = text("Last name", max_length=100)
    date_of_birth = date_field("Date of birth", required=False, help_text="For example, 14 6 1986")
    sex = choice("Sex", Applicant.Sex.choices, required=False, radios=True, attrs={"inline": True})
    ethnicity = choice("Ethnicity", Ethnicity.choices, initial=Ethnicity.NOBT)
    disability = choice(
        "Does the applicant have a disability?",
        Applicant.Disability.choices,
        radios=True,
        initial=Applicant.Disability.NOT_KNOWN,
        attrs={"inline": True},
    )
    sexual_orientation = choice(
        "Sexual orientation (optional to ask)",
        Applicant.SexualOrientation.choices,
        required=False,
        blank="Not asked",
    )


class EnquiryForm(GovukForm):
    """A new enquiry: the household and its first applicant (a second is optional)."""

    service_fields = {"approving_agency": "approving_agency", "applicants": "first_name"}

    approving_agency = forms.TypedChoiceField(
        label="Approving agency",
        coerce=int,
        widget=forms.Select(attrs={"class": "govuk-select"}),
        error_messages={"required": "Choose the approving agency"},
    )
    name = text("Household name", help_text="How the household is known, for example 'Patel household'.")
    area = text("Area of residence", required=False, max_length=100, width="20")
    route = choice("Route", H.Route.choices, radios=True, initial=H.Route.STANDARD)
    enquired_on = date_field("Date of enquiry")
    enquiry_source = choice("How they heard about adopting", H.EnquirySource.choices, required=False)
    enquiry_outcome = choice("Outcome of the enquiry", H.EnquiryOutcome.choices, required=False, blank="Not yet known")
    first_name = text("First applicant's first name", max_length=100)
    last_name = text("First applicant's last name", max_length=100)
    sex = choice("First applicant's sex", Applicant.Sex.choices, required=False, radios=True, attrs={"inline": True})
    second_first_name = text("Second applicant's first name (if a couple)", required=False, max_length=100)
    second_last_name = text("Second applicant's last name", required=False, max_length=100)
    second_sex = choice(
        "Second applicant's sex", Applicant.Sex.choices, required=False, radios=True, attrs={"inline": True}
    )

    def __init__(self, *args: Any, agencies: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ChoiceField, self.fields["approving_agency"])
        field.choices = [(a.pk, a.name) for a in agencies]
        if len(agencies) == 1:
            field.initial = agencies[0].pk

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("second_first_name") and not data.get("second_last_name"):
            self.add_error("second_last_name", "Enter the second applicant's last name")
        if data.get("second_last_name") and not data.get("second_first_name"):
            self.add_error("second_first_name", "Enter the second applicant's first name")
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        applicants = [{"first_name": data["first_name"], "last_name": data["last_name"], "sex": data["sex"] or ""}]
        if data.get("second_first_name"):
            applicants.append(
                {
                    "first_name": data["second_first_name"],
                    "last_name": data["second_last_name"],
                    "sex": data["second_sex"] or "",
                }
            )
        return {
            "approving_agency_id": data["approving_agency"],
            "name": data["name"],
            "area": data["area"],
            "route": data["route"],
            "enquired_on": data["enquired_on"],
            "enquiry_source": data["enquiry_source"] or "",
            "enquiry_outcome": data["enquiry_outcome"] or "",
            "applicants": applicants,
        }


class HouseholdDetailsForm(VersionedForm, GovukForm):
    service_fields = {"assessing_worker_id": "assessing_worker"}

    name = text("Household name")
    area = text("Area of residence", required=False, max_length=100, width="20")
    postcode = text(
        "Postcode",
        required=False,
        max_length=8,
        width="10",
        help_text="Needed for the 903 return when a child is placed with the family.",
    )

    def clean_postcode(self) -> str:
        return " ".join(self.cleaned_data["postcode"].upper().split())

    route = choice("Route", H.Route.choices, radios=True)
    legal_status = choice("Legal status of the adopters", H.LegalStatus.choices, required=False, blank="Not recorded")
    enquiry_source = choice("How they heard about adopting", H.EnquirySource.choices, required=False)
    enquiry_outcome = choice("Outcome of the enquiry", H.EnquiryOutcome.choices, required=False, blank="Not yet known")
    assessing_worker = forms.TypedChoiceField(
        label="Assessing social worker",
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )

    def __init__(self, *args: Any, workers: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", "Not allocated")] + [(u.pk, u.display_name) for u in workers]
        cast(forms.ChoiceField, self.fields["assessing_worker"]).choices = choices


# --- the steps of the journey ---------------------------------------------------------------------------------


class StepForm(GovukForm):
    """One step of the transition table: its date, and what else that step records."""

    service_fields = {"on": "on", "assessing_worker_id": "assessing_worker"}
    on = date_field("Date")

    def __init__(self, *args: Any, workers: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if "assessing_worker" in self.fields:
            cast(forms.ChoiceField, self.fields["assessing_worker"]).choices = [("", "Not allocated")] + [
                (u.pk, u.display_name) for u in workers
            ]

    def service_kwargs(self) -> dict[str, Any]:
        kwargs = super().service_kwargs()
        return {k: v for k, v in kwargs.items() if not (k == "assessing_worker_id" and v is None)}


def _worker_field() -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label="Assessing social worker",
        required=False,
        coerce=int,
        empty_value=None,
        widget=forms.Select(attrs={"class": "govuk-select"}),
    )


class AcceptRegistrationForm(StepForm):
    on = date_field("Date the registration of interest was accepted")
    assessing_worker = _worker_field()


class StartStage1Form(StepForm):
    on = date_field("Date stage 1 started")


class CompleteStage1Form(StepForm):
    on = date_field("Date stage 1 was completed")
    training_attended_on = date_field("Date preparation training was attended", required=False)


class StartStage2Form(StepForm):
    on = date_field("Date stage 2 started")
    stage2_notified_on = date_field(
        "Date the applicants said they wish to go on to stage 2",
        required=False,
        help_text="Leave blank if it was the day stage 2 started. For example, 3 9 2025",
    )
    assessing_worker = _worker_field()


class CompleteStage2Form(StepForm):
    on = date_field("Date stage 2 was completed", help_text="The day the Prospective Adopter's Report was finished.")
    training_attended_on = date_field("Date preparation training was attended", required=False)


class RecordPanelForm(StepForm):
    on = date_field("Date of the panel")
    panel_recommendation = choice("The panel's recommendation", H.Recommendation.choices, radios=True)


class RecordDecisionForm(StepForm):
    on = date_field("Date of the agency decision")
    decision = choice(
        "The agency decision",
        [("approve", "Approved as suitable to adopt"), ("not_approve", "Not approved")],
        radios=True,
    )
    approved_children_min = _number("Number of children, at least", max_value=6)
    approved_children_max = _number("Number of children, at most", max_value=6)
    approved_age_min = _number("Youngest age (years)")
    approved_age_max = _number("Oldest age (years)")
    approved_for_siblings = yes_no("Approved for a sibling group?", required=False)
    disability_openness = choice("Open to a child's disability", H.Openness.choices, required=False)
    early_permanence_approved = yes_no("Approved for early permanence (fostering for adoption)?", required=False)

    def service_kwargs(self) -> dict[str, Any]:
        kwargs = super().service_kwargs()
        for flag in ("approved_for_siblings", "early_permanence_approved"):
            kwargs[flag] = bool(kwargs.get(flag))
        return kwargs


class LeaveForm(StepForm):
    on = date_field("Date they left the process")
    leaving_reason = choice("Why they left", H.LeavingReason.choices, radios=True)


class DeregisterForm(StepForm):
    on = date_field("Date of de-registration")
    leaving_reason = choice("Why the family is de-registered", H.LeavingReason.choices, radios=True)


STEP_FORMS: dict[str, type[StepForm]] = {
    Action.ACCEPT_REGISTRATION: AcceptRegistrationForm,
    Action.START_STAGE_1: StartStage1Form,
    Action.COMPLETE_STAGE_1: CompleteStage1Form,
    Action.START_STAGE_2: StartStage2Form,
    Action.COMPLETE_STAGE_2: CompleteStage2Form,
    Action.RECORD_PANEL: RecordPanelForm,
    Action.RECORD_DECISION: RecordDecisionForm,
    Action.LEAVE: LeaveForm,
    Action.DEREGISTER: DeregisterForm,
}


# --- during the assessment -----------------------------------------------------------------------------------


class PauseStartForm(GovukForm):
    started_on = date_field("Date the assessment paused")
    reason = _reason("Reason for the pause")


class PauseEndForm(GovukForm):
    ended_on = date_field("Date the assessment resumed")


class HouseholdFieldForm(VersionedForm, GovukForm):
    """A page changing one of the household's own fields: it shows the field as stored, with the household's
    version (``adoption.concurrency``), so a change someone else made since is not overwritten."""

    @classmethod
    def initial_for(cls, household: H) -> dict[str, Any]:
        names = [name for name in cls.base_fields if name != VERSION_FIELD]
        return with_version({name: getattr(household, name) for name in names}, household)


class ParStatusForm(HouseholdFieldForm):
    service_fields = {"status": "par_status"}
    par_status = choice("Prospective Adopter's Report", H.ParStatus.choices, radios=True)


class ExtensionForm(HouseholdFieldForm):
    service_fields = {"reason": "stage2_extension_reason"}
    stage2_extension_reason = _reason("Reason stage 2 needs more than four months")


class CheckRequestForm(GovukForm):
    service_fields = {"applicant_id": "applicant"}
    applicant = forms.TypedChoiceField(
        label="Applicant",
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the applicant"},
    )
    kind = choice("Check", Check.Kind.choices)
    requested_on = date_field("Date requested")

    def __init__(self, *args: Any, applicants: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["applicant"]).choices = [(a.pk, a.full_name) for a in applicants]


class CheckReceiveForm(GovukForm):
    received_on = date_field("Date received")
    outcome = choice("Outcome", Check.Outcome.choices, radios=True)
    delay_reason = choice("Reason for any delay", Check.DelayReason.choices, required=False, blank="It was not late")


class CheckDelayForm(VersionedForm, GovukForm):
    delay_reason = choice("Reason for the delay", Check.DelayReason.choices)


class AvailabilityForm(GovukForm):
    status = choice("Availability for family finding", Availability.Status.choices, radios=True)
    status_from = date_field("From")


class ReviewForm(GovukForm):
    held_on = date_field("Date of the review")
    outcome = choice("Outcome", Review.Outcome.choices, radios=True)
