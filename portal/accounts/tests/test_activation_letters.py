"""Activation letters: the mailroom prints codes into a PDF; the master types one to get in."""

import re
from datetime import timedelta
from io import BytesIO

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from portal.accounts.models import ActivationLetter, User
from portal.accounts.tests.factories import PASSWORD, UserFactory
from portal.core.models import AuditEvent
from portal.core.testing import Personas
from portal.registry.tests.factories import MailingAddressFactory

pytestmark = pytest.mark.django_db
CODE = re.compile(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}")


@pytest.fixture
def waiting_master():
    address = MailingAddressFactory(line1="77 Saguaro Way")
    user = UserFactory(organization=address.organization, account_type="master",
                       status="awaiting_activation", username="new.master")  # fmt: skip
    ActivationLetter.objects.create(user=user, address=address)
    return user


def print_pending(client: Client, personas: Personas) -> str:
    """Print the waiting letters as the agency admin; return the text of the PDF."""
    client.force_login(personas.agency_admin)
    response = client.post("/mailroom/print/")
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    reader = PdfReader(BytesIO(response.content))
    client.logout()
    return "\n".join(page.extract_text() for page in reader.pages)


def sign_in(client: Client, username: str = "new.master"):
    return client.post("/sign-in/", {"username": username, "password": PASSWORD})


def test_mailroom_lists_waiting_letters_and_prints_one_page_each(
    client, personas, waiting_master
) -> None:
    second = UserFactory(account_type="master", status="awaiting_activation")
    ActivationLetter.objects.create(user=second, address=MailingAddressFactory(
        organization=second.organization))  # fmt: skip
    client.force_login(personas.agency_admin)
    page = client.get("/mailroom/").content.decode()
    assert "77 Saguaro Way" in page and "Print 2 letters" in page
    response = client.post("/mailroom/print/")
    assert len(PdfReader(BytesIO(response.content)).pages) == 2
    letters = ActivationLetter.objects.all()
    assert {letter.status for letter in letters} == {"printed"}
    assert all(letter.code_hash and letter.expires_at for letter in letters)
    assert AuditEvent.objects.filter(action="letters.printed").count() == 1


def test_the_letter_carries_the_code_the_address_and_only_part_of_the_username(
    client, personas, waiting_master
):
    text = print_pending(client, personas)
    assert CODE.search(text) and "77 Saguaro Way" in text
    assert "new.master" not in text and "begins with ne" in text
    assert PASSWORD not in text
    letter = ActivationLetter.objects.get()
    assert CODE.search(text).group() not in letter.code_hash


def test_first_sign_in_asks_for_the_code_then_lets_the_master_in(client, personas, waiting_master):
    code = CODE.search(print_pending(client, personas)).group()
    assert sign_in(client)["Location"] == "/sign-in/activate/"
    assert "_auth_user_id" not in client.session  # not signed in until the gate is passed
    assert client.get("/").status_code == 302
    page = client.get("/sign-in/activate/").content.decode()
    assert "Activate your master account" in page
    typed = code.lower().replace("-", " ")  # any case, spaces for hyphens
    response = client.post("/sign-in/activate/", {"action": "activate", "code": typed})
    assert response["Location"] == "/"
    waiting_master.refresh_from_db()
    assert waiting_master.status == User.Status.ACTIVE
    assert ActivationLetter.objects.get().status == "used"
    assert client.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="account.activated").count() == 1
    client.logout()
    assert sign_in(client)["Location"] == "/"  # no gate any more
    # A used code works no more.
    waiting_master.status = User.Status.AWAITING_ACTIVATION
    waiting_master.save()
    sign_in(client)
    assert "not been printed" in client.post("/sign-in/activate/", {"code": code}).content.decode()


def test_wrong_codes_are_limited_per_window(client, personas, waiting_master, settings) -> None:
    code = CODE.search(print_pending(client, personas)).group()
    sign_in(client)
    for _ in range(settings.ACTIVATION_MAX_TRIES):
        response = client.post("/sign-in/activate/", {"code": "AAAA-AAAA-AAAA"})
        assert response.status_code == 400 and "not right" in response.content.decode()
    response = client.post("/sign-in/activate/", {"code": code})
    assert "Too many wrong codes" in response.content.decode()  # even the right one waits
    later = timezone.now() + timedelta(minutes=settings.ACTIVATION_TRY_WINDOW_MINUTES + 1)
    with time_machine.travel(later):
        sign_in(client)
        assert client.post("/sign-in/activate/", {"code": code})["Location"] == "/"


def test_an_expired_code_is_refused_and_a_new_letter_voids_the_old(
    client, personas, waiting_master, settings
):
    code = CODE.search(print_pending(client, personas)).group()
    expired = timezone.now() + timedelta(days=settings.ACTIVATION_CODE_DAYS, hours=1)
    with time_machine.travel(expired):
        sign_in(client)
        assert "expired" in client.post("/sign-in/activate/", {"code": code}).content.decode()
        client.post("/sign-in/activate/", {"action": "new_letter"})
    letters = ActivationLetter.objects.order_by("pk")
    assert [letter.status for letter in letters] == ["void", "pending"]
    assert letters[1].address == letters[0].address
    new_code = CODE.search(print_pending(client, personas)).group()
    sign_in(client)
    assert "not right" in client.post("/sign-in/activate/", {"code": code}).content.decode()
    assert client.post("/sign-in/activate/", {"code": new_code})["Location"] == "/"


def test_reprinting_voids_the_earlier_code_and_batches_are_recorded_as_mailed(
    client, personas, waiting_master
):
    first = CODE.search(print_pending(client, personas)).group()
    letter = ActivationLetter.objects.get()
    client.force_login(personas.agency_admin)
    batch = letter.batch
    assert client.post(f"/mailroom/batches/{batch.pk}/mailed/")["Location"] == "/mailroom/"
    letter.refresh_from_db()
    assert letter.status == "mailed"
    response = client.post(f"/mailroom/letters/{letter.code}/reprint/")
    second = CODE.search(PdfReader(BytesIO(response.content)).pages[0].extract_text()).group()
    assert second != first
    client.logout()
    sign_in(client)
    assert "not right" in client.post("/sign-in/activate/", {"code": first}).content.decode()
    assert client.post("/sign-in/activate/", {"code": second})["Location"] == "/"


def test_the_gate_is_only_for_accounts_that_gave_the_right_password(client, waiting_master) -> None:
    assert client.get("/sign-in/activate/")["Location"] == "/sign-in/"
    client.post("/sign-in/", {"username": "new.master", "password": "wrong password here"})
    assert client.get("/sign-in/activate/")["Location"] == "/sign-in/"
    with time_machine.travel(timezone.now() - timedelta(minutes=20)):
        sign_in(client)
    assert client.get("/sign-in/activate/")["Location"] == "/sign-in/"  # the gate has expired


@pytest.mark.parametrize("who", ["provider_master", "plan_reviewer", "outsider"])
def test_the_mailroom_does_not_exist_for_anyone_but_agency_admins(
    client, personas, waiting_master, who
):
    client.force_login(getattr(personas, who))
    letter = ActivationLetter.objects.get()
    assert client.get("/mailroom/").status_code == 404
    assert client.post("/mailroom/print/").status_code == 404
    assert client.post(f"/mailroom/letters/{letter.code}/reprint/").status_code == 404
    letter.refresh_from_db()
    assert letter.status == "pending"
