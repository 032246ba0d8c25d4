"""The audit trail (ADR 0024, amending ADR 0004).

- `record()` appends one event inside the caller's transaction: a plain insert, no lock. The
  event carries `mac`, a salted HMAC of its content, and no place in the chain yet.
- `seal_pending()` (the sealer, `manage.py seal_audit`) takes the events waiting in the order the
  database numbered them, gives each the next `seq`, chains their seals (HMAC-SHA256 of the
  previous event's hash and the event's canonical content), and records them as one
  `AuditBatch`: the Merkle tree root of their hashes (RFC 6962), itself sealed and chained to the
  previous batch. One sealer at a time (a PostgreSQL advisory lock; SQLite's write lock).
- `verify_chain()` checks every sealed event and batch; `pending_events()` tells how much waits
  to be sealed and since when, `forged_pending()` which of it does not match its `mac` (a row
  put in or changed by hand).
- `prove()` and `check_proof()`: one event shown to be in the trail with its batch's Merkle path
  and the batch headers after it, without reading every event.

The key (settings.AUDIT_HMAC_KEY) is kept outside the database, so a database writer can make
neither seals nor macs. `data` holds ids, codes and reasons only: never PHI.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Count, Max, Min, Q
from django.http import HttpRequest
from django.utils import timezone

from .models import AuditBatch, AuditEvent, AuditSeal
from .prepared import can_prepare, insert_returning_id

log = logging.getLogger(__name__)

GENESIS = "0" * 64
# Any constant works: it names the advisory lock only the sealer takes, so two never seal at once.
_SEALER_LOCK_ID = 7_406_212
# Made once: json.dumps() and json.loads() build a new one at each call with these options, a
# cost the audit path pays at every event.
_CANONICAL_JSON = json.JSONEncoder(sort_keys=True, separators=(",", ":"))
_DATA_JSON = DjangoJSONEncoder(sort_keys=True)


# --- content and seals ------------------------------------------------------------------------
def _content(event: Any) -> dict[str, Any]:
    return {
        "at": event.at.isoformat(),
        "actor": event.actor_id,
        "organization": event.organization_id,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "ip": event.ip,
        "data": event.data,
    }


def _dumps(content: dict[str, Any]) -> bytes:
    return _CANONICAL_JSON.encode(content).encode()


def canonical(event: Any) -> bytes:
    """The event's content and place as stable bytes (what the chain's seal covers)."""
    return _dumps({**_content(event), "seq": event.seq})


def _key() -> bytes:
    return settings.AUDIT_HMAC_KEY.encode()


def seal(prev_hash: str, event: Any) -> str:
    """The event's seal in the chain: HMAC of the previous event's hash and its canonical form."""
    return _seal(_key(), prev_hash, {**_content(event), "seq": event.seq})


def _seal(key: bytes, prev_hash: str, placed: dict[str, Any]) -> str:
    """`seal()` of content that holds its `seq`."""
    return hmac.digest(key, prev_hash.encode() + _dumps(placed), "sha256").hex()


def event_mac(event: Any, salt: str | None = None) -> str:
    """What `record()` stores with an event before it has a place in the chain: a random salt
    (32 hex digits) and the HMAC-SHA256 of the salt and the content, truncated to 128 bits. The
    salt tells two genuine events of equal content and time apart; a copied row keeps its twin's."""
    return _mac(_key(), salt or secrets.token_hex(16), _content(event))


def _mac(key: bytes, salt: str, content: dict[str, Any]) -> str:
    unsealed = b"unsealed:" + salt.encode() + _dumps(content)
    return salt + hmac.digest(key, unsealed, "sha256").hex()[:32]


def mac_matches(event: Any) -> bool:
    """Does the event's content match the mac `record()` gave it?"""
    return _mac_matches(_key(), event.mac, _content(event))


def _mac_matches(key: bytes, mac: str, content: dict[str, Any]) -> bool:
    return len(mac) == 64 and hmac.compare_digest(_mac(key, mac[:32], content), mac)


def batch_seal(batch: AuditBatch) -> str:
    header = {
        "number": batch.number,
        "first_seq": batch.first_seq,
        "last_seq": batch.last_seq,
        "root": batch.root,
        "head": batch.head,
        "sealed_at": batch.sealed_at.isoformat(),
    }
    return hmac.digest(_key(), batch.prev_hash.encode() + _dumps(header), "sha256").hex()


def _normalized(data: dict[str, Any] | None) -> tuple[str, dict[str, Any]]:
    """`data` as the JSON text to store and as it will read back from any backend: JSON types
    only, no floats, no NUL.

    PostgreSQL's jsonb rewrites floats (1e16 comes back as an integer), which would break the
    seal; ids, codes, counts and reasons need none.
    """
    text = _DATA_JSON.encode(data or {})
    if "\\u0000" in text:
        raise ValueError("Audit data cannot hold NUL characters.")
    normalized: dict[str, Any] = _DATA_READ.decode(text)
    return text, normalized


