"""IAD-IRF pages with the demo data: the list by tab and a report with its history."""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import Page, expect

from e2e.conftest import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_reviewer_lists_reports_and_reads_one_with_its_history(page: Page, live_server) -> None:
    call_command("seed_demo", stdout=StringIO())
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Username").fill("plan.reviewer")
    page.get_by_label("Password", exact=True).fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()

    page.get_by_role("link", name="Incident reports").click()
    assert_accessible(page, "Incident reports")
    page.get_by_role("link", name="Awaiting review").click()
    expect(page.get_by_role("status")).to_have_text("2 reports.")
    assert_accessible(page, "Incident reports")

    page.get_by_role("link", name="All I may see").click()
    page.get_by_role("row").filter(has_text="Closed").get_by_role("link").click()
    expect(page.get_by_role("heading", name="History")).to_be_visible()
    expect(page.get_by_text("Closed by Priya Natarajan")).to_be_visible()
    assert_accessible(page, page.title().removesuffix(" \N{EN DASH} QM Portal"))


def sign_in_as(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")


def open_report(page: Page, base: str, show: str, member: str) -> None:
    page.goto(f"{base}/iad/reports/?show={show}")
    page.get_by_role("row").filter(has_text=member).get_by_role("link").click()


def test_approve_review_request_information_respond_and_close(page: Page, live_server) -> None:
    call_command("seed_demo", stdout=StringIO())
    base = str(live_server.url)

    sign_in_as(page, base, "clinical.director")
    open_report(page, base, "approval", "Yazzie")
    page.get_by_role("link", name="Return to the preparer").click()
    page.get_by_role("button", name="Return to the preparer").click()  # no reason yet
    expect(page.locator("[data-error-summary]")).to_contain_text("Tell the preparer")
    assert_accessible(page, page.title().removesuffix(" \N{EN DASH} QM Portal"))
    page.get_by_role("link", name="Back to the report").click()
    page.get_by_role("link", name="Approve").click()
    assert_accessible(page, page.title().removesuffix(" \N{EN DASH} QM Portal"))
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Done: approve.")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in_as(page, base, "plan.reviewer")
    open_report(page, base, "review", "Yazzie")
    page.get_by_role("link", name="Start review").click()
    page.get_by_role("button", name="Start review").click()
    page.get_by_role("link", name="Ask the reporter for information").click()
    page.get_by_label("What you need to know").fill("Who found the error?")
    page.get_by_role("button", name="Ask the reporter for information").click()
    expect(page.get_by_text("Who found the error?")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in_as(page, base, "provider.user")
    open_report(page, base, "all", "Yazzie")
    page.get_by_role("link", name="Send the information").click()
    page.get_by_label("Your answer").fill("The night nurse found it at 2 a.m.")
    page.get_by_role("button", name="Send the information").click()
    expect(page.get_by_role("heading", name="Added after submission")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in_as(page, base, "plan.reviewer")
    open_report(page, base, "review", "Yazzie")
    page.get_by_role("link", name="Close the review").click()
    page.get_by_text("No further action").click()
    page.get_by_role("button", name="Close the review").click()
    expect(page.get_by_text("Review outcome: No further action")).to_be_visible()
    assert_accessible(page, page.title().removesuffix(" \N{EN DASH} QM Portal"))
