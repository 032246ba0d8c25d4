from django.db import migrations

from portal.qoc.catalogue import load_catalogue


def load(apps, schema_editor):
    load_catalogue(apps.get_model("qoc", "Category"))


class Migration(migrations.Migration):
    dependencies = [("qoc", "0001_cases")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
