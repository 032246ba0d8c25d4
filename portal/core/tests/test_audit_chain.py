"""The audit chain: append-only in the application, and any tampering in the database is found."""

import copy

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from portal.core import audit
from portal.core.models import AuditEvent, AuditSeal
from portal.core.testing import seal_audit_events

pytestmark = pytest.mark.django_db


@pytest.fixture
def chain() -> list[AuditEvent]:
    """Five events, each sealed by the sealer before the next is written (five batches of one),
    read back as sealed."""
    events = []
    for n in range(5):
        written = audit.record("test.happened", data={"n": n, "reason": "why"})
        seal_audit_events()
        events.append(AuditEvent.objects.get(pk=written))
    return events


def at(seq: int) -> int:
    """The id of the event at place `seq` in the chain (seals are rows of their own, ADR 0031)."""
    return AuditSeal.objects.get(seq=seq).event_id


def run_verify(*args: str) -> str:
    from io import StringIO

    out = StringIO()
    call_command("verify_audit_chain", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def sql(statement: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_an_untouched_chain_verifies_and_prints_its_head(chain: list[AuditEvent]) -> None:
    output = run_verify()
    assert "5 events" in output and chain[-1].hash in output
    assert [e.seq for e in chain] == [1, 2, 3, 4, 5]
    assert chain[1].prev_hash == chain[0].hash


def test_changing_a_row_is_detected(chain: list[AuditEvent]) -> None:
    sql("UPDATE core_auditevent SET action = %s WHERE id = %s", ["test.forged", at(3)])
    with pytest.raises(CommandError, match="broken"):
        run_verify()


def test_changing_data_is_detected(chain: list[AuditEvent]) -> None:
    sql("UPDATE core_auditevent SET data = %s WHERE id = %s", ['{"n": 2, "reason": "x"}', at(3)])
    with pytest.raises(CommandError):
        run_verify()


def test_deleting_a_middle_row_is_detected(chain: list[AuditEvent]) -> None:
    sql("DELETE FROM core_auditevent WHERE id = %s", [at(2)])
    with pytest.raises(CommandError):
        run_verify()


def test_deleting_the_newest_rows_is_detected_against_a_kept_head(chain: list[AuditEvent]) -> None:
    head = chain[-1].hash
    sql("DELETE FROM core_auditevent WHERE id IN (%s, %s)", [at(4), at(5)])
    sql("DELETE FROM core_auditseal WHERE seq >= %s", [4])  # with their seals...
    sql("DELETE FROM core_auditbatch WHERE first_seq >= %s", [4])  # ...and the batches
    run_verify()  # the shorter chain is consistent in itself...
    with pytest.raises(CommandError):
        run_verify("--expect-head", head)  # ...but the head kept outside is gone


def test_inserting_a_forged_row_is_detected(chain: list[AuditEvent]) -> None:
    # A forger without the HMAC key copies a real row's seal onto new content.
    sql(
        "INSERT INTO core_auditevent (at, action, target_type, target_id, ip, data, mac)"
        " SELECT at, 'test.inserted', '', '', '', data, '' FROM core_auditevent WHERE id = %s",
        [at(5)],
    )
    sql(
        "INSERT INTO core_auditseal (seq, event_id, prev_hash, hash) SELECT 6,"
        " (SELECT max(id) FROM core_auditevent), hash, hash FROM core_auditseal WHERE seq = 5",
        [],
    )
    with pytest.raises(CommandError):
        run_verify()


def test_resealing_a_forgery_without_the_key_is_detected(chain: list[AuditEvent], settings) -> None:
    # The forger changes event 3 and re-seals it and every later event with a guessed key.
    real_key = settings.AUDIT_HMAC_KEY
    settings.AUDIT_HMAC_KEY = "a key the forger guessed"
    prev = chain[1].hash
    sealed = AuditEvent.objects.filter(seal__seq__gte=3).select_related("seal")
    for event in sealed.order_by("seal__seq"):
        if event.seq == 3:
            event.action = "test.forged"
        forged = audit.seal(prev, event)
        sql("UPDATE core_auditevent SET action = %s WHERE id = %s", [event.action, event.pk])
        sql(
            "UPDATE core_auditseal SET prev_hash = %s, hash = %s WHERE seq = %s",
            [prev, forged, event.seq],
        )
        prev = forged
    settings.AUDIT_HMAC_KEY = real_key
    with pytest.raises(CommandError, match="broken: 3 problem"):
        run_verify()  # links are consistent, but seals 3 to 5 fail under the real key


def test_the_application_cannot_change_or_delete_events(chain: list[AuditEvent]) -> None:
    event = chain[0]
    event.action = "changed"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        AuditEvent.objects.filter(pk=event.pk).update(action="changed")
    with pytest.raises(TypeError):
        AuditEvent.objects.all().delete()
    run_verify()


def test_rolled_back_changes_leave_no_audit_event() -> None:
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        audit.record("test.rolled_back")
        raise RuntimeError
    assert not AuditEvent.objects.exists()
    audit.record("test.after")
    seal_audit_events()
    assert AuditEvent.objects.get().seq == 1
    run_verify()


def test_data_reads_back_as_sealed_on_every_database() -> None:
    import uuid

    code = uuid.uuid4()
    audit.record("test.coded", data={"code": code, "count": 10**16, "nested": {"b": 1, "a": [2]}})
    assert seal_audit_events() == 1  # the mac recomputed from the stored row matched
    assert AuditEvent.objects.get().data["code"] == str(code)
    assert "1 events" in run_verify()


@pytest.mark.parametrize(
    "bad",
    [{"ratio": 0.5}, {"reason": "a\x00b"}, {"ratio": float("nan")}, {"ratio": float("-inf")}],
)
def test_data_that_would_not_read_back_exactly_is_refused(bad: dict) -> None:
    with pytest.raises(ValueError):
        audit.record("test.bad", data=bad)
    assert not AuditEvent.objects.exists()


# --- Any tampering, found (a property over chains and tamperings) ---------------------------


def _sealed_chain(length: int) -> list[AuditEvent]:
    """Events as `record` seals them, kept in memory so a thousand trials stay fast."""
    events, prev = [], audit.GENESIS
    for n in range(1, length + 1):
        event = AuditEvent(at=timezone.now(), action="test.happened", data={"n": n})
        event.seal = AuditSeal(seq=n, prev_hash=prev)
        event.seal.hash = prev = audit.seal(prev, event)
        events.append(event)
    return events


TAMPERINGS = ("change_action", "change_data", "change_actor", "delete", "insert_copy", "swap",
              "truncate")  # fmt: skip


@settings(max_examples=1000, deadline=None)
@given(length=st.integers(2, 12), how=st.sampled_from(TAMPERINGS), data=st.data())
def test_every_change_deletion_insertion_and_reordering_is_found(length, how, data) -> None:
    events = _sealed_chain(length)
    head = events[-1].hash
    i = data.draw(st.integers(0, length - 1), label="where")
    if how == "change_action":
        events[i].action = "test.forged"
    elif how == "change_data":
        events[i].data = {"n": events[i].data["n"] + 1}
    elif how == "change_actor":
        events[i].actor_id = 99
    elif how == "delete":
        del events[i]
    elif how == "insert_copy":  # a copy of a real row, its seal and all, somewhere else
        events.insert(data.draw(st.integers(0, length), label="to"), copy.copy(events[i]))
    elif how == "swap":
        j = data.draw(st.integers(0, length - 1).filter(lambda j: j != i), label="with")
        events[i], events[j] = events[j], events[i]
    else:
        events = events[:i]
    _, found_head, problems = audit.verify_events(events)
    # Either an event is wrong where it stands, or the chain no longer ends at the head kept
    # outside the database (`verify_audit_chain --expect-head`).
    assert problems or found_head != head
