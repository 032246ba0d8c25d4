"""Special assistance in a real browser, with axe on every page: a provider notifies the Office
of Human Rights of a member (Part A), OHR accepts and assigns a representative (Part B), the
member is on the plan's and the statewide roster, and the provider ends it (Part C), which takes
the member off the roster."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from e2e.conftest import assert_accessible
from e2e.test_iad_pages import sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LAST, FIRST = "Quenneville", "Orsolya"  # no demo member has these names
SENT = "Send to the Office of Human Rights"
ACCEPT = "Accept and assign a representative"
END = "End special assistance (Part C)"


def checked(page: Page) -> None:
    assert_accessible(page, page.title().removesuffix(" \N{EN DASH} QM Portal"))


def done(page: Page, what: str) -> None:
    """The step's confirmation: what was done, as the timeline says it."""
    expect(page.get_by_text(f"{what}.", exact=True)).to_be_visible()


def save(page: Page) -> None:
    page.get_by_role("button", name="Save and return to the task list").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Finish your OHR notification")
    checked(page)


def section(page: Page, title: str) -> None:
    page.get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    checked(page)


def sign_in(page: Page, base: str, username: str) -> None:
    sign_in_as(page, base, username)
    checked(page)  # the home page


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are signed out")
    checked(page)


def send_part_a(page: Page) -> None:
    """The provider fills every section of Part A, one bad answer on the way, and sends it."""
    page.get_by_role("link", name="Special assistance", exact=True).click()
    checked(page)
    page.get_by_role("link", name="File a notification").click()
    checked(page)
    page.get_by_role("button", name="Start a notification").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Finish your OHR notification")
    checked(page)

    section(page, "Member")
    page.get_by_label("AHCCCS ID").fill("c55556666")
    page.get_by_label("Member's last name").fill(LAST)
    page.get_by_label("Member's first name").fill(FIRST)
    page.get_by_label("Member's date of birth").fill("1978-06-03")
    page.get_by_label("Member's health plan").select_option(label="Saguaro Health Plan")
    page.get_by_label("Behavioral-health category").select_option(
        label="General mental health or substance use"
    )
    page.get_by_role("button", name="Save and return to the task list").click()
    expect(page.locator("[data-error-summary]")).to_contain_text(
        "This member is not in the SMI category"
    )
    expect(page.get_by_label("Member's last name")).to_have_value(LAST)
    checked(page)
    page.get_by_label("Behavioral-health category").select_option(
        label="Serious mental illness (SMI)"
    )
    save(page)

    determined = timezone.localdate() - timedelta(days=1)  # Phoenix: the portal's time zone
    section(page, "The need for special assistance")
    page.get_by_label("Date the need for special assistance was determined").fill(
        f"{determined:%Y-%m-%d}"
    )
    page.locator("label", has_text="Service planning").click()  # USWDS hides the input
    page.locator("label", has_text="Discharge planning").click()
    page.locator("label", has_text="A medical condition, including severe psychiatric").click()
    page.get_by_label("The clinical basis for special assistance").fill(
        "Catatonic episodes since March; she cannot state her preferences in planning."
    )
    save(page)

    section(page, "Treatment team and diagnoses")
    page.get_by_label("The treatment team").fill("Dr. Lior Benn, psychiatrist; Kim Ota, CM.")
    page.get_by_label("Psychiatric and medical diagnoses").fill("Schizophrenia; hypertension.")
    save(page)

    section(page, "Guardian, decision maker and the member's knowledge")
    guardian = page.get_by_role("group", name="Does the member have a guardian")
    guardian.locator("label", has_text="Yes").click()
    page.get_by_label("Their full name").fill("Piroska Quenneville")
    page.locator("label", has_text="Legal guardian").click()
    page.get_by_label("Their e-mail address").fill("piroska@example.com")
    aware = page.get_by_role("group", name="Does the member know you are sending")
    aware.locator("label", has_text="Yes").click()
    save(page)

    expect(page.get_by_text("Everything needed is there")).to_be_visible()
    page.get_by_role("link", name="Check your answers").click()
    expect(page.get_by_text("Piroska Quenneville (legal guardian)")).to_be_visible()
    checked(page)
    page.get_by_role("link", name=SENT).click()
    checked(page)
    page.get_by_role("button", name=SENT).click()
    done(page, "Sent to the Office of Human Rights (Part A)")
    expect(page.get_by_text("Awaiting OHR", exact=True)).to_be_visible()
    checked(page)


