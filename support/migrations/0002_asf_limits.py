"""The fund's limits by period (configuration rows an administrator can add to).

From the fund's start (May 2015) to March 2025: a fair access limit of £5,000 per child per financial
year, plus up to £2,500 for a specialist assessment, with match funding from the LA above the limit.
From 1 April 2025: £3,000 per child per year with assessments inside it, no match funding, and the
work finished within the financial year.
"""

from datetime import date
from decimal import Decimal

from django.db import migrations

LIMITS = [
    (date(2015, 5, 1), Decimal("5000.00"), Decimal("2500.00"), True, False),
    (date(2025, 4, 1), Decimal("3000.00"), None, False, True),
]


def load(apps, schema_editor):
    AsfLimit = apps.get_model("support", "AsfLimit")
    for effective_from, limit, assessment, match, within in LIMITS:
        AsfLimit.objects.update_or_create(
            effective_from=effective_from,
            defaults={
                "fair_access_limit": limit,
                "specialist_assessment_limit": assessment,
                "match_funding": match,
                "work_within_year": within,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("support", "0001_support_requests_assessments_plans_asf_life_story")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
