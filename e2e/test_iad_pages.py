"""IAD-IRF pages with the demo data: the list by tab and a report with its history."""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import Page, expect

from e2e.conftest import assert_accessible
from portal.core.tests.sample_files import png

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
    page.get_by_label("From", exact=True).fill("2026-11-20")
    page.get_by_label("To", exact=True).fill("2026-11-02")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("after the 'from' date")
    expect(page.get_by_label("From", exact=True)).to_have_value("2026-11-20")
    assert_accessible(page, "Error: Incident reports")
    page.get_by_label("Sentinel").select_option(label="Sentinel only")
    page.get_by_label("To", exact=True).fill("")
    page.get_by_label("From", exact=True).fill("")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_role("status")).to_have_text("2 reports.")  # a death, a suicide attempt
    page.get_by_role("columnheader", name="Status").get_by_role("link").click()
    expect(page.get_by_role("columnheader", name="Status")).to_have_attribute(
        "aria-sort", "ascending"
    )
    assert_accessible(page, "Incident reports")

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
    expect(page.get_by_text("Approved.", exact=True)).to_be_visible()
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


def test_file_an_iad_page_by_page_then_return_and_resubmit(page: Page, live_server) -> None:
    call_command("seed_demo", stdout=StringIO())
    base = str(live_server.url)
    sign_in_as(page, base, "provider.user")
    page.get_by_role("link", name="Incident reports").click()
    page.get_by_role("link", name="File a report").click()
    assert_accessible(page, "File a report")
    page.get_by_role("button", name="Start an IAD report").click()
    assert_accessible(page, page.title().removesuffix(" \N{EN DASH} QM Portal"))

    page.get_by_role("link", name="Reporter and site").click()
    page.get_by_label("Site or facility").fill("North clinic")
    page.get_by_label("Contact phone").fill("602-555-0101")
    page.get_by_role("button", name="Save and return to the task list").click()

    page.get_by_role("link", name="Member").click()
    page.get_by_label("AHCCCS ID").fill("12345678")
    page.get_by_label("Member's last name").fill("Okafor")
    page.get_by_role("button", name="Save and return to the task list").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("a letter and 8 digits")
    expect(page.get_by_label("Member's last name")).to_have_value("Okafor")
    assert_accessible(page, "Error: Member: IAD report")
    page.get_by_label("AHCCCS ID").fill("A12345678")
    page.get_by_label("Member's first name").fill("Ada")
    page.get_by_label("Member's date of birth").fill("1975-06-01")
    page.get_by_label("Member's health plan").select_option(label="Saguaro Health Plan")
    page.get_by_role("button", name="Save and return to the task list").click()

    page.get_by_role("link", name="What happened").click()
    assert_accessible(page, "What happened: IAD report")
    page.get_by_label("Date it happened").fill("2026-11-16")
    page.get_by_label("Time it happened").fill("09:30")
    page.get_by_label("Date you became aware").fill("2026-11-16")
    page.get_by_label("Time you became aware").fill("10:00")
    page.get_by_label("What happened").fill("She fell in the hallway.")
    page.get_by_role("button", name="Save and return to the task list").click()

    page.get_by_role("link", name="Incident types").click()
    page.get_by_text("Injury needing emergency treatment").click()
    page.get_by_role("button", name="Save and return to the task list").click()

    page.get_by_role("link", name="People involved").click()
    page.get_by_label("Job title or relationship").fill("Night nurse")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.locator("[data-error-summary]")).to_contain_text("Enter the person's name")
    expect(page.get_by_label("Job title or relationship")).to_have_value("Night nurse")
    assert_accessible(page, "Error: People involved: IAD report")
    page.get_by_label("Their name").fill("Pat Moreno")
    page.get_by_label("Who they are").select_option(label="Staff")
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_text("Staff: Pat Moreno, Night nurse")).to_be_visible()
    assert_accessible(page, "People involved: IAD report")
    page.get_by_role("link", name="Done: back to the task list").click()
    expect(page.get_by_text("Everything needed is there")).to_be_visible()
    assert_accessible(page, page.title().removesuffix(" \N{EN DASH} QM Portal"))

    page.get_by_role("link", name="Check your answers").click()
    page.get_by_role("link", name="Submit for approval").click()
    page.get_by_label("Why it is submitted after its due time").fill("We learned of it late.")
    page.get_by_role("button", name="Submit for approval").click()
    expect(page.get_by_text("Awaiting approval").first).to_be_visible()
    page.get_by_role("button", name="Sign out").click()

    sign_in_as(page, base, "clinical.director")
    open_report(page, base, "approval", "Okafor")
    page.get_by_role("link", name="Return to the preparer").click()
    page.get_by_label("What the preparer must correct").fill("Add where exactly she fell.")
    page.get_by_role("button", name="Return to the preparer").click()
    page.get_by_role("button", name="Sign out").click()

    sign_in_as(page, base, "provider.user")
    open_report(page, base, "drafts", "Okafor")
    expect(page.get_by_text("Add where exactly she fell.")).to_be_visible()
    page.get_by_role("link", name="Go back to the task list to change it").click()
    page.get_by_role("link", name="What happened").click()
    page.get_by_label("Where exactly").fill("The east hallway, by the nurses' station.")
    page.get_by_role("button", name="Save and return to the task list").click()
    page.get_by_role("link", name="Check your answers").click()
    page.get_by_role("link", name="Submit again for approval").click()
    page.get_by_role("button", name="Submit again for approval").click()
    expect(page.get_by_text("Submitted again.", exact=True)).to_be_visible()
    assert_accessible(page, page.title().removesuffix(" \N{EN DASH} QM Portal"))


