"""Security headers and cookie flags on every response (issue #7 item 5; reference H-1, S-4).

Every URL of the URLconf is requested as anonymous and as signed-in people; each response must
carry the headers below. A second set of tests builds the production security settings the way
production does (a `manage.py shell` with DJANGO_ENV=production) and checks HSTS and the flags
of every cookie set while signing in. `manage.py check --deploy` itself is run by
portal/core/tests/test_settings.py (H-2); it is not repeated here.
"""

import json
from http.cookies import Morsel, SimpleCookie

import pytest
from django.http import HttpResponse
from django.test import Client, override_settings

from portal.core.testing import PASSWORD
from portal.core.tests.test_settings import PRODUCTION, manage

from .urls import ALL_URLS

FORBIDDEN_SOURCES = ("'unsafe-inline'", "'unsafe-eval'", "'unsafe-hashes'", "*", "data:")


def csp(response: HttpResponse) -> dict[str, list[str]]:
    """The Content-Security-Policy header as {directive: [sources]}."""
    header = response.headers.get("Content-Security-Policy", "")
    policy: dict[str, list[str]] = {}
    for part in filter(None, (p.strip() for p in header.split(";"))):
        name, *sources = part.split()
        policy[name.lower()] = sources
    return policy


def csp_problems(response: HttpResponse) -> list[str]:
    """What is wrong with one response's Content-Security-Policy."""
    problems = []
    policy = csp(response)
    if not policy:
        problems.append("no Content-Security-Policy")
    if "unsafe-inline" in response.headers.get("Content-Security-Policy", ""):
        problems.append("CSP allows unsafe-inline")
    for directive in ("script-src", "style-src"):
        sources = policy.get(directive, policy.get("default-src"))
        if not sources:
            problems.append(f"CSP has no {directive} (nor default-src)")
        elif bad := [s for s in sources if s in FORBIDDEN_SOURCES]:
            problems.append(f"CSP {directive} allows {bad}")
    for directive in ("frame-ancestors", "object-src"):
        if policy.get(directive) != ["'none'"]:
            problems.append(f"CSP {directive} is {policy.get(directive)}")
    return problems


def header_problems(response: HttpResponse, *, signed_in: bool) -> list[str]:
    """What is wrong with one response's security headers (empty when all is well)."""
    problems = csp_problems(response)
    expected = {
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "Cross-Origin-Opener-Policy": "same-origin",
        "X-Frame-Options": "DENY",
    }
    for name, value in expected.items():
        if response.headers.get(name) != value:
            problems.append(f"{name} is {response.headers.get(name)!r}")
    if signed_in and "no-store" not in response.headers.get("Cache-Control", ""):
        problems.append(f"Cache-Control is {response.headers.get('Cache-Control')!r}")
    for name in ("Server", "X-Powered-By"):
        if any(c.isdigit() for c in response.headers.get(name, "")):
            problems.append(f"{name} tells a version: {response.headers[name]}")
    return problems


def walk_all(client: Client, *, signed_in: bool) -> dict[str, list[str]]:
    """GET every URL of the URLconf; {url name: problems} for the responses with problems."""
    found = {}
    for name, url in ALL_URLS:
        response = client.get(url)
        assert response.status_code < 500, name
        if problems := header_problems(response, signed_in=signed_in):
            found[f"{name} {url} ({response.status_code})"] = problems
    return found


def test_every_url_sends_the_security_headers_to_anonymous_users(client, db) -> None:
    assert walk_all(client, signed_in=False) == {}


@pytest.mark.parametrize("persona", ["provider_user", "agency_admin", "provider_master"])
def test_every_url_sends_the_security_headers_and_no_store_to_signed_in_people(
    client, personas, persona
) -> None:
    client.force_login(getattr(personas, persona))
    assert walk_all(client, signed_in=True) == {}


def test_the_header_check_notices_a_weak_policy(client, db) -> None:
    """The checks above can fail: a page with inline scripts, framing and caching allowed."""
    weak = {"DIRECTIVES": {"default-src": ["'self'", "'unsafe-inline'"],
                           "frame-ancestors": ["'self'"]}}  # fmt: skip
    with override_settings(CONTENT_SECURITY_POLICY=weak, SECURE_CONTENT_TYPE_NOSNIFF=False):
        response = client.get("/sign-in/")
    response.headers["Cache-Control"] = "private, max-age=600"
    problems = " | ".join(header_problems(response, signed_in=True))
    for expected in ("unsafe-inline", "frame-ancestors", "X-Content-Type-Options", "Cache-Control"):
        assert expected in problems


# --- Production settings --------------------------------------------------------------------

# The settings that decide headers and cookies; production's values are read from a process
# started with DJANGO_ENV=production, the way the server starts.
SECURITY_SETTINGS = (
    "ALLOWED_HOSTS",
    "CONTENT_SECURITY_POLICY",
    "CSRF_COOKIE_DOMAIN",
    "CSRF_COOKIE_HTTPONLY",
    "CSRF_COOKIE_NAME",
    "CSRF_COOKIE_PATH",
    "CSRF_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE",
    "CSRF_TRUSTED_ORIGINS",
    "CSRF_USE_SESSIONS",
    "DEBUG",
    "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_CROSS_ORIGIN_OPENER_POLICY",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_HSTS_SECONDS",
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_REDIRECT_EXEMPT",
    "SECURE_REFERRER_POLICY",
    "SECURE_SSL_HOST",
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_DOMAIN",
    "SESSION_COOKIE_HTTPONLY",
    "SESSION_COOKIE_NAME",
    "SESSION_COOKIE_PATH",
    "SESSION_COOKIE_SAMESITE",
    "SESSION_COOKIE_SECURE",
    "X_FRAME_OPTIONS",
)
HOST = PRODUCTION["ALLOWED_HOSTS"]
HTTPS = {"HTTP_HOST": HOST, "HTTP_X_FORWARDED_PROTO": "https"}


