"""The second factor (issue #19, ADR 0025): passkeys, authenticator-app codes, recovery codes,
when they are asked, and what a wrong one costs."""

import datetime as dt
import re

import pyotp
import pytest
from django.conf import settings
from django.test import Client

from portal.accounts.gates import GATE_KEY
from portal.accounts.models import AuthenticatorApp, Passkey, SecondFactorRecoveryCode, User
from portal.accounts.services import second_factor as factors
from portal.accounts.services.terms import publish_terms
from portal.accounts.tests.authenticator import SoftAuthenticator
from portal.accounts.tests.factories import PASSWORD, UserFactory
from portal.core.models import AuditEvent, OutboundEmail

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 11, 2, 15, 0, 7, tzinfo=dt.UTC)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)
    return time_machine


def code_now(secret: str, shift_steps: int = 0) -> str:
    from django.utils import timezone

    return pyotp.TOTP(secret).at(timezone.now() + dt.timedelta(seconds=30 * shift_steps))


def sign_in(client: Client, user: User, password: str = PASSWORD):
    return client.post("/sign-in/", {"username": user.username, "password": password})


def signed_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def with_app(user: User) -> tuple[str, list[str]]:
    """The account gets an authenticator app (as if enrolled a step ago) and its codes."""
    from django.utils import timezone

    secret = factors.new_totp_secret()
    earlier = pyotp.TOTP(secret).at(timezone.now() - dt.timedelta(seconds=30))
    app, codes = factors.add_authenticator_app(user, name="Phone", secret=secret, code=earlier)
    assert app is not None and len(codes) == 10
    return secret, codes


def events(action: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


# --- authenticator apps ---------------------------------------------------------------------------
def test_an_app_is_enrolled_from_my_account_with_ten_recovery_codes_shown_once(clock, personas):
    user, client = personas.provider_user, Client()
    client.force_login(user)
    page = client.get("/account/second-factor/authenticator-app/")
    assert page.status_code == 200
    secret = page.context["secret"].replace(" ", "")
    assert 'src="data:image/svg+xml' in page.content.decode()  # the QR code, self-contained
    assert (
        client.get("/account/second-factor/authenticator-app/").context["secret"].replace(" ", "")
        == secret
    )  # shown again, the same key: a scanned QR code stays good

    wrong = client.post(
        "/account/second-factor/authenticator-app/",
        {"name": "Phone", "code": "000000" if code_now(secret) != "000000" else "111111"},
    )
    assert wrong.status_code == 400 and not AuthenticatorApp.objects.exists()

    done = client.post(
        "/account/second-factor/authenticator-app/",
        {"name": "Work phone", "code": code_now(secret)},
    )
    codes = done.context["codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", c) for c in codes)
    app = AuthenticatorApp.objects.get(user=user)
    assert app.name == "Work phone" and secret not in app.secret  # encrypted at rest
    stored = SecondFactorRecoveryCode.objects.filter(user=user)
    assert stored.count() == 10
    assert not any(c.replace("-", "") in s.code_hash for c in codes for s in stored)  # hashed
    assert events("second_factor.enrolled")[0].data == {"kind": "authenticator_app"}
    assert events("second_factor.recovery_codes_made")[0].data == {"count": 10}
    assert OutboundEmail.objects.filter(to=user.email, template="account_notice").exists()
    my_account = client.get("/account/").content.decode()
    assert "Work phone" in my_account and "10 of 10 unused" in my_account
    assert not any(code in my_account for code in codes)  # never shown again


def test_sign_in_asks_for_the_code_right_after_the_password(clock, personas) -> None:
    user, client = personas.provider_user, Client()
    secret, _ = with_app(user)

    response = sign_in(client, user)
    assert response["Location"] == "/sign-in/second-factor/" and not signed_in(client)
    assert events("auth.login_gated")[-1].data == {"gate": "second_factor"}
    page = client.get("/sign-in/second-factor/")
    assert page.status_code == 200 and "authenticator app" in page.content.decode()
    assert client.get("/account/")["Location"].startswith("/sign-in/")  # not signed in

    done = client.post("/sign-in/second-factor/", {"method": "code", "code": code_now(secret)})
    assert done["Location"] == "/" and signed_in(client)
    assert events("second_factor.used")[-1].data == {"kind": "authenticator_app"}
    assert events("auth.login_succeeded")[-1].data == {
        "method": "password",
        "second_factor": "authenticator_app",
    }


