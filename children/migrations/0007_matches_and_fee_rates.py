"""A match for every adoptive placement already recorded, and the 2025/26 inter-agency fee rates.

Placements recorded before matches existed are grouped into one match per household and match
date (brothers and sisters matched together on one day are one match). A placement with no
household recorded (an imported 903 return holds none) keeps no match.

Fee rates: DOMAIN figures for 2025/26 (LA/RAA about £27,000 per child with a 10% London uplift;
a VAA's single-child fee £39,245). VAA sibling rates are left for an administrator to enter.
"""

from datetime import date
from decimal import Decimal

from django.db import migrations


def backfill(apps, schema_editor):
    placement_model = apps.get_model("children", "AdoptivePlacement")
    match_model = apps.get_model("children", "Match")
    groups: dict[tuple[int, date], list] = {}
    for placement in placement_model.objects.filter(match__isnull=True, household__isnull=False).order_by("id"):
        groups.setdefault((placement.household_id, placement.matched_on), []).append(placement)
    for (household_id, matched_on), placements in groups.items():
        match = match_model.objects.create(household_id=household_id, decided_on=matched_on)
        placement_model.objects.filter(pk__in=[p.pk for p in placements]).update(match=match)


def rates(apps, schema_editor):
    rate = apps.get_model("children", "InterAgencyFeeRate")
    start = date(2025, 4, 1)
    for children in (1, 2, 3):
        rate.objects.get_or_create(
            effective_from=start,
            agency_type="la_raa",
            children=children,
            defaults={"amount": Decimal(27000) * children, "london_uplift_percent": Decimal(10)},
        )
    rate.objects.get_or_create(
        effective_from=start, agency_type="vaa", children=1, defaults={"amount": Decimal("39245.00")}
    )


class Migration(migrations.Migration):
    dependencies = [("children", "0006_family_finding_and_matching")]
    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RunPython(rates, migrations.RunPython.noop),
    ]
