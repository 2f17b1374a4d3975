"""Configuration for measures: scorecard thresholds change by period, so they are data, not code."""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Now


class ScorecardThreshold(models.Model):
    """A scorecard measure's threshold (A1, A10, A2: days) or cut-off (A3: months), for periods ending from a date."""

    class Measure(models.TextChoices):
        A1 = "A1", "A1: entering care to moving in with the adoptive family (days)"
        A10 = "A10", "A10: entering care to moving in, from moving in with the foster carers who adopt (days)"
        A2 = "A2", "A2: placement order to match decision (days)"
        A3 = "A3", "A3: children moving in within this many months of entering care (%)"

    measure = models.CharField(max_length=3, choices=Measure.choices)
    applies_from = models.DateField(help_text="Applies to 3-year periods ending on or after this date.")
    days = models.PositiveIntegerField(null=True, blank=True, help_text="A1, A10 and A2: the threshold in days.")
    months = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="A3: a child counts when they moved in within this many months."
    )
    source = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["measure", "applies_from"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "applies_from"], name="threshold_unique_period"),
            models.CheckConstraint(
                condition=models.Q(measure="A3", months__isnull=False, days__isnull=True)
                | ~models.Q(measure="A3") & models.Q(days__isnull=False, months__isnull=True),
                name="threshold_days_or_a3_months",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.measure} from {self.applies_from}: {self.days} days"


class QuarterlyReturn(models.Model):
    """A generated ASGLB-style quarterly return for an LA or an RAA: frozen when generated, versioned.

    The rows are copied into the return when it is generated (a snapshot), so later edits to the
    records do not change a return already made; generating it again makes the next version.
    """

    organisation = models.ForeignKey(
        "adoption.Organisation", on_delete=models.PROTECT, related_name="quarterly_returns"
    )
    period_start = models.DateField()
    period_end = models.DateField()
    version = models.PositiveSmallIntegerField()
    job = models.OneToOneField(
        "adoption.Job", on_delete=models.PROTECT, null=True, blank=True, related_name="quarterly_return"
    )
    generated_at = models.DateTimeField(auto_now_add=True)
    generated_by = models.ForeignKey("adoption.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    children = models.JSONField(default=list, help_text="The child-level adoptions table, one object per row.")
    families = models.JSONField(default=list, help_text="The adopter-level families table, one object per row.")
    summary = models.JSONField(default=dict, help_text="The summary counts.")
    xlsx = models.FileField(upload_to="returns/%Y/", blank=True)
    children_csv = models.FileField(upload_to="returns/%Y/", blank=True)
    families_csv = models.FileField(upload_to="returns/%Y/", blank=True)
    summary_pdf = models.FileField(upload_to="returns/%Y/", blank=True)

    class Meta:
        ordering = ["-period_end", "organisation", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "period_end", "version"], name="quarterly_return_one_per_version"
            ),
            models.CheckConstraint(
                condition=models.Q(period_end__gte=models.F("period_start")), name="quarterly_return_period_order"
            ),
        ]

    def __str__(self) -> str:
        return f"Quarterly return of {self.organisation} to {self.period_end} (version {self.version})"


class EnglandFigure(models.Model):
    """England's published figure for a scorecard measure and 3-year period, shown beside an area's when configured."""

    measure = models.CharField(max_length=3, choices=ScorecardThreshold.Measure.choices)
    period_end = models.DateField(help_text="The last day of the 3-year period, for example 31 March 2025.")
    value = models.DecimalField(
        max_digits=6, decimal_places=1, help_text="Days for A1, A10 and A2; a percentage for A3."
    )
    source = models.CharField(max_length=200, help_text="Where the figure was published.")

    class Meta:
        ordering = ["measure", "-period_end"]
        constraints = [
            models.UniqueConstraint(fields=["measure", "period_end"], name="england_figure_one_per_period"),
            models.CheckConstraint(condition=models.Q(value__gte=0), name="england_figure_not_negative"),
            models.CheckConstraint(
                condition=~models.Q(measure="A3") | models.Q(value__lte=100), name="england_figure_a3_percentage"
            ),
        ]

    def __str__(self) -> str:
        unit = "%" if self.measure == "A3" else " days"
        return f"England {self.measure} to {self.period_end}: {self.value}{unit}"


class FigureChange(models.Model):
    """A change to the records an organisation's figures are computed from, logged by the database.

    Statement-level triggers on the tables the dashboard's figures read (migration ``reporting/0007``) add a row
    for each organisation whose records a transaction changed (the LA of a child's records, the approving agency of
    a household's) the first time in that transaction, and a row with no organisation for reference data that
    every figure may read (organisations, thresholds, England's figures). The rows an organisation has, counted,
    with the newest's id and time, are its figures' version: a committed change always adds a row, so a version
    read is never that of other records (``reporting.figure_versions``). Derived data, not a record: no foreign
    key, no history; the nightly job folds each organisation's rows into one new row.
    """

    id = models.BigAutoField(primary_key=True)
    organisation_id = models.BigIntegerField(null=True, blank=True)  # none: reference data every figure reads
    changed_at = models.DateTimeField(db_default=Now())

    class Meta:
        indexes = [models.Index(fields=["organisation_id", "id"], name="figure_change_org_idx")]

    def __str__(self) -> str:
        return f"{self.organisation_id or 'all'}: {self.id}"
