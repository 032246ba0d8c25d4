"""A staff member signs in through the agency's OpenID provider (a real one, on loopback)."""

from collections.abc import Iterator
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import Page, expect

from e2e.conftest import assert_accessible, assert_axe_clean
from portal.accounts.demo import identity_provider_accounts
from portal.accounts.tests.identity_provider import IdentityProvider

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def staff_door(live_server, settings, tmp_path: Path) -> Iterator[str]:
    """The demo data and a development identity provider, as `make run` sets them up."""
    settings.SSO_GROUP_ROLES = {"qm-portal-admins": frozenset({"agency.admin"})}
    callback = f"{live_server.url}/sign-in/agency/callback/"
    idp = IdentityProvider.start(tmp_path, [callback], identity_provider_accounts())
    for name, value in idp.settings().items():
        setattr(settings, name, value)
    call_command("seed_demo", stdout=StringIO())
    yield str(live_server.url)
    idp.stop()


def test_staff_sign_in_through_the_identity_provider(page: Page, staff_door: str) -> None:
    page.goto(f"{staff_door}/sign-in/")
    assert_accessible(page, "Sign in")
    page.get_by_role("link", name="Sign in with your agency account").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Development identity provider")
    assert_axe_clean(page, "identity provider sign-in")
    page.get_by_label("Network username").fill("agency.admin")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("do not match")
    assert_axe_clean(page, "identity provider sign-in, refused")
    page.get_by_label("Password").fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Morgan")
    assert_accessible(page, "Home")
    # The role comes from the provider's groups claim.
    expect(page.get_by_role("link", name="Back office")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are signed out")
    assert_accessible(page, "Signed out")


def test_the_staff_door_refuses_plainly_when_the_provider_says_no(
    page: Page, staff_door: str
) -> None:
    page.goto(f"{staff_door}/sign-in/agency/callback/?error=access_denied&state=unknown")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "We could not sign you in with your agency account"
    )
    assert_accessible(page, "Agency sign-in did not work")
