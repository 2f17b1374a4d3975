from django.db import migrations


def load(apps, schema_editor):
    from adoption.reference import load_local_authorities

    load_local_authorities(apps.get_model("adoption", "Organisation"))


class Migration(migrations.Migration):
    dependencies = [("adoption", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
