"""Adoption panels: the central list of members, their appraisals, meetings and who attended, and the quorum rules.

The law (England): the Adoption Agencies Regulations 2005 (SI 2005/389), regulations 3 to 10 as
substituted from 1 April 2011 by the Adoption Agencies and Independent Review of Determinations
(Amendment) Regulations 2011 (SI 2011/589):

* reg. 3: the agency keeps a *central list* of people suitable to sit on its panels, including social
  workers with at least three years' relevant post-qualifying experience and the medical adviser;
* reg. 4: each panel has a chair (an independent person) and one or two vice chairs, drawn from the list;
* the meetings regulation: no business unless at least five members meet, including the chair or a
  vice chair, a social worker with three years' post-qualifying experience and an independent
  member (six for a joint panel).

The numbers live in ``QuorumRule`` (configuration by period), never in code. Panels belong to a
regional adoption agency (an ``Organisation`` of kind RAA).
"""

from __future__ import annotations

import uuid

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q

from adoption.constraints import ends_after_start, on_or_after
from adoption.models import Organisation


class PanelRole(models.TextChoices):
    """A member's roles on the central list. Order is the order pages list them in."""

    CHAIR = "chair", "Chair"
    VICE_CHAIR = "vice_chair", "Vice chair"
    INDEPENDENT = "independent", "Independent member"
    SOCIAL_WORK = "social_work", "Social work member"
    MEDICAL_ADVISER = "medical_adviser", "Medical adviser"
    ELECTED_MEMBER = "elected_member", "Elected member"
    FOSTERING = "fostering", "Member with fostering experience (fostering specialist)"


class Gender(models.TextChoices):
    WOMAN = "woman", "Woman"
    MAN = "man", "Man"
    ANOTHER = "another", "Non-binary or another gender"
    NOT_SAID = "not_said", "Prefers not to say"


