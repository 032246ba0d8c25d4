"""Sign-in and sign-out through the real views: answers, audit events, sessions, bad input."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client

from portal.accounts.models import User
from portal.accounts.services import GENERIC_FAILURE
from portal.accounts.tests.factories import PASSWORD, UserFactory
from portal.core.models import AuditEvent

pytestmark = pytest.mark.django_db
URL = "/sign-in/"


def post(client: Client, username: str, password: str, **extra: str):
    return client.post(URL, {"username": username, "password": password, **extra})


def test_sign_in_page_shows_both_doors_and_the_notices(client: Client) -> None:
    page = client.get(URL).content.decode()
    for text in (
        "Forgot your password?",
        "Create an account",
        "agency account",
        "Authorized use only",
        "yours alone",
        'autocomplete="current-password"',
    ):
        assert text in page  # fmt: skip


def test_right_password_signs_in_rotates_session_and_audits(client: Client) -> None:
    user = UserFactory()
    client.get(URL)
    before = client.session.session_key
    response = post(client, user.username.upper(), PASSWORD)  # usernames ignore case
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.session[SESSION_KEY] == str(user.pk)
    assert client.session.session_key != before
    event = AuditEvent.objects.get(action="auth.login_succeeded")
    assert (event.actor, event.organization, event.ip) == (user, user.organization, "127.0.0.1")
    user.refresh_from_db()
    assert user.last_activity_at is not None and user.last_login is not None
    assert "Welcome" in client.get("/").content.decode()


@pytest.mark.parametrize(
    ("username", "password", "reason"),
    [("known", "wrong password", "wrong_password"), ("nobody", PASSWORD, "unknown_user")],
)
def test_failures_give_one_generic_answer_and_are_audited(client, username, password, reason):
    UserFactory(username="known")
    response = post(client, username, password)
    page = response.content.decode()
    assert response.status_code == 400
    assert GENERIC_FAILURE.split(";")[0].replace("'", "&#x27;") in page
    assert "<title>Error: Sign in" in page and "There is a problem" in page
    assert f'value="{username}"' in page  # what was typed is kept
    assert SESSION_KEY not in client.session
    event = AuditEvent.objects.get(action="auth.login_failed")
    assert event.data == {"reason": reason}
    assert username not in str(event.data)  # typed usernames are never stored


@pytest.mark.parametrize("status", ["locked", "removed", "deleted"])
def test_accounts_that_are_not_active_cannot_sign_in(client: Client, status: str) -> None:
    user = UserFactory(status=status)
    response = post(client, user.username, PASSWORD)
    assert response.status_code == 400 and SESSION_KEY not in client.session
    assert GENERIC_FAILURE.split(";")[0].replace("'", "&#x27;") in response.content.decode()


def test_agency_local_password_is_refused_when_the_setting_is_off(client, settings):
    settings.ALLOW_AGENCY_LOCAL_PASSWORD = False
    staff = UserFactory(organization__kind="agency", organization__npi="")
    assert post(client, staff.username, PASSWORD).status_code == 400
    settings.ALLOW_AGENCY_LOCAL_PASSWORD = True
    assert post(client, staff.username, PASSWORD).status_code == 302


def test_empty_form_names_each_missing_field(client: Client) -> None:
    page = post(client, "", "").content.decode()
    assert "Enter your username" in page and "Enter your password" in page
    assert 'href="#id_username"' in page and 'aria-invalid="true"' in page


def test_overlong_fields_are_refused_with_a_clear_message(client: Client) -> None:
    response = post(client, "u" * 151, "p" * 129)
    page = response.content.decode()
    assert response.status_code == 400
    assert "150 characters or fewer" in page and "128 characters or fewer" in page
    assert not AuditEvent.objects.exists()  # nothing to check, nothing recorded


def test_post_without_csrf_token_is_refused_with_an_explanation() -> None:
    user = UserFactory()
    client = Client(enforce_csrf_checks=True)
    response = post(client, user.username, PASSWORD)
    assert response.status_code == 403
    assert "form has expired" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_next_goes_only_to_this_site(client: Client) -> None:
    user = UserFactory()
    response = client.post(
        f"{URL}?next=https://evil.example/", {"username": user.username, "password": PASSWORD}
    )
    assert response["Location"] == "/"
    client.logout()
    response = client.post(f"{URL}?next=/help/", {"username": user.username, "password": PASSWORD})
    assert response["Location"] == "/help/"


def test_signed_in_people_are_sent_home_from_the_sign_in_page(client: Client) -> None:
    client.force_login(UserFactory())
    assert client.get(URL)["Location"] == "/"


def test_sign_out_needs_a_post_ends_the_session_and_audits(client: Client) -> None:
    user = UserFactory()
    client.force_login(user)
    assert "Sign out of the QM Portal?" in client.get("/sign-out/").content.decode()
    assert SESSION_KEY in client.session  # a GET (a link, a prefetch) signs nobody out
    response = client.post("/sign-out/")
    assert response["Location"] == "/signed-out/"
    assert SESSION_KEY not in client.session
    assert AuditEvent.objects.filter(action="auth.logged_out", actor=user).count() == 1
    assert client.get("/")["Location"].startswith("/sign-in/")


def test_behind_the_proxy_the_audit_trail_takes_the_address_the_proxy_gives(client, settings):
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    user = UserFactory()
    client.post(URL, {"username": user.username, "password": PASSWORD},
                HTTP_X_REAL_IP="203.0.113.7", REMOTE_ADDR="")  # fmt: skip
    assert AuditEvent.objects.get(action="auth.login_succeeded").ip == "203.0.113.7"


def test_tampered_input_gets_a_clear_answer_never_a_500(client: Client) -> None:
    response = post(client, "user\x00name", "pass\x00word")
    assert response.status_code == 400
    assert "Null characters are not allowed" in response.content.decode()
    assert client.put(URL).status_code == 405
    response = client.post(URL, {"username": ["a", "b"], "password": PASSWORD})
    assert response.status_code == 400  # repeated fields: the last one is checked, as any other
    huge = client.post(URL, {"username": "u", "password": "p" * (3 * 1024 * 1024)})
    assert huge.status_code == 400
    assert "could not understand that request" in huge.content.decode()


def test_an_account_awaiting_approval_is_told_so_after_the_right_password(client: Client) -> None:
    user = UserFactory(status=User.Status.AWAITING_APPROVAL)
    assert "waiting for a master" not in post(client, user.username, "wrong").content.decode()
    response = post(client, user.username, PASSWORD)
    assert response.status_code == 400 and SESSION_KEY not in client.session
    assert "waiting for a master account holder" in response.content.decode()


def test_a_master_awaiting_activation_goes_to_the_activation_gate(client: Client) -> None:
    user = UserFactory(status=User.Status.AWAITING_ACTIVATION, account_type="master")
    assert post(client, user.username, PASSWORD)["Location"] == "/sign-in/activate/"
    assert SESSION_KEY not in client.session
    assert AuditEvent.objects.get(action="auth.login_gated").data == {"gate": "activate"}


def test_new_terms_must_be_accepted_before_the_session_starts(client: Client) -> None:
    from portal.accounts.models import TermsAcceptance
    from portal.accounts.services.terms import publish_terms

    user = UserFactory()
    TermsAcceptance.objects.create(user=user, terms=publish_terms("T", "Old.", by=None))
    publish_terms("T", "New rules.", by=None)
    assert "The Terms of Use changed on" in client.get(URL).content.decode()
    assert post(client, user.username, PASSWORD)["Location"] == "/sign-in/terms/"
    assert SESSION_KEY not in client.session
    page = client.get("/sign-in/terms/").content.decode()
    assert "New rules." in page and "version 2" in page
    refused = client.post("/sign-in/terms/", {})
    assert refused.status_code == 400 and "Select the box to agree" in refused.content.decode()
    assert client.post("/sign-in/terms/", {"agree": "on"})["Location"] == "/"
    assert client.session[SESSION_KEY] == str(user.pk)
    assert AuditEvent.objects.get(action="terms.accepted").data == {"version": 2}
    client.logout()
    assert post(client, user.username, PASSWORD)["Location"] == "/"  # accepted once is enough


def test_the_terms_gate_cannot_be_reached_without_the_password(client: Client) -> None:
    from portal.accounts.services.terms import publish_terms

    publish_terms("T", "B", by=None)
    assert client.get("/sign-in/terms/")["Location"] == "/sign-in/"
    assert client.post("/sign-in/terms/", {"agree": "on"})["Location"] == "/sign-in/"
