"""`Joined`: the texts of a correlated subquery's rows, in its order, as one column."""

import pytest
from django.db import connection
from django.db.models import OuterRef

from portal.accounts.models import User
from portal.accounts.tests.factories import UserFactory
from portal.core.expressions import Joined
from portal.registry.models import Organization
from portal.registry.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def joined_usernames(organizations: list[Organization], separator: str) -> list[str | None]:
    members = User.objects.filter(organization_id=OuterRef("pk")).order_by("-username")
    rows = Organization.objects.filter(pk__in=[o.pk for o in organizations]).order_by("pk")
    return list(rows.values_list(Joined(members, "username", separator), flat=True))


def test_each_row_joins_its_own_subquery_rows_in_their_order() -> None:
    first, second, empty = OrganizationFactory.create_batch(3)
    for name in ("b-one", "c-two", "a-three"):
        UserFactory(organization=first, username=f"{first.pk}-{name}")
    UserFactory(organization=second, username="only, with a comma")

    joined = joined_usernames([first, second, empty], " | ")

    assert joined[0] == f"{first.pk}-c-two | {first.pk}-b-one | {first.pk}-a-three"
    assert joined[1] == "only, with a comma"
    # None: PostgreSQL's ARRAY_TO_STRING gives "" for no rows, SQLite's GROUP_CONCAT NULL.
    assert joined[2] == ("" if connection.vendor == "postgresql" else None)