def test_a_code_works_once_even_within_its_window(clock, personas) -> None:
    user = personas.provider_user
    secret, _ = with_app(user)
    code = code_now(secret)
    first = Client()
    sign_in(first, user)
    assert (
        first.post("/sign-in/second-factor/", {"method": "code", "code": code})["Location"] == "/"
    )

    replay = Client()
    sign_in(replay, user)
    refused = replay.post("/sign-in/second-factor/", {"method": "code", "code": code})
    assert refused.status_code == 400 and not signed_in(replay)
    assert "each code works once" in refused.content.decode()
    assert events("second_factor.failed")[-1].data == {
        "kind": "authenticator_app",
        "reason": "replayed",
    }
    # The previous step's code, still inside the drift window, is older than the one used.
    older = replay.post("/sign-in/second-factor/", {"method": "code", "code": code_now(secret, -1)})
    assert older.status_code in (400, 302) and not signed_in(replay)

    clock.shift(dt.timedelta(seconds=30))
    fresh = replay.post("/sign-in/second-factor/", {"method": "code", "code": code_now(secret)})
    assert fresh["Location"] == "/" and signed_in(replay)


def test_codes_of_the_next_and_previous_step_are_accepted_and_others_not(clock, personas) -> None:
    user = personas.provider_user
    secret, _ = with_app(user)
    AuthenticatorApp.objects.update(last_step=0)
    assert factors.verify_totp(user, code_now(secret, 3), _request()).ok is False
    assert factors.verify_totp(user, code_now(secret, -1), _request()).ok is True
    assert factors.verify_totp(user, code_now(secret, 1), _request()).ok is True
    assert factors.verify_totp(user, code_now(secret), _request()).ok is False  # older than used


def _request():
    from django.contrib.sessions.backends.db import SessionStore
    from django.test import RequestFactory

    request = RequestFactory().post("/sign-in/second-factor/")
    request.session = SessionStore()
    return request


def test_wrong_codes_count_toward_the_password_lockout(clock, personas) -> None:
    user, client = personas.provider_user, Client()
    secret, _ = with_app(user)
    assert sign_in(client, user, "not the password").status_code == 400  # one wrong password
    sign_in(client, user)
    bad = "000000" if code_now(secret) != "000000" else "111111"
    assert (
        client.post("/sign-in/second-factor/", {"method": "code", "code": bad}).status_code == 400
    )
    user.refresh_from_db()
    assert user.status == User.Status.ACTIVE  # two failures so far

    locked = client.post("/sign-in/second-factor/", {"method": "code", "code": bad})
    assert locked["Location"] == "/sign-in/"
    user.refresh_from_db()
    assert user.status == User.Status.LOCKED and not signed_in(client)
    assert GATE_KEY not in client.session
    assert "locked" in client.get("/sign-in/").content.decode()
    assert events("account.locked")[-1].data == {"reason": "failed_sign_ins"}
    assert len(events("second_factor.failed")) == 2
    # The right password and code no longer open the account.
    assert sign_in(Client(), user).status_code == 400


def test_a_correct_code_clears_the_failures_at_the_session(clock, personas) -> None:
    user, client = personas.provider_user, Client()
    secret, _ = with_app(user)
    sign_in(client, user)
    client.post("/sign-in/second-factor/", {"method": "code", "code": "12345"})  # not 6 digits
    client.post("/sign-in/second-factor/", {"method": "code", "code": code_now(secret)})
    assert signed_in(client)
    client2 = Client()
    sign_in(client2, user)
    clock.shift(dt.timedelta(seconds=30))
    for _ in range(2):
        client2.post("/sign-in/second-factor/", {"method": "code", "code": "999999"})
    user.refresh_from_db()
    assert user.status == User.Status.ACTIVE


