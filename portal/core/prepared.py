"""Statements prepared on the server, for the few whose shape never changes (ADR 0028, as
amended by ADR 0030): the audit insert and the queries compiled once (`portal.core.compiled`).
The audit insert, which every page read makes, runs through libpq itself (ADR 0032).

Only these are prepared. PostgreSQL may then plan one of them once for every value (a generic
plan), which suits a lookup by key and saves most of what the report page cost PostgreSQL. A
list's query, whose best plan depends on its filters, is never prepared, so it is always planned
for its own values.
"""

import hashlib
import threading
from collections.abc import Sequence
from datetime import datetime
from functools import cache
from typing import Any

from django.conf import settings


class _Kept(threading.local):
    def __init__(self) -> None:
        self.cursor: Any = None  # execute_prepared's
        self.prepared_on: dict[bytes, Any] = {}  # insert_returning_id's: name -> connection


_kept = _Kept()


def can_prepare(db: Any) -> bool:
    """Whether `execute_prepared` may run on this connection: PostgreSQL with prepared statements
    on (DATABASE_PREPARED_STATEMENTS), and nothing watching Django's cursor (its query log under
    DEBUG or `assertNumQueries`, execute wrappers), which sees only what goes through it."""
    return (
        db.vendor == "postgresql"
        and settings.DATABASE_PREPARED_STATEMENTS
        and not (db.queries_logged or db.execute_wrappers)
    )


def execute_prepared(db: Any, statement: str, values: Sequence[Any]) -> Any:
    """Run a statement prepared once per connection (at its first run), on a psycopg cursor kept
    with the connection; returns that cursor to fetch from. Call `can_prepare(db)` first. What
    Django's cursor adds to each statement (a wrapper, a new cursor) is kept out; its health
    check, its checks before a statement and its translation of errors are kept."""
    db.close_if_health_check_failed()
    db.ensure_connection()
    db.validate_no_broken_transaction()
    raw = db.connection
    cursor = _kept.cursor
    if cursor is None or cursor.connection is not raw or cursor.closed:
        # A new connection (the health check replaced a broken one, or CONN_MAX_AGE passed).
        cursor = _kept.cursor = _server_cursor(raw)
    # psycopg prepares nothing while the threshold is None (Django's default), even when asked.
    before = raw.prepare_threshold
    raw.prepare_threshold = 0
    try:
        with db.wrap_database_errors:
            cursor.execute(statement, values, prepare=True)
            return cursor
    finally:
        raw.prepare_threshold = before


def _server_cursor(raw: Any) -> Any:
    import psycopg  # only on PostgreSQL
    from psycopg.types.numeric import Int8Dumper

    cursor = psycopg.Cursor(raw)
    # Ids as int8 whatever their size: psycopg would pick int2, int4 or int8 by the value, and
    # prepare the statement again for each.
    cursor.adapters.register_dumper(int, Int8Dumper)
    return cursor


def insert_returning_id(db: Any, statement: str, values: Sequence[Any]) -> int:
    """Run an `INSERT … RETURNING id` (`%s` for each of `values`: None, text, integers, aware
    datetimes), prepared once per connection, and return the id. Call `can_prepare(db)` first.

    Outside a transaction, the case of every page read's audit event, through libpq's own call:
    psycopg's execute() cost the writer 40-65 µs of CPU more, a third of the audit path (ADR
    0032); Django's checks before a statement and its translation of errors are kept, and the
    server gives each value the type of its column. Inside a transaction, through psycopg's
    execute(): psycopg begins the transaction, and after a rollback it deallocates every
    prepared statement, which only its own execute() knows to prepare again without spoiling
    the transaction. Outside one, a statement found deallocated is simply prepared again.
    """
    from psycopg import pq  # only on PostgreSQL

    db.close_if_health_check_failed()
    db.ensure_connection()
    db.validate_no_broken_transaction()
    raw = db.connection
    with db.wrap_database_errors:
        texts = [_text(value) for value in values]  # checked whichever way the insert goes
    if not raw.autocommit or raw.pgconn.transaction_status != pq.TransactionStatus.IDLE:
        return int(execute_prepared(db, statement, values).fetchone()[0])
    name, numbered = _named(statement)
    with db.wrap_database_errors, raw.lock:
        already = _kept.prepared_on.get(name) is raw
        if already:
            result = raw.pgconn.exec_prepared(name, texts)
            if _sqlstate(result) != _NOT_PREPARED:
                return int(_succeeded(raw, result).get_value(0, 0))
        _succeeded(raw, raw.pgconn.prepare(name, numbered))
        _kept.prepared_on[name] = raw
        return int(_succeeded(raw, raw.pgconn.exec_prepared(name, texts)).get_value(0, 0))


_NOT_PREPARED = "26000"  # invalid_sql_statement_name: deallocated since (or never prepared)


def _sqlstate(result: Any) -> str:
    from psycopg import pq

    return (result.error_field(pq.DiagnosticField.SQLSTATE) or b"").decode()


def _succeeded(raw: Any, result: Any) -> Any:
    """The result, unless it is an error: then psycopg's exception for it, as its execute()
    would raise."""
    from psycopg import errors, pq

    if result.status in (pq.ExecStatus.COMMAND_OK, pq.ExecStatus.TUPLES_OK):
        return result
    if not result.error_field(pq.DiagnosticField.SQLSTATE):
        # libpq's own failure, not the server's answer: the connection was lost. psycopg calls
        # that an OperationalError, which the portal answers with 503 (core.views).
        raise errors.OperationalError(result.get_error_message(raw.info.encoding))
    raise errors.error_from_result(result, encoding=raw.info.encoding)


@cache
def _named(statement: str) -> tuple[bytes, bytes]:
    """A name for the statement (psycopg names its own `_pg3_…`) and its text with `$1`, `$2`…"""
    name = "qm_" + hashlib.blake2b(statement.encode(), digest_size=8).hexdigest()
    pieces = statement.split("%s")
    numbered = pieces[0] + "".join(f"${n}{rest}" for n, rest in enumerate(pieces[1:], 1))
    return name.encode(), numbered.encode()


def _text(value: Any) -> bytes | None:
    """A value as PostgreSQL reads it in text form."""
    if value is None:
        return None
    if isinstance(value, datetime):
        if value.tzinfo is None:  # the session's time zone would decide what it means
            raise ValueError(f"A naive datetime cannot be written: {value!r}.")
        return value.isoformat().encode()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value).encode()
    if isinstance(value, str):
        if "\0" in value:  # libpq would cut the text there; psycopg refuses it, as here
            from psycopg import DataError

            raise DataError("PostgreSQL text fields cannot contain NUL (0x00) bytes")
        return value.encode()
    raise TypeError(f"insert_returning_id() writes text, integers and datetimes, not {value!r}.")
