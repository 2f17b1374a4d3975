"""Adoption support: requests on duty, assessments of need, support plans, ASF applications, life story work.

Support work belongs to a local authority: in a regional agency each LA's *spoke* runs the duty service,
assesses need and makes the applications to the Adoption Support Fund (now the Adoption and Special
Guardianship Support Fund) for the families in its area. So every record here carries the LA (``la``)
whose spoke holds it, and tenancy scopes it by that LA: a spoke's support workers see their LA's
families, the RAA's managers see every LA of the RAA.

The fund's money rules change by financial year and live in ``AsfLimit`` (configuration by period),
never in code.
"""

from __future__ import annotations

from decimal import Decimal

import pghistory
from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

from adoption.constraints import end_has_reason, ends_after_start, on_or_after
from adoption.models import Organisation
from adoption.periods import financial_year_label


class SupportKind(models.TextChoices):
    ADOPTION = "adoption", "Adoption support"
    SPECIAL_GUARDIANSHIP = "special_guardianship", "Special guardianship support"


class Topic(models.TextChoices):
    """What a family asks about (the themes the source documents' duty records name)."""

    SETTLING = "settling", "Settling in"
    TELLING = "telling", "Telling the adoption story"
    CHILD_ON_PARENT_VIOLENCE = "child_on_parent_violence", "Child-on-parent violence"
    EDUCATION = "education", "Education and school"
    TRAUMA = "trauma", "Trauma and therapeutic parenting"
    CONTACT = "contact", "Contact with the birth family"
    OTHER = "other", "Something else"


class Tier(models.IntegerChoices):
    UNIVERSAL = 1, "Tier 1: universal (advice, groups, training)"
    TARGETED = 2, "Tier 2: targeted (duty and short-term work)"
    SPECIALIST = 3, "Tier 3: specialist (assessment and therapy)"


class TherapyType(models.TextChoices):
    DDP = "ddp", "Dyadic developmental psychotherapy (DDP)"
    THERAPLAY = "theraplay", "Theraplay"
    SENSORY = "sensory", "Sensory integration therapy"
    NVR = "nvr", "Non-violent resistance (NVR)"
    THERAPEUTIC_PARENTING = "therapeutic_parenting", "Therapeutic parenting"
    LIFE_STORY = "life_story", "Therapeutic life story work"
    PSYCHOTHERAPY = "psychotherapy", "Psychotherapy"
    CREATIVE = "creative", "Creative therapy (art, music, drama or play)"
    SPECIALIST_ASSESSMENT = "specialist_assessment", "Specialist assessment"
    OTHER = "other", "Another therapy"


