"""NPI no longer valid (SPEC §2.4): a master renews it at sign-in; individuals must wait."""

import pytest
from django.test import Client

from portal.accounts.tests.factories import PASSWORD, UserFactory
from portal.core.models import AuditEvent
from portal.registry.models import Organization
from portal.registry.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinic() -> Organization:
    return OrganizationFactory(npi="1234567893", npi_deactivated=True)


def sign_in(client: Client, username: str):
    return client.post("/sign-in/", {"username": username, "password": PASSWORD})


def test_a_master_enters_the_valid_npi_then_signs_in(client: Client, clinic) -> None:
    master = UserFactory(organization=clinic, account_type="master")
    OrganizationFactory(npi="1245319599")  # another organization's NPI
    assert sign_in(client, master.username)["Location"] == "/sign-in/npi/"
    assert "_auth_user_id" not in client.session
    refusals = [
        ("1234567890", "not a valid NPI"),
        ("123", "10-digit NPI"),
        ("1234567893", "was deactivated"),
        ("1245319599", "Another organization"),
    ]
    for bad, message in refusals:
        response = client.post("/sign-in/npi/", {"npi": bad})
        assert response.status_code == 400 and message in response.content.decode(), bad
    assert client.post("/sign-in/npi/", {"npi": "1003000126"})["Location"] == "/"
    clinic.refresh_from_db()
    assert (clinic.npi, clinic.npi_deactivated) == ("1003000126", False)
    assert AuditEvent.objects.filter(action="organization.npi_renewed").count() == 1


def test_an_individual_is_told_to_ask_a_master_and_cannot_go_on(client: Client, clinic) -> None:
    user = UserFactory(organization=clinic)
    sign_in(client, user.username)
    page = client.get("/sign-in/npi/").content.decode()
    assert "A master account holder of your organization must enter" in page
    client.post("/sign-in/npi/", {"npi": "1003000126"})
    clinic.refresh_from_db()
    assert clinic.npi_deactivated and "_auth_user_id" not in client.session
