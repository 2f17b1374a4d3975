from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("adopters", "0007_perf_applicant_order"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="household",
            index=models.Index(fields=["approving_agency", "status"], name="household_agency_status_idx"),
        ),
    ]
