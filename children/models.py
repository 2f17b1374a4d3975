"""Children and their journey to permanence.

The dates are the data: each step of the journey is its own dated record, so a child's history
(a reversed decision, a placement that disrupted) is kept rather than overwritten. Field codes
follow the SSDA903 return where one exists.
"""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import F, Q

from adoption.codes import Ethnicity
from adoption.constraints import end_has_reason, ends_after_start
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


class Sex(models.TextChoices):
    """903 SEX (from the 2024 to 2025 collection: M, F or U)."""

    MALE = "M", "Male"
    FEMALE = "F", "Female"
    UNKNOWN = "U", "Not known"


@pghistory.track()
class Child(models.Model):
    responsible_la = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="children",
        limit_choices_to={"kind": "la"},
        verbose_name="responsible LA",
    )
    la_child_id = models.CharField("LA child ID", max_length=50, blank=True)
    child_903_id = models.CharField("903 child ID", max_length=10, blank=True)
    upn = models.CharField("UPN", max_length=13, blank=True)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    expected_date_of_birth = models.DateField(
        null=True, blank=True, help_text="For an unborn baby, until the date of birth is known."
    )
    sex = models.CharField(max_length=1, choices=Sex.choices, blank=True)
    ethnicity = models.CharField(max_length=4, choices=Ethnicity.choices, default=Ethnicity.NOBT)
    has_disability = models.BooleanField(default=False)
    is_uasc = models.BooleanField("unaccompanied asylum-seeking child", default=False)
    # For family finding: where the birth family lives, and whether the child must not be placed there.
    birth_family_area = models.CharField("area where the birth family lives", max_length=100, blank=True)
    avoid_birth_family_area = models.BooleanField("must not be placed in the birth family's area", default=False)
    early_permanence_sought = models.BooleanField(
        "early permanence sought", default=False, help_text="Fostering for adoption or concurrent planning is sought."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name", "id"]
        verbose_name_plural = "children"
        constraints = [
            models.CheckConstraint(
                condition=Q(date_of_birth__isnull=False) | Q(expected_date_of_birth__isnull=False),
                name="child_has_birth_or_expected_date",
            ),
            models.UniqueConstraint(
                fields=["responsible_la", "la_child_id"], condition=~Q(la_child_id=""), name="child_unique_la_id"
            ),
            models.UniqueConstraint(
                fields=["responsible_la", "child_903_id"], condition=~Q(child_903_id=""), name="child_unique_903_id"
            ),
        ]
        indexes = [models.Index(fields=["responsible_la", "last_name"], name="child_la_name_idx")]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


@pghistory.track()
class PeriodOfCare(models.Model):
    """A continuous period in care: starts with a 903 episode with RNE=S, ends with its REC.

    ``start_before_records``: the period began before the earliest 903 return imported for the
    child. A return holds only the episodes open in its year, so a child in care since an earlier
    year arrives with a first episode that continues the period (RNE other than S). Such a period
    starts on that earliest known episode's start, which is a day the child was in care, NOT the
    day they entered care: that date is unknown, and whatever reads "date entered care" (rule 334,
    scorecard measures, Annex A, the child's page) treats it as unknown.
    """

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="periods_of_care")
    started_on = models.DateField("entered care")
    start_before_records = models.BooleanField(
        "began before the returns held",
        default=False,
        help_text="The start of this period is not in the returns imported: the start date is the earliest "
        "episode known, not the date the child entered care.",
    )
    ended_on = models.DateField("left care", null=True, blank=True)
    reason_ended = models.CharField(
        max_length=3,
        choices=[c for c in ReasonEpisodeCeased.choices if c[0] != ReasonEpisodeCeased.X1],
        blank=True,
        help_text="903 REC of the episode that ended the period.",
    )

    class Meta:
        ordering = ["child", "started_on"]
        constraints = [
            ends_after_start("period_of_care_ends_after_start"),
            end_has_reason("period_of_care_end_has_reason"),
            models.UniqueConstraint(fields=["child", "started_on"], name="period_of_care_unique_start"),
            # Only the child's earliest recorded period can begin before the returns held (the
            # services start one only for a child with no period of care recorded).
            models.UniqueConstraint(
                fields=["child"], condition=Q(start_before_records=True), name="period_of_care_one_start_before_records"
            ),
        ]

    def __str__(self) -> str:
        if self.start_before_records:
            return f"In care before {self.started_on} (the start is not in the returns imported)"
        return f"In care from {self.started_on}"


