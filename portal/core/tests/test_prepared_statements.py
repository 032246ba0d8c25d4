"""On PostgreSQL the portal's queries are bound on the server and prepared once a connection has
run them a few times, and every execution is planned for its own values (ADR 0028)."""

import pytest
from django.db import connection

from portal.accounts.models import User
from portal.accounts.tests.factories import UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),  # the connection is closed in the test
    pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements"),
]


def prepared() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [statement for (statement,) in cursor.fetchall()]


def test_a_query_a_connection_runs_again_and_again_is_prepared_once() -> None:
    connection.close()  # a connection of its own: nothing prepared on it yet
    people = UserFactory.create_batch(7)
    for person in people:  # one statement, seven values: bound on the server, not in the text
        User.objects.get(pk=person.pk)
    asked = [s for s in prepared() if s.startswith('SELECT "accounts_user"."id"')]
    assert len(asked) == 1 and "$1" in asked[0]


def test_each_execution_is_planned_for_its_own_values() -> None:
    # A generic plan, made once for one list's filters, could be slow for another's.
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone() == ("force_custom_plan",)
