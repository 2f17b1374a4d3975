"""Configuration for measures: scorecard thresholds change by period, so they are data, not code."""

from __future__ import annotations

from django.db import models


class ScorecardThreshold(models.Model):
    class Measure(models.TextChoices):
        A1 = "A1", "A1: entering care to moving in with the adoptive family (days)"
        A2 = "A2", "A2: placement order to match decision (days)"

    measure = models.CharField(max_length=3, choices=Measure.choices)
    applies_from = models.DateField(help_text="Applies to 3-year periods ending on or after this date.")
    days = models.PositiveIntegerField()
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["measure", "applies_from"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "applies_from"], name="threshold_unique_period"),
        ]

    def __str__(self) -> str:
        return f"{self.measure} from {self.applies_from}: {self.days} days"
