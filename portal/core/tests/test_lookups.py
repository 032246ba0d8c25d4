"""`__any_of`: the same rows as `__in`, sent as one array on PostgreSQL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.accounts.models import User
from portal.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def members(lookup: str, ids: list[int]) -> list[int]:
    found = User.objects.filter(**{f"organization_id__{lookup}": ids})
    return sorted(found.values_list("pk", flat=True))


def test_any_of_finds_what_in_finds() -> None:
    users = UserFactory.create_batch(4)
    chosen = [users[0].organization_id, users[2].organization_id, 2**62]

    assert members("any_of", chosen) == members("in", chosen) == [users[0].pk, users[2].pk]
    assert members("any_of", []) == []


def test_any_of_sends_one_parameter_on_postgresql() -> None:
    users = UserFactory.create_batch(3)
    with CaptureQueriesContext(connection) as captured:
        members("any_of", [user.organization_id for user in users])

    sql = captured[-1]["sql"]
    if connection.vendor == "postgresql":
        assert "= ANY(" in sql and sql.count("IN (") == 0
    else:
        assert "IN (" in sql