def _refuse_float(value: str) -> float:
    raise ValueError(f"Audit data holds ids and reasons, not measurements ({value}).")


# NaN and the infinities are constants to JSON, floats all the same (PostgreSQL refuses them).
_DATA_READ = json.JSONDecoder(parse_float=_refuse_float, parse_constant=_refuse_float)


def client_ip(request: HttpRequest | None) -> str:
    """The client's address: from the proxy's header when one is configured, else the socket's.

    Empty when it cannot be known; limits per address count the empty address as one address.
    """
    if request is None:
        return ""
    key = settings.CLIENT_IP_HEADER or "REMOTE_ADDR"
    return (request.META.get(key) or "").strip()[:45]


# --- writing ----------------------------------------------------------------------------------
def record(
    action: str,
    *,
    actor: Any = None,
    organization: Any = None,
    target: Any = None,
    request: HttpRequest | None = None,
    data: dict[str, Any] | None = None,
) -> int:
    """Append one event, inside the caller's transaction when there is one (its own otherwise),
    and return its id.

    A plain insert: no lock, no read. The event is sealed into the chain by the sealer once its
    transaction has committed (ADR 0024); until then `seq` is None, `prev_hash` and `hash` empty. An
    event of a transaction that rolls back is never seen by the sealer, so never sealed.
    """
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    _check_named(actor, "actor")
    _check_named(organization, "organization")
    text, normalized = _normalized(data)
    event = _Unsealed(
        None,
        # Microseconds survive every backend, so the mac recomputes from the stored row.
        timezone.now(),
        actor.pk if actor is not None else None,
        organization.pk if organization is not None else getattr(actor, "organization_id", None),
        action,
        target._meta.label_lower if target is not None else "",
        _target_id(target),
        client_ip(request),
        normalized,
        "",
    )
    event.mac = event_mac(event)
    return _insert(event, text)


def _check_named(value: Any, field_name: str) -> None:
    """What the ORM checked when it built the event: the account or organization named is one,
    and saved (the table has no foreign-key constraint to check it; see the models)."""
    if value is None:
        return
    model: type = AuditEvent._meta.get_field(field_name).related_model  # type: ignore[assignment]
    if not isinstance(value, model) or getattr(value, "pk", None) is None:
        raise ValueError(
            f"An audit event's {field_name} must be a saved {model.__name__}, not {value!r}."
        )


# The columns record() writes; the seal columns keep their database defaults (unsealed).
_WRITTEN = (
    "at",
    "actor_id",
    "organization_id",
    "action",
    "target_type",
    "target_id",
    "ip",
    "data",
    "mac",
)


@cache
def _insert_statement(vendor: str) -> str:
    meta, quote = AuditEvent._meta, connection.ops.quote_name
    columns = ", ".join(quote(str(meta.get_field(name).column)) for name in _WRITTEN)  # type: ignore[union-attr]
    marks = ", ".join(["%s"] * len(_WRITTEN))
    table, pk = quote(meta.db_table), quote(str(meta.pk.column))  # type: ignore[union-attr]
    return f"INSERT INTO {table} ({columns}) VALUES ({marks}) RETURNING {pk}"  # noqa: S608 (model metadata)


def _insert(event: _Unsealed, data_text: str) -> int:
    """The event's row, as one INSERT of its columns: a model instance and its save machinery
    cost more than the insert itself on the audit path every page read takes (ADR 0024). The
    time is adapted as the ORM would and `data` goes as the JSON text it reads back from, so the
    row reads back identically on every backend."""
    db = connections[DEFAULT_DB_ALIAS]  # one lookup: the proxy looks it up at every attribute
    statement = _insert_statement(db.vendor)
    stored = {"at": db.ops.adapt_datetimefield_value(event.at), "data": data_text}
    values = [stored[name] if name in stored else getattr(event, name) for name in _WRITTEN]
    with transaction.mark_for_rollback_on_error(db.alias):
        if can_prepare(db):
            return insert_returning_id(db, statement, values)
        with db.cursor() as cursor:
            cursor.execute(statement, values)
            return int(cursor.fetchone()[0])


def _target_id(target: Any) -> str:
    """Prefer the public random code; fall back to the primary key."""
    if target is None:
        return ""
    return str(getattr(target, "code", None) or target.pk)