@pghistory.track()
class AdoptionDecision(models.Model):
    """The ADM's decision that the child should be placed for adoption (903 AD1 DATE_INT), and any reversal."""

    class ReversalReason(models.TextChoices):
        RD1 = "RD1", "The child's needs changed"
        RD2 = "RD2", "The court did not make a placement order"
        RD3 = "RD3", "Prospective adopters could not be found"
        RD4 = "RD4", "Any other reason"

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="adoption_decisions")
    decided_on = models.DateField("date of the decision")
    reversed_on = models.DateField("date reversed", null=True, blank=True)
    reversal_reason = models.CharField(max_length=3, choices=ReversalReason.choices, blank=True)

    class Meta:
        ordering = ["child", "decided_on"]
        constraints = [
            ends_after_start("adoption_decision_reversed_after_decision", start="decided_on", end="reversed_on"),
            end_has_reason("adoption_decision_reversal_has_reason", end="reversed_on", reason="reversal_reason"),
            models.UniqueConstraint(
                fields=["child"], condition=Q(reversed_on__isnull=True), name="adoption_decision_one_open_per_child"
            ),
        ]

    def __str__(self) -> str:
        return f"Should be placed for adoption ({self.decided_on})"


@pghistory.track()
class PlacementOrder(models.Model):
    class OrderType(models.TextChoices):
        E1 = "E1", "Placement order (E1)"
        D1 = "D1", "Freeing order (D1)"

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="placement_orders")
    made_on = models.DateField("date of the order")
    order_type = models.CharField(max_length=2, choices=OrderType.choices, default=OrderType.E1)
    court = models.CharField(max_length=200, blank=True)
    # Imported from a return whose first episode already had the order's legal status (E1 or D1)
    # without changing to it: the order was made on or before ``made_on`` (that episode's start), in
    # a return not imported. Its true date is unknown, so what reports the date leaves it blank.
    made_before_records = models.BooleanField(
        "made before the returns held",
        default=False,
        help_text="The order was made on or before this date; its date is not in the returns imported.",
    )

    class Meta:
        ordering = ["child", "made_on"]
        constraints = [models.UniqueConstraint(fields=["child", "made_on"], name="placement_order_unique_date")]

    def __str__(self) -> str:
        if self.made_before_records:
            return f"{self.get_order_type_display()} (on or before {self.made_on})"
        return f"{self.get_order_type_display()} ({self.made_on})"