@pytest.fixture(scope="module")
def production_settings() -> dict[str, object]:
    code = (
        "import json; from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {SECURITY_SETTINGS!r}}}))"
    )
    result = manage("shell", "--no-imports", "-c", code, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    values: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    if isinstance(values["SECURE_PROXY_SSL_HEADER"], list):
        values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"])
    return values


def test_production_settings_differ_from_the_test_run(production_settings) -> None:
    """The values under test really are production's, not this process's development ones."""
    assert production_settings["SESSION_COOKIE_SECURE"] is True
    assert production_settings["DEBUG"] is False
    assert production_settings["SECURE_SSL_REDIRECT"] is True


def test_production_sends_hsts_on_every_url(production_settings, db) -> None:
    missing = {}
    with override_settings(**production_settings):
        client = Client(**HTTPS)
        for name, url in ALL_URLS:
            response = client.get(url)
            hsts = dict(
                (part.strip().partition("=")[::2])
                for part in response.headers.get("Strict-Transport-Security", "").split(";")
            )
            ok = (int(hsts.get("max-age") or 0) >= 31_536_000 and "includeSubDomains" in hsts
                  and not header_problems(response, signed_in=False))  # fmt: skip
            if not ok:
                missing[name] = response.headers.get("Strict-Transport-Security")
    assert missing == {}


def test_production_redirects_plain_http_to_https(production_settings, db) -> None:
    with override_settings(**production_settings):
        response = Client(HTTP_HOST=HOST, HTTP_X_FORWARDED_PROTO="http").get("/sign-in/")
    assert response.status_code == 301
    assert response["Location"] == f"https://{HOST}/sign-in/"


def deletes(morsel: Morsel[str]) -> bool:
    """A Set-Cookie that only removes the cookie (sign-out): it carries no value to protect."""
    return morsel.value == "" and str(morsel["max-age"]) == "0"


def cookie_problems(morsel: Morsel[str], *, http_only: bool) -> list[str]:
    """What is wrong with one Set-Cookie (the __Host- rules: Secure, Path=/, no Domain)."""
    problems = []
    if not morsel.key.startswith("__Host-"):
        problems.append("name does not start with __Host-")
    if not morsel["secure"]:
        problems.append("not Secure")
    if http_only and not morsel["httponly"] and not deletes(morsel):
        problems.append("not HttpOnly")
    if morsel["samesite"] != "Lax":
        problems.append(f"SameSite={morsel['samesite']!r}")
    if morsel["path"] != "/":
        problems.append(f"Path={morsel['path']!r}")
    if morsel["domain"]:
        problems.append(f"Domain={morsel['domain']!r}")
    return problems


def set_cookies(response: HttpResponse) -> list[Morsel[str]]:
    return list(response.cookies.values())


def test_production_cookies_set_while_signing_in_are_host_only_secure_and_lax(
    production_settings, personas
) -> None:
    with override_settings(**production_settings):
        client = Client(**HTTPS)
        page = client.get("/sign-in/")
        signed = client.post("/sign-in/", {"username": "provider.user", "password": PASSWORD})
        assert signed.status_code == 302
        assert signed["Location"] == "/"
        home = client.get("/")
        signed_out = client.post("/sign-out/")
    responses = (page, signed, home, signed_out)
    names = {c.key for r in responses for c in set_cookies(r)}
    assert {production_settings["SESSION_COOKIE_NAME"], production_settings["CSRF_COOKIE_NAME"]}\
        <= names  # fmt: skip
    http_only = {
        production_settings["SESSION_COOKIE_NAME"]: True,
        production_settings["CSRF_COOKIE_NAME"]: bool(production_settings["CSRF_COOKIE_HTTPONLY"]),
    }
    problems = {f"{c.key} in response {n}": cookie_problems(c, http_only=http_only.get(c.key, True))
                for n, r in enumerate(responses) for c in set_cookies(r)}  # fmt: skip
    assert problems == {name: [] for name in problems}
    assert any(deletes(c) for c in set_cookies(signed_out))  # sign-out removed the session
    assert production_settings["SESSION_COOKIE_HTTPONLY"] is True


def test_the_cookie_check_notices_weak_flags() -> None:
    weak = SimpleCookie()
    weak["qm_session"] = "x"
    weak["qm_session"].update({"path": "/portal", "domain": "example.gov", "samesite": "None"})
    problems = " | ".join(cookie_problems(weak["qm_session"], http_only=True))
    for expected in ("__Host-", "Secure", "HttpOnly", "SameSite", "Path", "Domain"):
        assert expected in problems


def test_messages_that_name_people_stay_on_the_server(client, personas) -> None:
    """A confirmation such as "Rosa Diaz can now sign in." is kept in the session, not in a
    cookie of its own that the browser would hold in plain base64."""
    from portal.accounts.models import User
    from portal.accounts.tests.factories import UserFactory

    waiting = UserFactory(organization=personas.provider, status=User.Status.AWAITING_APPROVAL,
                          first_name="Rosa", last_name="Diaz")  # fmt: skip
    client.force_login(personas.provider_master)
    done = client.post(f"/organization/accounts/{waiting.code}/approve/")
    assert done.status_code == 302
    assert "Rosa Diaz can now sign in." in client.get(done["Location"]).content.decode()
    assert "messages" not in done.cookies and "messages" not in client.cookies