# --- recovery codes -------------------------------------------------------------------------------
def test_recovery_codes_each_work_once_and_say_how_many_remain(clock, personas) -> None:
    user = personas.provider_user
    _, codes = with_app(user)
    for used, code in enumerate(codes, start=1):
        client = Client()
        sign_in(client, user)
        typed = code.lower().replace("-", " ") if used == 1 else code  # spelling forgiven
        done = client.post("/sign-in/second-factor/recovery-code/", {"code": typed}, follow=True)
        assert signed_in(client), used
        left = 10 - used
        text = done.content.decode()
        if left:
            assert f"{left} recovery code{'s' if left != 1 else ''} left" in text
        else:
            assert "You used your last recovery code" in text
        assert events("second_factor.used")[-1].data == {"kind": "recovery_code", "remaining": left}
        assert events("auth.login_succeeded")[-1].data["second_factor"] == "recovery_code"
        if used % 2 == 0:  # the lockout counts failures; clear it as a real person would
            from portal.accounts.services.lockout import clear_failures

            clear_failures(user)

    client = Client()
    sign_in(client, user)
    again = client.post("/sign-in/second-factor/recovery-code/", {"code": codes[0]})
    assert again.status_code == 400 and not signed_in(client)
    assert "already used" in again.content.decode()
    assert events("second_factor.failed")[-1].data == {
        "kind": "recovery_code",
        "reason": "wrong_code",
    }


def test_new_recovery_codes_replace_the_old_ones(clock, personas) -> None:
    user, client = personas.provider_user, Client()
    _, old = with_app(user)
    client.force_login(user)
    assert (
        "Make new recovery codes?"
        in client.get("/account/second-factor/recovery-codes/").content.decode()
    )
    new = client.post("/account/second-factor/recovery-codes/").context["codes"]
    assert set(new).isdisjoint(old) and len(new) == 10
    assert not factors.use_recovery_code(user, old[0], _request()).ok
    assert factors.use_recovery_code(user, new[0], _request()).ok


def test_recovery_codes_page_is_not_there_without_a_second_factor(personas) -> None:
    client = Client()
    client.force_login(personas.provider_user)
    assert client.get("/account/second-factor/recovery-codes/").status_code == 404
    assert client.post("/account/second-factor/recovery-codes/").status_code == 404


# --- passkeys -------------------------------------------------------------------------------------
def enrol_passkey(client: Client, name: str = "Laptop") -> SoftAuthenticator:
    authenticator = SoftAuthenticator()
    page = client.get("/account/second-factor/passkey/")
    options = page.context["passkey_options"]
    assert options["rp"]["id"] == "testserver"
    assert options["user"]["name"] != options["user"]["id"]  # a random handle, not the username
    done = client.post(
        "/account/second-factor/passkey/",
        {"name": name, "credential": authenticator.create(options)},
    )
    assert done.status_code in (200, 302), done.content.decode()
    return authenticator


def test_a_passkey_is_enrolled_and_signs_in(personas) -> None:
    user, client = personas.provider_user, Client()
    client.force_login(user)
    authenticator = enrol_passkey(client)
    passkey = Passkey.objects.get(user=user)
    assert passkey.name == "Laptop" and passkey.transports == ["internal"]
    assert events("second_factor.enrolled")[-1].data == {"kind": "passkey"}

    other = Client()
    assert sign_in(other, user)["Location"] == "/sign-in/second-factor/"
    page = other.get("/sign-in/second-factor/")
    options = page.context["passkey_options"]
    assert [c["id"] for c in options["allowCredentials"]] == [passkey.credential_id]
    assert "js/passkeys.js" in page.content.decode()
    done = other.post(
        "/sign-in/second-factor/", {"method": "passkey", "credential": authenticator.get(options)}
    )
    assert done["Location"] == "/" and signed_in(other)
    passkey.refresh_from_db()
    assert passkey.sign_count == 1 and passkey.last_used_at is not None
    assert events("auth.login_succeeded")[-1].data == {
        "method": "password",
        "second_factor": "passkey",
    }