@pghistory.track()
class SupportRequest(models.Model):
    """A contact on duty asking for support: who asked, about what, how fast the spoke answered, who has it."""

    class Requester(models.TextChoices):
        ADOPTIVE_PARENT = "adoptive_parent", "Adoptive parent"
        SPECIAL_GUARDIAN = "special_guardian", "Special guardian"
        YOUNG_PERSON = "young_person", "The young person"
        ADULT_ADOPTEE = "adult_adoptee", "Adult adoptee"
        SCHOOL = "school", "School or college"
        PROFESSIONAL = "professional", "Another professional (health, social care)"
        OTHER = "other", "Someone else"

    class Status(models.TextChoices):
        NEW = "new", "New (on duty)"
        ALLOCATED = "allocated", "Allocated"
        CLOSED = "closed", "Closed"

    class ClosedReason(models.TextChoices):
        ADVICE = "advice", "Advice or information given"
        COMPLETED = "completed", "Support completed"
        REFERRED = "referred", "Referred to another service"
        WITHDRAWN = "withdrawn", "The family withdrew"
        NO_CONTACT = "no_contact", "No further contact"

    la = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="support_requests",
        limit_choices_to={"kind": Organisation.Kind.LA},
        verbose_name="LA",
        help_text="The LA whose spoke holds the support work.",
    )
    kind = models.CharField(max_length=25, choices=SupportKind.choices, default=SupportKind.ADOPTION)
    family_name = models.CharField(
        "family", max_length=200, help_text="How the family is known, for example the Okafors."
    )
    child = models.ForeignKey(
        "children.Child", on_delete=models.PROTECT, null=True, blank=True, related_name="support_requests"
    )
    household = models.ForeignKey(
        "adopters.Household", on_delete=models.PROTECT, null=True, blank=True, related_name="support_requests"
    )
    requested_by = models.CharField("who asked", max_length=200)
    requester = models.CharField("who they are", max_length=20, choices=Requester.choices)
    received_on = models.DateField("date received")
    topic = models.CharField("what it is about", max_length=30, choices=Topic.choices)
    summary = models.TextField(blank=True)
    tier = models.PositiveSmallIntegerField(choices=Tier.choices, null=True, blank=True)
    responded_on = models.DateField("first response", null=True, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    allocated_to = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="support_requests"
    )
    allocated_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    closed_reason = models.CharField(max_length=15, choices=ClosedReason.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-received_on", "-id"]
        constraints = [
            on_or_after("support_request_response_after_received", later="responded_on", earlier="received_on"),
            on_or_after("support_request_allocated_after_received", later="allocated_on", earlier="received_on"),
            on_or_after("support_request_closed_after_received", later="closed_on", earlier="received_on"),
            end_has_reason("support_request_closed_has_reason", end="closed_on", reason="closed_reason"),
            models.CheckConstraint(
                condition=Q(allocated_to__isnull=True, allocated_on__isnull=True)
                | Q(allocated_to__isnull=False, allocated_on__isnull=False),
                name="support_request_allocated_to_someone_on_a_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="closed") | Q(closed_on__isnull=False),
                name="support_request_closed_has_date",
            ),
        ]
        indexes = [models.Index(fields=["la", "status"], name="support_request_la_status_idx")]

    def __str__(self) -> str:
        return f"{self.family_name}: {self.get_topic_display()} ({self.received_on})"


@pghistory.track()
class AssessmentOfNeed(models.Model):
    """The assessment of a family's need for adoption support (Adoption Support Services Regulations 2005)."""

    class Outcome(models.TextChoices):
        SUPPORT_PLAN = "support_plan", "Support to be provided: a support plan"
        ADVICE = "advice", "Advice and information only"
        NO_SUPPORT = "no_support", "No support needed"
        REFERRED = "referred", "Referred to another service"

    request = models.ForeignKey(SupportRequest, on_delete=models.PROTECT, related_name="assessments")
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    started_on = models.DateField("date started")
    completed_on = models.DateField("date completed", null=True, blank=True)
    outcome = models.CharField(max_length=15, choices=Outcome.choices, blank=True)
    needs = models.TextField("needs identified", blank=True)

    class Meta:
        ordering = ["request", "-started_on", "-id"]
        constraints = [
            ends_after_start("assessment_completed_after_started", start="started_on", end="completed_on"),
            end_has_reason("assessment_completed_has_outcome", end="completed_on", reason="outcome"),
        ]

    def __str__(self) -> str:
        return f"Assessment of need for {self.request.family_name} ({self.started_on})"


@pghistory.track()
class SupportPlan(models.Model):
    """What was agreed after an assessment, and when it is next reviewed."""

    assessment = models.OneToOneField(AssessmentOfNeed, on_delete=models.PROTECT, related_name="plan")
    agreed_on = models.DateField("date agreed")
    services = models.TextField("services agreed")
    therapies = models.JSONField(default=list, blank=True, help_text="TherapyType codes of the therapies agreed.")
    review_on = models.DateField("next review due")
    reviewed_on = models.DateField("last reviewed", null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-agreed_on", "-id"]
        constraints = [
            on_or_after("support_plan_review_after_agreed", later="review_on", earlier="agreed_on"),
            on_or_after("support_plan_reviewed_after_agreed", later="reviewed_on", earlier="agreed_on"),
            ends_after_start("support_plan_ends_after_agreed", start="agreed_on", end="ended_on"),
        ]

    def __str__(self) -> str:
        return f"Support plan of {self.agreed_on}"


class AsfLimit(models.Model):
    """The fund's rules from a date (configuration): the rule in force at the start of a financial year applies to it.

    To March 2025: a fair access limit of £5,000 per child per financial year, plus up to £2,500 for a
    specialist assessment, and the LA may match-fund therapy above the limit. From April 2025: £3,000 per
    child per year with assessments inside it, no match funding, and the work finished within the year.
    """

    effective_from = models.DateField(unique=True)
    fair_access_limit = models.DecimalField(max_digits=9, decimal_places=2, validators=[MinValueValidator(0)])
    specialist_assessment_limit = models.DecimalField(
        max_digits=9,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text="A separate allowance for specialist assessments; empty when assessments come inside the limit.",
    )
    match_funding = models.BooleanField(
        "match funding above the limit", default=False, help_text="The LA may pay the part of the cost above the limit."
    )
    work_within_year = models.BooleanField("work finished within the financial year", default=False)

    class Meta:
        ordering = ["-effective_from"]
        verbose_name = "ASF limit"

    def __str__(self) -> str:
        return f"ASF limits from {self.effective_from}: £{self.fair_access_limit}"


@pghistory.track()
class AsfApplication(models.Model):
    """An application to the Adoption (and Special Guardianship) Support Fund for one child's therapy."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        INVOICED = "invoiced", "Invoiced"
        PAID = "paid", "Paid"

    class Basis(models.TextChoices):
        """Why the child is eligible, found from the child's record when the application is submitted."""

        ADOPTED = "adopted", "Adopted from care"
        PLACED = "placed", "Placed for adoption"
        SPECIAL_GUARDIANSHIP = "sgo", "Special guardianship order (previously looked after)"
        CHILD_ARRANGEMENTS = "cao", "Child arrangements order (previously looked after)"
        INTERCOUNTRY = "intercountry", "Adopted from abroad (intercountry adoption)"

    la = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="asf_applications",
        limit_choices_to={"kind": Organisation.Kind.LA},
        verbose_name="LA",
        help_text="The LA whose spoke applies.",
    )
    request = models.ForeignKey(
        SupportRequest, on_delete=models.PROTECT, null=True, blank=True, related_name="asf_applications"
    )
    child = models.ForeignKey("children.Child", on_delete=models.PROTECT, related_name="asf_applications")
    basis = models.CharField("eligible as", max_length=15, choices=Basis.choices, blank=True)
    ehc_plan = models.BooleanField(
        "has an education, health and care plan", default=False, help_text="Eligible to 25 rather than 21."
    )
    intercountry = models.BooleanField("adopted from abroad (intercountry adoption)", default=False)
    therapy = models.CharField(max_length=25, choices=TherapyType.choices)
    specialist_assessment = models.BooleanField("a specialist assessment", default=False)
    provider = models.CharField(max_length=200)
    sessions = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    cost = models.DecimalField(
        "total cost",
        max_digits=9,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01"))],
        help_text="The whole cost of the work: the fund is asked for it less the LA's match funding.",
    )
    match_funding = models.DecimalField(
        "the LA's match funding",
        max_digits=9,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(0)],
    )
    work_starts_on = models.DateField("work starts")
    work_ends_on = models.DateField("work ends")
    financial_year = models.PositiveSmallIntegerField(
        editable=False, help_text="The financial year the work starts in, by its first year (2025 for 2025-26)."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    submitted_on = models.DateField(null=True, blank=True)
    decided_on = models.DateField("date approved or rejected", null=True, blank=True)
    rejection_reason = models.TextField(blank=True)
    invoiced_on = models.DateField(null=True, blank=True)
    paid_on = models.DateField(null=True, blank=True)
    # Who made it: a member of staff on the pages, or an LA's case system through the API.
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by_client = models.ForeignKey(
        "adoption.ApiClient", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "ASF application"
        constraints = [
            models.CheckConstraint(
                condition=Q(created_by__isnull=False, created_by_client__isnull=True)
                | Q(created_by__isnull=True, created_by_client__isnull=False),
                name="asf_made_by_staff_or_a_client",
            ),
            ends_after_start("asf_work_ends_after_start", start="work_starts_on", end="work_ends_on"),
            models.CheckConstraint(condition=Q(cost__gt=0), name="asf_cost_positive"),
            models.CheckConstraint(condition=Q(match_funding__gte=0), name="asf_match_funding_not_negative"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_on__isnull=False, basis__gt=""),
                name="asf_submitted_has_date_and_basis",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["approved", "rejected", "invoiced", "paid"]) | Q(decided_on__isnull=False),
                name="asf_decided_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="rejected") | ~Q(rejection_reason=""), name="asf_rejected_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["invoiced", "paid"]) | Q(invoiced_on__isnull=False),
                name="asf_invoiced_has_date",
            ),
            models.CheckConstraint(condition=~Q(status="paid") | Q(paid_on__isnull=False), name="asf_paid_has_date"),
            on_or_after("asf_decided_after_submitted", later="decided_on", earlier="submitted_on"),
            models.CheckConstraint(
                condition=Q(decided_on__isnull=True)
                | Q(invoiced_on__isnull=True)
                | Q(invoiced_on__gte=F("decided_on")),
                name="asf_invoiced_after_decided",
            ),
        ]
        indexes = [models.Index(fields=["la", "financial_year", "status"], name="asf_la_year_status_idx")]

    def __str__(self) -> str:
        return f"ASF: {self.get_therapy_display()} for {self.child} ({self.year_label})"

    @property
    def year_label(self) -> str:
        """The financial year as agencies write it, e.g. 2025-26."""
        return financial_year_label(self.financial_year)


@pghistory.track()
class LifeStoryWork(models.Model):
    """A placed child's life story book or later life letter: when it is due and where it has got to."""

    class Kind(models.TextChoices):
        LIFE_STORY_BOOK = "life_story_book", "Life story book"
        LATER_LIFE_LETTER = "later_life_letter", "Later life letter"

    child = models.ForeignKey("children.Child", on_delete=models.PROTECT, related_name="life_story_work")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    due_on = models.DateField("due")
    started_on = models.DateField(null=True, blank=True)
    completed_on = models.DateField("done", null=True, blank=True)
    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["child", "kind"]
        verbose_name_plural = "life story work"
        constraints = [
            models.UniqueConstraint(fields=["child", "kind"], name="life_story_work_one_per_kind"),
            ends_after_start("life_story_work_done_after_started", start="started_on", end="completed_on"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.child}"