@pghistory.track()
class AdoptivePlacement(models.Model):
    """A match with a household and the child moving in (903 AD1 DATE_MATCH, PlacedAdoption DATE_PLACED).

    ``with_foster_carers``: adopted by their own foster carers (903 placements A3/A5). For those
    children scorecard measure A10 ends on the date they moved in with the carers.
    """

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="adoptive_placements")
    household = models.ForeignKey(
        "adopters.Household", on_delete=models.PROTECT, null=True, blank=True, related_name="placements"
    )
    matched_on = models.DateField("date of the match decision")
    placed_on = models.DateField("moved in with the adoptive family", null=True, blank=True)
    with_foster_carers = models.BooleanField("placed with their foster carers", default=False)
    moved_in_with_carers_on = models.DateField("moved in with the foster carers", null=True, blank=True)
    ended_on = models.DateField("placement ended before an adoption order", null=True, blank=True)
    match = models.ForeignKey(
        "Match",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="placements",
        help_text="The match this child is part of (several children: a sibling group matched together).",
    )
    adoption_applied_on = models.DateField("adoption application made", null=True, blank=True)

    class Meta:
        ordering = ["child", "matched_on"]
        constraints = [
            # 903 rule 331: the match is on or before the placement.
            models.CheckConstraint(
                condition=Q(placed_on__isnull=True) | Q(placed_on__gte=F("matched_on")),
                name="adoptive_placement_placed_after_match",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(placed_on__isnull=False, ended_on__gte=F("placed_on")),
                name="adoptive_placement_ends_after_placed",
            ),
            models.CheckConstraint(
                condition=Q(moved_in_with_carers_on__isnull=True)
                | Q(with_foster_carers=True, placed_on__isnull=False, moved_in_with_carers_on__lte=F("placed_on")),
                name="adoptive_placement_carers_before_placement",
            ),
        ]

    def __str__(self) -> str:
        return f"Matched {self.matched_on}"


