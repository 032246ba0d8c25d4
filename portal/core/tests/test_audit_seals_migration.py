"""Migration 0007 (ADR 0031): the seals move out of the events' rows, and the newest batch records
where the sealer stands, so that events still waiting are sealed once and nothing else twice."""

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from portal.core import audit
from portal.core.models import AuditBatch, AuditEvent, AuditSeal

BEFORE, AFTER = ("core", "0006_audit_registrations_index"), ("core", "0007_audit_seals_apart")


def migrate(target: tuple[str, str]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([target])


@pytest.mark.django_db(transaction=True)
def test_the_seals_move_to_their_table_and_the_sealer_goes_on_from_there() -> None:
    # A trail as ADR 0024 left it: three events sealed in one batch, two still waiting.
    written = [audit.record("test.before", data={"n": n}) for n in range(5)]
    assert audit.seal_pending(batch_size=3, max_batches=1).events == 3
    sealed = {
        e.pk: (e.seq, e.prev_hash, e.hash) for e in AuditEvent.objects.filter(seal__isnull=False)
    }
    migrate(BEFORE)  # the seals go back into the events' rows
    try:
        migrate(AFTER)
    finally:
        call_command("migrate", verbosity=0)
    moved = {s.event_id: (s.seq, s.prev_hash, s.hash) for s in AuditSeal.objects.all()}
    assert moved == sealed and len(moved) == 3
    newest = AuditBatch.objects.get()
    assert newest.last_id == written[-1]
    assert sorted(pk for pk, _ in newest.recheck)[-2:] == written[3:]
    assert audit.pending_events().count == 2
    assert audit.seal_pending().events == 2
    assert [e.seq for e in AuditEvent.objects.filter(pk__in=written).order_by("pk")] == [
        1,
        2,
        3,
        4,
        5,
    ]
    assert audit.verify_chain()[2] == []
