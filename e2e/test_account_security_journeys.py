"""Lock an account, recover it with the code from a real SMTP server; the idle warning."""

import re
import socket
from io import StringIO

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import Page, expect

from e2e.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
NEW_PASSWORD = "the river runs past the old mill"


class Inbox:
    def __init__(self) -> None:
        self.messages: list[str] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.content.decode("utf-8", "replace"))
        return "250 OK"


@pytest.fixture
def inbox(settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    box = Inbox()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    yield box
    controller.stop()


def sign_in(page: Page, base: str, password: str) -> None:
    page.goto(f"{base}/sign-in/")
    page.get_by_label("Username").fill("provider.user")
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_a_locked_account_is_recovered_with_the_emailed_code(page: Page, live_server, inbox):
    call_command("seed_demo", stdout=StringIO())
    base = str(live_server.url)
    for _ in range(settings.LOCKOUT_THRESHOLD):
        sign_in(page, base, "not my password at all")
    sign_in(page, base, settings.DEMO_PASSWORD)  # locked: the right password is refused too
    expect(page.locator("[data-error-summary]")).to_contain_text("not right")
    page.get_by_role("link", name="Forgot your password?").click()
    assert_accessible(page, "Forgot your password")
    page.get_by_label("Username").fill("provider.user")
    page.get_by_role("button", name="Continue").click()
    assert_accessible(page, "Your security questions")
    for field in page.locator("input[name^=answer_]").all():
        field.fill("  PHOENIX ")
    page.get_by_role("button", name="Continue").click()
    assert_accessible(page, "Check your e-mail")
    call_command("db_worker", "--batch", "--interval", "0", "--no-startup-delay", "--no-reload")
    mail = next(m for m in inbox.messages if "security code" in m)
    code = re.search(r"security code is: (\d{8})", mail).group(1)
    page.get_by_role("link", name="the password reset page").click()
    assert_accessible(page, "Choose a new password")
    page.get_by_label("Username").fill("provider.user")
    page.get_by_label("Security code").fill("00000000" if code != "00000000" else "11111111")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Type the new password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Set my new password").click()
    assert_accessible(page, "Error: Choose a new password")
    page.get_by_label("Security code").fill(code)
    page.get_by_role("button", name="Set my new password").click()
    expect(page.get_by_text("Your new password is set")).to_be_visible()
    assert_accessible(page, "Sign in")
    sign_in(page, base, NEW_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Luis")


def test_an_idle_session_is_warned_then_signed_out(page: Page, live_server, settings) -> None:
    settings.SESSION_IDLE_SECONDS, settings.SESSION_WARNING_SECONDS = 8, 5
    call_command("seed_demo", stdout=StringIO())
    sign_in(page, str(live_server.url), settings.DEMO_PASSWORD)
    dialog = page.get_by_role("dialog", name="Are you still there?")
    expect(dialog).to_be_visible(timeout=10_000)
    assert_accessible(page, "Home")
    dialog.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_be_hidden()
    expect(dialog).to_be_visible(timeout=10_000)  # warned again when idle again
    expect(page.get_by_text("signed out because the portal was not used")).to_be_visible(
        timeout=15_000
    )
    assert_accessible(page, "Sign in")


def test_a_master_requires_a_new_password_and_the_holder_chooses_one(
    page: Page, live_server
) -> None:
    call_command("seed_demo", stdout=StringIO())
    base = str(live_server.url)
    page.goto(f"{base}/sign-in/")
    page.get_by_label("Username").fill("provider.master")
    page.get_by_label("Password", exact=True).fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.goto(f"{base}/organization/accounts/")
    page.get_by_role("link", name="Luis Ortega").click()
    page.get_by_role("link", name="Require a new password").click()
    assert_accessible(page, "Require a new password: Luis Ortega")
    page.get_by_role("button", name="Require a new password").click()
    expect(page.get_by_text("will be asked for a new password")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, base, settings.DEMO_PASSWORD)  # provider.user
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    assert_accessible(page, "Choose a new password")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Type the new password again").fill("something else entirely here")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("not the same")
    assert_accessible(page, "Error: Choose a new password")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Type the new password again").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Save and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Luis")
