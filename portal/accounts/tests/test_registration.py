"""Registration through the question pages: master or individual, every rule, bad input."""

import pytest
from django.test import Client

from portal.accounts.models import ActivationLetter, SecurityAnswer, TermsAcceptance, User
from portal.accounts.services.terms import publish_terms
from portal.accounts.tests.factories import UserFactory
from portal.core.models import AuditEvent, OutboundEmail
from portal.registry.tests.factories import MailingAddressFactory, OrganizationFactory

pytestmark = pytest.mark.django_db
PASSWORD = "four unrelated words together"
PERSON = {
    "first_name": "Rosa", "last_name": "Delgado", "email": "rosa@clinic.example",
    "phone": "602-555-0100", "username": "rosa.delgado", "password1": PASSWORD,
    "password2": PASSWORD, "question_1": "first_street", "answer_1": "Elm",
    "question_2": "first_school", "answer_2": "Lincoln", "question_3": "birth_city",
    "answer_3": "Tucson",
}  # fmt: skip


@pytest.fixture
def terms():
    return publish_terms("Terms", "Be good.", by=None)


@pytest.fixture
def clinic():
    organization = OrganizationFactory(identifier="123456", npi="1234567893")
    MailingAddressFactory(organization=organization, line1="1 Main Street")
    return organization


def walk_to_check(client: Client, clinic, **person: str):
    assert client.post("/register/terms/", {"agree": "on"}).status_code == 302
    assert client.post("/register/organization/", {"kind": "provider"}).status_code == 302
    response = client.post(
        "/register/organization/identifiers/", {"identifier": clinic.identifier, "npi": clinic.npi}
    )
    assert response["Location"] == "/register/about-you/", response.content.decode()[:3000]
    return client.post("/register/about-you/", {**PERSON, **person})


def test_the_first_account_becomes_master_awaiting_its_letter(
    client: Client, terms, clinic
) -> None:
    response = walk_to_check(client, clinic)
    assert response["Location"] == "/register/mailing-address/"
    address = clinic.addresses.get()
    assert "1 Main Street" in client.get("/register/mailing-address/").content.decode()
    assert client.post("/register/mailing-address/", {"address": address.pk})["Location"] == (
        "/register/check/"
    )
    page = client.get("/register/check/").content.decode()
    assert "rosa.delgado" in page and "master account" in page and PASSWORD not in page
    assert client.post("/register/check/")["Location"] == "/register/done/"
    user = User.objects.get(username="rosa.delgado")
    assert (user.account_type, user.status) == ("master", "awaiting_activation")
    assert user.check_password(PASSWORD)
    letter = ActivationLetter.objects.get(user=user)
    assert (letter.status, letter.address, letter.code_hash) == ("pending", address, "")
    assert SecurityAnswer.objects.filter(user=user).count() == 3
    assert TermsAcceptance.objects.get(user=user).terms == terms
    assert AuditEvent.objects.get(action="account.registered").data["account_type"] == "master"
    assert "activation letter" in client.get("/register/done/").content.decode()
    assert "registration" not in client.session  # nothing typed lingers


def test_later_accounts_are_individual_and_every_active_master_is_emailed(client, terms, clinic):
    masters = UserFactory.create_batch(2, organization=clinic, account_type="master")
    UserFactory(organization=clinic, account_type="master", status="removed")
    walk_to_check(client, clinic)  # no address page: the organization has its masters
    assert client.post("/register/check/")["Location"] == "/register/done/"
    user = User.objects.get(username="rosa.delgado")
    assert (user.account_type, user.status) == ("individual", "awaiting_approval")
    assert not ActivationLetter.objects.exists()
    assert sorted(OutboundEmail.objects.values_list("to", flat=True)) == sorted(
        m.email for m in masters
    )
    body = OutboundEmail.objects.first().text_body
    assert "Rosa Delgado" in body and "/organization/accounts/" in body


def test_security_answers_are_stored_hashed_and_match_ignoring_case_and_spaces(
    client, terms, clinic
):
    from django.contrib.auth.hashers import check_password

    walk_to_check(client, clinic, answer_1="  Elm Street ")
    assert "Elm" not in str(client.session["registration"])
    client.post("/register/mailing-address/", {"address": clinic.addresses.get().pk})
    client.post("/register/check/")
    answer = SecurityAnswer.objects.get(question="first_street")
    assert "Elm" not in answer.answer_hash
    assert check_password("elm street", answer.answer_hash)
    assert not check_password("elm st", answer.answer_hash)


@pytest.mark.parametrize(
    ("identifiers", "message"),
    [
        ({"identifier": "999999", "npi": "1234567893"}, "could not find an active organization"),
        ({"identifier": "123456", "npi": "1234567890"}, "not a valid NPI"),
        ({"identifier": "123456", "npi": "123456789"}, "Enter a 10-digit NPI"),
        ({"identifier": "123456", "npi": "12345678933"}, "10 characters or fewer"),
        ({"identifier": "123456", "npi": "12345678AB"}, "Enter a 10-digit NPI"),
        ({"identifier": "12345", "npi": "1234567893"}, "6-digit AHCCCS Provider ID"),
        ({"identifier": "", "npi": ""}, "Enter your 6-digit AHCCCS Provider ID"),
    ],
)
def test_bad_identifiers_are_named_and_kept(client, terms, clinic, identifiers, message) -> None:
    client.post("/register/terms/", {"agree": "on"})
    client.post("/register/organization/", {"kind": "provider"})
    response = client.post("/register/organization/identifiers/", identifiers)
    page = response.content.decode()
    assert response.status_code == 400 and message in page and "There is a problem" in page
    assert f'value="{identifiers["identifier"]}"' in page or not identifiers["identifier"]