def accept_part_b(page: Page) -> None:
    """OHR staff open the notification waiting for them from the home page and accept it, a
    representative missing at first."""
    waiting = page.get_by_role("listitem").filter(has_text="to decide (Part B)")
    expect(waiting).to_contain_text(": 2")  # the demo's Sandoval, and ours
    waiting.get_by_role("link").click()
    expect(page.get_by_role("link", name="Awaiting review")).to_have_attribute(
        "aria-current", "page"
    )
    checked(page)
    page.get_by_role("row").filter(has_text=LAST).get_by_role("link").click()
    checked(page)
    page.get_by_role("link", name=ACCEPT).click()
    checked(page)
    expect(page.get_by_label("Service planning")).to_be_checked()  # Part A's areas, offered
    page.get_by_role("button", name=ACCEPT).click()
    summary = page.locator("[data-error-summary]")
    expect(summary).to_contain_text("Enter the designated representative's name")
    expect(summary).to_contain_text("Give a phone number or an e-mail address")
    checked(page)
    page.locator("label", has_text="Discharge planning").click()  # confirmed: unchecked
    page.locator("label", has_text="Grievance process").click()
    page.get_by_label("Designated representative: full name").fill("Teodoro Vance")
    page.get_by_label("Phone number").fill("602-555-0148")
    page.get_by_role("button", name=ACCEPT).click()
    done(page, "Accepted by the Office of Human Rights (Part B)")
    expect(page.get_by_text("Service planning; Grievance process")).to_be_visible()
    checked(page)


def roster(page: Page) -> None:
    page.get_by_role("link", name="Special assistance roster").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Members under special assistance")
    over_time = page.get_by_role("heading", name="Members under special assistance over time")
    expect(over_time).to_be_visible()
    expect(
        page.get_by_role("table", name="Members under special assistance per health plan")
    ).to_be_visible()
    checked(page)


def on_roster(page: Page) -> None:
    roster(page)
    row = page.get_by_role("row").filter(has_text=f"{LAST}, {FIRST}")
    expect(row).to_contain_text("Teodoro Vance")
    expect(row).to_contain_text("Saguaro Health Plan")


def off_roster(page: Page) -> None:
    roster(page)
    expect(page.get_by_role("row").filter(has_text=LAST)).to_have_count(0)
    expect(page.get_by_role("row").filter(has_text="Lena")).not_to_have_count(0)  # others stay


def end_part_c(page: Page) -> None:
    """The provider opens the notification from its roster and ends special assistance."""
    on_roster(page)
    page.get_by_role("link", name=f"{LAST}, {FIRST}").click()
    checked(page)
    page.get_by_role("link", name=END).click()
    checked(page)
    page.get_by_label("Date special assistance was no longer needed").fill(
        f"{timezone.localdate():%Y-%m-%d}"
    )
    page.get_by_label("Why it is no longer needed").fill("Her sister became her guardian.")
    page.get_by_role("button", name=END).click()
    done(page, "Special assistance ended (Part C)")
    expect(
        page.get_by_role("heading", name="Part C: the end of special assistance")
    ).to_be_visible()
    expect(page.get_by_text("Her sister became her guardian.")).to_be_visible()
    checked(page)


def test_a_member_notified_accepted_on_the_rosters_and_ended(page: Page, live_server) -> None:
    call_command("seed_demo", stdout=StringIO())
    base = str(live_server.url)
    sign_in(page, base, "provider.user")
    send_part_a(page)
    sign_out(page)

    sign_in(page, base, "ohr.staff")
    accept_part_b(page)
    on_roster(page)  # statewide
    sign_out(page)

    sign_in(page, base, "plan.reviewer")
    on_roster(page)  # the plan's members
    sign_out(page)

    sign_in(page, base, "provider.user")
    end_part_c(page)
    off_roster(page)
    sign_out(page)

    sign_in(page, base, "ohr.staff")
    off_roster(page)
