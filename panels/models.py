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

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from adoption.constraints import ends_after_start
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
    attendance_recorded_at = models.DateTimeField(null=True, blank=True, editable=False)
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