def test_an_inactive_organization_cannot_be_registered(client, terms, clinic) -> None:
    clinic.status = "inactive"
    clinic.save()
    client.post("/register/terms/", {"agree": "on"})
    client.post("/register/organization/", {"kind": "provider"})
    identifiers = {"identifier": "123456", "npi": "1234567893"}
    response = client.post("/register/organization/identifiers/", identifiers)
    assert "could not find an active organization" in response.content.decode()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"username": "TAKEN"}, "That username is taken"),
        ({"email": "Taken@Example.org"}, "already uses this e-mail address"),
        ({"password2": "something else entirely"}, "not the same"),
        ({"password1": "password", "password2": "password"}, "too short"),
        ({"password1": "1q2w3e4r5t6y7u8i9o0p", "password2": "1q2w3e4r5t6y7u8i9o0p"}, "too common"),
        ({"question_3": "first_street"}, "three different security questions"),
        ({"answer_2": ""}, "Enter an answer to security question 2"),
        ({"email": "not-an-address"}, "Enter an e-mail address like"),
        ({"first_name": "x" * 101}, "100 characters"),
    ],
)
def test_bad_personal_details_are_named_and_nothing_typed_is_lost(
    client, terms, clinic, change, message
):
    UserFactory(username="taken", email="taken@example.org")
    response = walk_to_check(client, clinic, **change)
    page = response.content.decode()
    assert response.status_code == 400 and message in page
    assert 'value="Delgado"' in page and 'value="602-555-0100"' in page
    assert User.objects.filter(username="rosa.delgado").count() == 0


def test_terms_must_be_accepted_and_steps_cannot_be_skipped(client, terms) -> None:
    assert client.get("/register/about-you/")["Location"] == "/register/terms/"
    response = client.post("/register/terms/", {})
    assert response.status_code == 400
    assert "Select the box to agree" in response.content.decode()
    assert client.get("/register/check/")["Location"] == "/register/terms/"


def test_a_tampered_address_is_refused(client, terms, clinic) -> None:
    other = MailingAddressFactory()  # another organization's address
    walk_to_check(client, clinic)
    response = client.post("/register/mailing-address/", {"address": other.pk})
    assert response.status_code == 400
    assert "Select one of the addresses on file" in response.content.decode()


def test_no_address_on_file_says_whom_to_call_and_creates_nothing(client, terms, settings) -> None:
    bare = OrganizationFactory(identifier="654321", npi="1245319599")
    walk_to_check(client, bare)
    page = client.get("/register/mailing-address/").content.decode()
    assert "no mailing address" in page and settings.REGISTRY_CONTACT_PHONE in page
    assert client.get("/register/check/").status_code == 200
    response = client.post("/register/check/")
    assert "choose where to mail" in response.content.decode()
    assert not User.objects.exists()


def test_terms_published_meanwhile_must_be_accepted_again(client, terms, clinic) -> None:
    walk_to_check(client, clinic)
    client.post("/register/mailing-address/", {"address": clinic.addresses.get().pk})
    publish_terms("Terms", "Be even better.", by=None)
    response = client.post("/register/check/")
    assert "Terms of Use have changed" in response.content.decode()
    assert not User.objects.exists()


def test_registration_is_closed_until_terms_are_published(client) -> None:
    assert "not open yet" in client.get("/register/").content.decode()
    assert client.get("/register/terms/")["Location"] == "/register/"


def test_registration_is_rate_limited_per_address_and_keeps_what_was_typed(client, terms, clinic,
                                                                             settings):  # fmt: skip
    settings.REGISTRATION_IP_LIMIT = 1
    UserFactory.create_batch(2, organization=clinic, account_type="master")
    walk_to_check(client, clinic)
    assert client.post("/register/check/")["Location"] == "/register/done/"
    walk_to_check(client, clinic, username="second.person", email="second@clinic.example")
    response = client.post("/register/check/")
    assert response.status_code == 400 and "Too many accounts" in response.content.decode()
    assert not User.objects.filter(username="second.person").exists()
    assert client.session["registration"]["username"] == "second.person"


def test_an_unknown_address_is_limited_as_one_address(terms, clinic, settings) -> None:
    settings.REGISTRATION_IP_LIMIT = 1
    UserFactory.create_batch(2, organization=clinic, account_type="master")
    client = Client(REMOTE_ADDR="")  # no address known: behind a socket without the header
    walk_to_check(client, clinic)
    assert client.post("/register/check/")["Location"] == "/register/done/"
    walk_to_check(client, clinic, username="second.person", email="second@clinic.example")
    response = client.post("/register/check/")
    assert response.status_code == 400 and "Too many accounts" in response.content.decode()
