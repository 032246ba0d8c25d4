"""Quality of Care in a real browser, with axe on every page: a reviewer closes an incident
report as referred to Quality of Care; the agency's manager triages the case and assigns the
plan's investigator; the investigator asks the provider for records; the provider answers with
a file; the investigator finds the concern substantiated and requires a corrective action plan;
the provider sends it; the investigator accepts it, which closes the case; the trends show it,
in a chart and in a table."""

import re
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from e2e.conftest import assert_accessible
from e2e.test_iad_pages import open_report, sign_in_as
from portal.core.tests.sample_files import pdf

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MEMBER = "Hannah Cole"  # the demo's incident report in review
CLOSE_REVIEW = "Close the review"


def checked(page: Page) -> None:
    assert_accessible(page, page.title().removesuffix(" \N{EN DASH} QM Portal"))


def done(page: Page, what: str) -> None:
    expect(page.get_by_text(what, exact=True)).to_be_visible()
    checked(page)


def sign_in(page: Page, base: str, username: str) -> None:
    page.context.clear_cookies()
    sign_in_as(page, base, username)
    checked(page)


def step(page: Page, label: str) -> None:
    page.get_by_role("link", name=label, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(label)
    checked(page)


def refer(page: Page, base: str) -> None:
    sign_in(page, base, "plan.reviewer")
    open_report(page, base, "all", "Cole")
    checked(page)
    step(page, CLOSE_REVIEW)
    page.locator("label", has_text="Referred to Quality of Care").click()
    page.get_by_role("button", name=CLOSE_REVIEW).click()
    done(page, "Review closed.")
    page.get_by_role("link", name=re.compile(r"^QOC [0-9a-f]{8}$")).click()  # the case it opened
    expect(page.get_by_role("heading", level=1)).to_contain_text("QOC case")
    checked(page)


def triage(page: Page, base: str) -> None:
    sign_in(page, base, "qoc.manager")
    waiting = page.get_by_role("listitem").filter(has_text="New quality-of-care cases to triage")
    waiting.get_by_role("link").click()
    checked(page)
    page.get_by_role("row").filter(has_text="Cole").get_by_role("link").click()
    expect(page.get_by_text("IAD or IRF referral")).to_be_visible()
    checked(page)
    step(page, "Open an investigation")
    page.get_by_role("button", name="Open an investigation").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("Choose the investigator")
    checked(page)
    page.get_by_label("Category").select_option(label="Medication")
    page.locator("label", has_text="Level 2: moderate").click()
    page.get_by_label("Investigator").select_option(label="Priya Natarajan (Saguaro Health Plan)")
    page.get_by_role("button", name="Open an investigation").click()
    done(page, "Investigation opened.")


def ask_for_records(page: Page, base: str) -> None:
    sign_in(page, base, "plan.reviewer")
    page.goto(f"{base}/qoc/reports/?show=mine")
    checked(page)
    page.get_by_role("row").filter(has_text="Cole").get_by_role("link").click()
    checked(page)
    page.get_by_role("link", name="Ask a provider for records").click()
    checked(page)
    page.get_by_label("What records you need").fill("The incident log and the nursing notes.")
    page.get_by_role("button", name="Send the request").click()
    done(page, "Record request sent.")


def answer_records(page: Page, base: str, scan: Path) -> None:
    sign_in(page, base, "provider.user")
    waiting = page.get_by_role("listitem").filter(has_text="Record requests to answer")
    waiting.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "What Quality of Care asks of your organization"
    )
    checked(page)
    page.get_by_role("row").filter(has_text="Cole").get_by_role("link").click()
    expect(page.get_by_text("The incident log and the nursing notes.")).to_be_visible()
    checked(page)
    page.get_by_role("button", name="Send the answer").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("Type your answer")
    checked(page)
    page.get_by_label("Your answer").fill("Both are attached.")
    page.get_by_label("Records to send").set_input_files(str(scan))
    page.get_by_role("button", name="Send the answer").click()
    done(page, "Answer sent to Quality of Care.")
    expect(page.get_by_role("link", name="nursing-notes.pdf")).to_be_visible()


