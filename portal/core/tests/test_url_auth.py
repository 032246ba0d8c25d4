"""Walk the whole URLconf: every page needs sign-in unless it is on the explicit public list."""

import re
from collections.abc import Iterator
from urllib.parse import quote

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern

# Pages anyone may open. Adding a public page means adding it here, on purpose.
PUBLIC = {
    "accounts:sign_in",
    "accounts:agency_sign_in",
    "accounts:agency_callback",
    "accounts:sign_out",
    "accounts:signed_out",
    "accounts:register",
    "accounts:register_terms",
    "accounts:register_organization",
    "accounts:register_identifiers",
    "accounts:register_person",
    "accounts:register_address",
    "accounts:register_check",
    "accounts:register_done",
    "accounts:activate",
    "accounts:accept_terms",
    "accounts:renew_npi",
    "accounts:confirm_email",
    "accounts:port_account",
    "accounts:new_password",
    "accounts:forgot_password",
    "accounts:recovery_questions",
    "accounts:recovery_sent",
    "accounts:recovery_reset",
    "core:help",
    "core:guide",
    "core:privacy",
    "core:accessibility",
    "core:hipaa",
    "core:healthz",
    "core:mailbox",
    "back_office:login",  # the back office has no sign-in of its own: it sends people to ours
}

# Fixed values: parallel workers must collect the same test ids.
_UUID = "00000000-0000-4000-8000-000000000000"
_SAMPLES = {"int": "1", "str": "x", "slug": "x", "uuid": _UUID, "path": "x"}
_GROUP = re.compile(r"\(\?P<(\w+)>([^)]*)\)")


def _concrete(pattern: object) -> str:
    """A path matching one pattern segment, with sample values for its parameters."""
    if isinstance(pattern, RoutePattern):
        return re.sub(r"<(?:(\w+):)?\w+>", lambda m: _SAMPLES[m.group(1) or "str"], str(pattern))
    assert isinstance(pattern, RegexPattern)

    def sample(match: re.Match[str]) -> str:
        body = match.group(2)
        first = body.split("|")[0]
        return first if re.fullmatch(r"[\w-]+", first) else "1"

    text = _GROUP.sub(sample, str(pattern))
    return text.lstrip("^").rstrip("$").replace("\\", "")


def walk(
    patterns: list[object], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, prefix + _concrete(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield (
                f"{namespace}{entry.name or entry.lookup_str}",
                "/" + prefix + _concrete(entry.pattern),
            )


ALL_URLS = sorted(set(walk(get_resolver().url_patterns)))


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
