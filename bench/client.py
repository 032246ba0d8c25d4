"""A small HTTP client for the portal run with production settings on plain-HTTP loopback.

It says it came through the TLS proxy (X-Forwarded-Proto: https, as nginx does) and keeps the
`__Host-` cookies itself: the standard library's cookie jar would not send Secure cookies over
http. Redirects are returned, not followed, so a sign-in can be checked by its 302.
"""

from __future__ import annotations

import http.client
import re
import urllib.parse
from dataclasses import dataclass, field

CSRF_FIELD = "csrfmiddlewaretoken"
_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str


@dataclass
class Client:
    host: str
    port: int
    cookies: dict[str, str] = field(default_factory=dict)

    @property
    def origin(self) -> str:
        return f"https://{self.host}:{self.port}"

    def headers(self) -> dict[str, str]:
        """What wrk must send to be this client: the proxy's header and the cookies."""
        headers = {"X-Forwarded-Proto": "https"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return headers

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> Response:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=120)
        headers = self.headers()
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers |= {"Content-Type": "application/x-www-form-urlencoded",
                        "Origin": self.origin, "Referer": self.origin + path}  # fmt: skip
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            text = answer.read().decode("utf-8", errors="replace")
            for name, value in answer.getheaders():
                if name.lower() == "set-cookie":
                    pair = value.split(";", 1)[0]
                    key, _, cookie = pair.partition("=")
                    self.cookies[key.strip()] = cookie.strip()
            return Response(answer.status, {k.lower(): v for k, v in answer.getheaders()}, text)
        finally:
            connection.close()

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def csrf_token(self, path: str) -> str:
        match = _TOKEN.search(self.get(path).body)
        if match is None:
            raise RuntimeError(f"No CSRF token on {path}")
        return match.group(1)

    def sign_in(self, username: str, password: str) -> None:
        token = self.csrf_token("/sign-in/")
        answer = self.request("POST", "/sign-in/", {CSRF_FIELD: token, "username": username,
                                                     "password": password})  # fmt: skip
        if answer.status != 302:
            raise RuntimeError(f"Signing in as {username} answered {answer.status}")
