"""Reflow (WCAG 1.4.10): at 320 CSS pixels wide no page scrolls sideways, long words included."""

from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import Page, expect

from e2e.conftest import assert_accessible
from portal.accounts.models import User
from portal.iad.tests.factories import ReportFactory
from portal.registry.models import Organization

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A word longer than any phone is wide (a pasted link, a file name), and ordinary long text.
UNBROKEN = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 4
LONG_TEXT = "The member was found in the hallway and helped back to bed by the night staff. " * 30


def assert_no_sideways_scrolling(page: Page, title: str) -> None:
    assert_accessible(page, title)
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{title}: {widths[0]} px wide in a {widths[1]} px window"


def a_report_full_of_long_words() -> str:
    provider = Organization.objects.get(kind="provider", identifier="100001")
    plan = Organization.objects.get(kind="health_plan", identifier="HP001")
    report = ReportFactory(
        organization=provider,
        provider=provider,
        health_plan=plan,
        preparer=User.objects.get(username="provider.user"),
        status=ReportFactory._meta.model.Status.SUBMITTED,
        site_name=f"Site {UNBROKEN}"[:200],
        site_address=f"{UNBROKEN[:90]} Road, Phoenix, AZ 85003",
        member_last_name=UNBROKEN[:100],
        location_description=LONG_TEXT[:200],
        narrative=f"{LONG_TEXT}{UNBROKEN} {LONG_TEXT}",
    )
    return str(report.code)


def test_pages_reflow_at_320_css_pixels_even_with_long_words(page: Page, live_server) -> None:
    call_command("seed_demo", stdout=StringIO())
    code = a_report_full_of_long_words()
    page.set_viewport_size({"width": 320, "height": 640})

    page.goto(f"{live_server.url}/sign-in/")
    assert_no_sideways_scrolling(page, "Sign in")
    page.get_by_label("Username").fill("plan.reviewer")
    page.get_by_label("Password", exact=True).fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome")
    assert_no_sideways_scrolling(page, "Home")

    page.goto(f"{live_server.url}/iad/reports/?show=all")
    expect(page.get_by_text(UNBROKEN[:100])).to_be_visible()
    assert_no_sideways_scrolling(page, "Incident reports")
    # Filtered, the form offers to clear the filters: a link that must stay a large enough target.
    page.goto(f"{live_server.url}/iad/reports/?show=all&status=submitted&status=closed")
    expect(page.get_by_role("link", name="Clear filters")).to_be_visible()
    assert_no_sideways_scrolling(page, "Incident reports")

    page.goto(f"{live_server.url}/iad/reports/{code}/")
    expect(page.get_by_text(f"Site {UNBROKEN}"[:200])).to_be_visible()
    assert_no_sideways_scrolling(page, page.title().removesuffix(" \N{EN DASH} QM Portal"))

    page.goto(f"{live_server.url}/ohr/roster/")
    expect(
        page.get_by_role("heading", name="Members under special assistance over time")
    ).to_be_visible()
    assert_no_sideways_scrolling(page, "Special assistance roster")
    page.get_by_role("link", name="Reyna, Tomas").click()
    assert_no_sideways_scrolling(page, page.title().removesuffix(" \N{EN DASH} QM Portal"))

    page.goto(f"{live_server.url}/qoc/reports/?show=all")
    assert_no_sideways_scrolling(page, "Quality-of-care cases")
    page.get_by_role("row").filter(has_text="Whitfield").get_by_role("link").click()
    expect(page.get_by_role("heading", name="Record requests")).to_be_visible()
    assert_no_sideways_scrolling(page, page.title().removesuffix(" \N{EN DASH} QM Portal"))


def test_the_trends_and_their_charts_reflow_at_320_css_pixels(page: Page, live_server) -> None:
    call_command("seed_demo", stdout=StringIO())
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{live_server.url}/sign-in/")
    page.get_by_label("Username").fill("qoc.manager")
    page.get_by_label("Password", exact=True).fill(settings.DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.goto(f"{live_server.url}/qoc/trends/")
    expect(page.locator("[data-chart-for=table-provider] canvas")).to_be_attached()
    assert_no_sideways_scrolling(page, "Quality-of-care trends")
