"""Households of prospective and approved adopters, the applicants in them, and their journey.

The two-stage process (the Adoption Agencies Regulations 2005 as amended in 2013): enquiry and
registration of interest, stage 1 (pre-approval: checks, references, preparation), stage 2
(assessment, the Prospective Adopter's Report), panel recommendation, agency decision (approval),
then waiting, matching, placement and the adoption order. Fast track (previous adopters, approved
foster carers) starts at stage 2. Each step is a date on the household; where a step recurs
(checks, pauses, reviews, availability) it is its own dated record, so history is kept.

``Household.status`` moves only through the transition table in ``adopters.workflow``.
Timescales are configuration by period (``TimelinessStandard``), never literals in code.
"""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q

from adoption.codes import Ethnicity
from adoption.constraints import ends_after_start, on_or_after
from adoption.models import Organisation


@pghistory.track()
class Household(models.Model):
    class Status(models.TextChoices):
        ENQUIRY = "enquiry", "Enquiry"
        REGISTERED = "registered", "Registration of interest accepted"
        STAGE_1 = "stage_1", "Stage 1"
        BETWEEN_STAGES = "between_stages", "Stage 1 complete"
        STAGE_2 = "stage_2", "Stage 2"
        AWAITING_PANEL = "awaiting_panel", "Assessment complete, awaiting panel"
        AWAITING_DECISION = "awaiting_decision", "Panel recommended, awaiting decision"
        APPROVED = "approved", "Approved, waiting"
        MATCHED = "matched", "Matched"
        PLACED = "placed", "Child placed"
        ADOPTED = "adopted", "Adoption order made"
        LEFT = "left", "Left the process"

    class Route(models.TextChoices):
        STANDARD = "standard", "Standard (stage 1 then stage 2)"
        FAST_TRACK = "fast_track", "Fast track (starts at stage 2)"

    class LegalStatus(models.TextChoices):
        """903 LS_ADOPTR: the adopters' legal status (AD1 rules 514 to 524 tie it to SEX_ADOPTR)."""

        L0 = "L0", "Single person"
        L11 = "L11", "Married couple (different sex)"
        L12 = "L12", "Married couple (same sex)"
        L2 = "L2", "Civil partnership couple"
        L3 = "L3", "Unmarried couple (different sex) living together"
        L4 = "L4", "Unmarried couple (same sex) living together"

    class EnquirySource(models.TextChoices):
        WEBSITE = "website", "Website or online form"
        PHONE = "phone", "Telephone"
        EVENT = "event", "Information event"
        SOCIAL_MEDIA = "social_media", "Social media"
        NATIONAL = "national", "National campaign or You Can Adopt"
        WORD_OF_MOUTH = "word_of_mouth", "Friend, family or other adopters"
        FOSTER_CARER = "foster_carer", "Approved foster carer"
        OTHER = "other", "Other"

    class EnquiryOutcome(models.TextChoices):
        INVITED = "invited", "Invited to register interest"
        INFORMATION = "information", "Information sent, not proceeding now"
        NOT_SUITABLE = "not_suitable", "Not able to proceed"

    class ParStatus(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        QUALITY_ASSURANCE = "quality_assurance", "With a manager for quality assurance"
        COMPLETED = "completed", "Completed"

    class Recommendation(models.TextChoices):
        SUITABLE = "suitable", "Suitable to adopt"
        NOT_SUITABLE = "not_suitable", "Not suitable to adopt"

    class Openness(models.TextChoices):
        """How far the approved family is open to a child's disability or additional needs."""

        NONE = "none", "No disability"
        MILD = "mild", "Mild or uncertain needs"
        MODERATE = "moderate", "Moderate needs"
        SIGNIFICANT = "significant", "Significant or complex needs"

    class LeavingReason(models.TextChoices):
        """Ofsted Annex A list 11 codes 1 to 3, and other."""

        WITHDREW = "withdrew", "Adopter withdrew from process"
        ON_HOLD = "on_hold", "Process put on hold"
        REFUSED = "refused", "Application refused"
        OTHER = "other", "Other"

    approving_agency = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="households",
        limit_choices_to={"kind__in": ["raa", "vaa"]},
    )
    reference = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200, help_text="How the household is known, for example 'Patel household'.")
    area = models.CharField("area of residence", max_length=100, blank=True)
    postcode = models.CharField(
        max_length=8,
        blank=True,
        help_text="Where the family lives: a child placed with them has it as the 903 placement postcode (PL_POST).",
    )
    route = models.CharField(max_length=10, choices=Route.choices, default=Route.STANDARD)
    legal_status = models.CharField(
        "legal status of the adopters (903 LS_ADOPTR)", max_length=3, choices=LegalStatus.choices, blank=True
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ENQUIRY)
    assessing_worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessed_households",
        verbose_name="assessing social worker",
    )

    enquired_on = models.DateField("date of enquiry", null=True, blank=True)
    enquiry_source = models.CharField(max_length=15, choices=EnquirySource.choices, blank=True)
    enquiry_outcome = models.CharField(max_length=15, choices=EnquiryOutcome.choices, blank=True)
    registered_on = models.DateField("registration of interest accepted", null=True, blank=True)
    stage1_started_on = models.DateField("stage 1 started", null=True, blank=True)
    stage1_ended_on = models.DateField("stage 1 ended", null=True, blank=True)
    training_attended_on = models.DateField("preparation training attended", null=True, blank=True)
    stage2_notified_on = models.DateField(
        "date the applicants asked to start stage 2",
        null=True,
        blank=True,
        help_text="Applicants have up to six months after stage 1 to say they wish to go on to stage 2.",
    )
    stage2_started_on = models.DateField("stage 2 started", null=True, blank=True)
    stage2_ended_on = models.DateField("stage 2 ended", null=True, blank=True)
    stage2_extension_reason = models.TextField(
        "reason stage 2 needs more than four months",
        blank=True,
        help_text="With a recorded reason, stage 2 may take up to six months.",
    )
    par_status = models.CharField(
        "Prospective Adopter's Report", max_length=20, choices=ParStatus.choices, default=ParStatus.NOT_STARTED
    )
    panel_on = models.DateField("date of panel", null=True, blank=True)
    panel_recommendation = models.CharField(max_length=15, choices=Recommendation.choices, blank=True)
    approved_on = models.DateField("date approved (agency decision)", null=True, blank=True)

    # What the family is approved for.
    approved_children_min = models.PositiveSmallIntegerField("children, at least", null=True, blank=True)
    approved_children_max = models.PositiveSmallIntegerField("children, at most", null=True, blank=True)
    approved_age_min = models.PositiveSmallIntegerField("youngest age (years)", null=True, blank=True)
    approved_age_max = models.PositiveSmallIntegerField("oldest age (years)", null=True, blank=True)
    approved_for_siblings = models.BooleanField("approved for a sibling group", default=False)
    disability_openness = models.CharField(max_length=15, choices=Openness.choices, blank=True)
    early_permanence_approved = models.BooleanField(
        "approved for early permanence (fostering for adoption)", default=False
    )

    left_on = models.DateField("date left the process", null=True, blank=True)
    leaving_reason = models.CharField(max_length=10, choices=LeavingReason.choices, blank=True)
    left_from_status = models.CharField(
        "stage when they left", max_length=20, choices=Status.choices, blank=True, editable=False
    )
    deregistered_on = models.DateField("date de-registered", null=True, blank=True)

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        indexes = [
            # An agency's approved families (family finding, matching): an agency's households are mostly not
            # approved (enquiries, assessments, those who left), so without it each is read and most discarded.
            models.Index(fields=["approving_agency", "status"], name="household_agency_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(registered_on__isnull=True)
                | Q(enquired_on__isnull=True)
                | Q(registered_on__gte=models.F("enquired_on")),
                name="household_registered_after_enquiry",
            ),
            models.CheckConstraint(
                condition=Q(approved_on__isnull=True)
                | Q(registered_on__isnull=True)
                | Q(approved_on__gte=models.F("registered_on")),
                name="household_approved_after_registration",
            ),
            on_or_after("household_stage1_after_registration", "stage1_started_on", "registered_on"),
            ends_after_start("household_stage1_ends_after_start", start="stage1_started_on", end="stage1_ended_on"),
            on_or_after("household_stage2_after_stage1", "stage2_started_on", "stage1_ended_on"),
            on_or_after("household_stage2_after_registration", "stage2_started_on", "registered_on"),
            ends_after_start("household_stage2_ends_after_start", start="stage2_started_on", end="stage2_ended_on"),
            on_or_after("household_panel_after_stage2", "panel_on", "stage2_ended_on"),
            on_or_after("household_approved_after_panel", "approved_on", "panel_on"),
            on_or_after("household_left_after_enquiry", "left_on", "enquired_on"),
            on_or_after("household_deregistered_after_approval", "deregistered_on", "approved_on"),
            models.CheckConstraint(
                condition=Q(left_on__isnull=True, leaving_reason="") | Q(left_on__isnull=False) & ~Q(leaving_reason=""),
                name="household_leaving_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(approved_children_min__isnull=True)
                | Q(approved_children_max__isnull=True)
                | Q(approved_children_max__gte=models.F("approved_children_min")),
                name="household_children_range_in_order",
            ),
            models.CheckConstraint(
                condition=Q(approved_age_min__isnull=True)
                | Q(approved_age_max__isnull=True)
                | Q(approved_age_max__gte=models.F("approved_age_min")),
                name="household_age_range_in_order",
            ),
        ]

    def __str__(self) -> str:
        return self.name


