"""Shared pages: home, help and notices, error pages, headers, the development mailbox."""

import pytest
from django.test import Client

from portal.core.testing import Personas

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/help/", "/privacy/", "/accessibility/", "/hipaa/"])
def test_public_pages_open_without_signing_in_and_show_support(
    client: Client, settings, url
) -> None:
    response = client.get(url)
    assert response.status_code == 200
    assert settings.SUPPORT_EMAIL in response.content.decode()


def test_home_shows_the_person_their_organization_and_roles(
    client: Client, personas: Personas
) -> None:
    client.force_login(personas.agency_admin)
    page = client.get("/").content.decode()
    assert personas.agency_admin.get_full_name() in page
    assert "Back office: registry" in page  # the role's label
    assert 'href="/back-office/"' in page  # the menu is built from roles


def test_home_shows_each_count_then_its_tags_without_a_comma_before_them(
    client: Client, personas: Personas, monkeypatch
) -> None:
    import re

    from portal.core import home
    from portal.core.home import Waiting

    waiting = [
        Waiting("Your draft reports", 5, "/drafts/", overdue=2, due_soon=1),
        Waiting("Reports awaiting your approval", 3, "/approve/", due_soon=1),
        Waiting("Reports awaiting review", 4, "/review/"),
    ]
    monkeypatch.setattr(home, "waiting_for", lambda user: waiting)
    client.force_login(personas.provider_user)
    page = client.get("/").content.decode()
    section = page.split('id="waiting-heading"')[1].split("</section>")[0]
    drafts, approve, review = re.findall(r"<li>.*?</li>", section, re.S)

    def shown(item: str) -> str:  # what a sighted reader sees, spaces collapsed
        visible = re.sub(r'<span class="usa-sr-only">[^<]*</span>', "", item)
        return " ".join(re.sub(r"<[^>]+>", " ", visible).split())

    def heard(item: str) -> str:  # what a screen reader reads
        return " ".join(re.sub(r"<[^>]+>", " ", item).split())

    assert shown(drafts) == "Your draft reports : 5 2 overdue 1 due within a day"
    assert heard(drafts) == "Your draft reports : 5 , of which 2 overdue and 1 due within a day"
    assert shown(approve) == "Reports awaiting your approval : 3 1 due within a day"
    assert shown(review) == heard(review) == "Reports awaiting review : 4"
    assert re.search(
        r'</strong>.*?\s<span class="usa-tag bg-secondary-dark">2 overdue</span>', drafts, re.S
    )
    assert re.search(r'</span>\s+<span class="usa-tag">1 due within a day</span>', drafts)
    assert not re.search(r",\s*<span class=\"usa-tag", page)


def test_menu_leaves_out_what_the_user_cannot_use(client: Client, personas: Personas) -> None:
    client.force_login(personas.provider_user)
    page = client.get("/").content.decode()
    assert 'href="/back-office/"' not in page and "no site privileges yet" in page


def test_unknown_page_gets_the_portal_404(client: Client, personas: Personas) -> None:
    client.force_login(personas.provider_user)
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "Skip to main content" in response.content.decode()  # same look as every page


def test_server_error_page_renders_without_a_database(rf, settings) -> None:
    from portal.core.views import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert settings.SUPPORT_PHONE in response.content.decode()


def test_every_response_carries_the_security_headers(client: Client) -> None:
    response = client.get("/sign-in/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"
    assert response["Referrer-Policy"] == "same-origin"


def test_mailbox_exists_only_in_debug(client: Client, settings) -> None:
    settings.DEBUG = False
    assert client.get("/dev/mailbox/").status_code == 404
    settings.DEBUG = True
    assert "No e-mail has been sent yet" in client.get("/dev/mailbox/").content.decode()


def test_back_office_is_for_agency_admins_only(client: Client, personas: Personas) -> None:
    client.force_login(personas.provider_master)
    assert client.get("/back-office/").status_code == 404
    assert client.get("/back-office/registry/organization/").status_code == 404
    client.force_login(personas.agency_admin)
    assert client.get("/back-office/").status_code == 200
    assert client.get("/back-office/registry/organization/").status_code == 200
    assert client.get("/back-office/core/auditevent/").status_code == 200


def test_home_page_queries_stay_constant_as_data_grows(
    client: Client, personas: Personas, django_assert_num_queries
) -> None:
    from portal.accounts.tests.factories import UserFactory
    from portal.core import audit

    client.force_login(personas.agency_admin)
    client.get("/")  # the first request of a session records its start and the activity
    with django_assert_num_queries(3):  # session, user with organization, role grants
        assert client.get("/").status_code == 200
    UserFactory.create_batch(30, organization=personas.agency_admin.organization)
    for n in range(30):
        audit.record("test.happened", data={"n": n})
    with django_assert_num_queries(3):
        assert client.get("/").status_code == 200


@pytest.mark.parametrize(
    ("handler", "status", "text"),
    [
        ("permission_denied", 403, "You do not have permission"),
        ("bad_request", 400, "could not understand that request"),
        ("page_not_found", 404, "Page not found"),
    ],
)
def test_error_pages_share_the_portal_look(rf, handler: str, status: int, text: str) -> None:
    from django.contrib.auth.models import AnonymousUser

    from portal.core import views

    request = rf.get("/somewhere/")
    request.user = AnonymousUser()
    response = getattr(views, handler)(request, Exception())
    page = response.content.decode()
    assert response.status_code == status
    assert text in page and "Skip to main content" in page and "HIPAA notice" in page


def test_the_back_office_has_no_sign_out_or_password_change_of_its_own(client, personas) -> None:
    client.force_login(personas.agency_admin)
    assert client.get("/back-office/login/")["Location"] == "/back-office/"
    assert client.get("/back-office/password_change/").status_code == 404
    assert client.post("/back-office/logout/")["Location"] == "/sign-out/"
    assert "_auth_user_id" in client.session  # signing out is the portal's own, audited page


def test_back_office_shows_inlines_to_agency_admins(client, personas) -> None:
    from portal.registry.tests.factories import MailingAddressFactory

    address = MailingAddressFactory(line1="12 Inline Road")
    client.force_login(personas.agency_admin)
    page = client.get(f"/back-office/registry/organization/{address.organization.pk}/change/")
    assert "12 Inline Road" in page.content.decode()


def test_user_guides_are_listed_on_help_and_shown_from_docs(client: Client) -> None:
    from portal.core.guides import GUIDES

    help_page = client.get("/help/").content.decode()
    for slug, guide in GUIDES.items():
        assert f'href="/help/guides/{slug}/"' in help_page
        page = client.get(f"/help/guides/{slug}/").content.decode()
        assert page.count("<h1") == 1 and guide.title in page
    assert client.get("/help/guides/no-such-guide/").status_code == 404
