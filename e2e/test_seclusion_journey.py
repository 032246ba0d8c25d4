"""Seclusion and restraint in a real browser, with axe on every page: a facility files a report
page by page, its plan returns it, the facility corrects it, the plan accepts it and releases a
redacted copy the committee reads; a facility files a month with none; a reviewer sees the
facility that has not filed."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from e2e.conftest import assert_accessible
from e2e.test_iad_pages import sign_in_as
from portal.core.tests.sample_files import pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def checked(page: Page) -> None:
    assert_accessible(page, page.title().removesuffix(" \N{EN DASH} QM Portal"))


def save(page: Page) -> None:
    page.get_by_role("button", name="Save and return to the task list").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("your S&R report")
    checked(page)


def file_a_report(page: Page, tmp_path) -> None:
    """The facility's preparer fills every page of a new report, then submits it."""
    page.get_by_role("link", name="Seclusion and restraint", exact=True).click()
    checked(page)
    page.get_by_role("link", name="File a report").click()
    checked(page)
    page.get_by_role("button", name="Start a seclusion or restraint report").click()
    checked(page)
    page.get_by_role("link", name="Facility").click()
    checked(page)
    page.get_by_label("Facility or unit").fill("West adolescent unit")
    page.get_by_label("Facility license number").fill("BH-2024-0117")
    save(page)

    page.get_by_role("link", name="Member", exact=True).click()
    page.get_by_label("AHCCCS ID").fill("b12345678")
    page.get_by_label("Member's last name").fill("Okafor")
    page.get_by_label("Member's first name").fill("Jada")
    page.get_by_label("Member's date of birth").fill("2010-02-14")
    page.get_by_label("Member's health plan").select_option(label="Saguaro Health Plan")
    page.get_by_label("Category").select_option(label="Child")
    save(page)

    started = timezone.localtime() - timedelta(days=1)
    page.get_by_role("link", name="The event").click()
    page.locator("label", has_text="Personal restraint").click()  # USWDS hides the input
    page.get_by_label("Date it started").fill(f"{started:%Y-%m-%d}")
    page.get_by_label("Time it started").fill("09:30")
    page.get_by_label("Date it ended").fill(f"{started:%Y-%m-%d}")
    page.get_by_label("Time it ended").fill("09:00")
    page.get_by_label("The emergency safety situation").fill("Jada struck a peer twice.")
    page.get_by_label("Less restrictive measures tried first").fill("Calm talk; quiet room.")
    page.get_by_role("button", name="Save and return to the task list").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("The end must be the same")
    expect(page.get_by_label("The emergency safety situation")).to_have_value(
        "Jada struck a peer twice."
    )
    checked(page)
    page.get_by_label("Time it ended").fill("09:50")
    save(page)

    page.get_by_role("link", name="Who ordered it").click()
    page.get_by_label("Who ordered it").fill("Dr. Alma Reyes")
    page.get_by_label("Their credentials").fill("MD")
    save(page)

    page.get_by_role("link", name="Monitoring, injuries and debriefing").click()
    page.locator("label", has_text="No").click()
    page.get_by_label("Date of the face-to-face evaluation").fill(f"{started:%Y-%m-%d}")
    page.get_by_label("Time of the face-to-face evaluation").fill("10:20")
    page.get_by_label("Evaluated face to face by").fill("Dana Whitfield, RN")
    page.get_by_label("How the member was monitored").fill("Two staff watched her throughout.")
    page.get_by_label("Date of the debriefing").fill(f"{started:%Y-%m-%d}")
    save(page)

    page.get_by_role("link", name="Attachments").click()
    order = tmp_path / "physician-order.pdf"
    order.write_bytes(pdf())
    page.get_by_label("File to attach").set_input_files(str(order))
    page.get_by_role("button", name="Attach the file").click()
    expect(page.get_by_role("link", name="physician-order.pdf")).to_be_visible()
    checked(page)
    page.get_by_role("link", name="Done: back to the task list").click()
    expect(page.get_by_text("Everything needed is there")).to_be_visible()
    page.get_by_role("link", name="Check your answers").click()
    expect(page.get_by_text("20 minutes")).to_be_visible()
    checked(page)
    page.get_by_role("link", name="Submit", exact=True).click()
    checked(page)
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_text("Submitted.", exact=True)).to_be_visible()
    checked(page)


def open_from_tab(page: Page, tab: str, member: str) -> None:
    page.get_by_role("link", name="Seclusion and restraint", exact=True).click()
    page.get_by_role("link", name=tab).click()
    checked(page)
    page.get_by_role("row").filter(has_text=member).get_by_role("link").click()
    checked(page)


