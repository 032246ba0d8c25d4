"""Statements prepared on the server, for the few whose shape never changes (ADR 0028, as
amended by ADR 0030): the audit insert and the queries compiled once (`portal.core.compiled`).

Only these are prepared. PostgreSQL may then plan one of them once for every value (a generic
plan), which suits a lookup by key and saves most of what the report page cost PostgreSQL. A
list's query, whose best plan depends on its filters, is never prepared, so it is always planned
for its own values.
"""

import threading
from collections.abc import Sequence
from typing import Any

from django.conf import settings


class _Kept(threading.local):
    cursor: Any = None


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