def test_redact_release_and_the_committee_reads_the_copy(page: Page, live_server) -> None:
    call_command("seed_demo", stdout=StringIO())
    base = str(live_server.url)

    sign_in_as(page, base, "plan.reviewer")
    open_report(page, base, "review", "Cole")
    page.get_by_role("link", name="Make a redacted copy").click()
    assert_accessible(page, page.title().removesuffix(" \N{EN DASH} QM Portal"))
    page.get_by_role("button", name="Make the copy").click()
    expect(page.get_by_label("Hannah Cole (member's name, 1 place)")).to_be_checked()
    assert_accessible(page, page.title().removesuffix(" \N{EN DASH} QM Portal"))

    page.get_by_label("Other words or phrases to remove").fill("the dayroom")
    page.get_by_role("button", name="Save and preview").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("\u201cthe dayroom\u201d")
    assert_accessible(page, page.title().removesuffix(" \N{EN DASH} QM Portal"))
    page.get_by_label("Other words or phrases to remove").fill("the day room")
    page.locator("label", has_text="Hannah Cole (member's name").click()  # kept: wrongly
    page.get_by_role("button", name="Save and preview").click()
    expect(page.get_by_role("heading", name="The copy still identifies someone")).to_be_visible()
    assert_accessible(page, page.title().removesuffix(" \N{EN DASH} QM Portal"))
    page.locator("label", has_text="Hannah Cole (member's name").click()
    page.get_by_role("button", name="Save and preview").click()
    expect(page.get_by_text("Saved. The preview")).to_be_visible()
    expect(page.get_by_role("heading", name="The copy still identifies someone")).to_have_count(0)

    page.get_by_role("link", name="Release to the committee").click()
    expect(page.get_by_label("Central Region Independent Oversight Committee")).to_be_checked()
    assert_accessible(page, page.title().removesuffix(" \N{EN DASH} QM Portal"))
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
    # The two released IAD copies and the released S&R copy of the demo data.
    expect(page.get_by_role("status")).to_have_text("3 reports.")
    assert_accessible(page, "Reports released to your committee")
    page.get_by_role("row").filter(has_text="Exploitation").get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Redacted IAD report")
    expect(page.get_by_text("Staff found [removed] in [removed] and called")).to_be_visible()
    assert "Cole" not in page.content() and "Hannah" not in page.content()
    assert_accessible(page, page.title().removesuffix(" \N{EN DASH} QM Portal"))


def test_attach_a_file_to_a_draft_after_a_refused_one(page: Page, live_server, settings,
                                                     tmp_path) -> None:  # fmt: skip
    settings.ATTACHMENTS_ROOT = tmp_path
    call_command("seed_demo", stdout=StringIO())
    base = str(live_server.url)

    sign_in_as(page, base, "provider.user")
    open_report(page, base, "drafts", "Quintero")
    page.get_by_role("link", name="Go back to the task list").click()
    page.get_by_role("link", name="Attachments").click()
    assert_accessible(page, page.title().removesuffix(" \N{EN DASH} QM Portal"))
    field = page.get_by_label("File to attach: PDF, PNG or JPEG, up to 10 MB")
    field.set_input_files({"name": "notes.pdf", "mimeType": "application/pdf",
                           "buffer": b"<html><script>alert(1)</script></html>"})  # fmt: skip
    page.get_by_role("button", name="Attach the file").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("must be a PDF")
    assert_accessible(page, page.title().removesuffix(" \N{EN DASH} QM Portal"))

    field.set_input_files({"name": "wrist.png", "mimeType": "image/png", "buffer": png()})
    page.get_by_role("button", name="Attach the file").click()
    expect(page.get_by_role("cell", name="wrist.png")).to_be_visible()
    assert_accessible(page, page.title().removesuffix(" \N{EN DASH} QM Portal"))
    page.get_by_role("link", name="Done: back to the task list").click()
    expect(page.locator("li", has_text="Attachments")).to_contain_text("1 added")
