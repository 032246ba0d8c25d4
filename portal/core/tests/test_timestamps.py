"""Timestamps read from PostgreSQL with psycopg's compiled parser read back exactly as Django's
own loader read them (ADR 0033)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection

from portal.core.models import AuditEvent
from portal.core.timestamps import use_compiled_loader

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="psycopg's loaders"),
]


def loader() -> type:
    connection.ensure_connection()
    return connection.connection.adapters.get_loader(1184, 0)  # timestamptz, text


def stored(moment: datetime) -> datetime:
    """`moment` written in an event and read back through the ORM."""
    event = AuditEvent.objects.create(action="test.timed", at=moment)
    return AuditEvent.objects.values_list("at", flat=True).get(pk=event.pk)


MOMENTS = [
    datetime(2026, 12, 6, 13, 45, 7, 123456, tzinfo=UTC),
    datetime(1999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
    datetime(1, 1, 1, 0, 0, tzinfo=UTC),
    datetime(2024, 2, 29, 7, 0, tzinfo=UTC) - timedelta(hours=7),  # given in Arizona's offset
]


@pytest.mark.parametrize("moment", MOMENTS, ids=str)
def test_a_time_reads_back_the_same_with_django_s_utc(moment: datetime) -> None:
    assert loader().__name__ == "UtcTimestampLoader"
    read = stored(moment)
    assert read == moment and read.tzinfo is UTC  # what Django's own loader gives


def test_a_session_in_another_time_zone_keeps_django_s_loader() -> None:
    from django.db.backends.postgresql.psycopg_any import BaseTzLoader

    adapters = connection.connection.adapters
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET TIME ZONE 'America/Phoenix'")
            adapters.register_loader("timestamptz", BaseTzLoader)
            use_compiled_loader(None, connection)
            assert loader() is BaseTzLoader
            cursor.execute("SET TIME ZONE 'UTC'")
    finally:
        use_compiled_loader(None, connection)
    assert loader().__name__ == "UtcTimestampLoader"