def test_a_report_filed_returned_corrected_accepted_and_read_by_the_committee(
    page: Page, live_server, settings, tmp_path
) -> None:
    call_command("seed_demo", stdout=StringIO())
    base = str(live_server.url)
    sign_in_as(page, base, "provider.user")
    file_a_report(page, tmp_path)
    page.get_by_role("button", name="Sign out").click()

    sign_in_as(page, base, "plan.reviewer")
    open_from_tab(page, "Awaiting review", "Okafor")
    page.get_by_role("link", name="Return to the facility").click()
    page.get_by_role("button", name="Return to the facility").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("what to correct")
    checked(page)
    page.get_by_label("What the facility must correct").fill("Give who renewed the order.")
    page.get_by_role("button", name="Return to the facility").click()
    expect(page.get_by_text("Returned to the facility.", exact=True)).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in_as(page, base, "provider.user")
    open_from_tab(page, "My drafts", "Okafor")
    expect(page.get_by_text("Give who renewed the order.")).to_be_visible()
    page.get_by_role("link", name="Go back to the task list to change it").click()
    page.get_by_role("link", name="Who ordered it").click()
    page.get_by_label("Who renewed the order").fill("Dr. Sam Ortiz")
    page.get_by_label("Credentials of who renewed it").fill("DO")
    save(page)
    page.get_by_role("link", name="Check your answers").click()
    page.get_by_role("link", name="Submit again").click()
    page.get_by_role("button", name="Submit again").click()
    expect(page.get_by_text("Submitted again.", exact=True)).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in_as(page, base, "plan.reviewer")
    open_from_tab(page, "Awaiting review", "Okafor")
    expect(page.get_by_text("Returned to the facility by Priya Natarajan")).to_be_visible()
    page.get_by_role("link", name="Accept").click()
    checked(page)
    page.get_by_role("button", name="Accept").click()
    expect(page.get_by_text("Accepted.", exact=True)).to_be_visible()
    page.get_by_role("link", name="Make a redacted copy").click()
    checked(page)
    page.get_by_role("button", name="Make the copy").click()
    expect(page.get_by_label("Jada (member's name, 1 place)")).to_be_checked()
    checked(page)
    page.get_by_role("link", name="Release to the committee").click()
    checked(page)
    expect(page.get_by_role("heading", name="Release the redacted copy")).to_be_visible()
    expect(page.get_by_text("[removed]").first).to_be_visible()  # the copy as it will be read
    page.get_by_role("button", name="Release to the committee").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("Confirm that you have read")
    assert_accessible(page, page.title().removesuffix(" \N{EN DASH} QM Portal"))
    page.locator("label", has_text="I have read the copy above").click()
    page.get_by_role("button", name="Release to the committee").click()
    expect(page.get_by_text("Released to the committee.")).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in_as(page, base, "ioc.member")
    page.get_by_role("link", name="Committee reports").click()
    checked(page)
    page.get_by_role("row").filter(has_text="Personal restraint").get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Redacted S&R report")
    expect(page.get_by_text("[removed] struck a peer twice.")).to_be_visible()
    assert "Okafor" not in page.content() and "Jada" not in page.content()
    checked(page)


def test_a_facility_files_a_none_month_and_a_reviewer_sees_who_has_not(
    page: Page, live_server
) -> None:
    call_command("seed_demo", stdout=StringIO())
    base = str(live_server.url)
    sign_in_as(page, base, "provider.user")
    expect(page.get_by_role("link", name="S&R monthly summaries to file")).to_be_visible()
    page.get_by_role("link", name="S&R monthly summaries", exact=True).click()
    checked(page)
    page.get_by_role("link", name="File a monthly summary").click()
    checked(page)
    month = page.get_by_label("Month").locator("option").nth(0).inner_text()
    page.get_by_label("Seclusion and restraint events in the month").fill("-2")
    page.get_by_role("button", name="File the summary").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("cannot be below 0")
    checked(page)
    page.get_by_label("Seclusion and restraint events in the month").fill("0")
    page.get_by_role("button", name="File the summary").click()
    expect(page.get_by_text(f"Filed: {month}.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=month)).to_contain_text("(none)")
    checked(page)
    page.get_by_role("button", name="Sign out").click()

    sign_in_as(page, base, "plan.reviewer")
    page.get_by_role("link", name="Facilities without an S&R summary").click()
    missing = page.get_by_role("row").filter(has_text="Mesa Verde Residential Services")
    expect(missing).to_contain_text("Not filed")
    expect(page.get_by_role("row").filter(has_text="Desert Bloom")).to_contain_text("Filed")
    checked(page)