@pghistory.track()
class Applicant(models.Model):
    class Sex(models.TextChoices):
        """The applicant's sex, as the 903 AD1 SEX_ADOPTR codes need it (M1, F1, MM, FF, MF)."""

        MALE = "M", "Male"
        FEMALE = "F", "Female"

    class Disability(models.TextChoices):
        YES = "yes", "Yes"
        NO = "no", "No"
        NOT_KNOWN = "not_known", "Not known"

    class SexualOrientation(models.TextChoices):
        """The ONS (Census 2021) categories, optional to collect."""

        STRAIGHT = "straight", "Straight or heterosexual"
        GAY_LESBIAN = "gay_lesbian", "Gay or lesbian"
        BISEXUAL = "bisexual", "Bisexual"
        OTHER = "other", "Another sexual orientation"
        PREFER_NOT_TO_SAY = "prefer_not_to_say", "Prefer not to say"

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="applicants")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, blank=True)
    ethnicity = models.CharField(max_length=4, choices=Ethnicity.choices, default=Ethnicity.NOBT)
    disability = models.CharField(max_length=10, choices=Disability.choices, default=Disability.NOT_KNOWN)
    sexual_orientation = models.CharField(max_length=20, choices=SexualOrientation.choices, blank=True)

    class Meta:
        ordering = ["household", "id"]
        indexes = [
            # A household's applicants in the order they were recorded (the quarterly return's first and second
            # applicant): without it each lookup walks the whole table in id order.
            models.Index(fields=["household", "id"], name="applicant_household_order_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@pghistory.track()
class Check(models.Model):
    """A stage 1 check on one applicant: requested, due, received, with its outcome."""

    class Kind(models.TextChoices):
        DBS = "dbs", "DBS (enhanced) check"
        MEDICAL = "medical", "Medical (agency medical adviser)"
        REFERENCE = "reference", "Personal reference"
        LA_CHECK = "la_check", "Local authority check"
        EMPLOYER = "employer", "Employer reference"
        EX_PARTNER = "ex_partner", "Ex-partner check"

    class Outcome(models.TextChoices):
        SATISFACTORY = "satisfactory", "Satisfactory"
        CONCERNS = "concerns", "Received with matters to explore"
        UNSATISFACTORY = "unsatisfactory", "Not satisfactory"

    class DelayReason(models.TextChoices):
        DBS_BACKLOG = "dbs_backlog", "Waiting for the Disclosure and Barring Service"
        GP = "gp", "Waiting for the GP's report"
        MEDICAL_ADVISER = "medical_adviser", "Waiting for the agency medical adviser"
        REFEREE = "referee", "Referee slow to respond"
        OTHER_LA = "other_la", "Waiting for another local authority"
        OVERSEAS = "overseas", "Check from overseas"
        APPLICANT = "applicant", "Waiting for the applicant"
        OTHER = "other", "Other"

    applicant = models.ForeignKey(Applicant, on_delete=models.PROTECT, related_name="checks")
    kind = models.CharField(max_length=15, choices=Kind.choices)
    requested_on = models.DateField("date requested")
    due_on = models.DateField("date due")
    received_on = models.DateField("date received", null=True, blank=True)
    outcome = models.CharField(max_length=15, choices=Outcome.choices, blank=True)
    delay_reason = models.CharField(max_length=20, choices=DelayReason.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["applicant", "kind", "requested_on", "id"]
        constraints = [
            on_or_after("check_due_after_request", "due_on", "requested_on"),
            on_or_after("check_received_after_request", "received_on", "requested_on"),
            models.CheckConstraint(
                condition=Q(received_on__isnull=True, outcome="") | Q(received_on__isnull=False) & ~Q(outcome=""),
                name="check_received_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.applicant}"


@pghistory.track()
class Pause(models.Model):
    """A pause in stage 1 or stage 2 at the applicants' request or for a recorded reason."""

    class Stage(models.IntegerChoices):
        STAGE_1 = 1, "Stage 1"
        STAGE_2 = 2, "Stage 2"

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="pauses")
    stage = models.PositiveSmallIntegerField(choices=Stage.choices)
    started_on = models.DateField("paused from")
    ended_on = models.DateField("resumed on", null=True, blank=True)
    reason = models.CharField(max_length=300)

    class Meta:
        ordering = ["household", "started_on", "id"]
        constraints = [
            ends_after_start("pause_ends_after_start"),
            models.UniqueConstraint(
                fields=["household"], condition=Q(ended_on__isnull=True), name="pause_one_open_per_household"
            ),
        ]

    def __str__(self) -> str:
        return f"Paused in {self.get_stage_display().lower()} from {self.started_on}"


@pghistory.track()
class Availability(models.Model):
    """The approved family's family-finding availability from a date; the latest is the current one."""

    class Status(models.TextChoices):
        AVAILABLE = "available", "Available"
        ON_HOLD = "on_hold", "On hold"
        NOT_AVAILABLE = "not_available", "Not available"
        EARLY_PERMANENCE = "early_permanence", "Early permanence carer with a child placed"

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="availability")
    status = models.CharField(max_length=20, choices=Status.choices)
    status_from = models.DateField("from")

    class Meta:
        ordering = ["household", "status_from", "id"]
        verbose_name_plural = "availability"

    def __str__(self) -> str:
        return f"{self.get_status_display()} from {self.status_from}"


@pghistory.track()
class Review(models.Model):
    """An annual review of an approved family still waiting."""

    class Outcome(models.TextChoices):
        CONTINUE = "continue", "Approval continues"
        CHANGED = "changed", "Approval continues with changed terms"
        REFER = "refer", "Referred to panel about de-registration"

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="reviews")
    held_on = models.DateField("date of review")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)

    class Meta:
        ordering = ["household", "held_on", "id"]

    def __str__(self) -> str:
        return f"Review on {self.held_on}"


class TimelinessStandard(models.Model):
    """The adopter assessment timescales in force from a date (configuration, edited in the admin).

    The statutory guidance sets stage 1 at two months and stage 2 at four (six where the agency
    records why), and gives applicants up to six months between the stages. The waiting flag and
    the review interval are the agency's own practice standards.
    """

    effective_from = models.DateField(unique=True)
    stage1_months = models.PositiveSmallIntegerField(default=2)
    stage2_months = models.PositiveSmallIntegerField(default=4)
    stage2_extended_months = models.PositiveSmallIntegerField(default=6)
    between_stages_months = models.PositiveSmallIntegerField(default=6)
    waiting_flag_months = models.PositiveSmallIntegerField(
        default=3, help_text="Approved families waiting this long without a match are flagged."
    )
    review_months = models.PositiveSmallIntegerField(default=12)
    pauses_extend_deadlines = models.BooleanField(
        default=True,
        help_text="Days paused move a stage's due date back; the time taken is always shown with and without them.",
    )

    class Meta:
        ordering = ["-effective_from"]

    def __str__(self) -> str:
        return f"Timescales from {self.effective_from}"


class CheckTurnaround(models.Model):
    """How many days after the request each kind of check is due, from a date (configuration)."""

    kind = models.CharField(max_length=15, choices=Check.Kind.choices)
    effective_from = models.DateField()
    days = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["kind", "-effective_from"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "effective_from"], name="check_turnaround_unique_per_date"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.days} days from {self.effective_from}"