def determine_and_require_a_plan(page: Page, base: str) -> None:
    sign_in(page, base, "plan.reviewer")
    page.goto(f"{base}/qoc/reports/?show=mine")
    page.get_by_role("row").filter(has_text="Cole").get_by_role("link").click()
    expect(page.get_by_text("Both are attached.")).to_be_visible()
    expect(page.get_by_role("link", name="nursing-notes.pdf")).to_be_visible()
    checked(page)
    step(page, "Record the determination")
    page.locator("label", has_text="Substantiated").first.click()
    page.get_by_label("Rationale").fill("The notes show the dose was given four hours late.")
    page.get_by_role("button", name="Record the determination").click()
    done(page, "Determination recorded.")
    step(page, "Require a corrective action plan")
    yesterday = timezone.localdate() - timedelta(days=1)
    page.get_by_label("Required actions").fill("Retrain the night staff on the schedule.")
    page.get_by_label("Plan due").fill(f"{yesterday:%Y-%m-%d}")
    page.get_by_role("button", name="Require a corrective action plan").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("The due day must be after today")
    expect(page.get_by_label("Required actions")).to_have_value(
        "Retrain the night staff on the schedule."
    )
    checked(page)
    page.get_by_label("Plan due").fill(f"{timezone.localdate() + timedelta(days=14):%Y-%m-%d}")
    page.get_by_role("button", name="Require a corrective action plan").click()
    done(page, "Corrective action plan required.")


def send_the_plan(page: Page, base: str) -> None:
    sign_in(page, base, "provider.user")
    page.get_by_role("link", name="Quality of care requests").click()
    page.get_by_role("row").filter(has_text="Cole").get_by_role("link").click()
    expect(page.get_by_text("Retrain the night staff on the schedule.")).to_be_visible()
    checked(page)
    page.get_by_label("Your corrective action plan").fill("Night staff retrained by Friday.")
    page.get_by_role("button", name="Send the plan").click()
    done(page, "Your corrective action plan was sent to Quality of Care.")


def accept_the_plan(page: Page, base: str) -> None:
    sign_in(page, base, "plan.reviewer")
    page.goto(f"{base}/qoc/reports/?show=cap")
    checked(page)
    page.get_by_role("row").filter(has_text="Cole").get_by_role("link").click()
    expect(page.get_by_text("Night staff retrained by Friday.")).to_be_visible()
    checked(page)
    step(page, "Accept the plan and close the case")
    page.get_by_role("button", name="Accept the plan and close the case").click()
    done(page, "Corrective action plan accepted; case closed.")
    expect(page.get_by_text("Closed", exact=True)).to_be_visible()


def trends(page: Page, base: str) -> None:
    sign_in(page, base, "qoc.manager")
    page.get_by_role("link", name="Quality of care trends").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Quality-of-care trends")
    checked(page)
    today = f"{timezone.localdate():%Y-%m-%d}"  # only our case was received today
    page.get_by_label("Received from").fill(today)
    page.get_by_label("Received to").fill(today)
    page.get_by_role("button", name="Show the trends").click()
    expect(page.get_by_text("1 case received from")).to_be_visible()
    checked(page)
    table = page.get_by_role("table", name="Cases by determination")
    expect(table.get_by_role("row", name="Substantiated 1")).to_be_visible()
    # The chart is drawn from the table by the portal's own script (no inline script).
    expect(page.locator("[data-chart-for=table-determination] canvas")).to_be_attached()
    provider = page.get_by_role("table", name="Cases by provider")
    expect(provider.get_by_role("row").filter(has_text="Desert Bloom")).to_be_visible()


def test_a_referred_case_from_triage_to_its_corrective_action_plan(
    page: Page, live_server, tmp_path, settings
) -> None:
    settings.ATTACHMENTS_ROOT = tmp_path / "files"
    call_command("seed_demo", stdout=StringIO())
    base = str(live_server.url)
    scan = tmp_path / "nursing-notes.pdf"
    scan.write_bytes(pdf())
    refer(page, base)
    triage(page, base)
    ask_for_records(page, base)
    answer_records(page, base, scan)
    determine_and_require_a_plan(page, base)
    send_the_plan(page, base)
    accept_the_plan(page, base)
    trends(page, base)