@pghistory.track()
class PanelMember(models.Model):
    """One person on an RAA's central list.

    Roles are an array of ``PanelRole`` codes on the member rather than a table of their own: a member
    holds a handful of roles at once (an independent member who is also a vice chair), the quorum check
    reads the whole set, pghistory keeps every change of it with the row, the database refuses unknown
    codes and an empty set, and the make-up summary counts each role in one aggregate query
    (``roles @> ARRAY[code]``).
    """

    raa = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="panel_members",
        limit_choices_to={"kind": Organisation.Kind.RAA},
        verbose_name="RAA",
    )
    name = models.CharField(max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="panel_memberships",
        help_text="The member's account, if they sign in (to read agenda packs).",
    )
    roles = ArrayField(models.CharField(max_length=20, choices=PanelRole.choices), size=len(PanelRole.choices))
    post_qualifying_years = models.PositiveSmallIntegerField(
        "years of post-qualifying experience",
        null=True,
        blank=True,
        help_text="Social work members only: the quorum counts those with the years the rule asks for.",
    )
    on_list_from = models.DateField("on the central list from")
    off_list_on = models.DateField("taken off the central list on", null=True, blank=True)
    gender = models.CharField(max_length=10, choices=Gender.choices, blank=True)
    lived_experience = models.BooleanField(
        "lived experience of adoption or care",
        null=True,
        blank=True,
        help_text="Empty when not asked.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            ends_after_start("panel_member_off_list_after_on", start="on_list_from", end="off_list_on"),
            models.CheckConstraint(
                condition=~Q(roles=[]) & Q(roles__contained_by=PanelRole.values),
                name="panel_member_has_known_roles",
            ),
            # Years of experience belong to social work members, and every social work member has them.
            models.CheckConstraint(
                condition=Q(roles__contains=[PanelRole.SOCIAL_WORK], post_qualifying_years__isnull=False)
                | ~Q(roles__contains=[PanelRole.SOCIAL_WORK]) & Q(post_qualifying_years__isnull=True),
                name="panel_member_years_for_social_work_members",
            ),
            models.UniqueConstraint(
                fields=["raa", "user"], condition=Q(user__isnull=False), name="panel_member_one_per_user_per_raa"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def role_labels(self) -> list[str]:
        return [PanelRole(code).label for code in PanelRole.values if code in self.roles]


@pghistory.track()
class PanelAppraisal(models.Model):
    """A member's appraisal: scheduled (``done_on`` empty) or done. One open appraisal per member at a time."""

    member = models.ForeignKey(PanelMember, on_delete=models.PROTECT, related_name="appraisals")
    due_on = models.DateField("due")
    done_on = models.DateField("done", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["member", "-due_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(done_on__isnull=True), name="panel_appraisal_one_open_per_member"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member}: appraisal due {self.due_on}"


@pghistory.track()
class PanelMeeting(models.Model):
    raa = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="panel_meetings",
        limit_choices_to={"kind": Organisation.Kind.RAA},
        verbose_name="RAA",
    )
    held_on = models.DateField("date")
    starts_at = models.TimeField("start time")
    place = models.CharField(max_length=100, help_text="The town or venue.")
    joint = models.BooleanField(
        "joint panel", default=False, help_text="A panel set up jointly with another agency: its own quorum applies."
    )
    attendance_recorded_at = models.DateTimeField(null=True, blank=True, editable=False)
    confirmed_at = models.DateTimeField(
        "agenda confirmed",
        null=True,
        blank=True,
        editable=False,
        help_text="Set when the meeting is confirmed quorate.",
    )
    pack_job = models.ForeignKey(
        "adoption.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-held_on", "-starts_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["raa", "held_on", "starts_at", "place"],
                name="panel_meeting_unique_slot",
                violation_error_message="There is already a panel at this place, date and time",
            ),
        ]

    def __str__(self) -> str:
        return f"Panel {self.held_on:%d %b %Y} {self.starts_at:%H:%M}, {self.place}"


@pghistory.track()
class PanelAttendance(models.Model):
    """A member invited to a meeting, and whether they attended (a member may attend without an invitation)."""

    meeting = models.ForeignKey(PanelMeeting, on_delete=models.CASCADE, related_name="attendances")
    member = models.ForeignKey(PanelMember, on_delete=models.PROTECT, related_name="attendances")
    invited = models.BooleanField(default=True)
    attended = models.BooleanField(default=False)
    # What the member was when attendance was recorded, so a later change of roles does not rewrite a
    # past meeting's quorum.
    roles_at_meeting = ArrayField(models.CharField(max_length=20, choices=PanelRole.choices), default=list, blank=True)
    years_at_meeting = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["meeting", "member__name"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="panel_attendance_once_per_meeting"),
            models.CheckConstraint(
                condition=Q(invited=True) | Q(attended=True), name="panel_attendance_invited_or_came"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} at {self.meeting}"


class QuorumRule(models.Model):
    """When a panel meeting is quorate, from a date (configuration; the rule in force on the meeting's date applies).

    The defaults are the regulations' (see the module docstring), except ``needs_fostering_experience``,
    which is the agency's policy recorded in the panel report: a social worker with fostering
    experience sits on any panel considering a match with foster carers or under fostering for adoption.
    """

    effective_from = models.DateField(unique=True)
    minimum_members = models.PositiveSmallIntegerField(default=5, validators=[MinValueValidator(1)])
    joint_minimum_members = models.PositiveSmallIntegerField(
        "members needed at a joint panel", default=6, validators=[MinValueValidator(1)]
    )
    needs_chair_or_vice_chair = models.BooleanField(default=True)
    needs_social_work_member = models.BooleanField(default=True)
    social_work_min_years = models.PositiveSmallIntegerField(
        "a social work member's years of post-qualifying experience, at least", default=3
    )
    needs_independent_member = models.BooleanField(default=True)
    needs_fostering_experience = models.BooleanField(
        "needs a member with fostering experience for a match with foster carers or fostering for adoption",
        default=True,
    )

    class Meta:
        ordering = ["-effective_from"]
        constraints = [
            models.CheckConstraint(condition=Q(minimum_members__gte=1), name="quorum_rule_at_least_one_member"),
        ]

    def __str__(self) -> str:
        return f"Quorum from {self.effective_from}: {self.minimum_members} members"


class PanelSettings(models.Model):
    """An RAA's panel configuration. An RAA without a row uses the defaults (``panels.selectors.settings_for``)."""

    raa = models.OneToOneField(
        Organisation,
        on_delete=models.PROTECT,
        related_name="panel_settings",
        limit_choices_to={"kind": Organisation.Kind.RAA},
        verbose_name="RAA",
    )
    item_limit = models.PositiveSmallIntegerField(
        "most items on one agenda", default=6, validators=[MinValueValidator(1)]
    )
    item_minutes = models.PositiveSmallIntegerField(
        "minutes set aside for each item", default=45, validators=[MinValueValidator(5)]
    )
    arrive_minutes_before = models.PositiveSmallIntegerField(
        "minutes before their item that attendees are asked to arrive", default=15
    )
    papers_due_working_days = models.PositiveSmallIntegerField(
        "papers are due this many working days before the meeting", default=10
    )
    minutes_due_working_days = models.PositiveSmallIntegerField(
        "minutes are final and with the ADM within this many working days of the meeting", default=10
    )
    decision_working_days = models.PositiveSmallIntegerField(
        "the ADM decides within this many working days of receiving the final minutes", default=7
    )
    tell_working_days = models.PositiveSmallIntegerField(
        "the adopters are told within this many working days of the decision", default=2
    )

    class Meta:
        verbose_name = "panel settings"
        verbose_name_plural = "panel settings"
        constraints = [
            models.CheckConstraint(condition=Q(item_limit__gte=1), name="panel_settings_item_limit_positive"),
        ]

    def __str__(self) -> str:
        return f"Panel settings of {self.raa}"


class Recommendation(models.TextChoices):
    RECOMMENDED = "recommended", "Recommended"
    NOT_RECOMMENDED = "not_recommended", "Not recommended"
    DEFERRED = "deferred", "Deferred"


class Decision(models.TextChoices):
    AGREED = "agreed", "Agreed with the recommendation (approved)"
    NOT_AGREED = "not_agreed", "Did not agree (not approved)"


class MinutesStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    DRAFT = "draft", "Draft"
    ACCURACY_CHECK = "accuracy_check", "Sent for accuracy check"
    FINAL = "final", "Final"


class PaperKind(models.TextChoices):
    PAR = "par", "Prospective Adopter's Report (PAR)"
    CPR = "cpr", "Child's Permanence Report (CPR)"
    APR = "apr", "Adoption Placement Report (APR)"
    SUPPORT_PLAN = "support_plan", "Adoption support plan"
    REVIEW = "review", "Review report"
    DISRUPTION = "disruption", "Disruption report"
    OTHER = "other", "Other paper"


@pghistory.track()
class AgendaItem(models.Model):
    """One piece of business at a meeting, linked to the record it is about, with its outcome.

    The recommendation, the minutes' text and the ADM's decision are the item's; the due dates of the
    decision and of telling the adopters are stored when they become known (working days cannot be
    counted in SQL), so the dashboard finds what is due and overdue in the database.
    """

    class Kind(models.TextChoices):
        APPROVAL = "approval", "Approval of prospective adopters"
        MATCH = "match", "Match"
        RELINQUISHED = "relinquished", "Plan for a relinquished child"
        REVIEW = "review", "Review or de-registration of approved adopters"
        DISRUPTION = "disruption", "Disruption report"

    # The papers each kind of item needs (pages and the pack use this order).
    REQUIRED_PAPERS: dict[str, tuple[str, ...]] = {
        Kind.APPROVAL: (PaperKind.PAR,),
        Kind.MATCH: (PaperKind.CPR, PaperKind.APR, PaperKind.SUPPORT_PLAN),
        Kind.RELINQUISHED: (PaperKind.CPR,),
        Kind.REVIEW: (PaperKind.REVIEW,),
        Kind.DISRUPTION: (PaperKind.DISRUPTION,),
    }

    meeting = models.ForeignKey(PanelMeeting, on_delete=models.PROTECT, related_name="items")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=15, choices=Kind.choices)
    household = models.ForeignKey(
        "adopters.Household", on_delete=models.PROTECT, null=True, blank=True, related_name="panel_items"
    )
    # A match comes to panel as the proposed link (a family and a child or sibling group); the agency
    # decision records the match itself (``children.services.matching.match_record``), set here then.
    link = models.ForeignKey(
        "children.Link", on_delete=models.PROTECT, null=True, blank=True, related_name="panel_items"
    )
    match = models.ForeignKey(
        "children.Match", on_delete=models.PROTECT, null=True, blank=True, related_name="panel_items"
    )
    child = models.ForeignKey(
        "children.Child", on_delete=models.PROTECT, null=True, blank=True, related_name="panel_items"
    )
    disruption = models.ForeignKey(
        "children.Disruption", on_delete=models.PROTECT, null=True, blank=True, related_name="panel_items"
    )
    starts_at = models.TimeField("item starts")
    presenting_worker = models.CharField("presenting social worker", max_length=200, blank=True)
    needs_fostering_experience = models.BooleanField(
        "a match with foster carers or fostering for adoption",
        default=False,
        help_text="The quorum then needs a member with fostering experience.",
    )
    recommendation = models.CharField(max_length=20, choices=Recommendation.choices, blank=True)
    recommendation_reasons = models.TextField("reasons", blank=True)
    minutes = models.TextField(blank=True)
    decision = models.CharField("ADM decision", max_length=15, choices=Decision.choices, blank=True)
    decision_reasons = models.TextField(blank=True)
    decided_on = models.DateField("date of the ADM decision", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_due_on = models.DateField(null=True, blank=True, editable=False)
    told_on = models.DateField("adopters told of the decision", null=True, blank=True)
    told_due_on = models.DateField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "position"],
                name="agenda_item_position_unique",
                deferrable=models.Deferrable.DEFERRED,
            ),
            models.CheckConstraint(condition=Q(position__gte=1), name="agenda_item_position_from_one"),
            models.CheckConstraint(
                condition=Q(kind__in=["approval", "review"], household__isnull=False)
                | Q(kind="match", link__isnull=False)
                | Q(kind="relinquished", child__isnull=False)
                | Q(kind="disruption", disruption__isnull=False),
                name="agenda_item_linked_to_its_record",
            ),
            models.CheckConstraint(
                condition=Q(recommendation="") | ~Q(recommendation_reasons=""),
                name="agenda_item_recommendation_has_reasons",
            ),
            models.CheckConstraint(
                condition=Q(decision="", decided_on__isnull=True) | (~Q(decision="") & Q(decided_on__isnull=False)),
                name="agenda_item_decision_has_date",
            ),
            models.CheckConstraint(
                condition=Q(told_on__isnull=True) | Q(decided_on__isnull=False, told_on__gte=F("decided_on")),
                name="agenda_item_told_after_decision",
            ),
        ]
        indexes = [
            models.Index(fields=["decision_due_on"], condition=Q(decided_on__isnull=True), name="agenda_item_due_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.get_kind_display()} ({self.meeting})"

    @property
    def required_papers(self) -> tuple[str, ...]:
        return self.REQUIRED_PAPERS[self.kind]


def _paper_path(paper: AgendaPaper, filename: str) -> str:
    return f"panel-papers/{paper.item.meeting_id}/{paper.item_id}/{uuid.uuid4().hex}.pdf"


@pghistory.track(exclude=["file"])
class AgendaPaper(models.Model):
    """A paper for an item (a PDF). A new version replaces the old one, which is kept (``replaced_at``)."""

    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="papers")
    kind = models.CharField(max_length=15, choices=PaperKind.choices)
    title = models.CharField(max_length=200)
    file = models.FileField(upload_to=_paper_path, max_length=300)
    original_name = models.CharField(max_length=255)
    pages = models.PositiveIntegerField()
    size = models.PositiveBigIntegerField()
    received_at = models.DateTimeField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    replaced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["item", "received_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "kind"],
                condition=Q(replaced_at__isnull=True) & ~Q(kind="other"),
                name="agenda_paper_one_current_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.title


@pghistory.track()
class MeetingMinutes(models.Model):
    """Where a meeting's minutes have got to: drafted, checked for accuracy, final and sent to the ADM."""

    meeting = models.OneToOneField(PanelMeeting, on_delete=models.PROTECT, related_name="minutes_record")
    status = models.CharField(max_length=15, choices=MinutesStatus.choices, default=MinutesStatus.DRAFT)
    drafted_on = models.DateField(null=True, blank=True)
    sent_for_check_on = models.DateField("sent for accuracy check", null=True, blank=True)
    finalised_on = models.DateField(null=True, blank=True)
    sent_to_adm_on = models.DateField("final minutes received by the ADM", null=True, blank=True)

    class Meta:
        verbose_name_plural = "meeting minutes"
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="final") | Q(finalised_on__isnull=False, sent_to_adm_on__isnull=False),
                name="minutes_final_has_dates",
            ),
            on_or_after("minutes_sent_to_adm_after_final", later="sent_to_adm_on", earlier="finalised_on"),
        ]

    def __str__(self) -> str:
        return f"Minutes of {self.meeting}"