@pytest.mark.parametrize(
    "case",
    ["bad signature", "other origin", "replayed challenge", "another person's passkey", "empty"],
)
def test_a_refused_passkey_counts_as_a_failure(personas, case) -> None:
    user, client = personas.provider_user, Client()
    client.force_login(user)
    authenticator = enrol_passkey(client)
    stranger_client = Client()
    stranger_client.force_login(personas.clinical_director)
    stranger = enrol_passkey(stranger_client)

    other = Client()
    sign_in(other, user)
    options = other.get("/sign-in/second-factor/").context["passkey_options"]
    credential = {
        "bad signature": lambda: authenticator.get(options, tamper=True),
        "other origin": lambda: authenticator.get(options, origin="https://evil.example"),
        "replayed challenge": lambda: authenticator.get(options),
        "another person's passkey": lambda: stranger.get({**options}),
        "empty": lambda: "",
    }[case]()
    if case == "replayed challenge":  # the challenge works once
        assert (
            other.post("/sign-in/second-factor/", {"method": "passkey", "credential": credential})[
                "Location"
            ]
            == "/"
        )
        other = Client()
        sign_in(other, user)
        other.get("/sign-in/second-factor/")
    response = other.post(
        "/sign-in/second-factor/", {"method": "passkey", "credential": credential}
    )
    assert response.status_code == 400 and not signed_in(other)
    if case != "empty":
        assert events("second_factor.failed")[-1].data["kind"] == "passkey"


def test_a_passkey_made_for_another_site_is_not_enrolled(personas) -> None:
    client = Client()
    client.force_login(personas.provider_user)
    options = client.get("/account/second-factor/passkey/").context["passkey_options"]
    credential = SoftAuthenticator().create(options, origin="https://evil.example")
    response = client.post(
        "/account/second-factor/passkey/", {"name": "x", "credential": credential}
    )
    assert response.status_code == 400 and not Passkey.objects.exists()


# --- removing, resetting --------------------------------------------------------------------------
def test_removing_the_last_factor_removes_the_recovery_codes(clock, personas) -> None:
    user, client = personas.provider_user, Client()
    with_app(user)
    client.force_login(user)
    app = AuthenticatorApp.objects.get(user=user)
    assert (
        "Remove Phone?"
        in client.get(f"/account/second-factor/authenticator-app/{app.pk}/remove/").content.decode()
    )
    client.post(f"/account/second-factor/authenticator-app/{app.pk}/remove/")
    assert not AuthenticatorApp.objects.exists() and not SecondFactorRecoveryCode.objects.exists()
    assert events("second_factor.removed")[-1].data == {"kind": "authenticator_app"}
    assert sign_in(Client(), user)["Location"] == "/"  # no second factor asked any more


def test_the_last_factor_stays_while_one_is_required(clock, personas) -> None:
    user, client = personas.provider_user, Client()
    with_app(user)
    user.organization.second_factor_required = True
    user.organization.save()
    client.force_login(user)
    app = AuthenticatorApp.objects.get(user=user)
    response = client.post(
        f"/account/second-factor/authenticator-app/{app.pk}/remove/", follow=True
    )
    assert "add another one before removing" in response.content.decode()
    assert AuthenticatorApp.objects.filter(pk=app.pk).exists()


def test_someone_elses_factor_cannot_be_removed(clock, personas) -> None:
    with_app(personas.provider_user)
    app = AuthenticatorApp.objects.get()
    client = Client()
    client.force_login(personas.clinical_director)
    assert (
        client.get(f"/account/second-factor/authenticator-app/{app.pk}/remove/").status_code == 404
    )
    assert (
        client.post(f"/account/second-factor/authenticator-app/{app.pk}/remove/").status_code == 404
    )
    assert client.post(f"/account/second-factor/nothing/{app.pk}/remove/").status_code == 404
    assert AuthenticatorApp.objects.exists()


def test_password_recovery_leaves_the_second_factor_in_place(clock, personas) -> None:
    from portal.accounts.services.recovery import send_recovery_code

    user = personas.provider_user
    with_app(user)
    for _ in range(settings.LOCKOUT_THRESHOLD):
        sign_in(Client(), user, "wrong")
    user.refresh_from_db()
    assert user.status == User.Status.LOCKED
    send_recovery_code(user, by=None, request=None)
    mail = OutboundEmail.objects.filter(template="recovery_code").latest("pk")
    code = re.search(r"\b(\d{8})\b", mail.text_body).group(1)
    new = "a long new passphrase for recovery"
    Client().post(
        "/forgot-password/reset/",
        {"username": user.username, "code": code, "new_password1": new, "new_password2": new},
    )
    user.refresh_from_db()
    assert user.status == User.Status.ACTIVE and user.check_password(new)
    assert AuthenticatorApp.objects.filter(user=user).exists()
    client = Client()
    assert sign_in(client, user, new)["Location"] == "/sign-in/second-factor/"
    assert not signed_in(client)