# --- the Merkle tree of a batch (RFC 6962 section 2.1) ----------------------------------------
def _leaf(event_hash: str) -> bytes:
    return hashlib.sha256(b"\x00" + bytes.fromhex(event_hash)).digest()


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def _tree_hash(leaves: list[bytes]) -> bytes:
    if not leaves:
        return hashlib.sha256(b"").digest()
    level = leaves
    # Bottom-up pairing gives RFC 6962's tree: an odd node out is carried up unchanged.
    while len(level) > 1:
        paired = [_node(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            paired.append(level[-1])
        level = paired
    return level[0]


def merkle_root(event_hashes: Iterable[str]) -> str:
    return _tree_hash([_leaf(h) for h in event_hashes]).hex()


def _path(index: int, leaves: list[bytes]) -> list[bytes]:
    if len(leaves) <= 1:
        return []
    k = _split(len(leaves))
    if index < k:
        return [*_path(index, leaves[:k]), _tree_hash(leaves[k:])]
    return [*_path(index - k, leaves[k:]), _tree_hash(leaves[:k])]


def merkle_path(index: int, event_hashes: list[str]) -> list[str]:
    """The audit path of leaf `index`: the hashes that, with it, give the root."""
    return [h.hex() for h in _path(index, [_leaf(h) for h in event_hashes])]


def merkle_includes(root: str, size: int, index: int, event_hash: str, path: list[str]) -> bool:
    """RFC 9162 section 2.1.3.2: is `event_hash` leaf `index` of the tree of `size` with `root`?"""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, _leaf(event_hash)
    for step in path:
        p = bytes.fromhex(step)
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = _node(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = _node(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and hmac.compare_digest(r.hex(), root)


# --- sealing ----------------------------------------------------------------------------------
@dataclass
class Sealed:
    """What one call of `seal_pending()` did."""

    events: int = 0
    batches: int = 0
    adopted: int = 0  # events sealed before batches existed, now covered by batches
    refused: list[int] = field(default_factory=list)  # ids whose content does not match its mac
    busy: bool = False  # another sealer held the lock


# Ids found not to match their mac, kept by this process so they do not fill every batch.
_refused: set[int] = set()


def seal_pending(
    batch_size: int | None = None,
    *,
    max_batches: int | None = None,
    before_commit: Callable[[AuditBatch], None] | None = None,
    look_first: bool = True,
) -> Sealed:
    """Seal what waits, in batches of at most `batch_size`, until nothing does (or `max_batches`).

    Each batch is one transaction: the events' places and seals and the batch's row commit
    together or not at all, so a sealer that dies mid-batch leaves the events waiting for the
    next one. `before_commit` runs inside that transaction (the fault drill and tests use it).
    `look_first`: check with one cheap read whether anything waits before opening the batch's
    transaction (on SQLite, always: its transaction takes the write lock); a sealer that just
    found work skips it, as each round trip counts on a busy host.
    """
    size = batch_size or settings.AUDIT_SEAL_BATCH_SIZE
    done = Sealed()
    look = look_first or connection.vendor != "postgresql"
    while max_batches is None or done.batches < max_batches:
        before = len(done.refused)
        sealed, adopted, full = _seal_batch(size, done, before_commit, look)
        # A full batch means more may wait, even when all it read was refused (set aside now).
        if not full or not (sealed or adopted or len(done.refused) > before):
            break
    return done


def _seal_batch(
    size: int, done: Sealed, before_commit: Callable[[AuditBatch], None] | None, look: bool
) -> tuple[int, int, bool]:
    """One batch: (events sealed, legacy events adopted, whether the batch was full)."""
    # A look first, outside any transaction: SQLite's IMMEDIATE transaction would take the
    # database's write lock even when there is nothing to seal.
    if look and not _waiting(_Place.after(_last_batch())).exists() and not _unbatched_legacy():
        return 0, 0, False
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_SEALER_LOCK_ID])
                if not cursor.fetchone()[0]:
                    done.busy = True
                    return 0, 0, False
        # SQLite: the IMMEDIATE transaction holds the write lock; a second sealer waits for it
        # and then reads what the first one sealed.
        last = _last_batch()
        adopted = _adopt_legacy(size, last, before_commit)
        if adopted:
            done.adopted += adopted
            done.batches += 1
            return 0, adopted, True
        place = _Place.after(last)
        events, full = place.read(size)
        seq, prev = (last.last_seq, last.head) if last else (0, GENESIS)
        good: list[_Unsealed] = []
        refused = []
        key = _key()
        for event in events:
            content = _content(event)  # once for both: the mac's check and the seal
            if not _mac_matches(key, event.mac, content):
                refused.append(event.id)
                continue
            seq += 1
            event.seq, event.prev_hash, content["seq"] = seq, prev, seq
            event.hash = prev = _seal(key, prev, content)
            good.append(event)
        place.keep([e.id for e in good], refused)
        new_refusals = [pk for pk in refused if pk not in _refused]
        if new_refusals:
            _refused.update(new_refusals)
            done.refused += new_refusals
            log.error(
                "%d audit event(s) not sealed: content does not match the mac (written or changed "
                "outside record()); they stay unsealed, see docs/operations.md. Ids: %s",
                len(new_refusals),
                ", ".join(map(str, new_refusals[:20])) + (" …" * (len(new_refusals) > 20)),
            )
        if not good:
            return 0, 0, full
        _write_seals(good)
        first = seq - len(good) + 1
        batch = _new_batch(last, first, seq, [e.hash for e in good], place)
        if before_commit is not None:
            before_commit(batch)
    done.events += len(good)
    done.batches += 1
    return len(good), 0, full


def _last_batch() -> AuditBatch | None:
    return AuditBatch.objects.order_by("-number").first()


# How many of the newest ids the sealer looks at for an event whose transaction is still open,
# when it finds its place without a batch to tell it (migration 0007 does the same).
_START_WINDOW = 1000


@dataclass
class _Place:
    """Where the sealer stands (ADR 0031): it has read every event up to `last_id` except the
    ids in `recheck`, which it reads again at each batch. An id is put there when the events
    after it were visible and it was not: its transaction was still open, or had rolled back.
    It leaves once its event is sealed, or once PostgreSQL shows every transaction that was open
    when it was put there (`horizon`, the snapshot's xmax then) finished, and it is still not
    there: rolled back. A refused event stays, so it is still counted as waiting."""

    last_id: int
    recheck: dict[int, int]  # id -> horizon

    @classmethod
    def after(cls, batch: AuditBatch | None) -> _Place:
        """The place the batch records; without one (a new database, or a trail sealed before
        batches), the place found from the seals, once: after the newest sealed event, with
        every older event without a seal, and the ids missing among the newest, to read
        again."""
        recorded = _recorded_place(batch)
        if recorded is not None:
            return recorded
        top = AuditSeal.objects.aggregate(top=Max("event_id"))["top"] or 0
        unsealed = AuditEvent.objects.filter(id__lte=top, seal__isnull=True)
        place = cls(top, dict.fromkeys(unsealed.values_list("id", flat=True), 0))
        recent = AuditEvent.objects.filter(id__gt=top - _START_WINDOW, id__lte=top)
        place.note_missing(
            max(0, top - _START_WINDOW), top + 1, recent.values_list("id", flat=True)
        )
        return place

    def read(self, size: int) -> tuple[list[_Unsealed], bool]:
        """The events to seal now: the ones read again first, then up to `size` read after
        `last_id` (past pages of events already sealed or refused); and whether the last page
        was full (more may wait)."""
        events = self._read_again()
        while True:
            rows = list(
                AuditEvent.objects.filter(id__gt=self.last_id)
                .order_by("id")
                .values_list(*_Unsealed.READ)[:size]
            )
            if not rows:
                return events, False
            self.note_missing(self.last_id, rows[-1][0], (row[0] for row in rows))
            self.last_id = rows[-1][0]
            events += self._to_seal(
                rows, _sealed(event_id__gte=rows[0][0], event_id__lte=rows[-1][0])
            )
            if events or len(rows) < size:
                return events, len(rows) == size

    def note_missing(self, after: int, before: int, seen: Iterable[int]) -> None:
        """Ids between `after` and `before` not `seen` (read just before) are of a transaction
        still open or rolled back: they are read again until it is known which."""
        missing = set(range(after + 1, before)) - set(seen)
        if missing:
            self.recheck.update(dict.fromkeys(missing, _snapshot("xmax")))

    def _read_again(self) -> list[_Unsealed]:
        if not self.recheck:
            return []
        # The transactions below it finished before this read, so what they wrote is visible.
        finished_below = _snapshot("xmin")
        rows = AuditEvent.objects.filter(id__in=self.recheck).values_list(*_Unsealed.READ)
        found = {row[0]: row for row in rows}
        sealed = _sealed(event_id__in=list(self.recheck))
        for pk, horizon in list(self.recheck.items()):
            if pk in sealed or (pk not in found and horizon <= finished_below):
                del self.recheck[pk]  # sealed meanwhile, or rolled back
        return self._to_seal([found[pk] for pk in sorted(found)], sealed)

    def _to_seal(self, rows: list[tuple[Any, ...]], sealed: set[int]) -> list[_Unsealed]:
        """The rows not sealed yet, except those this process has refused (kept to read again:
        they still wait)."""
        events = []
        for row in rows:
            if row[0] in sealed:
                continue
            if row[0] in _refused:
                self.recheck.setdefault(row[0], 0)
            else:
                events.append(_Unsealed(*row))
        return events

    def keep(self, sealed: list[int], refused: list[int]) -> None:
        """The events sealed now leave `recheck`; the refused ones stay in it."""
        for pk in sealed:
            self.recheck.pop(pk, None)
        for pk in refused:
            self.recheck.setdefault(pk, 0)


def _recorded_place(batch: AuditBatch | None) -> _Place | None:
    """The place the batch records, or None when it records none, or one that is not ids and
    horizons (changed in the database: the sealer then finds its place from the seals, which
    is safe, and `verify_audit_chain` reports the batch)."""
    if batch is None or batch.last_id is None:
        return None
    pairs = batch.recheck
    if not isinstance(pairs, list) or not all(
        isinstance(p, list) and len(p) == 2 and all(type(n) is int for n in p) for p in pairs
    ):
        log.error("Audit batch %s records no valid sealer place; finding it again", batch.number)
        return None
    return _Place(batch.last_id, {pk: horizon for pk, horizon in pairs})


def _sealed(**among: Any) -> set[int]:
    """Ids of the events `among` (a filter on `event_id`) that have a seal. After `last_id`
    there should be none (the sealer seals nothing past its place): the forward read checks
    anyway, so that a place recorded wrong skips what is sealed instead of stopping the sealer
    on the seals' unique index. A read of that index of its own, not a join: a join's plan
    depends on the planner's estimates, which are poor for tables that only just grew."""
    return set(AuditSeal.objects.filter(**among).values_list("event_id", flat=True))


_SNAPSHOT = {
    "xmin": "SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint",
    "xmax": "SELECT pg_snapshot_xmax(pg_current_snapshot())::text::bigint",
}


def _snapshot(bound: str) -> int:
    """PostgreSQL's current snapshot's xmin (every transaction below it has finished) or xmax
    (every transaction open now is below it). Elsewhere 0: SQLite has one writer at a time, so
    an id missing between visible events is never of a transaction still open."""
    if connection.vendor != "postgresql":
        return 0
    with connection.cursor() as cursor:
        cursor.execute(_SNAPSHOT[bound])
        return int(cursor.fetchone()[0])


def _waiting(place: _Place) -> Any:
    """Events not sealed yet: after where the sealer stands (none of those has a seal: the
    sealer seals no event after its place), or among those it reads again and not sealed
    since. No join with the seals, for the reason `_sealed` gives."""
    recheck = list(place.recheck)
    sealed = _sealed(event_id__in=recheck) if recheck else set()
    return AuditEvent.objects.filter(Q(id__gt=place.last_id) | Q(id__in=recheck)).exclude(
        id__in=sealed
    )


class _Unsealed:
    """An unsealed event as `record()` writes it and the sealer reads it: its columns only, no
    model instance."""

    READ = (
        "id",
        "at",
        "actor_id",
        "organization_id",
        "action",
        "target_type",
        "target_id",
        "ip",
        "data",
        "mac",
    )
    __slots__ = (*READ, "seq", "prev_hash", "hash")
    id: int
    at: datetime
    actor_id: int | None
    organization_id: int | None
    action: str
    target_type: str
    target_id: str
    ip: str
    data: dict[str, Any]
    mac: str
    seq: int
    prev_hash: str
    hash: str

    def __init__(self, *values: Any) -> None:
        for name, value in zip(self.READ, values, strict=True):
            setattr(self, name, value)


def _write_seals(events: list[Any]) -> None:
    """Record the events' places and seals, one `AuditSeal` each (ADR 0031). The events are
    consecutive in the chain, so each one's previous hash is the hash before it."""
    if connection.vendor != "postgresql":
        AuditSeal.objects.bulk_create(
            AuditSeal(seq=e.seq, event_id=e.id, prev_hash=e.prev_hash, hash=e.hash) for e in events
        )
        return
    hashes = [e.hash for e in events]
    with connection.cursor() as cursor:
        # Each column as one comma-separated string, split by the server: a list is bound one
        # element at a time in Python, which cost the sealer half as much as the statement's
        # own work.
        cursor.execute(
            "INSERT INTO core_auditseal (seq, event_id, prev_hash, hash)"
            " SELECT %s::bigint + v.n - 1, v.id, v.prev, v.hash"
            " FROM unnest(string_to_array(%s::text, ',')::bigint[],"
            " string_to_array(%s::text, ','), string_to_array(%s::text, ','))"
            " WITH ORDINALITY AS v(id, prev, hash, n)",
            [
                events[0].seq,
                ",".join(str(e.id) for e in events),
                ",".join([events[0].prev_hash, *hashes[:-1]]),
                ",".join(hashes),
            ],
        )


def _new_batch(
    last: AuditBatch | None, first: int, final: int, hashes: list[str], place: _Place
) -> AuditBatch:
    """The batch of events `first`..`final`, with where the sealer stands after it."""
    batch = AuditBatch(
        number=(last.number + 1) if last else 1,
        first_seq=first,
        last_seq=final,
        root=merkle_root(hashes),
        head=hashes[-1],
        prev_hash=last.hash if last else GENESIS,
        sealed_at=timezone.now(),
        last_id=place.last_id,
        recheck=sorted(map(list, place.recheck.items())),
    )
    batch.hash = batch_seal(batch)
    batch.save()
    return batch


# Set once this process has seen every event sealed before batches covered by one: events sealed
# since always come with their batch, so there is no need to look again.
_legacy_done: list[bool] = []


def _unbatched_legacy() -> bool:
    """Are there events sealed before batches existed (ADR 0004's chain) not yet in a batch?"""
    if _legacy_done:
        return False
    top = _top_sealed()
    if top is None:
        return False
    last = AuditBatch.objects.order_by("-number").values_list("last_seq", flat=True).first()
    return top > (last or 0)


def _top_sealed() -> int | None:
    return AuditSeal.objects.order_by("-seq").values_list("seq", flat=True).first()


def _adopt_legacy(
    size: int, last: AuditBatch | None, before_commit: Callable[[AuditBatch], None] | None
) -> int:
    """Cover events sealed one by one before ADR 0024 with batches (their seals unchanged)."""
    if _legacy_done:
        return 0
    top = _top_sealed()
    start = (last.last_seq if last else 0) + 1
    if top is None or top < start:
        _legacy_done.append(True)  # seen under the sealer's lock
        return 0
    rows = list(
        AuditSeal.objects.filter(seq__gte=start, seq__lt=start + size)
        .order_by("seq")
        .values_list("seq", "hash")
    )
    final = rows[-1][0] or start
    # The place is where the sealer will start sealing new events from (found once, at the
    # first of these batches, then carried from batch to batch).
    batch = _new_batch(last, start, final, [h for _, h in rows], _Place.after(last))
    if before_commit is not None:
        before_commit(batch)
    log.info(
        "Adopted audit events %s-%s (sealed before batches) as batch %s",
        start,
        rows[-1][0],
        batch.number,
    )
    return len(rows)


# --- what waits -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Pending:
    count: int
    oldest: datetime | None
    last_sealed_at: datetime | None
    last_batch: int | None

    def age(self, now: datetime | None = None) -> float:
        """Seconds the oldest unsealed event has waited (from its time, `at`)."""
        if self.oldest is None:
            return 0.0
        return max(0.0, ((now or timezone.now()) - self.oldest).total_seconds())


def pending_events() -> Pending:
    """How many events wait to be sealed and since when; the last batch and when it was sealed.
    Reads the last batch, then only the events after where the sealer stands and those it reads
    again."""
    last = _last_batch()
    waiting = _waiting(_Place.after(last)).aggregate(n=Count("id"), oldest=Min("at"))
    return Pending(
        waiting["n"],
        waiting["oldest"],
        last.sealed_at if last else None,
        last.number if last else None,
    )


def forged_pending(chunk_size: int = 2000) -> list[int]:
    """Ids of unsealed events whose content does not match their mac."""
    waiting = _waiting(_Place.after(_last_batch())).order_by("id").iterator(chunk_size)
    return [e.id for e in waiting if not mac_matches(e)]


def lag_limit() -> float:
    """Seconds an event may wait to be sealed before the health check fails and the sealer logs
    an error (AUDIT_SEAL_LAG_LIMIT)."""
    return float(settings.AUDIT_SEAL_LAG_LIMIT)


# --- the sealer as a process ------------------------------------------------------------------
def run_sealer(
    interval: float,
    stop: Callable[[], bool],
    *,
    batch_size: int | None = None,
    before_commit: Callable[[AuditBatch], None] | None = None,
    say: Callable[[str], None] = lambda _: None,
) -> None:
    """Seal every `interval` seconds until `stop()`; keep going through database outages.

    Logs an error (once a minute at most while it lasts) when the oldest waiting event is older
    than the limit: the sealer is behind, or an event it refuses waits.
    """
    from django.db import DatabaseError, close_old_connections

    alerted_at = looked_at = 0.0
    busy = False
    while not stop():
        # A pass starts every `interval` seconds, or at once when the last one took longer.
        started = time.monotonic()
        try:
            # While it keeps finding work it goes straight to the batch: each round trip counts
            # on a busy host.
            result = seal_pending(batch_size, before_commit=before_commit, look_first=not busy)
            busy = bool(result.events or result.adopted)
            if busy:
                say(
                    f"sealed {result.events} events, adopted {result.adopted}, "
                    f"in {result.batches} batch(es)"
                )
            if time.monotonic() - looked_at < 1:  # its own lag, looked at once a second
                time.sleep(max(0.0, started + interval - time.monotonic()))
                continue
            looked_at = time.monotonic()
            state = pending_events()
            age = state.age()
            if age > lag_limit() and time.monotonic() - alerted_at > 60:
                alerted_at = time.monotonic()
                log.error(
                    "Audit sealing lag %.1f s exceeds the %.0f s limit: %d event(s) waiting.",
                    age,
                    lag_limit(),
                    state.count,
                )
        except DatabaseError as error:
            log.warning(
                "The sealer could not reach the database (%s); retrying", type(error).__name__
            )
            connection.close()
            time.sleep(min(1.0, interval * 5))
            continue
        finally:
            if not connection.in_atomic_block:  # (a test's transaction)
                close_old_connections()  # a connection past CONN_MAX_AGE is renewed
        time.sleep(max(0.0, started + interval - time.monotonic()))


# --- verifying --------------------------------------------------------------------------------
@dataclass(frozen=True)
class ChainProblem:
    seq: int
    problem: str


def verify_chain(chunk_size: int = 2000) -> tuple[int, str, list[ChainProblem]]:
    """Walk every sealed event and batch; return (events checked, head hash, problems found).

    Events waiting to be sealed are not part of the chain yet: see `pending_events()` and
    `forged_pending()`.
    """
    batches = _Batches(_batches(chunk_size))
    count, head, problems = verify_events(_events(chunk_size), batches.take)
    problems += batches.finish() + _copies() + _passed_over()
    problems.sort(key=lambda p: p.seq)
    return count, head, problems


def _copies() -> list[ChainProblem]:
    """Sealed events that are copies of another (one mac twice): a row copied in the database
    while it waited would otherwise be sealed as a second, valid-looking event."""
    repeated = (
        AuditEvent.objects.exclude(mac="")
        .values("mac")
        .annotate(n=Count("id"), first=Min("id"))
        .filter(n__gt=1)
    )
    found = []
    for row in repeated:
        copies = AuditEvent.objects.filter(mac=row["mac"]).exclude(id=row["first"])
        for seq, pk in copies.values_list("seal__seq", "id"):
            what = "is" if seq else f"(id {pk}, waiting to be sealed) is"
            found.append(ChainProblem(seq or 0, f"{what} a copy of an earlier event (same mac)"))
    return found


def _passed_over() -> list[ChainProblem]:
    """Events the sealer has read past without sealing them and does not read again: the place
    a batch recorded was changed, or an event's seal was removed."""
    last = _last_batch()
    if last is not None and last.last_id is not None and _recorded_place(last) is None:
        return [ChainProblem(last.first_seq, f"batch {last.number}'s sealer place is not valid")]
    place = _Place.after(last)
    passed = AuditEvent.objects.filter(id__lte=place.last_id, seal__isnull=True).exclude(
        id__in=list(place.recheck)
    )
    return [
        ChainProblem(0, f"(id {pk}) was passed over by the sealer and is not sealed")
        for pk in passed.values_list("id", flat=True)
    ]


def verify_events(
    events: Iterable[AuditEvent],
    take: Callable[[AuditEvent, bool], list[ChainProblem]] | None = None,
) -> tuple[int, str, list[ChainProblem]]:
    """Check events in chain order, from the first: (events checked, head hash, problems).
    `take` sees each event and whether it had a problem (the batches' check)."""
    problems: list[ChainProblem] = []
    expected_prev, expected_seq, count = GENESIS, 1, 0
    for event in events:
        count += 1
        found, seq = len(problems), event.seq or 0
        if seq != expected_seq:
            problems.append(ChainProblem(seq, f"expected event #{expected_seq} here"))
        if event.prev_hash != expected_prev:
            problems.append(ChainProblem(seq, "does not follow the previous event"))
        if not hmac.compare_digest(seal(event.prev_hash, event), event.hash):
            problems.append(ChainProblem(seq, "content does not match its seal"))
        if take is not None:
            problems += take(event, len(problems) > found)
        expected_prev, expected_seq = event.hash, seq + 1
    return count, expected_prev, problems


class _Batches:
    """Checks the batches alongside the events: each batch's seal and link to the one before,
    and that its events are all there with the Merkle root and head it recorded. A batch whose
    events already showed a problem is not reported again for them."""

    def __init__(self, batches: Iterator[AuditBatch]) -> None:
        self.batches = batches
        self.current: AuditBatch | None = next(batches, None)
        self.hashes: list[str] = []
        self.seqs: list[int] = []
        self.troubled = False
        self.number, self.prev = 1, GENESIS
        self.problems: list[ChainProblem] = []

    def take(self, event: AuditEvent, troubled: bool) -> list[ChainProblem]:
        found: list[ChainProblem] = []
        seq = event.seq or 0
        while self.current is not None and seq > self.current.last_seq:
            found += self._close()
        if self.current is None or seq < self.current.first_seq:
            return [*found, ChainProblem(seq, "is in no sealed batch")]
        self.hashes.append(event.hash)
        self.seqs.append(seq)
        self.troubled = self.troubled or troubled
        return found

    def finish(self) -> list[ChainProblem]:
        found: list[ChainProblem] = []
        while self.current is not None:
            found += self._close()
        return found

    def _close(self) -> list[ChainProblem]:
        batch = self.current
        if batch is None:
            return []
        found = []
        where = f"batch {batch.number} (events {batch.first_seq}-{batch.last_seq})"
        if batch.number != self.number:
            found.append(
                ChainProblem(batch.first_seq, f"expected batch {self.number}, not {where}")
            )
        if batch.prev_hash != self.prev:
            found.append(ChainProblem(batch.first_seq, f"{where} does not follow the batch before"))
        if not hmac.compare_digest(batch_seal(batch), batch.hash):
            found.append(ChainProblem(batch.first_seq, f"{where} does not match its seal"))
        complete = self.seqs == list(range(batch.first_seq, batch.last_seq + 1))
        if not self.troubled and not complete:
            found.append(ChainProblem(batch.first_seq, f"{where}: events are missing"))
        elif not self.troubled and (
            merkle_root(self.hashes) != batch.root or self.hashes[-1] != batch.head
        ):
            found.append(ChainProblem(batch.first_seq, f"{where}: events do not match its root"))
        self.number, self.prev = batch.number + 1, batch.hash
        self.hashes, self.seqs, self.troubled = [], [], False
        self.current = next(self.batches, None)
        return found


def _events(chunk_size: int) -> Iterator[AuditEvent]:
    """Sealed events in chain order, read a chunk at a time by `seq` (keyset pagination)."""
    after = 0
    while True:
        chunk = list(
            AuditEvent.objects.filter(seal__seq__gt=after)
            .select_related("seal")
            .order_by("seal__seq")[:chunk_size]
        )
        yield from chunk
        if len(chunk) < chunk_size:
            return
        after = chunk[-1].seq  # type: ignore[assignment]


def _batches(chunk_size: int) -> Iterator[AuditBatch]:
    after = 0
    while True:
        chunk = list(AuditBatch.objects.filter(number__gt=after).order_by("number")[:chunk_size])
        yield from chunk
        if len(chunk) < chunk_size:
            return
        after = chunk[-1].number


# --- proving one event ------------------------------------------------------------------------
@dataclass
class Proof:
    """One event's place in the trail: the event, its batch's Merkle audit path, and the batch
    headers from its batch to the newest (each chained to the one before)."""

    event: AuditEvent
    index: int  # the event's leaf in its batch's tree
    path: list[str]
    batches: list[AuditBatch]  # the event's batch first

    def as_dict(self) -> dict[str, Any]:
        def header(b: AuditBatch) -> dict[str, Any]:
            return {
                "number": b.number,
                "first_seq": b.first_seq,
                "last_seq": b.last_seq,
                "root": b.root,
                "head": b.head,
                "prev_hash": b.prev_hash,
                "hash": b.hash,
                "sealed_at": b.sealed_at.isoformat(),
            }

        e = self.event
        return {
            "event": {**json.loads(canonical(e)), "prev_hash": e.prev_hash, "hash": e.hash},
            "leaf_index": self.index,
            "audit_path": self.path,
            "batches": [header(b) for b in self.batches],
        }


def prove(seq: int) -> Proof:
    """The proof for event `seq`: reads the event, its batch's hashes and the later batch headers,
    never the whole trail. AuditEvent.DoesNotExist / AuditBatch.DoesNotExist if it has none."""
    event = AuditEvent.objects.select_related("seal").get(seal__seq=seq)
    batch = AuditBatch.objects.get(first_seq__lte=seq, last_seq__gte=seq)
    hashes = list(
        AuditSeal.objects.filter(seq__gte=batch.first_seq, seq__lte=batch.last_seq)
        .order_by("seq")
        .values_list("hash", flat=True)
    )
    index = seq - batch.first_seq
    later = list(AuditBatch.objects.filter(number__gte=batch.number).order_by("number"))
    return Proof(event, index, merkle_path(index, hashes), later)  # type: ignore[arg-type]


def check_proof(proof: Proof, expect_head: str | None = None) -> list[str]:
    """What is wrong with the proof (nothing: the event is in the trail as it reads)."""
    e, first = proof.event, proof.batches[0] if proof.batches else None
    wrong = []
    if not hmac.compare_digest(seal(e.prev_hash, e), e.hash):
        wrong.append("the event does not match its seal")
    if first is None:
        return [*wrong, "no batch holds the event"]
    if not merkle_includes(first.root, first.size, proof.index, e.hash, proof.path):
        wrong.append(f"the event is not in batch {first.number}'s Merkle tree")
    if e.seq != first.first_seq + proof.index:
        wrong.append("the event's place does not match its leaf in the batch")
    prev = None
    for batch in proof.batches:
        if not hmac.compare_digest(batch_seal(batch), batch.hash):
            wrong.append(f"batch {batch.number} does not match its seal")
        if prev is not None and (batch.prev_hash != prev.hash or batch.number != prev.number + 1):
            wrong.append(f"batch {batch.number} does not follow batch {prev.number}")
        prev = batch
    if expect_head and not any(b.head == expect_head for b in proof.batches):
        wrong.append("the expected head is not at or after the event's batch")
    return wrong
