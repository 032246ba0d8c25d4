"""The page people get while the database is unavailable meets WCAG 2.2 AA in a real browser."""

import pytest
from django.test import Client
from playwright.sync_api import Page

from e2e.conftest import assert_accessible
from portal.core.tests.test_database_outage import database_down

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_database_unavailable_page_is_accessible(page: Page, live_server) -> None:
    # The portal's real answer during an outage, headers (CSP) included, served to the browser
    # from the live server's address so that its styles and scripts load as they would.
    with database_down():
        answer = Client(raise_request_exception=False).post("/sign-in/", {"username": "x"})
    assert answer.status_code == 503
    url = f"{live_server.url}/during-an-outage/"
    page.route(
        url,
        lambda route: route.fulfill(status=503, headers=dict(answer.items()), body=answer.content),
    )
    page.goto(url)
    assert_accessible(page, "The portal is briefly unavailable")
