"""A person signs in with a demo account, reaches home, and signs out; errors are clear."""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect

from e2e.conftest import assert_accessible, assert_accessible_with_scripts_on

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(live_server) -> str:
    call_command("seed_demo", stdout=StringIO())
    return str(live_server.url)


def sign_in(page: Page, username: str, password: str) -> None:
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def test_sign_in_home_sign_out(page: Page, demo: str) -> None:
    page.goto(f"{demo}/")
    assert_accessible(page, "Sign in")  # sent to sign in first
    sign_in(page, "provider.master", settings.DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Dana")
    assert_accessible(page, "Home")
    expect(page.get_by_text("Desert Bloom Behavioral Health").first).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are signed out")
    assert_accessible(page, "Signed out")
    page.goto(f"{demo}/")
    assert_accessible(page, "Sign in")


def test_failed_sign_in_shows_the_error_summary_and_keeps_the_username(
    page: Page, demo: str
) -> None:
    page.goto(f"{demo}/sign-in/")
    sign_in(page, "provider.master", "not the password")
    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_be_focused()
    expect(page.get_by_label("Username")).to_have_value("provider.master")
    assert_accessible(page, "Error: Sign in")
    page.get_by_label("Username").fill("")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("link", name="Enter your username")).to_be_visible()
    page.get_by_role("link", name="Enter your username").click()
    expect(page.get_by_label("Username")).to_be_focused()
    assert_accessible(page, "Error: Sign in")


def test_sign_in_works_without_javascript(browser: Browser, demo: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(f"{demo}/sign-in/")
    assert_accessible_with_scripts_on(browser, page, "Sign in")
    sign_in(page, "plan.reviewer", settings.DEMO_PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Priya")
    assert_accessible_with_scripts_on(browser, page, "Home")
    context.close()


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("/help/", "Help and support"),
        ("/privacy/", "Privacy notice"),
        ("/accessibility/", "Accessibility statement"),
        ("/hipaa/", "HIPAA notice for portal users"),
        ("/forgot-password/", "Forgot your password"),
        ("/sign-in/agency/", "Agency sign-in unavailable"),
        ("/help/guides/accounts/", "Accounts: registering and managing accounts"),
    ],
)
def test_public_pages_are_accessible(page: Page, live_server, path: str, title: str) -> None:
    page.goto(f"{live_server.url}{path}")
    assert_accessible(page, title)


def test_signed_in_pages_and_the_404_page_are_accessible_on_a_phone(
    browser: Browser, demo: str
) -> None:
    context = browser.new_context(viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.goto(f"{demo}/sign-in/")
    assert_accessible(page, "Sign in")
    sign_in(page, "agency.admin", settings.DEMO_PASSWORD)
    assert_accessible(page, "Home")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320  # reflows: no sideways scrolling (WCAG 1.4.10)
    page.goto(f"{demo}/no-such-page/")
    assert_accessible(page, "Page not found")
    page.goto(f"{demo}/sign-out/")
    assert_accessible(page, "Sign out")
    context.close()


def test_new_terms_are_accepted_at_sign_in(page: Page, demo: str) -> None:
    from portal.accounts.services.terms import publish_terms

    publish_terms("QM Portal Terms of Use", "A new paragraph of rules.", by=None)
    page.goto(f"{demo}/sign-in/")
    expect(page.get_by_text("The Terms of Use changed on")).to_be_visible()
    assert_accessible(page, "Sign in")
    sign_in(page, "ioc.member", settings.DEMO_PASSWORD)
    assert_accessible(page, "The Terms of Use have changed")
    page.get_by_role("button", name="Continue").click()
    assert_accessible(page, "Error: The Terms of Use have changed")
    page.locator("label", has_text="I have read the Terms of Use").click()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Samuel")


def test_the_real_csp_blocks_inline_script_and_the_guard_sees_it(browser: Browser, demo: str):
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{demo}/sign-in/")
    assert_accessible(page, "Sign in")
    injected = '<img src=x onerror="window.pwned=1">'
    with page.expect_console_message(lambda m: "Content Security" in m.text):
        page.evaluate("html => document.body.insertAdjacentHTML('beforeend', html)", injected)
    assert page.evaluate("window.pwned") is None
    context.close()