class RatingCriterion(models.TextChoices):
    """The fixed criteria the panel report rates papers against."""

    READABILITY = "readability", "Readability"
    COMPLETENESS = "completeness", "Completeness"
    EVIDENCE = "evidence", "Evidence"
    ANALYSIS = "analysis", "Analysis"
    MANAGEMENT_OVERSIGHT = "management_oversight", "Management oversight"
    FAMILY_FINDING = "family_finding", "Family finding evidence"
    MATCH_RATIONALE = "match_rationale", "Match rationale"
    SUPPORT_PLAN = "support_plan", "Support plan"
    CONTACT = "contact", "Contact proposals"
    CHILDS_VOICE = "childs_voice", "Child's voice"


class Rating(models.IntegerChoices):
    INADEQUATE = 1, "Inadequate"
    REQUIRES_IMPROVEMENT = 2, "Requires improvement"
    GOOD = 3, "Good"
    OUTSTANDING = 4, "Outstanding"


@pghistory.track()
class PaperRating(models.Model):
    """A panel member's (or adviser's) rating of one paper against one criterion."""

    paper = models.ForeignKey(AgendaPaper, on_delete=models.PROTECT, related_name="ratings")
    criterion = models.CharField(max_length=25, choices=RatingCriterion.choices)
    rating = models.PositiveSmallIntegerField(choices=Rating.choices)
    comment = models.TextField(blank=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["paper", "criterion"]
        constraints = [
            models.UniqueConstraint(fields=["paper", "criterion", "rated_by"], name="paper_rating_once_per_rater"),
            models.CheckConstraint(condition=Q(rating__gte=1, rating__lte=4), name="paper_rating_one_to_four"),
        ]

    def __str__(self) -> str:
        return f"{self.paper}: {self.get_criterion_display()} {self.get_rating_display()}"


class AttendeeFeedback(models.Model):
    """Feedback from someone who attended for an item: adopters by a one-off link (no account), social workers.

    Only a hash of the link's token is kept; the link works once and expires.
    """

    class Respondent(models.TextChoices):
        ADOPTER = "adopter", "Adopter"
        SOCIAL_WORKER = "social_worker", "Presenting social worker"

    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="feedback")
    respondent = models.CharField(max_length=15, choices=Respondent.choices)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)
    welcome = models.PositiveSmallIntegerField("how welcome they were made to feel", null=True, blank=True)
    relevance = models.PositiveSmallIntegerField("how relevant the panel's questions were", null=True, blank=True)
    waited_minutes = models.PositiveSmallIntegerField("minutes waited after the arrival time", null=True, blank=True)
    comments = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(answered_at__isnull=True)
                | Q(welcome__gte=1, welcome__lte=5, relevance__gte=1, relevance__lte=5, waited_minutes__isnull=False),
                name="attendee_feedback_answered_in_full",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_respondent_display()} feedback on {self.item}"
