"""Register an organization's first account, get the letter, activate, approve a colleague."""

import re
from io import BytesIO, StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from e2e.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a quiet river under the bridge"


def register(page: Page, base: str, first: str, username: str, *, master: bool) -> None:
    page.goto(f"{base}/register/")
    assert_accessible(page, "Create an account")
    page.get_by_role("link", name="Start").click()
    assert_accessible(page, "Terms of Use \N{EN DASH} Create an account")
    page.get_by_role("button", name="Continue").click()  # without agreeing first
    assert_accessible(page, "Error: Terms of Use \N{EN DASH} Create an account")
    tick(page, "I have read the Terms of Use and agree to them")
    page.get_by_role("button", name="Continue").click()
    assert_accessible(page, "Your organization \N{EN DASH} Create an account")
    tick(page, "A provider (AHCCCS Provider ID and NPI)")
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("AHCCCS Provider ID").fill("100006")
    page.get_by_label("National Provider Identifier (NPI)").fill("1432658709")  # a wrong digit
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("not a valid NPI")
    assert_accessible(page, "Error: Your organization's identifiers \N{EN DASH} Create an account")
    page.get_by_label("National Provider Identifier (NPI)").fill("1432658700")
    page.get_by_role("button", name="Continue").click()
    fill_person(page, first, username)
    if master:
        assert_accessible(page, "Mailing address \N{EN DASH} Create an account")
        tick(page, re.compile("9 Cottonwood Lane"))
        page.get_by_role("button", name="Continue").click()
    assert_accessible(page, "Check your answers \N{EN DASH} Create an account")
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account has been created")
    assert_accessible(page, "Account created")


def tick(page: Page, label: str | re.Pattern[str]) -> None:
    """USWDS draws its own boxes and hides the inputs: people click the label, so do we."""
    page.locator("label", has_text=label).click()


def fill_person(page: Page, first: str, username: str) -> None:
    assert_accessible(page, "About you \N{EN DASH} Create an account")
    page.get_by_label("Legal first name").fill(first)
    page.get_by_label("Legal last name").fill("Whitfield")
    page.get_by_label("Work e-mail address").fill(f"{username}@verde.example")
    page.get_by_label("Work phone number").fill("928-555-0100")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Type the password again").fill("not the same one at all")
    for n, (question, answer) in enumerate(
        [("first_street", "Pine"), ("first_school", "Mingus"), ("birth_city", "Jerome")], start=1
    ):
        page.get_by_label(f"Security question {n}", exact=True).select_option(question)
        page.get_by_label(f"Answer to security question {n}").fill(answer)
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("not the same")
    assert_accessible(page, "Error: About you \N{EN DASH} Create an account")
    expect(page.get_by_label("Legal first name")).to_have_value(first)  # nothing typed is lost
    page.get_by_label("Type the password again").fill(PASSWORD)
    page.get_by_label("Answer to security question 1").fill("Pine")
    page.get_by_label("Answer to security question 2").fill("Mingus")
    page.get_by_label("Answer to security question 3").fill("Jerome")
    page.get_by_role("button", name="Continue").click()


def sign_in(page: Page, base: str, username: str, password: str) -> None:
    page.goto(f"{base}/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()


def test_first_account_letter_activation_and_approval(page: Page, live_server) -> None:
    call_command("seed_demo", stdout=StringIO())
    from portal.registry.models import MailingAddress, Organization

    verde = Organization.objects.get(identifier="100006")
    MailingAddress.objects.create(organization=verde, line1="9 Cottonwood Lane", city="Cottonwood",
                                  zip_code="86326")  # fmt: skip
    base = str(live_server.url)
    register(page, base, "Avery", "avery.w", master=True)

    sign_in(page, base, "agency.admin", settings.DEMO_PASSWORD)
    page.get_by_role("link", name="Mailroom").click()
    assert_accessible(page, "Mailroom")
    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile("Print 1 letter")).click()
    pdf = PdfReader(BytesIO(open(download.value.path(), "rb").read()))  # noqa: SIM115
    code = re.search(r"[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}", pdf.pages[0].extract_text()).group()
    page.reload()
    assert_accessible(page, "Mailroom")
    page.get_by_role("button", name=re.compile("Record as mailed")).click()
    expect(page.get_by_text("1 letters recorded as mailed")).to_be_visible()
    sign_out(page)

    sign_in(page, base, "avery.w", PASSWORD)
    assert_accessible(page, "Activate your account")
    page.get_by_label("Activation code").fill("WRNG-CODE-0000")
    page.get_by_role("button", name="Activate my account").click()
    assert_accessible(page, "Error: Activate your account")
    page.get_by_label("Activation code").fill(code)
    page.get_by_role("button", name="Activate my account").click()
    expect(page.get_by_text("Your master account is active")).to_be_visible()
    assert_accessible(page, "Home")
    sign_out(page)

    register(page, base, "Blake", "blake.w", master=False)
    sign_in(page, base, "blake.w", PASSWORD)
    expect(page.get_by_text("waiting for a master account holder")).to_be_visible()

    sign_in(page, base, "avery.w", PASSWORD)
    page.get_by_role("link", name="Manage accounts").click()
    assert_accessible(page, "Manage accounts")
    page.get_by_role("link", name="Blake Whitfield").click()
    assert_accessible(page, "Blake Whitfield: account")
    page.get_by_role("link", name="Approve Blake Whitfield").click()
    assert_accessible(page, "Approve: Blake Whitfield")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Blake Whitfield can now sign in.")).to_be_visible()
    page.get_by_role("link", name="Change site privileges of Blake Whitfield").click()
    assert_accessible(page, "Site privileges: Blake Whitfield")
    page.get_by_text("IAD-IRF: file incident, accident and death reports").click()
    page.get_by_role("button", name="Save").click()
    sign_out(page)

    sign_in(page, base, "blake.w", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Blake")
    # The privilege opens its application: the menu leads to the incident reports.
    page.get_by_role("link", name="Incident reports").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Incident reports")
    assert_accessible(page, "Incident reports")
    page.get_by_role("link", name="My account").click()
    assert_accessible(page, "My account")
