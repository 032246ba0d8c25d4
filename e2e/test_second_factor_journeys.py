"""The second factor in real Chromium (issue #19, ADR 0025): a passkey made and used with the
browser's virtual authenticator (DevTools protocol), an authenticator app set up by reading its
key off the page, and a sign-in with a recovery code. axe checks every page on the way."""

import re
from io import StringIO

import pyotp
import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import Page, expect

from e2e.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(live_server) -> str:
    call_command("seed_demo", stdout=StringIO())
    return str(live_server.url)


def sign_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are signed out")


def virtual_authenticator(page: Page) -> None:
    """A platform authenticator with user verification, as a laptop's fingerprint reader."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )


def test_a_master_requires_a_second_factor_and_a_passkey_is_set_up_and_used(
    page: Page, demo: str
) -> None:
    sign_in(page, demo, "provider.master")
    page.goto(f"{demo}/organization/accounts/")
    assert_accessible(page, "Manage accounts")
    page.get_by_role("link", name="Change whether a second factor is required").click()
    assert_accessible(page, "Second factor for your organization")
    page.get_by_text("Yes: every account needs").click()  # USWDS hides the radio: its label
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("required of everyone")).to_be_visible()
    sign_out(page)

    virtual_authenticator(page)
    sign_in(page, demo, "provider.user")
    assert_accessible(page, "Set up a second factor")
    page.goto(f"{demo}/")  # cannot be skipped: every page sends it back to sign in
    assert_accessible(page, "Sign in")
    sign_in(page, demo, "provider.user")
    page.get_by_role("link", name="Set up a passkey").click()
    assert_accessible(page, "Add a passkey")
    page.get_by_label("Name it").fill("Work laptop")
    page.get_by_role("button", name="Create the passkey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Save your recovery codes")
    assert_accessible(page, "Save your recovery codes")
    expect(page.locator("[data-recovery-code]")).to_have_count(10)
    page.get_by_role("button", name="I saved them: continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Luis")
    sign_out(page)

    sign_in(page, demo, "provider.user")
    assert_accessible(page, "Confirm it is you")
    page.get_by_role("button", name="Use your passkey").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Luis")
    page.goto(f"{demo}/account/")
    assert_accessible(page, "My account")
    expect(page.get_by_role("row", name=re.compile("Work laptop"))).to_contain_text("Passkey")
    sign_out(page)

    # The master, asked too now, sets up an app at the gate, then resets Luis's passkey.
    sign_in(page, demo, "provider.master")
    page.get_by_role("link", name="Set up an authenticator app").click()
    assert_accessible(page, "Add an authenticator app")
    secret = page.locator("[data-totp-secret]").inner_text().replace(" ", "")
    page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Add this app").click()
    assert_accessible(page, "Save your recovery codes")
    page.get_by_role("button", name="I saved them: continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Dana")
    page.goto(f"{demo}/organization/accounts/")
    page.get_by_role("link", name="Luis Ortega").click()
    assert_accessible(page, "Luis Ortega: account")
    page.get_by_role("link", name="Reset the second factor of Luis Ortega").click()
    assert_accessible(page, "Reset the second factor: Luis Ortega")
    page.get_by_role("button", name="Reset the second factor").click()
    expect(page.get_by_text("The second factor of Luis Ortega is reset")).to_be_visible()


def test_an_authenticator_app_is_set_up_from_my_account_and_a_recovery_code_signs_in(
    page: Page, demo: str
) -> None:
    sign_in(page, demo, "provider.user")
    page.goto(f"{demo}/account/")
    assert_accessible(page, "My account")
    page.get_by_role("link", name="Add an authenticator app").click()
    assert_accessible(page, "Add an authenticator app")
    secret = page.locator("[data-totp-secret]").inner_text().replace(" ", "")
    page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(secret).now())
    page.get_by_label("Name it").fill("My phone")
    page.get_by_role("button", name="Add this app").click()
    assert_accessible(page, "Save your recovery codes")
    codes = page.locator("[data-recovery-code]").all_inner_texts()
    assert len(codes) == 10
    page.get_by_role("link", name="I saved them: back to my account").click()
    expect(page.get_by_text("10 of 10 unused")).to_be_visible()
    sign_out(page)

    sign_in(page, demo, "provider.user")
    assert_accessible(page, "Confirm it is you")
    page.get_by_label("Code from your authenticator app").fill("000000")
    page.get_by_role("button", name="Continue").click()
    assert_accessible(page, "Error: Confirm it is you")
    page.get_by_role("link", name="Use a recovery code instead").click()
    assert_accessible(page, "Use a recovery code")
    page.get_by_label("Recovery code").fill(codes[0])
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_text("9 recovery codes left")).to_be_visible()
    assert_accessible(page, "Home")
    sign_out(page)

    # The app's next code (the one used to set it up cannot be used again).
    sign_in(page, demo, "provider.user")
    code = pyotp.TOTP(secret).at(int(__import__("time").time()) + 30)
    page.get_by_label("Code from your authenticator app").fill(code)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Luis")


def test_the_demo_persona_signs_in_with_its_printed_key(page: Page, live_server) -> None:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    key = re.search(r"setup key ([A-Z2-7]{32})", out.getvalue()).group(1)
    sign_in(page, str(live_server.url), "quality.lead")
    page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(key).now())
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Jordan")
