"""The quorum rule in force since 1 April 2011.

The Adoption Agencies Regulations 2005 (SI 2005/389), regulations 3 to 10 as substituted by the
Adoption Agencies and Independent Review of Determinations (Amendment) Regulations 2011
(SI 2011/589), in force 1 April 2011: reg. 3 keeps the central list (with social workers of at least
three years' relevant post-qualifying experience), reg. 4 the chair and one or two vice chairs, and
the meetings regulation allows no business unless at least five members meet, including the chair or
a vice chair, a social worker with three years' post-qualifying experience and an independent member.
(A joint panel needs six: a later or separate rule row, not modelled yet.)

Fostering experience for a match with foster carers or fostering for adoption is agency policy
recorded in the panel report (not the regulations); it is on by default and can be switched off by a
new row from a later date.
"""

from datetime import date

from django.db import migrations


def load(apps, schema_editor):
    rule = apps.get_model("panels", "QuorumRule")
    rule.objects.get_or_create(
        effective_from=date(2011, 4, 1),
        defaults={
            "minimum_members": 5,
            "needs_chair_or_vice_chair": True,
            "needs_social_work_member": True,
            "social_work_min_years": 3,
            "needs_independent_member": True,
            "needs_fostering_experience": True,
        },
    )


class Migration(migrations.Migration):
    dependencies = [("panels", "0001_central_list_and_meetings")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