def test_a_master_resets_the_second_factor_audited_and_the_person_told(clock, personas) -> None:
    user, master = personas.provider_user, Client()
    with_app(user)
    master.force_login(personas.provider_master)
    detail = master.get(f"/organization/accounts/{user.code}/").content.decode()
    assert "1 authenticator app" in detail and "Reset the second factor" in detail
    page = master.get(f"/organization/accounts/{user.code}/reset-second-factor/")
    assert "Reset the second factor of" in page.content.decode()
    master.post(f"/organization/accounts/{user.code}/reset-second-factor/")

    assert not AuthenticatorApp.objects.exists() and not SecondFactorRecoveryCode.objects.exists()
    event = events("second_factor.reset")[-1]
    assert event.actor_id == personas.provider_master.pk
    assert event.data == {"passkeys": 0, "authenticator_apps": 1}
    mail = OutboundEmail.objects.filter(to=user.email, template="account_notice").latest("pk")
    assert "were reset" in mail.text_body
    assert sign_in(Client(), user)["Location"] == "/"


def test_a_master_of_another_organization_cannot_reset(clock, personas) -> None:
    user, outsider = personas.provider_user, Client()
    with_app(user)
    outsider.force_login(personas.outsider)
    assert (
        outsider.post(f"/organization/accounts/{user.code}/reset-second-factor/").status_code == 404
    )
    assert AuthenticatorApp.objects.exists()


def test_the_agency_resets_it_from_the_back_office(clock, personas) -> None:
    user, admin = personas.provider_user, Client()
    with_app(user)
    admin.force_login(personas.agency_admin)
    change = admin.get(f"/back-office/accounts/user/{user.pk}/change/").content.decode()
    assert "reset-second-factor" in change
    assert (
        admin.get(f"/back-office/accounts/user/{user.pk}/reset-second-factor/").status_code == 200
    )
    admin.post(f"/back-office/accounts/user/{user.pk}/reset-second-factor/")
    assert not AuthenticatorApp.objects.exists()
    assert events("second_factor.reset")[-1].actor_id == personas.agency_admin.pk
    assert OutboundEmail.objects.filter(to=user.email, template="account_notice").exists()


# --- when it is required --------------------------------------------------------------------------
def test_a_master_requires_it_and_people_without_one_enrol_at_next_sign_in(clock, personas):
    master = Client()
    master.force_login(personas.provider_master)
    assert master.get("/organization/second-factor/").status_code == 200
    master.post("/organization/second-factor/", {"required": "yes"})
    assert events("second_factor.requirement_changed")[-1].data == {"required": True}
    assert "required of everyone" in master.get("/organization/accounts/").content.decode()

    user, client = personas.provider_user, Client()
    assert sign_in(client, user)["Location"] == "/sign-in/second-factor/set-up/"
    assert not signed_in(client)
    assert client.post("/sign-in/second-factor/set-up/").status_code == 200
    assert not signed_in(client)  # nothing set up yet: POST does not go on
    page = client.get("/sign-in/second-factor/set-up/authenticator-app/")
    secret = page.context["secret"].replace(" ", "")
    shown = client.post(
        "/sign-in/second-factor/set-up/authenticator-app/",
        {"name": "Phone", "code": code_now(secret)},
    )
    assert len(shown.context["codes"]) == 10 and not signed_in(client)
    done = client.post("/sign-in/second-factor/set-up/")
    assert done["Location"] == "/" and signed_in(client)
    assert events("auth.login_succeeded")[-1].data["second_factor"] == "authenticator_app"


def test_a_passkey_is_enrolled_at_the_gate(personas) -> None:
    org = personas.provider_user.organization
    org.second_factor_required = True
    org.save()
    client = Client()
    sign_in(client, personas.provider_user)
    options = client.get("/sign-in/second-factor/set-up/passkey/").context["passkey_options"]
    credential = SoftAuthenticator().create(options)
    shown = client.post(
        "/sign-in/second-factor/set-up/passkey/", {"name": "Laptop", "credential": credential}
    )
    assert len(shown.context["codes"]) == 10
    assert client.post("/sign-in/second-factor/set-up/")["Location"] == "/"
    assert signed_in(client)


