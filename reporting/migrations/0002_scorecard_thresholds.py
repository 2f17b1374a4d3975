from datetime import date

from django.db import migrations

# DfE adoption scorecard thresholds, by the end of the 3-year period they first apply to.
# A1: 21, 18, 16 then 14 months; A2: 7, 6, 5 then 4 months.
THRESHOLDS = [
    ("A1", date(2012, 3, 31), 639),
    ("A1", date(2014, 3, 31), 547),
    ("A1", date(2015, 3, 31), 487),
    ("A1", date(2016, 3, 31), 426),
    ("A2", date(2012, 3, 31), 213),
    ("A2", date(2014, 3, 31), 182),
    ("A2", date(2015, 3, 31), 152),
    ("A2", date(2016, 3, 31), 121),
]


def load(apps, schema_editor):
    threshold = apps.get_model("reporting", "ScorecardThreshold")
    for measure, applies_from, days in THRESHOLDS:
        threshold.objects.update_or_create(
            measure=measure,
            applies_from=applies_from,
            defaults={"days": days, "source": "DfE adoption scorecard thresholds"},
        )


class Migration(migrations.Migration):
    dependencies = [("reporting", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
