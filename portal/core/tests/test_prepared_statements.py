"""On PostgreSQL the portal's queries are bound on the server; only those of a fixed shape (the
audit insert, the queries compiled once) are prepared, and PostgreSQL may plan those once for all
values, while every other query is planned for its own (ADR 0028, ADR 0030)."""

from typing import Any

import pytest
from django.db import connection

from portal.accounts.models import User
from portal.accounts.tests.factories import UserFactory
from portal.core.compiled import CompiledQuery

pytestmark = [
    pytest.mark.django_db(transaction=True),  # the connection is closed in the test
    pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements"),
]

ACCOUNT = CompiledQuery(lambda pk: User.objects.filter(pk=pk))


def prepared(starting: str) -> list[tuple[Any, ...]]:
    """This connection's prepared statements that start so: text, generic and custom plans."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT statement, generic_plans, custom_plans FROM pg_prepared_statements"
            " WHERE statement LIKE %s",
            [starting + "%"],
        )
        return cursor.fetchall()


def test_a_compiled_query_is_prepared_once_and_planned_once_for_all_values() -> None:
    connection.close()  # a connection of its own: nothing prepared on it yet
    people = UserFactory.create_batch(8)
    for person in people:
        assert [found.pk for found in ACCOUNT.objects(person.pk)] == [person.pk]
    [(statement, generic, _custom)] = prepared('SELECT "accounts_user"."id"')
    assert "$1" in statement
    assert generic > 0  # a lookup by key: the plan made once serves every id


def test_a_query_django_builds_is_never_prepared() -> None:
    """A list's query could be planned once for one filter and be slow for another's: only the
    fixed shapes are prepared, so every other query is planned for its own values."""
    connection.close()
    people = UserFactory.create_batch(8)
    for person in people:
        User.objects.filter(pk__gte=person.pk, status="active").count()
    assert prepared("SELECT COUNT(*)") == []
    assert connection.connection.prepare_threshold is None
