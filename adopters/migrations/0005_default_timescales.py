"""The timescales in force since the two-stage process began on 1 July 2013, and check turnarounds."""

from datetime import date

from django.db import migrations

CHECK_DAYS = {"dbs": 28, "medical": 42, "reference": 28, "la_check": 28, "employer": 21, "ex_partner": 28}


def load(apps, schema_editor):
    standard = apps.get_model("adopters", "TimelinessStandard")
    turnaround = apps.get_model("adopters", "CheckTurnaround")
    start = date(2013, 7, 1)
    standard.objects.get_or_create(effective_from=start)
    for kind, days in CHECK_DAYS.items():
        turnaround.objects.get_or_create(kind=kind, effective_from=start, defaults={"days": days})


class Migration(migrations.Migration):
    dependencies = [("adopters", "0004_adopters_journey")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