def test_the_setting_requires_it_of_masters_and_agency_accounts_only(settings, personas) -> None:
    settings.SECOND_FACTOR_FOR_MASTERS_AND_AGENCY = True
    settings.ALLOW_AGENCY_LOCAL_PASSWORD = True
    assert (
        sign_in(Client(), personas.provider_master)["Location"] == "/sign-in/second-factor/set-up/"
    )
    assert sign_in(Client(), personas.agency_admin)["Location"] == "/sign-in/second-factor/set-up/"
    assert sign_in(Client(), personas.provider_user)["Location"] == "/"
    settings.SECOND_FACTOR_FOR_MASTERS_AND_AGENCY = False
    assert sign_in(Client(), personas.provider_master)["Location"] == "/"


def test_the_second_factor_comes_before_every_other_gate(clock, personas) -> None:
    user = personas.provider_user
    secret, _ = with_app(user)
    publish_terms("Terms", "New terms.", by=None)
    User.objects.filter(pk=user.pk).update(password_change_required=True)
    client = Client()
    assert sign_in(client, user)["Location"] == "/sign-in/second-factor/"
    assert client.get("/sign-in/terms/")["Location"] == "/sign-in/"  # not yet
    after = client.post("/sign-in/second-factor/", {"method": "code", "code": code_now(secret)})
    assert after["Location"] == "/sign-in/terms/" and not signed_in(client)
    assert client.post("/sign-in/terms/", {"agree": "on"})["Location"] == "/sign-in/new-password/"
    new = "a brand new passphrase for the portal"
    done = client.post("/sign-in/new-password/", {"new_password1": new, "new_password2": new})
    assert done["Location"] == "/" and signed_in(client)  # the factor was not asked twice
    assert events("auth.login_succeeded")[-1].data["second_factor"] == "authenticator_app"


def test_a_locked_or_removed_account_never_reaches_the_second_factor(clock, personas) -> None:
    user = personas.provider_user
    with_app(user)
    for status in (User.Status.LOCKED, User.Status.REMOVED, User.Status.AWAITING_APPROVAL):
        User.objects.filter(pk=user.pk).update(status=status)
        client = Client()
        response = sign_in(client, user)
        assert response.status_code == 400 and GATE_KEY not in client.session


def test_an_account_locked_while_at_the_gate_is_sent_back(clock, personas) -> None:
    user, client = personas.provider_user, Client()
    secret, _ = with_app(user)
    sign_in(client, user)
    User.objects.filter(pk=user.pk).update(status=User.Status.LOCKED)
    response = client.post("/sign-in/second-factor/", {"method": "code", "code": code_now(secret)})
    assert response["Location"] == "/sign-in/" and not signed_in(client)


def test_the_gate_expires_after_fifteen_minutes(clock, personas) -> None:
    user, client = personas.provider_user, Client()
    secret, _ = with_app(user)
    sign_in(client, user)
    clock.shift(dt.timedelta(minutes=16))
    response = client.post("/sign-in/second-factor/", {"method": "code", "code": code_now(secret)})
    assert response["Location"] == "/sign-in/" and not signed_in(client)


# --- a required second factor cannot be skipped: walk every URL -----------------------------------
def _walk_at_gate(client: Client) -> None:
    from django.shortcuts import resolve_url

    from portal.core.tests.security.urls import ALL_URLS, PUBLIC

    sign_in_url = resolve_url(settings.LOGIN_URL)
    for name, url in ALL_URLS:
        for method in ("get", "post"):
            if name == "accounts:sign_out" and method == "post":
                continue  # signing out ends the held state, as it should; walked last
            response = getattr(client, method)(url)
            assert response.status_code < 500, (name, method)
            assert not signed_in(client), (name, method)
            if name not in PUBLIC and response.status_code != 405:
                assert response.status_code == 302, (name, method, response.status_code)
                assert response["Location"].startswith(sign_in_url), (name, method)


