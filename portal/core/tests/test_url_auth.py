"""Walk the whole URLconf: every page needs sign-in unless it is on the explicit public list."""

from urllib.parse import quote

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import resolve

from portal.core.tests.security.urls import ALL_URLS, PUBLIC, walk

__all__ = ["ALL_URLS", "PUBLIC", "walk"]  # the walker lives in security/urls.py now


def test_walk_finds_the_portal_and_back_office() -> None:
    names = {name for name, _ in ALL_URLS}
    assert {"core:home", "accounts:sign_in", "back_office:index"} <= names
    assert len(ALL_URLS) > 30


@pytest.mark.parametrize(("name", "url"), ALL_URLS)
def test_every_url_sends_anonymous_users_to_sign_in_unless_public(client, db, name, url) -> None:
    match = resolve(url)  # the sample URL reaches a real pattern
    response = client.get(url)
    assert response.status_code < 500
    if name in PUBLIC:
        assert not getattr(match.func, "login_required", True), f"{name} is not marked public"
    else:
        assert response.status_code == 302, name
        assert response["Location"] == f"{resolve_url(settings.LOGIN_URL)}?next={quote(url)}"


BACK_OFFICE = [
    (n, u) for n, u in ALL_URLS if n.startswith("back_office:") and n != "back_office:login"
]


@pytest.mark.parametrize("persona", ["provider_master", "provider_user", "plan_reviewer",
                                     "ioc_member", "outsider"])  # fmt: skip
def test_every_back_office_url_is_404_for_everyone_but_agency_admins(client, personas, persona):
    client.force_login(getattr(personas, persona))
    for name, url in BACK_OFFICE:
        assert client.get(url).status_code == 404, name
