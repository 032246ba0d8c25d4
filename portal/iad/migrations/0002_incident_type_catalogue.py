"""The starting catalogue of incident types (SPEC §3.1); the agency edits it in the back office.

Which types are sentinel is the agency's call (ADR 0012): these defaults mark the events that
most often are (death, suicide attempt, sexual misconduct or assault, abuse or neglect by staff).
"""

from django.db import migrations

CATALOGUE = [
    ("Death", True),
    ("Medication error", False),
    ("Allegation of abuse or neglect by staff", True),
    ("Exploitation", False),
    ("Suicide attempt", True),
    ("Self-inflicted injury", False),
    ("Injury needing emergency treatment", False),
    ("Injury from a personal, chemical or mechanical restraint", False),
    ("Unauthorized absence from a licensed facility", False),
    ("Sexual misconduct or assault", True),
    ("Human-rights violation", False),
    ("Other", False),
]


def load(apps, schema_editor):
    IncidentType = apps.get_model("iad", "IncidentType")
    for order, (name, sentinel) in enumerate(CATALOGUE, start=1):
        IncidentType.objects.get_or_create(
            name=name, defaults={"sentinel": sentinel, "order": order * 10}
        )


class Migration(migrations.Migration):
    dependencies = [("iad", "0001_reports")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