@pytest.mark.parametrize("gate", ["second_factor", "enrol_second_factor"])
def test_a_session_at_the_second_factor_reaches_no_other_page(clock, personas, gate) -> None:
    """Every URL of the portal and back office, by GET and POST, from a session that gave the
    right password but no second factor: nothing signs it in, and every page that is not public
    sends it to sign in."""
    user = personas.provider_master  # a master: the pages with most to give
    if gate == "second_factor":
        with_app(user)
    else:
        user.organization.second_factor_required = True
        user.organization.save()
    client = Client()
    assert (
        sign_in(client, user)["Location"]
        == f"/sign-in/second-factor/{'set-up/' if gate != 'second_factor' else ''}"
    )
    _walk_at_gate(client)
    assert client.session[GATE_KEY]["gate"] == gate  # still held at its gate, and only there
    assert client.session[GATE_KEY]["factor"] is None
    assert not AuditEvent.objects.filter(action="auth.login_succeeded").exists()
    client.post("/sign-out/")
    assert GATE_KEY not in client.session and not signed_in(client)


# --- accounts without a local password ----------------------------------------------------------
def test_factors_of_a_user_without_password_are_not_offered(personas) -> None:
    staff = UserFactory(
        organization=personas.agency_admin.organization, account_type=User.AccountType.STAFF
    )
    staff.set_unusable_password()
    staff.save()
    client = Client()
    client.force_login(staff)
    assert "Your second factor" not in client.get("/account/").content.decode()


# --- keys at rest ------------------------------------------------------------------------------
def test_apps_keep_working_across_a_secret_key_rotation(clock, personas, settings) -> None:
    from io import StringIO

    from django.core.management import call_command

    user = personas.provider_user
    secret, _ = with_app(user)
    old = settings.SECRET_KEY
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a-new-key-" + "x" * 50, [old]
    out = StringIO()
    call_command("reseal_second_factor_secrets", stdout=out)
    assert "Re-sealed 1 authenticator app keys; 0 unreadable." in out.getvalue()
    settings.SECRET_KEY_FALLBACKS = []
    assert factors.verify_totp(user, code_now(secret), _request()).ok

    settings.SECRET_KEY = "yet-another-key-" + "y" * 50  # rotated without a fallback
    out = StringIO()
    call_command("reseal_second_factor_secrets", stdout=out)
    assert "0 unreadable" not in out.getvalue()
    clock.shift(dt.timedelta(seconds=30))
    assert not factors.verify_totp(user, code_now(secret), _request()).ok


def test_several_named_factors_each_sign_in_and_go_one_by_one(clock, personas) -> None:
    user, client = personas.provider_user, Client()
    first, codes = with_app(user)
    client.force_login(user)
    second_secret = client.get("/account/second-factor/authenticator-app/").context["secret"]
    second_secret = second_secret.replace(" ", "")
    again = client.post(
        "/account/second-factor/authenticator-app/",
        {"name": "Tablet", "code": code_now(second_secret)},
    )
    assert again["Location"] == "/account/"  # codes already made: not shown again
    authenticator = enrol_passkey(client, "Security key")
    page = client.get("/account/").content.decode()
    assert all(name in page for name in ("Phone", "Tablet", "Security key"))

    clock.shift(dt.timedelta(seconds=30))
    for code in (code_now(first), code_now(second_secret)):
        other = Client()
        sign_in(other, user)
        assert (
            other.post("/sign-in/second-factor/", {"method": "code", "code": code})["Location"]
            == "/"
        )
    tablet = AuthenticatorApp.objects.get(name="Tablet")
    client.post(f"/account/second-factor/authenticator-app/{tablet.pk}/remove/")
    assert factors.recovery_codes_left(user) == 10  # others remain: the codes stay
    other = Client()
    sign_in(other, user)
    options = other.get("/sign-in/second-factor/").context["passkey_options"]
    assert (
        other.post(
            "/sign-in/second-factor/",
            {"method": "passkey", "credential": authenticator.get(options)},
        )["Location"]
        == "/"
    )
    assert codes


def test_a_throttled_address_is_refused_at_the_gate_unchecked(clock, personas, settings) -> None:
    user, client = personas.provider_user, Client()
    secret, _ = with_app(user)
    sign_in(client, user)
    settings.SIGN_IN_IP_LIMIT = 0
    response = client.post("/sign-in/second-factor/", {"method": "code", "code": code_now(secret)})
    assert response.status_code == 429 and not signed_in(client)
    assert not events("second_factor.used")
