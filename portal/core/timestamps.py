"""Times read from PostgreSQL with psycopg's compiled parser (ADR 0033).

Django reads every `timestamp with time zone` through a loader of its own, which parses the text
with psycopg's pure-Python loader and then sets the connection's time zone on the result: on a
list page of fifty reports, a twentieth of the page's CPU went to it. When the session's time
zone is UTC, as Django sets it with USE_TZ, psycopg's compiled loader gives the same value with
the same `datetime.timezone.utc`; only Django's loader's `timezone` attribute is still needed,
as Django reads it whenever it makes a cursor.
"""

from datetime import UTC
from functools import cache
from typing import Any


def use_compiled_loader(sender: Any, connection: Any, **kwargs: Any) -> None:
    """`connection_created` receiver: on a PostgreSQL connection whose session is in UTC, read
    timestamps with psycopg's compiled loader (each connection keeps its own adapters)."""
    if connection.vendor != "postgresql":
        return
    if connection.connection.info.parameter_status("TimeZone") != "UTC":
        return  # psycopg would give another zone's tzinfo, where Django's loader sets its own
    connection.connection.adapters.register_loader("timestamptz", _loader_class())


@cache
def _loader_class() -> type:
    import psycopg
    from psycopg.pq import Format
    from psycopg.types.datetime import TimestamptzLoader

    compiled: Any = psycopg.adapters.get_loader(
        psycopg.postgres.types["timestamptz"].oid, Format.TEXT
    )

    class UtcTimestampLoader(TimestamptzLoader):
        """psycopg's compiled loader behind the Python class Django expects (its `timezone`):
        the compiled class cannot be subclassed."""

        timezone = UTC

        def __init__(self, oid: int, context: Any = None) -> None:
            super().__init__(oid, context)
            self.load = compiled(oid, context).load  # type: ignore[method-assign]

    return UtcTimestampLoader
