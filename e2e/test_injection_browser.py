"""Payloads typed into a demo draft through its real pages run nowhere (issue #7 item 4; X-3):
no dialog opens, the `window.__xss` canary stays unset, and every page passes axe."""

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from e2e.conftest import assert_accessible
from e2e.test_iad_pages import sign_in_as

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CANARY = '<img src=x onerror="window.__xss=1;alert(1)">'
BOXES = {
    "What happened": f"</textarea>{CANARY}<script>window.__xss=1;alert(2)</script>",
    "Where exactly": "<svg/onload=window.__xss=1;alert(3)>",
    "Type of place": '" autofocus onfocus="window.__xss=1;alert(4)',
}
PERSON = {"Their name": f"'><script>window.__xss=1</script>{CANARY}",
          "Job title or relationship": "javascript:window.__xss=1//"}  # fmt: skip


def visited(page: Page, dialogs: list[str]) -> None:
    """Nothing ran on this page, and it passes axe."""
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert dialogs == []
    assert_accessible(page, page.title().removesuffix(" \N{EN DASH} QM Portal"))


def test_payloads_typed_into_a_draft_never_run(page: Page, live_server) -> None:
    call_command("seed_demo", stdout=StringIO())
    base = str(live_server.url)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in_as(page, base, "provider.user")
    page.goto(f"{base}/iad/reports/new/")
    page.get_by_role("button", name="Start an IAD report").click()
    draft = page.url
    page.get_by_role("link", name="What happened").click()
    for label, value in BOXES.items():
        page.get_by_label(label, exact=True).fill(value)
    page.get_by_role("button", name="Save and return to the task list").click()
    expect(page).to_have_url(draft)
    page.get_by_role("link", name="People involved").click()
    page.get_by_label("Who they are").select_option("staff")
    for label, value in PERSON.items():
        page.get_by_label(label).fill(value)
    page.get_by_role("button", name="Add", exact=True).click()
    expect(page.get_by_text("window.__xss=1").first).to_be_visible()  # shown, as text
    visited(page, dialogs)

    page.goto(draft)
    page.get_by_role("link", name="What happened").click()
    expect(page.get_by_label("What happened", exact=True)).to_have_value(BOXES["What happened"])
    visited(page, dialogs)
    page.goto(draft)
    page.get_by_role("link", name="Check your answers").click()
    expect(page.get_by_text(BOXES["Where exactly"], exact=False)).to_be_visible()
    visited(page, dialogs)
    page.goto(f"{base}/iad/reports/?show=drafts")
    visited(page, dialogs)
    assert errors == []


def test_the_canary_catches_a_script_that_runs(page: Page) -> None:
    """The control: the same hooks see the payload run on a page with no escaping and no CSP,
    so the test above can fail."""
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.set_content(f"<!DOCTYPE html><title>Control</title><body>{CANARY}</body>")
    page.wait_for_function("window.__xss === 1")
    assert dialogs == ["1"]
