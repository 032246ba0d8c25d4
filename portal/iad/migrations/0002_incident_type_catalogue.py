from django.db import migrations

from portal.iad.catalogue import load_catalogue


def load(apps, schema_editor):
    load_catalogue(apps.get_model("iad", "IncidentType"))


class Migration(migrations.Migration):
    dependencies = [("iad", "0001_reports")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
