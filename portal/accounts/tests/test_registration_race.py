"""Two people register the first account of one organization at the same moment."""

import threading

import pytest
from django.db import connection

from portal.accounts.models import User
from portal.accounts.services.registration import (
    Registration,
    RegistrationRefused,
    register_account,
)
from portal.accounts.services.terms import publish_terms
from portal.registry.tests.factories import MailingAddressFactory

pytestmark = pytest.mark.django_db(transaction=True)


def registration(n: int, organization_id: int, address_id: int, terms: int) -> Registration:
    return Registration(
        terms_version=terms, kind="provider", organization_id=organization_id,
        first_name="Racer", last_name=str(n), email=f"racer{n}@example.org", phone="1",
        username=f"racer{n}", password_hash="!", answers=[("first_car", "!")],
        address_id=address_id,
    )  # fmt: skip


@pytest.mark.parametrize("racers", [2, 6])
def test_simultaneous_first_registrations_make_exactly_one_master(racers: int) -> None:
    address = MailingAddressFactory()
    terms = publish_terms("T", "B", by=None)
    start = threading.Barrier(racers)
    errors: list[BaseException] = []

    def race(n: int) -> None:
        try:
            start.wait()
            register_account(registration(n, address.organization_id, address.pk, terms.version))
        except (RegistrationRefused, Exception) as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=race, args=(n,)) for n in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    accounts = User.objects.filter(organization=address.organization)
    assert accounts.count() == racers
    assert accounts.filter(account_type="master").count() == 1
    assert accounts.filter(status="awaiting_approval").count() == racers - 1
