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
