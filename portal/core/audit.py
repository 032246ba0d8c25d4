"""The audit trail: `record()` appends one hash-chained event; `verify_chain()` checks them all.

Each event stores the HMAC-SHA256 (key from settings, kept outside the database) of the previous
event's hash and its own canonical content, so changing, removing or inserting a row breaks the
chain. `data` holds ids, codes and reasons only: never PHI.
"""

import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.http import HttpRequest

from .models import AuditEvent

GENESIS = "0" * 64
# Any constant works: it names the one advisory lock that serializes chain appends on PostgreSQL.
_CHAIN_LOCK_ID = 7_406_211


def canonical(event: AuditEvent) -> bytes:
    """The event's content as stable bytes (what the hash covers)."""
    content = {
        "seq": event.seq,
        "at": event.at.isoformat(),
        "actor": event.actor_id,
        "organization": event.organization_id,
        "action": event.action,
        "target_type": event.target_type,
        "target_id": event.target_id,
        "ip": event.ip,
        "data": event.data,
    }
    return json.dumps(content, sort_keys=True, separators=(",", ":")).encode()


def seal(prev_hash: str, event: AuditEvent) -> str:
    key = settings.AUDIT_HMAC_KEY.encode()
    return hmac.new(key, prev_hash.encode() + canonical(event), hashlib.sha256).hexdigest()


def _normalized(data: dict[str, Any] | None) -> dict[str, Any]:
    """`data` as it will read back from any backend: JSON types only, no floats, no NUL.

    PostgreSQL's jsonb rewrites floats (1e16 comes back as an integer), which would break the
    seal; ids, codes, counts and reasons need none.
    """
    text = json.dumps(data or {}, cls=DjangoJSONEncoder, sort_keys=True)
    if "\\u0000" in text:
        raise ValueError("Audit data cannot hold NUL characters.")
    normalized: dict[str, Any] = json.loads(text, parse_float=_refuse_float)
    return normalized


def _refuse_float(value: str) -> float:
    raise ValueError(f"Audit data holds ids and reasons, not measurements ({value}).")


def client_ip(request: HttpRequest | None) -> str:
    """The client's address: from the proxy's header when one is configured, else the socket's.

    Empty when it cannot be known; limits per address count the empty address as one address.
    """
    if request is None:
        return ""
    key = settings.CLIENT_IP_HEADER or "REMOTE_ADDR"
    return (request.META.get(key) or "").strip()[:45]


def record(
    action: str,
    *,
    actor: Any = None,
    organization: Any = None,
    target: Any = None,
    request: HttpRequest | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain, inside the caller's transaction when there is one."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    if organization is None and actor is not None:
        organization = actor.organization
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_ID])
        # SQLite needs no lock: its IMMEDIATE transactions already serialize writers.
        last = AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()
        prev_seq, prev_hash = last if last else (0, GENESIS)
        event = AuditEvent(
            seq=prev_seq + 1,
            actor=actor,
            organization=organization,
            action=action,
            target_type=target._meta.label_lower if target is not None else "",
            target_id=_target_id(target),
            ip=client_ip(request),
            data=_normalized(data),
            prev_hash=prev_hash,
        )
        # Microseconds survive every backend, so the hash recomputes from the stored row.
        event.hash = seal(prev_hash, event)
        event.save()
    return event


def _target_id(target: Any) -> str:
    """Prefer the public random code; fall back to the primary key."""
    if target is None:
        return ""
    return str(getattr(target, "code", None) or target.pk)


@dataclass(frozen=True)
class ChainProblem:
    seq: int
    problem: str


def verify_chain(chunk_size: int = 2000) -> tuple[int, str, list[ChainProblem]]:
    """Walk the whole chain; return (events checked, head hash, problems found)."""
    return verify_events(_events(chunk_size))


def verify_events(events: Iterable[AuditEvent]) -> tuple[int, str, list[ChainProblem]]:
    """Check events in chain order, from the first: (events checked, head hash, problems)."""
    problems: list[ChainProblem] = []
    expected_prev, expected_seq, count = GENESIS, 1, 0
    for event in events:
        count += 1
        if event.seq != expected_seq:
            problems.append(ChainProblem(event.seq, f"expected event #{expected_seq} here"))
        if event.prev_hash != expected_prev:
            problems.append(ChainProblem(event.seq, "does not follow the previous event"))
        if not hmac.compare_digest(seal(event.prev_hash, event), event.hash):
            problems.append(ChainProblem(event.seq, "content does not match its seal"))
        expected_prev, expected_seq = event.hash, event.seq + 1
    return count, expected_prev, problems


def _events(chunk_size: int) -> Iterator[AuditEvent]:
    return AuditEvent.objects.order_by("seq").iterator(chunk_size=chunk_size)
