"""A cookie-keeping HTTP client for the portal under scan: sign in, crawl links and forms.

Standard library only. Targets found by the crawl feed sqlmap; the session cookies feed both
scanners.
"""

from __future__ import annotations

import http.cookiejar
import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

CSRF_FIELD = "csrfmiddlewaretoken"
# Object codes (UUIDs) and numbers vary between pages that are one URL pattern to the scanners.
_VARIABLE_SEGMENT = re.compile(
    r"/(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|\d+)/"
)
# Links the crawl never follows: they end the session, leave loopback (the agency door) or only
# serve files. The back office is Django's admin: its hundreds of sort and filter links would
# take the whole time bound (docs/security.md says what that leaves out).
NEVER_FOLLOW = re.compile(r"^/(sign-out/|static/|sign-in/agency/|back-office/)|/pdf/$|/export/")


@dataclass
class Form:
    """One HTML form as the page offers it: where it goes and its fields' default values."""

    page: str
    method: str
    action: str
    fields: dict[str, str] = field(default_factory=dict)

    def pattern(self) -> tuple[str, str, tuple[str, ...]]:
        """Forms with one URL pattern, method and field names are one target."""
        path = urllib.parse.urlsplit(self.action).path
        return (self.method, url_pattern(path), tuple(sorted(self.fields)))


@dataclass
class CrawlResult:
    pages: list[str] = field(default_factory=list)
    forms: list[Form] = field(default_factory=list)
    # Pages whose query string carries parameters (filters, search, paging).
    query_urls: list[str] = field(default_factory=list)


def url_pattern(path: str) -> str:
    """The path with object codes and numbers replaced, so one view counts once."""
    previous = None
    while previous != path:
        previous, path = path, _VARIABLE_SEGMENT.sub("/{id}/", path)
    return path


class _PageParser(HTMLParser):
    """Collects links and forms (inputs, selects, textareas, named buttons) of one page."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.links: list[str] = []
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(urllib.parse.urljoin(self.page, a["href"]))
        elif tag == "form":
            action = urllib.parse.urljoin(self.page, a.get("action") or self.page)
            self._form = Form(self.page, (a.get("method") or "get").upper(), action)
            self.forms.append(self._form)
        elif self._form is not None:
            self._field(tag, a)

    def _field(self, tag: str, a: dict[str, str]) -> None:
        assert self._form is not None  # noqa: S101 (only called inside a form)
        name = a.get("name")
        if not name:
            return
        kind = a.get("type", "text").lower()
        if tag == "input" and kind in {"checkbox", "radio"}:
            if "checked" in a or name not in self._form.fields:
                self._form.fields[name] = a.get("value", "on")
        elif tag == "input" and kind != "file":
            self._form.fields.setdefault(name, a.get("value", ""))
        elif tag == "button" and a.get("value"):
            self._form.fields.setdefault(name, a["value"])
        elif tag == "select":
            self._select = name
            self._form.fields.setdefault(name, "")
        elif tag == "option" and self._select and a.get("value"):
            if "selected" in a or not self._form.fields.get(self._select):
                self._form.fields[self._select] = a["value"]
        elif tag == "textarea":
            self._textarea = name
            self._form.fields.setdefault(name, "")

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea and data.strip():
            self._form.fields[self._textarea] = data.strip()

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


class PortalClient:
    """One browser-like session against the portal at `base` (http://127.0.0.1:PORT)."""

    def __init__(self, base: str, timeout: float = 60) -> None:
        self.base = base.rstrip("/")
        self.timeout = timeout
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def fetch(self, path: str, data: dict[str, str] | None = None) -> tuple[int, str, str]:
        """GET (or POST `data`) following redirects: (status, final path, body)."""
        url = path if path.startswith("http") else self.base + path
        if not url.startswith(self.base + "/"):
            raise ValueError(f"refusing to leave the portal under scan: {url}")
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        # S310: the check above allows only http://127.0.0.1:PORT/ addresses.
        request = urllib.request.Request(url, data=body, headers={"Referer": url})  # noqa: S310
        try:
            with self.opener.open(request, timeout=self.timeout) as response:
                final = response.geturl().removeprefix(self.base)
                return response.status, final, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, path, error.read().decode("utf-8", "replace")

    def csrf_token(self, path: str) -> str:
        _, _, page = self.fetch(path)
        found = re.search(rf'name="{CSRF_FIELD}" value="([^"]+)"', page)
        if not found:
            raise RuntimeError(f"no CSRF token on {path}")
        return found.group(1)

    def signed_in(self) -> bool:
        """Whether this session is still signed in (the account page opens, no redirect)."""
        status, final, _ = self.fetch("/account/")
        return status == 200 and final == "/account/"

    def shows_form(self, page: str, action: str) -> bool:
        """Whether `page` (still) offers a form that posts to the path `action`."""
        status, _, body = self.fetch(page)
        parser = _PageParser(self.base + page)
        parser.feed(body)
        return status == 200 and any(
            urllib.parse.urlsplit(form.action).path == action for form in parser.forms
        )

    def sign_in(self, username: str, password: str) -> None:
        """Sign in through the portal's own form; raise if the portal does not let us in."""
        token = self.csrf_token("/sign-in/")
        form = {CSRF_FIELD: token, "username": username, "password": password}
        status, final, _ = self.fetch("/sign-in/", form)
        if status != 200 or final.startswith("/sign-in/"):
            raise RuntimeError(f"sign-in as {username} failed ({status}, ended on {final})")

    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.jar)

    def write_wapiti_cookies(self, target: Path) -> None:
        """Wapiti's -c file: JSON {domain: {path: {name: {value, version, secure, expires}}}}."""
        cookies: dict[str, dict[str, dict[str, object]]] = {}
        for c in self.jar:
            entry: dict[str, object] = {
                "value": c.value,
                "version": 0,
                "secure": False,
                "expires": None,
                "port": None,
            }
            cookies.setdefault(c.path, {})[c.name] = entry
        domain = urllib.parse.urlsplit(self.base).hostname or "127.0.0.1"
        target.write_text(json.dumps({domain: cookies}, indent=2))

    def crawl(self, start: list[str], limit: int = 400) -> CrawlResult:
        """Breadth-first over same-site links from `start`: pages, forms and query URLs."""
        result = CrawlResult()
        queue, seen = deque(start), set(start)
        while queue and len(result.pages) < limit:
            path = queue.popleft()
            status, final, body = self.fetch(path)
            if status != 200 or (final != path and final.startswith("/sign-in/")):
                continue
            result.pages.append(path)
            parser = _PageParser(self.base + path)
            parser.feed(body)
            result.forms.extend(parser.forms)
            for link in parser.links:
                parts = urllib.parse.urlsplit(link)
                target = parts.path + (f"?{parts.query}" if parts.query else "")
                if link.startswith(self.base + "/") and not NEVER_FOLLOW.search(parts.path):
                    if parts.query:
                        result.query_urls.append(target)
                    if target not in seen:
                        seen.add(target)
                        queue.append(target)
        return result
