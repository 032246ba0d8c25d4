"""The index for registrations from one address, built without stopping the audit trail: on
PostgreSQL concurrently (a plain build would hold back every audited page read while it reads the
whole table), elsewhere as usual."""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class AddIndexWithoutBlocking(AddIndexConcurrently):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            super().database_forwards(app_label, schema_editor, from_state, to_state)
        else:
            migrations.AddIndex.database_forwards(
                self, app_label, schema_editor, from_state, to_state
            )

    def database_backwards(self, app_label, schema_editor, from_state, to_state):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "postgresql":
            super().database_backwards(app_label, schema_editor, from_state, to_state)
        else:
            migrations.AddIndex.database_backwards(
                self, app_label, schema_editor, from_state, to_state
            )


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [("core", "0005_audit_fewer_constraints_and_indexes")]

    operations = [
        AddIndexWithoutBlocking(
            model_name="auditevent",
            index=models.Index(
                condition=models.Q(("action", "account.registered")),
                fields=["ip", "at"],
                name="audit_registrations",
            ),
        ),
    ]
