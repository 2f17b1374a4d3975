"""Scorecard thresholds for A10 and cut-offs for A3, by the end of the 3-year period they first apply to.

A10 is A1 adjusted for children adopted by their foster carers, and has A1's thresholds on A1's dates
(see 0002): 639, 547, 487, then 426 days.

A3's cut-offs (a child counts when they moved in with the adoptive family within this many months of
entering care) follow the A1 thresholds' periods: 21 months while A1's threshold was 639 days (periods
ending from 31 March 2012), 18 while it was 547 (from 31 March 2014), 16 while it was 487 (from 31 March
2015), and 14 from 31 March 2016, when A1's became 426 days (14 months).
"""

from datetime import date

from django.db import migrations

SOURCE = "DfE adoption scorecard thresholds"

A10_THRESHOLDS = [
    (date(2012, 3, 31), 639),
    (date(2014, 3, 31), 547),
    (date(2015, 3, 31), 487),
    (date(2016, 3, 31), 426),
]

A3_CUTOFFS = [
    (date(2012, 3, 31), 21),
    (date(2014, 3, 31), 18),
    (date(2015, 3, 31), 16),
    (date(2016, 3, 31), 14),
]


def load(apps, schema_editor):
    threshold = apps.get_model("reporting", "ScorecardThreshold")
    for applies_from, days in A10_THRESHOLDS:
        threshold.objects.update_or_create(
            measure="A10", applies_from=applies_from, defaults={"days": days, "months": None, "source": SOURCE}
        )
    for applies_from, months in A3_CUTOFFS:
        threshold.objects.update_or_create(
            measure="A3", applies_from=applies_from, defaults={"days": None, "months": months, "source": SOURCE}
        )


def unload(apps, schema_editor):
    threshold = apps.get_model("reporting", "ScorecardThreshold")
    threshold.objects.filter(measure="A10", applies_from__in=[d for d, _ in A10_THRESHOLDS]).delete()
    threshold.objects.filter(measure="A3", applies_from__in=[d for d, _ in A3_CUTOFFS]).delete()


class Migration(migrations.Migration):
    dependencies = [("reporting", "0003_a10_a3_and_quarterly_returns")]

    operations = [migrations.RunPython(load, unload)]