@pghistory.track()
class PermanenceOutcome(models.Model):
    class Kind(models.TextChoices):
        ADOPTION_ORDER = "adoption_order", "Adoption order"
        SPECIAL_GUARDIANSHIP = "sgo", "Special guardianship order"
        CHILD_ARRANGEMENTS = "cao", "Child arrangements order"
        LONG_TERM_FOSTERING = "long_term_fostering", "Long-term fostering"
        RETURN_HOME = "return_home", "Return home"

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="permanence_outcomes")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    made_on = models.DateField("date")
    court = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["child", "made_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["child"], condition=Q(kind="adoption_order"), name="permanence_one_adoption_order"
            ),
        ]
        indexes = [models.Index(fields=["kind", "made_on"], name="permanence_kind_date_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.made_on})"


@pghistory.track()
class Episode(models.Model):
    """One 903 episode: a stretch of a period of care with the same legal status and placement."""

    period = models.ForeignKey(PeriodOfCare, on_delete=models.PROTECT, related_name="episodes")
    started_on = models.DateField("date episode began (DECOM)")
    reason_new_episode = models.CharField(
        "reason for new episode (RNE)", max_length=1, choices=ReasonNewEpisode.choices
    )
    legal_status = models.CharField("legal status (LS)", max_length=2, choices=LegalStatus.choices)
    category_of_need = models.CharField("category of need (CIN)", max_length=2, choices=CategoryOfNeed.choices)
    placement_type = models.CharField("placement type (PLACE)", max_length=3, choices=PlacementType.choices)
    placement_provider = models.CharField(
        "placement provider (PLACE_PROVIDER)", max_length=3, choices=PlacementProvider.choices, blank=True
    )
    ended_on = models.DateField("date episode ceased (DEC)", null=True, blank=True)
    reason_ended = models.CharField(
        "reason episode ceased (REC)", max_length=3, choices=ReasonEpisodeCeased.choices, blank=True
    )
    reason_place_change = models.CharField(
        "reason for placement change", max_length=6, choices=ReasonPlaceChange.choices, blank=True
    )
    home_postcode = models.CharField("home postcode (HOME_POST)", max_length=8, blank=True)
    placement_postcode = models.CharField("placement postcode (PL_POST)", max_length=8, blank=True)
    urn = models.CharField("Ofsted URN", max_length=8, blank=True)

    class Meta:
        ordering = ["period", "started_on"]
        constraints = [
            ends_after_start("episode_ends_after_start"),
            end_has_reason("episode_end_has_reason"),
            models.UniqueConstraint(fields=["period", "started_on"], name="episode_unique_start"),
        ]

    def __str__(self) -> str:
        return f"Episode from {self.started_on} ({self.legal_status}/{self.placement_type})"


@pghistory.track()
class SiblingGroup(models.Model):
    """Brothers and sisters whose plans are considered together."""

    class Plan(models.TextChoices):
        TOGETHER = "together", "Place together"
        APART = "apart", "Place apart"
        UNDECIDED = "undecided", "Not yet decided"

    class AssessmentOutcome(models.TextChoices):
        TOGETHER = "together", "Recommends placing together"
        APART = "apart", "Recommends placing apart"
        SOME_TOGETHER = "some_together", "Recommends some together, some apart"

    responsible_la = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="sibling_groups", limit_choices_to={"kind": "la"}
    )
    name = models.CharField(max_length=200, help_text="How the group is known, for example 'Bates siblings'.")
    plan = models.CharField(max_length=10, choices=Plan.choices, default=Plan.UNDECIDED)
    assessed_on = models.DateField("date of the sibling assessment", null=True, blank=True)
    assessment_outcome = models.CharField(max_length=15, choices=AssessmentOutcome.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(assessed_on__isnull=True, assessment_outcome="")
                | Q(assessed_on__isnull=False) & ~Q(assessment_outcome=""),
                name="sibling_group_assessment_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SiblingGroupMember(models.Model):
    group = models.ForeignKey(SiblingGroup, on_delete=models.PROTECT, related_name="members")
    child = models.OneToOneField(Child, on_delete=models.PROTECT, related_name="sibling_membership")

    class Meta:
        ordering = ["group", "child__date_of_birth"]

    def __str__(self) -> str:
        return f"{self.child} in {self.group}"


@pghistory.track()
class FamilyFindingStatus(models.Model):
    """The child's family-finding status from a date; the latest is the current one."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Actively family finding"
        ON_HOLD = "on_hold", "On hold"
        LINK_IDENTIFIED = "link_identified", "Link identified"
        NOT_SOUGHT = "not_sought", "Family not being sought"

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="family_finding_statuses")
    status = models.CharField(max_length=20, choices=Status.choices)
    status_from = models.DateField("from")
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["child", "status_from", "id"]
        verbose_name_plural = "family finding statuses"

    def __str__(self) -> str:
        return f"{self.get_status_display()} from {self.status_from}"


@pghistory.track()
class Featuring(models.Model):
    """The child featured outside the agency to find a family."""

    class Channel(models.TextChoices):
        LINK_MAKER = "link_maker", "Link Maker"
        EXCHANGE_DAY = "exchange_day", "Exchange day"
        ACTIVITY_DAY = "activity_day", "Adoption activity day"
        OTHER = "other", "Other"

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="featurings")
    channel = models.CharField(max_length=15, choices=Channel.choices)
    featured_on = models.DateField("date featured")

    class Meta:
        ordering = ["child", "featured_on"]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} ({self.featured_on})"


@pghistory.track()
class EarlyPermanencePlacement(models.Model):
    """Fostering for adoption or concurrent planning (903 placements U2/U5)."""

    class Kind(models.TextChoices):
        FOSTERING_FOR_ADOPTION = "ffa", "Fostering for adoption"
        CONCURRENT_PLANNING = "concurrent", "Concurrent planning"

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="early_permanence_placements")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    household = models.ForeignKey(
        "adopters.Household", on_delete=models.PROTECT, null=True, blank=True, related_name="early_permanence"
    )
    started_on = models.DateField("date placed")
    ended_on = models.DateField("date ended", null=True, blank=True)

    class Meta:
        ordering = ["child", "started_on"]
        constraints = [
            ends_after_start("early_permanence_ends_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} from {self.started_on}"


@pghistory.track()
class ProceedingsTracking(models.Model):
    """Where the child is in the court process, from a date; the latest is the current one."""

    class Stage(models.TextChoices):
        PRE_BIRTH = "pre_birth", "Pre-birth assessment"
        PRE_PROCEEDINGS = "pre_proceedings", "Pre-proceedings (PLO)"
        CARE_PROCEEDINGS = "care_proceedings", "Care proceedings"
        POST_PLACEMENT_ORDER = "post_placement_order", "After the placement order"

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="proceedings_tracking")
    stage = models.CharField(max_length=25, choices=Stage.choices)
    stage_from = models.DateField("from")
    final_hearing_on = models.DateField("expected final hearing", null=True, blank=True)

    class Meta:
        ordering = ["child", "stage_from", "id"]
        verbose_name_plural = "proceedings tracking"

    def __str__(self) -> str:
        return f"{self.get_stage_display()} from {self.stage_from}"


@pghistory.track()
class ChildPermanenceReport(models.Model):
    """The Child's Permanence Report (CPR), written by the child's social worker."""

    class Status(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        SUBMITTED = "submitted", "Submitted for quality assurance"
        COMPLETED = "completed", "Completed"

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="permanence_reports")
    status = models.CharField(max_length=15, choices=Status.choices, default=Status.NOT_STARTED)
    started_on = models.DateField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)
    completed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["child", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(completed_on__isnull=True) | Q(started_on__isnull=False, completed_on__gte=F("started_on")),
                name="cpr_completed_after_started",
            ),
            models.CheckConstraint(
                condition=~Q(status="completed") | Q(completed_on__isnull=False),
                name="cpr_completed_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"CPR ({self.get_status_display()})"


@pghistory.track()
class Link(models.Model):
    """A possible family for a child, from either side: the agency's link or the adopters' expression of interest.

    For a sibling group there is one link per child, sharing the group, so each child's history is whole.
    The outcome and the reason for declining come from fixed lists, so adopters can be told why.
    """

    class Origin(models.TextChoices):
        AGENCY = "agency", "Link identified by the agency"
        ADOPTERS = "adopters", "Expression of interest from the adopters"
        EXCHANGE = "exchange", "Adoption exchange, activity day or Link Maker"

    class Outcome(models.TextChoices):
        OPEN = "open", "Being explored"
        MATCHED = "matched", "Went on to a match"
        DECLINED_BY_ADOPTERS = "declined_by_adopters", "Declined by the adopters"
        DECLINED_BY_AGENCY = "declined_by_agency", "Not taken forward by the agency"
        WITHDRAWN = "withdrawn", "Withdrawn (another family chosen, or the child's plan changed)"

    class DeclineReason(models.TextChoices):
        NEEDS = "needs", "The child's needs are more than the family can meet"
        AGE = "age", "Outside the age range the family is approved for"
        SIBLINGS = "siblings", "The number of children"
        HEALTH = "health", "Uncertainty about the child's health or development"
        BACKGROUND = "background", "The child's history or birth family background"
        CONTACT = "contact", "Contact arrangements with the birth family"
        LOCATION = "location", "Location (distance, or the birth family's area)"
        ANOTHER_FAMILY = "another_family", "Another family was a closer match"
        FAMILY_CIRCUMSTANCES = "family_circumstances", "A change in the family's circumstances"
        TIMING = "timing", "Timing"
        OTHER = "other", "Another reason"

    child = models.ForeignKey(Child, on_delete=models.PROTECT, related_name="links")
    sibling_group = models.ForeignKey(
        SiblingGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="links"
    )
    household = models.ForeignKey("adopters.Household", on_delete=models.PROTECT, related_name="links")
    origin = models.CharField(max_length=10, choices=Origin.choices)
    started_on = models.DateField("date of the link")
    outcome = models.CharField(max_length=25, choices=Outcome.choices, default=Outcome.OPEN)
    outcome_on = models.DateField("date of the outcome", null=True, blank=True)
    decline_reason = models.CharField(max_length=25, choices=DeclineReason.choices, blank=True)

    class Meta:
        ordering = ["child", "-started_on", "id"]
        constraints = [
            ends_after_start("link_outcome_after_start", end="outcome_on"),
            models.CheckConstraint(
                condition=Q(outcome="open", outcome_on__isnull=True) | ~Q(outcome="open") & Q(outcome_on__isnull=False),
                name="link_outcome_has_date",
            ),
            models.CheckConstraint(
                condition=Q(outcome__in=["declined_by_adopters", "declined_by_agency"]) | Q(decline_reason=""),
                name="link_reason_only_when_declined",
            ),
            models.CheckConstraint(
                condition=~Q(outcome__in=["declined_by_adopters", "declined_by_agency"]) | ~Q(decline_reason=""),
                name="link_declined_has_reason",
            ),
            models.UniqueConstraint(
                fields=["child", "household"], condition=Q(outcome="open"), name="link_one_open_per_family"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_origin_display()} from {self.started_on}"


@pghistory.track()
class Match(models.Model):
    """One household matched with one or more children (a sibling group is one match).

    Each child's side of it is an ``AdoptivePlacement`` (903 AD1 DATE_MATCH, the placement dates).
    The panel's recommendation and the ADM's decision are recorded here; the panels app links its
    agenda items to a match (the seam it fills in).
    """

    class ReportStatus(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"

    class Recommendation(models.TextChoices):
        RECOMMENDED = "recommended", "Match recommended"
        NOT_RECOMMENDED = "not_recommended", "Match not recommended"
        DEFERRED = "deferred", "Deferred"

    household = models.ForeignKey("adopters.Household", on_delete=models.PROTECT, related_name="matches")
    sibling_group = models.ForeignKey(
        SiblingGroup, on_delete=models.PROTECT, null=True, blank=True, related_name="matches"
    )
    placement_report_status = models.CharField(
        "Adoption Placement Report", max_length=15, choices=ReportStatus.choices, default=ReportStatus.NOT_STARTED
    )
    support_plan_status = models.CharField(
        "adoption support plan", max_length=15, choices=ReportStatus.choices, default=ReportStatus.NOT_STARTED
    )
    panel_on = models.DateField("date of the matching panel", null=True, blank=True)
    panel_recommendation = models.CharField(max_length=20, choices=Recommendation.choices, blank=True)
    decided_on = models.DateField("date of the agency decision (the match)", null=True, blank=True)
    inter_agency = models.BooleanField(
        "inter-agency placement", default=False, help_text="The family was approved by another agency; a fee is due."
    )
    fee_rate = models.ForeignKey(
        "InterAgencyFeeRate", on_delete=models.PROTECT, null=True, blank=True, related_name="matches"
    )
    fee_amount = models.DecimalField("inter-agency fee due", max_digits=9, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-decided_on", "id"]
        verbose_name_plural = "matches"
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_on__isnull=True) | Q(panel_on__isnull=True) | Q(decided_on__gte=F("panel_on")),
                name="match_decision_after_panel",
            ),
            models.CheckConstraint(
                condition=Q(inter_agency=True) | Q(fee_amount__isnull=True, fee_rate__isnull=True),
                name="match_fee_only_inter_agency",
            ),
        ]

    def __str__(self) -> str:
        return f"Match with {self.household}"


class InterAgencyFeeRate(models.Model):
    """The inter-agency fee from a date, by the approving agency's type and the number of children (configuration).

    LA/RAA to LA/RAA fees are per child, with a London uplift; VAA fees have their own single-child and
    sibling rates. ``amount`` is the fee for a placement of ``children`` children (3 means three or more).
    """

    class AgencyType(models.TextChoices):
        LA_RAA = "la_raa", "Local authority or regional adoption agency"
        VAA = "vaa", "Voluntary adoption agency"

    effective_from = models.DateField()
    agency_type = models.CharField(max_length=10, choices=AgencyType.choices)
    children = models.PositiveSmallIntegerField(help_text="Children placed together (3 means three or more).")
    amount = models.DecimalField(max_digits=9, decimal_places=2)
    london_uplift_percent = models.DecimalField(
        max_digits=5, decimal_places=2, default=0, help_text="Added when the placing authority is in London."
    )

    class Meta:
        ordering = ["-effective_from", "agency_type", "children"]
        constraints = [
            models.UniqueConstraint(
                fields=["effective_from", "agency_type", "children"], name="inter_agency_fee_one_rate"
            ),
            models.CheckConstraint(condition=Q(children__gte=1, children__lte=3), name="inter_agency_fee_children"),
        ]

    def __str__(self) -> str:
        return f"{self.get_agency_type_display()}, {self.children} child(ren), from {self.effective_from}"


@pghistory.track()
class Disruption(models.Model):
    """A placement that ended before the adoption order, the disruption meeting and what was learned."""

    class Reason(models.TextChoices):
        CHILD_NEEDS = "child_needs", "The child's needs were greater than expected"
        FAMILY_CIRCUMSTANCES = "family_circumstances", "A change in the family's circumstances"
        ATTACHMENT = "attachment", "Difficulties in the relationship and attachment"
        SUPPORT = "support", "Support was not enough or came too late"
        INFORMATION = "information", "Information about the child was incomplete"
        OTHER = "other", "Another reason"

    placement = models.OneToOneField(AdoptivePlacement, on_delete=models.PROTECT, related_name="disruption")
    reason = models.CharField(max_length=25, choices=Reason.choices)
    meeting_on = models.DateField("date of the disruption meeting", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Disruption of {self.placement}"


@pghistory.track()
class LearningAction(models.Model):
    """What the agency will do differently after a disruption, with an owner and a date."""

    disruption = models.ForeignKey(Disruption, on_delete=models.PROTECT, related_name="actions")
    action = models.CharField(max_length=300)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="learning_actions")
    due_on = models.DateField("due by")
    done_on = models.DateField("done on", null=True, blank=True)

    class Meta:
        ordering = ["disruption", "due_on", "id"]

    def __str__(self) -> str:
        return self.action


class ChildAdoptionDates(models.Model):
    """An adopted child's dates, as the scorecard reads them: derived data, kept by the database.

    One row for each child with an adoption order, written only by PostgreSQL (migration
    ``children.0008``): ``children_adoption_dates_of(ids)`` computes the rows from the permanence
    outcomes, adoptive placements, periods of care, placement orders and the child's responsible LA,
    and statement-level triggers on those tables recompute the children a statement touched, so bulk
    writes (an import, a ``QuerySet.update``) keep it right too. Not a record: it has no history and
    is not kept by the retention rules (a disposal's deletes remove its row through the same triggers).

    The columns mean what :func:`children.selectors.measures.adoptions_in_period` and
    :func:`children.selectors.scorecard.scorecard_adoptions` say of the annotations they read from it:

    * ``adoption_order_on``: the adoption order's date;
    * ``moved_in_on``, ``moved_in_with_carers_on``, ``matched_on``, ``with_foster_carers``: of the child's
      current adoptive placement (begun and not ended; the latest begun, then the latest recorded);
      empty when there is none;
    * ``entered_care_on``: the start of the period of care in which they moved in (the latest begun on or
      before that day), empty when that period began before the returns held;
    * ``order_for_match_on``, ``order_for_match_before_records``: the placement order the match followed
      (the latest made on or before the match, else the first made after it).
    """

    child = models.OneToOneField(
        Child, primary_key=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="adoption_dates"
    )
    responsible_la = models.ForeignKey(
        Organisation, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    adoption_order_on = models.DateField()
    moved_in_on = models.DateField(null=True)
    moved_in_with_carers_on = models.DateField(null=True)
    entered_care_on = models.DateField(null=True)
    matched_on = models.DateField(null=True)
    with_foster_carers = models.BooleanField(null=True)
    order_for_match_on = models.DateField(null=True)
    order_for_match_before_records = models.BooleanField(null=True)

    class Meta:
        verbose_name_plural = "child adoption dates"
        indexes = [models.Index(fields=["responsible_la", "adoption_order_on"], name="adoption_dates_la_order_idx")]

    def __str__(self) -> str:
        return f"Adoption dates of child {self.child_id}"
