"""Seals move out of the events' rows into a table of their own (ADR 0031): the events' table is
only ever inserted into, and the sealer's batches record where it stood."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Max

# Both statements run on PostgreSQL and on SQLite (3.33 or newer for UPDATE … FROM).
MOVE_SEALS = (
    "INSERT INTO core_auditseal (seq, event_id, prev_hash, hash)"
    " SELECT seq, id, prev_hash, hash FROM core_auditevent WHERE seq IS NOT NULL"
)
MOVE_SEALS_BACK = (
    "UPDATE core_auditevent SET seq = s.seq, prev_hash = s.prev_hash, hash = s.hash"
    " FROM core_auditseal AS s WHERE s.event_id = core_auditevent.id"
)


# The newest ids looked at for an event whose transaction is open across the migration.
WINDOW = 1000


def record_place(apps, schema_editor):  # type: ignore[no-untyped-def]
    """Where the sealer stands, recorded on the newest batch (ADR 0031): it has read every event
    up to the newest, except the ones still waiting and the ids missing among the newest
    `WINDOW` (a transaction open now, or one rolled back), which it reads again. Without a
    batch there is nothing to record: the sealer finds its start itself."""
    batch_model = apps.get_model("core", "AuditBatch")
    event_model = apps.get_model("core", "AuditEvent")
    newest = batch_model.objects.order_by("-number").first()
    if newest is None:
        return
    top = event_model.objects.aggregate(top=Max("id"))["top"] or 0
    seen = set(event_model.objects.filter(id__gt=top - WINDOW).values_list("id", flat=True))
    waiting = event_model.objects.filter(seq__isnull=True).values_list("id", flat=True)
    horizon = 0  # SQLite: one writer at a time, so no transaction is open now
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute("SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint")
            horizon = cursor.fetchone()[0]
    recheck = dict.fromkeys(set(range(max(1, top - WINDOW + 1), top + 1)) - seen, horizon)
    recheck.update(dict.fromkeys(waiting, 0))
    batch_model.objects.filter(pk=newest.pk).update(
        last_id=top, recheck=sorted([pk, h] for pk, h in recheck.items())
    )


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0006_audit_registrations_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditSeal",
            fields=[
                (
                    "seq",
                    models.PositiveBigIntegerField(
                        editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("prev_hash", models.CharField(editable=False, max_length=64)),
                ("hash", models.CharField(editable=False, max_length=64)),
                (
                    "event",
                    models.OneToOneField(
                        db_constraint=False,
                        editable=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="seal",
                        to="core.auditevent",
                    ),
                ),
            ],
            options={"ordering": ["seq"]},
        ),
        migrations.AddField(
            model_name="auditbatch",
            name="last_id",
            field=models.BigIntegerField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="auditbatch",
            name="recheck",
            field=models.JSONField(default=list, editable=False),
        ),
        migrations.RunSQL(MOVE_SEALS, MOVE_SEALS_BACK),
        migrations.RunPython(record_place, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="auditevent", name="audit_seq_unique"),
        migrations.RemoveIndex(model_name="auditevent", name="audit_pending"),
        migrations.RemoveField(model_name="auditevent", name="hash"),
        migrations.RemoveField(model_name="auditevent", name="prev_hash"),
        migrations.RemoveField(model_name="auditevent", name="seq"),
    ]
