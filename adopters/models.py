"""Households of prospective and approved adopters, and the applicants in them."""

from __future__ import annotations

import pghistory
from django.db import models
from django.db.models import F, Q

from adoption.models import Organisation


@pghistory.track()
class Household(models.Model):
    class Status(models.TextChoices):
        ENQUIRY = "enquiry", "Enquiry"
        STAGE_1 = "stage_1", "Stage 1"
        STAGE_2 = "stage_2", "Stage 2"
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

    approving_agency = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="households",
        limit_choices_to={"kind__in": ["raa", "vaa"]},
    )
    reference = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200, help_text="How the household is known, e.g. 'Patel household'.")
    area = models.CharField("area of residence", max_length=100, blank=True)
    route = models.CharField(max_length=10, choices=Route.choices, default=Route.STANDARD)
    legal_status = models.CharField(
        "legal status of the adopters (903 LS_ADOPTR)", max_length=3, choices=LegalStatus.choices, blank=True
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ENQUIRY)
    enquired_on = models.DateField("date of enquiry", null=True, blank=True)
    registered_on = models.DateField("registration of interest accepted", null=True, blank=True)
    approved_on = models.DateField("date approved", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(registered_on__isnull=True)
                | Q(enquired_on__isnull=True)
                | Q(registered_on__gte=F("enquired_on")),
                name="household_registered_after_enquiry",
            ),
            models.CheckConstraint(
                condition=Q(approved_on__isnull=True)
                | Q(registered_on__isnull=True)
                | Q(approved_on__gte=F("registered_on")),
                name="household_approved_after_registration",
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

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="applicants")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    sex = models.CharField(max_length=1, choices=Sex.choices, blank=True)

    class Meta:
        ordering = ["household", "id"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"
