"""The sealer (ADR 0024): events written without a lock are sealed later, in batches, in order;
nothing is lost, duplicated or sealed twice, and what waits is watched."""

import logging
import os
import socket
import threading
import time
from datetime import datetime, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.core.signals import request_started
from django.db import (
    DataError,
    IntegrityError,
    OperationalError,
    connection,
    connections,
    transaction,
)
from django.db.models import ProtectedError
from django.db.transaction import TransactionManagementError
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from portal.accounts.tests.factories import UserFactory
from portal.core import audit, prepared
from portal.core.models import AuditBatch, AuditEvent, AuditSeal
from portal.core.testing import seal_audit_events
from portal.registry.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db
on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="concurrent sessions: PostgreSQL"
)


@pytest.fixture(autouse=True)
def _a_fresh_sealer():
    """What a sealer process remembers (rows it refused, legacy events all batched) starts
    empty in each test, as in a new process."""
    audit._refused.clear()
    audit._legacy_done.clear()
    yield
    audit._refused.clear()
    audit._legacy_done.clear()


def run_verify(*args: str) -> str:
    out = StringIO()
    call_command("verify_audit_chain", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def sql(statement: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def chain_of(events: int, batch: int) -> list[AuditEvent]:
    written = [audit.record("test.happened", data={"n": n}) for n in range(events)]
    audit.seal_pending(batch)
    return [AuditEvent.objects.get(pk=pk) for pk in written]


# --- writing and sealing ----------------------------------------------------------------------
def test_record_writes_the_event_unsealed_with_its_mac() -> None:
    stored = AuditEvent.objects.get(pk=audit.record("test.happened", data={"n": 1}))
    assert (stored.seq, stored.prev_hash, stored.hash) == (None, "", "")
    assert audit.mac_matches(stored)
    assert audit.pending_events().count == 1
    twin = AuditEvent.objects.get(pk=audit.record("test.happened", data={"n": 1}))
    assert twin.mac != stored.mac  # salted: equal content still gives another mac


def test_record_makes_one_statement_and_takes_no_lock(django_assert_num_queries) -> None:
    with django_assert_num_queries(1):  # the INSERT: no lock, no read of the head
        audit.record("test.happened", data={"n": 1})


def prepared_inserts() -> list[tuple[str, str]]:
    """This connection's prepared audit inserts: name and text."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, statement FROM pg_prepared_statements ORDER BY prepare_time")
        return [
            (name, text)
            for name, text in cursor.fetchall()
            if text.startswith('INSERT INTO "core_auditevent"')
        ]


@on_postgresql
@pytest.mark.django_db(transaction=True)  # the connection is closed in the test
def test_on_postgresql_record_prepares_its_insert_once_per_connection_for_every_shape() -> None:
    connection.close()  # a connection of its own: nothing prepared on it yet
    small, large = UserFactory(), UserFactory(id=3_000_000_000)  # an id past int4
    first = audit.record("test.happened", data={"n": 1})
    audit.record("test.happened", data={"n": 2})
    audit.record("test.happened", actor=small)
    second = audit.record("test.happened", actor=large)
    # One statement, through libpq, whatever is missing and whatever the ids' sizes: the server
    # types each value as its column (ADR 0032).
    [(name, text)] = prepared_inserts()
    assert name.startswith("qm_") and "$9" in text and "%s" not in text
    assert AuditEvent.objects.get(pk=second).actor_id == 3_000_000_000 and second > first
    # Django's own statements are still never prepared (ADR 0030).
    assert connection.connection.prepare_threshold is None
    connection.close()  # as the health check does with a broken connection
    third = audit.record("test.happened", data={"n": 3})  # a new connection: prepared again
    assert [found for found, _ in prepared_inserts()] == [name]
    assert audit.mac_matches(AuditEvent.objects.get(pk=third))


class Undone(Exception):
    pass


@on_postgresql
@pytest.mark.django_db(transaction=True)  # transactions of the test's own
@pytest.mark.parametrize("first", [True, False], ids=["first statement", "after another"])
def test_on_postgresql_an_event_commits_and_rolls_back_with_the_change(first: bool) -> None:
    """Inside a transaction the insert goes through psycopg, which begins the transaction when
    the insert is its first statement (ADR 0032): it belongs to the change either way."""
    connection.close()

    def change() -> int:
        if not first:
            UserFactory()
        return audit.record("test.happened")

    with pytest.raises(Undone), transaction.atomic():
        undone = change()
        raise Undone
    with transaction.atomic():
        kept = change()
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [kept] != [undone]
    assert [name[:5] for name, _ in prepared_inserts()] == ["_pg3_"]


@on_postgresql
@pytest.mark.django_db(transaction=True)  # transactions of the test's own
def test_on_postgresql_an_insert_deallocated_by_a_rollback_is_prepared_again() -> None:
    """psycopg deallocates every prepared statement at a rollback (once it has prepared one of
    its own): the insert made outside a transaction, through libpq, is prepared again."""
    connection.close()
    audit.record("test.before")  # outside a transaction: through libpq
    with pytest.raises(Undone), transaction.atomic():
        audit.record("test.undone")  # psycopg's own prepared statement
        raise Undone
    assert prepared_inserts() == []  # all deallocated
    after = audit.record("test.after")
    assert [name[:3] for name, _ in prepared_inserts()] == ["qm_"]
    assert list(AuditEvent.objects.values_list("action", flat=True)) == [
        "test.before",
        "test.after",
    ]
    assert audit.mac_matches(AuditEvent.objects.get(pk=after))


@on_postgresql
@pytest.mark.django_db(transaction=True)  # outside a transaction: through libpq
def test_on_postgresql_text_holding_a_nul_is_refused_not_cut() -> None:
    # libpq reads text up to its first NUL: the rest would be lost and the mac not match.
    with pytest.raises(DataError):
        audit.record("test.\0cut short")
    assert not AuditEvent.objects.exists()


@on_postgresql
@pytest.mark.django_db(transaction=True)  # outside a transaction: through libpq
@pytest.mark.parametrize("how", ["ended by the server", "cut"])
def test_on_postgresql_an_insert_on_a_lost_connection_is_a_connection_error(how: str) -> None:
    """As through psycopg, so that the page answers 503, not 500 (core.views.server_error)."""
    audit.record("test.before")  # prepared on this connection
    raw = connection.connection
    if how == "cut":  # gone without a word from the server
        socket.socket(fileno=os.dup(raw.pgconn.socket)).shutdown(socket.SHUT_RDWR)
    else:
        thread, errors = _in_thread(_end_session, raw.info.backend_pid)
        thread.join(20)
        assert not errors
    with pytest.raises(OperationalError):
        audit.record("test.lost")
    with pytest.raises(OperationalError):
        audit.record("test.lost again")  # the connection is known broken now
    connection.close()
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["test.before"]


@on_postgresql
def test_on_postgresql_only_values_with_one_meaning_are_written() -> None:
    statement = audit._insert_statement("postgresql")
    at = datetime(2026, 1, 1)  # noqa: DTZ001 (naive: what is refused)
    naive = [at, None, None, "test.naive", "", "", "", "{}", ""]
    with pytest.raises(ValueError, match="naive datetime"):
        prepared.insert_returning_id(connection, statement, naive)
    with pytest.raises(TypeError, match=r"not 1\.5"):
        prepared.insert_returning_id(connection, statement, [timezone.now(), 1.5, *naive[2:]])
    assert not AuditEvent.objects.exists()


@on_postgresql
@pytest.mark.django_db(transaction=True)  # the connection is closed in the test
def test_on_postgresql_record_writes_unprepared_when_the_setting_is_off(settings) -> None:
    settings.DATABASE_PREPARED_STATEMENTS = False  # as DATABASE_PREPARED_STATEMENTS=false
    connection.close()
    written = audit.record("test.happened", data={"n": 1})
    assert prepared_inserts() == []  # through Django's cursor
    assert audit.mac_matches(AuditEvent.objects.get(pk=written))


def test_record_refuses_what_is_not_a_saved_account_or_organization() -> None:
    with pytest.raises(ValueError, match="organization must be a saved Organization"):
        audit.record("test.happened", organization=UserFactory())
    with pytest.raises(ValueError, match="actor must be a saved User"):
        audit.record("test.happened", actor=UserFactory.build())
    assert not AuditEvent.objects.exists()


@on_postgresql
def test_on_postgresql_a_failed_insert_spoils_the_transaction_as_the_orm_does() -> None:
    with transaction.atomic():
        with pytest.raises(DataError), transaction.atomic():
            audit.record("test." + "x" * 64)  # longer than the column: Django's error
        audit.record("test.after_the_savepoint")  # the inner block rolled back alone
    with transaction.atomic():
        with pytest.raises(DataError):
            audit.record("test." + "x" * 64)
        assert connection.needs_rollback
        with pytest.raises(TransactionManagementError):
            audit.record("test.too_late")
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["test.after_the_savepoint"]


def test_the_sealer_seals_in_the_order_written_in_batches() -> None:
    events = chain_of(7, batch=3)
    assert [e.seq for e in events] == [1, 2, 3, 4, 5, 6, 7]
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    batches = list(AuditBatch.objects.all())
    assert [(b.number, b.first_seq, b.last_seq) for b in batches] == [
        (1, 1, 3),
        (2, 4, 6),
        (3, 7, 7),
    ]
    assert batches[1].prev_hash == batches[0].hash and batches[0].prev_hash == audit.GENESIS
    assert batches[1].root == audit.merkle_root([e.hash for e in events[3:6]])
    assert batches[2].head == events[-1].hash
    assert "7 events in 3 batches" in run_verify()
    assert audit.seal_pending().events == 0  # nothing is sealed twice


def test_the_seal_audit_command_seals_once_and_prove_needs_a_sealed_event() -> None:
    audit.record("test.one")
    audit.record("test.two")
    with pytest.raises(CommandError, match="not sealed"):
        call_command("prove_audit_event", "1", stdout=StringIO(), stderr=StringIO())
    out = StringIO()
    call_command("seal_audit", stdout=out)
    assert "Sealed 2 event(s) in 1 batch(es)" in out.getvalue()
    call_command("prove_audit_event", "2", stdout=StringIO(), stderr=StringIO())


def test_an_account_or_organization_the_trail_names_cannot_be_deleted() -> None:
    # No constraint in the database (ADR 0024's amendment): the ORM refuses, as it did.
    user, organization = UserFactory(), OrganizationFactory()  # no account in the organization
    audit.record("test.happened", actor=user)
    audit.record("test.happened", organization=organization)
    with pytest.raises(ProtectedError):
        user.delete()
    with pytest.raises(ProtectedError):
        organization.delete()
    assert AuditEvent.objects.filter(actor=user).count() == 1


def test_seals_are_written_once_and_only_by_the_sealer() -> None:
    events = chain_of(2, batch=10)
    with pytest.raises(TypeError):
        AuditSeal.objects.filter(seq=1).update(hash="0" * 64)
    with pytest.raises(TypeError):
        AuditSeal.objects.all().delete()
    with pytest.raises(TypeError):
        events[0].seal.save()
    with pytest.raises(TypeError):
        AuditBatch.objects.all().delete()
    batch = AuditBatch.objects.get()
    with pytest.raises(TypeError):
        batch.save()
    with pytest.raises(IntegrityError), transaction.atomic():
        audit._write_seals(events)  # a place in the chain is given once
    with pytest.raises(IntegrityError), transaction.atomic():
        AuditSeal.objects.create(seq=3, event=events[0], prev_hash="", hash="")  # an event once
    assert AuditSeal.objects.count() == 2


def test_sealing_never_changes_an_event_row() -> None:
    from django.test.utils import CaptureQueriesContext

    audit.record("test.happened")
    with CaptureQueriesContext(connection) as queries:
        assert audit.seal_pending().events == 1
    writes = [q["sql"] for q in queries if q["sql"].startswith(("INSERT", "UPDATE", "DELETE"))]
    written_to = [w.split(" (")[0].replace('"', "") for w in writes]
    assert written_to == ["INSERT INTO core_auditseal", "INSERT INTO core_auditbatch"]


def test_a_sealer_with_no_recorded_place_seals_only_what_has_no_seal() -> None:
    # Sealed events, and batches that record no place: the sealer finds it from the seals.
    chain_of(3, batch=10)
    sql("UPDATE core_auditbatch SET last_id = NULL", [])
    audit.record("test.after")
    assert audit.pending_events().count == 1
    assert audit.seal_pending().events == 1
    assert AuditEvent.objects.get(action="test.after").seq == 4
    assert "4 events in 2 batches" in run_verify()


def test_events_written_after_a_batch_continue_the_chain() -> None:
    first = chain_of(2, batch=10)
    later = chain_of(2, batch=10)
    assert [e.seq for e in later] == [3, 4] and later[0].prev_hash == first[-1].hash
    run_verify()


def test_a_sealer_that_dies_mid_batch_seals_nothing_and_the_next_seals_all_once() -> None:
    written = [audit.record("test.happened", data={"n": n}) for n in range(5)]

    def die(batch: AuditBatch) -> None:
        raise RuntimeError("killed between writing the seals and committing")

    with pytest.raises(RuntimeError):
        audit.seal_pending(before_commit=die)
    assert AuditEvent.objects.filter(seal__isnull=True).count() == 5
    assert not AuditBatch.objects.exists()
    assert audit.seal_pending().events == 5
    sealed = AuditEvent.objects.order_by("seal__seq")
    assert [e.pk for e in sealed] == written
    assert [e.seq for e in sealed] == [1, 2, 3, 4, 5]
    assert "5 events in 1 batches" in run_verify()


def test_an_event_of_a_transaction_that_rolls_back_never_appears() -> None:
    kept = audit.record("test.kept")
    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record("test.rolled_back")
        raise RuntimeError
    seal_audit_events()
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["test.kept"]
    assert AuditEvent.objects.get().pk == kept
    run_verify()


def test_events_sealed_before_batches_are_adopted_with_their_seals_unchanged() -> None:
    # A trail as ADR 0004 wrote it: every event sealed in the request, no batches.
    prev = audit.GENESIS
    for n in range(1, 8):
        event = AuditEvent.objects.create(action="test.old", data={"n": n})
        event.seal = AuditSeal(seq=n, prev_hash=prev)
        event.seal.hash = prev = audit.seal(prev, event)
        event.seal.save()
    audit.record("test.new")
    with pytest.raises(CommandError):
        run_verify()  # events in no batch are a problem until the sealer adopts them
    done = audit.seal_pending(batch_size=3)
    assert (done.adopted, done.events) == (7, 1)
    assert [(b.first_seq, b.last_seq) for b in AuditBatch.objects.all()] == [
        (1, 3),
        (4, 6),
        (7, 7),
        (8, 8),
    ]
    assert AuditEvent.objects.get(action="test.new").prev_hash == prev
    assert "8 events in 4 batches" in run_verify()


# --- what the verifier finds ------------------------------------------------------------------
def test_unsealed_events_are_reported_as_waiting_with_the_oldest_age() -> None:
    with time_machine.travel(timezone.now() - timedelta(seconds=30), tick=False):
        audit.record("test.waiting")
    audit.record("test.waiting")
    output = run_verify()
    assert "0 events" in output and "Waiting to be sealed: 2 event(s), the oldest 30" in output
    with pytest.raises(CommandError):
        run_verify("--max-pending-age", "10")
    seal_audit_events()
    assert "Waiting" not in run_verify("--max-pending-age", "10")


def test_a_row_put_in_by_hand_is_never_sealed_and_is_reported(caplog) -> None:
    audit.record("test.real")
    # A database writer without the key adds an event for the sealer to seal.
    sql(
        "INSERT INTO core_auditevent (at, action, target_type, target_id, ip, data, mac)"
        " SELECT at, 'test.forged', '', '', '', data, mac FROM core_auditevent",
        [],
    )
    with caplog.at_level(logging.ERROR, logger="portal.core.audit"):
        done = audit.seal_pending()
    assert done.events == 1 and len(done.refused) == 1
    assert "not sealed: content does not match the mac" in caplog.text
    forged = AuditEvent.objects.get(action="test.forged")
    assert forged.seq is None
    audit.record("test.later")
    assert audit.seal_pending().events == 1  # the sealer goes past it...
    # Read again at each batch (with, here, ids that earlier tests' transactions used up).
    assert forged.pk in {pk for pk, _ in AuditBatch.objects.last().recheck}
    assert audit.pending_events().count == 1  # ...and it still waits
    assert audit.forged_pending() == [forged.pk]
    with pytest.raises(CommandError, match="broken"):
        run_verify()


def test_rows_it_refuses_do_not_hold_up_the_events_behind_them() -> None:
    for _ in range(3):
        sql(
            "INSERT INTO core_auditevent (at, action, target_type, target_id, ip, data, mac)"
            " VALUES (%s, 'test.forged', '', '', '', '{}', '')",
            [timezone.now()],
        )
    real = audit.record("test.real")
    done = audit.seal_pending(batch_size=2)  # the first batch holds only refused rows
    assert done.events == 1 and len(done.refused) == 3
    assert AuditEvent.objects.get(pk=real).seq == 1


def test_events_on_both_sides_of_a_refused_row_are_chained_to_each_other() -> None:
    first = audit.record("test.first", data={"n": 1})
    sql(
        "INSERT INTO core_auditevent (at, action, target_type, target_id, ip, data, mac)"
        " VALUES (%s, 'test.forged', '', '', '', '{}', '')",
        [timezone.now()],
    )
    second, third = audit.record("test.second"), audit.record("test.third")
    done = audit.seal_pending()
    assert done.events == 3 and len(done.refused) == 1
    a, b, c = (AuditEvent.objects.get(pk=pk) for pk in (first, second, third))
    assert [(e.seq, e.prev_hash) for e in (a, b, c)] == [
        (1, audit.GENESIS),
        (2, a.hash),
        (3, b.hash),
    ]
    assert all(audit.seal(e.prev_hash, e) == e.hash for e in (a, b, c))


def test_a_waiting_event_changed_by_hand_is_never_sealed() -> None:
    event = audit.record("test.real", data={"reason": "asked"})
    sql("UPDATE core_auditevent SET data = %s WHERE id = %s", ['{"reason": "other"}', event])
    assert audit.seal_pending().refused == [event]
    assert audit.forged_pending() == [event]


def test_a_copy_of_a_waiting_event_is_found_once_sealed() -> None:
    audit.record("test.real")
    sql(
        "INSERT INTO core_auditevent (at, action, target_type, target_id, ip, data, mac)"
        " SELECT at, action, target_type, target_id, ip, data, mac FROM core_auditevent",
        [],
    )
    seal_audit_events()
    with pytest.raises(CommandError, match="broken: 1 problem"):
        run_verify()


def test_removing_a_batch_is_detected() -> None:
    chain_of(6, batch=2)
    sql("DELETE FROM core_auditbatch WHERE number = %s", [2])
    with pytest.raises(CommandError):
        run_verify()


def test_changing_a_batch_root_is_detected() -> None:
    chain_of(6, batch=2)
    sql("UPDATE core_auditbatch SET root = %s WHERE number = %s", ["0" * 64, 2])
    with pytest.raises(CommandError):
        run_verify()


def test_removing_a_seal_is_detected() -> None:
    events = chain_of(4, batch=10)
    sql("DELETE FROM core_auditseal WHERE seq = %s", [2])
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_audit_chain", stdout=StringIO(), stderr=out)
    assert f"(id {events[1].pk}) was passed over by the sealer and is not sealed" in out.getvalue()
    assert "expected event #2 here" in out.getvalue()


@pytest.mark.parametrize("recheck", ['[["x", 1]]', '{"a": 1}', "[[1]]", '"text"'])
def test_a_sealer_place_changed_by_hand_is_reported_and_found_again(recheck: str) -> None:
    chain_of(2, batch=10)
    sql("UPDATE core_auditbatch SET recheck = %s", [recheck])
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_audit_chain", stdout=StringIO(), stderr=out)
    assert "batch 1's sealer place is not valid" in out.getvalue()
    audit.record("test.after")
    assert audit.pending_events().count == 1
    assert audit.seal_pending().events == 1  # from the place found again
    assert AuditEvent.objects.get(action="test.after").seq == 3


def test_removing_an_event_from_a_batch_is_detected() -> None:
    chain_of(6, batch=3)
    last_of_batch_1 = AuditSeal.objects.get(seq=3).event_id
    sql("DELETE FROM core_auditevent WHERE id = %s", [last_of_batch_1])
    with pytest.raises(CommandError):
        run_verify()


# --- the Merkle trees and proofs --------------------------------------------------------------
def _reference_root(leaves: list[bytes]) -> bytes:
    """RFC 6962's definition, recursively (the module pairs bottom-up)."""
    import hashlib

    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return leaves[0]
    k = audit._split(len(leaves))
    return audit._node(_reference_root(leaves[:k]), _reference_root(leaves[k:]))


@given(st.lists(st.binary(min_size=32, max_size=32).map(bytes.hex), min_size=1, max_size=40))
def test_the_merkle_root_and_every_inclusion_proof(hashes: list[str]) -> None:
    root = audit.merkle_root(hashes)
    assert root == _reference_root([audit._leaf(h) for h in hashes]).hex()
    for index, event_hash in enumerate(hashes):
        path = audit.merkle_path(index, hashes)
        assert len(path) <= len(hashes).bit_length()
        assert audit.merkle_includes(root, len(hashes), index, event_hash, path)
        other = "f" * 64 if event_hash != "f" * 64 else "e" * 64
        assert not audit.merkle_includes(root, len(hashes), index, other, path)
        elsewhere = (index + 1) % len(hashes)
        if elsewhere != index and hashes[elsewhere] != event_hash:
            assert not audit.merkle_includes(root, len(hashes), elsewhere, event_hash, path)


def test_one_event_is_proven_in_the_trail_from_its_batch_and_the_later_headers(
    django_assert_max_num_queries,
) -> None:
    events = chain_of(20, batch=8)
    with django_assert_max_num_queries(4):  # the event, its batch, its batch's hashes, headers
        proof = audit.prove(11)
    assert proof.event.pk == events[10].pk and proof.index == 2
    assert [b.number for b in proof.batches] == [2, 3] and len(proof.path) == 3
    assert audit.check_proof(proof, expect_head=events[-1].hash) == []
    out, err = StringIO(), StringIO()
    call_command("prove_audit_event", "11", stdout=out, stderr=err)
    assert '"leaf_index": 2' in out.getvalue() and "leaf 2 of batch 2" in err.getvalue()

    proof.event.action = "test.forged"
    assert "the event does not match its seal" in audit.check_proof(proof)
    proof = audit.prove(11)
    proof.path[0] = "0" * 64
    assert any("Merkle tree" in p for p in audit.check_proof(proof))
    assert audit.check_proof(audit.prove(11), expect_head="a" * 64)


# --- the sealer's lag, watched ----------------------------------------------------------------
def test_the_health_page_shows_the_sealer_lag_and_fails_beyond_the_limit(
    client, caplog, settings
) -> None:
    settings.AUDIT_SEAL_LAG_LIMIT = 5
    answer = client.get("/healthz/audit")
    assert answer.status_code == 200 and answer.json()["status"] == "ok"
    with time_machine.travel(timezone.now() - timedelta(seconds=60), tick=False):
        audit.record("test.waiting")
    with caplog.at_level(logging.ERROR):
        answer = client.get("/healthz/audit")
    assert answer.status_code == 503
    body = answer.json()
    assert body["status"] == "lagging" and body["unsealed_events"] == 1
    assert body["oldest_unsealed_seconds"] >= 60 and body["lag_limit_seconds"] == 5
    assert "Audit sealing lag" in caplog.text
    seal_audit_events()
    answer = client.get("/healthz/audit")
    assert answer.status_code == 200 and answer.json()["unsealed_events"] == 0
    assert answer.json()["last_sealed_at"]


def test_the_sealer_loop_seals_and_alerts_when_events_wait_too_long(caplog, settings) -> None:
    settings.AUDIT_SEAL_LAG_LIMIT = 5
    audit.record("test.now")
    passes = iter(range(2))
    audit.run_sealer(0, lambda: next(passes, None) is None)
    assert audit.pending_events().count == 0
    # An event it refuses waits: the lag grows and the sealer says so at ERROR.
    with time_machine.travel(timezone.now() - timedelta(seconds=60), tick=False):
        audit.record("test.old")
    sql("UPDATE core_auditevent SET action = %s WHERE action = %s", ["test.changed", "test.old"])
    passes = iter(range(1))
    with caplog.at_level(logging.ERROR, logger="portal.core.audit"):
        audit.run_sealer(0, lambda: next(passes, None) is None)
    assert "exceeds the 5 s limit" in caplog.text


# --- concurrent sessions (PostgreSQL) ---------------------------------------------------------
def _in_thread(work, *args):  # type: ignore[no-untyped-def]
    """Run `work` in a thread with its own database connection; (thread, errors)."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            work(*args)
        except BaseException as error:
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, errors


def _end_session(pid: int) -> None:
    """Terminate session `pid` from another one, and wait until it is gone."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        for _ in range(100):
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
            if not cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    raise AssertionError(f"session {pid} still there")


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_record_first_in_a_request_reconnects_when_the_session_ended() -> None:
    audit.record("test.before")
    thread, errors = _in_thread(_end_session, connection.connection.info.backend_pid)
    thread.join(20)
    assert not errors
    request_started.send(sender=None)  # a new request: its first statement checks the session
    written = audit.record("test.after")  # a new connection, not an error
    assert AuditEvent.objects.get(pk=written).action == "test.after"


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_sealers_never_both_seal() -> None:
    for n in range(6):
        audit.record("test.happened", data={"n": n})
    holding, release = threading.Event(), threading.Event()

    def hold(batch: AuditBatch) -> None:
        holding.set()
        assert release.wait(20)

    thread, errors = _in_thread(
        lambda: audit.seal_pending(batch_size=4, max_batches=1, before_commit=hold)
    )
    assert holding.wait(20)
    second = audit.seal_pending()  # while the first holds its batch open
    assert second.busy and second.events == 0 and second.batches == 0
    release.set()
    thread.join(20)
    assert not errors
    rest = audit.seal_pending()
    assert rest.events == 2  # the first sealed 4 in its batch; the rest now, after it
    assert list(AuditSeal.objects.values_list("seq", flat=True)) == [
        1,
        2,
        3,
        4,
        5,
        6,
    ]
    assert [(b.first_seq, b.last_seq) for b in AuditBatch.objects.all()] == [(1, 4), (5, 6)]
    run_verify()


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_sealer_killed_mid_batch_loses_and_duplicates_nothing() -> None:
    written = [audit.record("test.happened", data={"n": n}) for n in range(5)]
    holding, pid = threading.Event(), []

    def hold(batch: AuditBatch) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            pid.append(cursor.fetchone()[0])
        holding.set()
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_sleep(20)")  # killed while the batch is written, uncommitted

    thread, errors = _in_thread(lambda: audit.seal_pending(before_commit=hold))
    assert holding.wait(20)
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid[0]])
    thread.join(20)
    assert errors  # its connection went with it, mid-batch
    assert AuditEvent.objects.filter(seal__isnull=True).count() == 5
    assert audit.seal_pending().events == 5
    sealed = list(AuditEvent.objects.order_by("seal__seq").values_list("pk", "seal__seq"))
    assert sealed == [(pk, n) for n, pk in enumerate(written, start=1)]
    assert AuditBatch.objects.count() == 1
    run_verify()


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_an_event_committed_late_is_sealed_later_and_one_rolled_back_never() -> None:
    written, go = threading.Event(), threading.Event()

    def slow_transaction(action: str, keep: bool) -> None:
        with transaction.atomic():
            audit.record(action)  # numbered by the database before the events below
            written.set()
            assert go.wait(20)
            if not keep:
                transaction.set_rollback(True)

    late, late_errors = _in_thread(slow_transaction, "test.late", True)
    assert written.wait(20)
    written.clear()
    lost, lost_errors = _in_thread(slow_transaction, "test.rolled_back", False)
    assert written.wait(20)
    audit.record("test.quick")
    assert audit.seal_pending().events == 1  # the open transactions' events are not seen yet
    quick = AuditEvent.objects.get(action="test.quick").pk
    rechecked = {pk for pk, _ in AuditBatch.objects.get().recheck}
    assert {quick - 2, quick - 1} <= rechecked  # their ids, to read again
    go.set()
    late.join(20)
    lost.join(20)
    assert not late_errors and not lost_errors
    assert audit.seal_pending().events == 1
    # The late one leaves; the rolled-back one once no transaction in the cluster older than
    # its horizon is open (the other test worker's may be).
    assert quick - 2 not in {pk for pk, _ in AuditBatch.objects.last().recheck}
    sealed = list(AuditEvent.objects.order_by("seal__seq").values_list("action", "seal__seq"))
    assert sealed == [("test.quick", 1), ("test.late", 2)]
    late_event = AuditEvent.objects.get(action="test.late")
    assert AuditEvent.objects.get(seal__seq=1).pk == quick
    assert late_event.pk < quick  # numbered first, committed and sealed later: not lost
    run_verify()
