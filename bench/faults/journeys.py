"""People filing incident reports while the drills break things: each client signs in as the
demo submitter and files reports page by page (start with the page's key, five sections,
submit), sending a step again whenever it gets no answer, a 503 or another server error, as a
person pressing the button again would. Every answer is tallied for the figures."""

from __future__ import annotations

import http.client
import re
import threading
import time
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

PHOENIX = ZoneInfo("America/Phoenix")
_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_KEY = re.compile(r'name="client_key" value="([^"]+)"')
_DRAFT = re.compile(r"^/iad/reports/([0-9a-f-]{36})/draft/$")
# Set on Ctrl+C: clients stop waiting out a fault the drill will no longer end.
ABORT = threading.Event()
RETRY_PAUSE = 0.3  # a person waits a moment; the 503 page's Retry-After (30 s) would slow the drill
GIVE_UP_AFTER = 180.0


class JourneyFailed(Exception):
    """A step got an answer no fault explains (a form error, a 403): a drill or portal bug."""


class Browser:
    """Cookies kept, redirects not followed, one connection per request."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            text = answer.read().decode("utf-8", "replace")
        finally:
            connection.close()
        for name, value in answer.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        return answer.status, {k.lower(): v for k, v in answer.getheaders()}, text


@dataclass
class Tally:
    """Every answer the clients got, with when (monotonic seconds)."""

    events: list[tuple[float, str]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, outcome: str) -> None:
        with self.lock:
            self.events.append((time.monotonic(), outcome))

    def between(self, start: float, end: float) -> Counter[str]:
        with self.lock:
            return Counter(outcome for moment, outcome in self.events if start <= moment < end)

    def first_ok_after(self, moment: float) -> float | None:
        with self.lock:
            times = [t for t, outcome in self.events if t >= moment and outcome == "ok"]
        return min(times) - moment if times else None


def classify(status: int, headers: dict[str, str], body: str) -> str:
    if status == 503:
        clear = "retry-after" in headers and "briefly unavailable" in body
        return "503 page" if clear and "Traceback" not in body else "503 unclear"
    if status >= 500:
        return f"{status}"
    return "ok"


@dataclass
class Journey:
    key: str
    code: str = ""
    completed: bool = False
    retries: int = 0


@dataclass
class Facts:
    """What the forms need from the database: a health plan and a non-sentinel incident type."""

    password: str
    health_plan: int
    incident_type: int


class Client:
    def __init__(self, port: int, facts: Facts, tally: Tally) -> None:
        self.browser, self.facts, self.tally = Browser(port), facts, tally
        self.journeys: list[Journey] = []
        self.token = ""

    def step(
        self,
        method: str,
        path: str,
        form: dict[str, str] | None,
        expect: int,
        journey: Journey | None = None,
        to: re.Pattern[str] | None = None,
    ):  # type: ignore[no-untyped-def]
        """Send until the expected status (and redirect target) comes back; any other answer
        below 500 is a bug, not a fault (a redirect to sign-in would be a lost session)."""
        deadline = time.monotonic() + GIVE_UP_AFTER
        while True:
            try:
                status, headers, body = self.browser.request(method, path, form)
                outcome = classify(status, headers, body)
            except (OSError, http.client.HTTPException):
                status, headers, body, outcome = 0, {}, "", "no answer"
            self.tally.add(outcome)
            if status == expect and (to is None or to.fullmatch(headers.get("location", ""))):
                return headers, body
            if outcome == "ok" or time.monotonic() > deadline or ABORT.is_set():
                raise JourneyFailed(f"{method} {path} answered {status}: {body[:300]!r}")
            if journey is not None:
                journey.retries += 1
            time.sleep(RETRY_PAUSE)

    def sign_in(self) -> None:
        _, page = self.step("GET", "/sign-in/", None, 200)
        form = {
            "csrfmiddlewaretoken": _TOKEN.search(page).group(1),  # type: ignore[union-attr]
            "username": "provider.user",
            "password": self.facts.password,
        }
        self.step("POST", "/sign-in/", form, 302, to=re.compile("/"))

    def file_report(self) -> None:
        _, page = self.step("GET", "/iad/reports/new/", None, 200)
        self.token = _TOKEN.search(page).group(1)  # type: ignore[union-attr]
        key = _KEY.search(page)
        if key is None:
            raise JourneyFailed("the start page carries no client_key (ADR 0016)")
        journey = Journey(key=key.group(1))
        self.journeys.append(journey)
        form = {"csrfmiddlewaretoken": self.token, "client_key": journey.key, "kind": "iad"}
        headers, _ = self.step("POST", "/iad/reports/new/", form, 302, journey, _DRAFT)
        journey.code = _DRAFT.fullmatch(headers["location"]).group(1)  # type: ignore[union-attr]
        base = f"/iad/reports/{journey.code}"
        for slug, data in self.sections().items():
            form = {"csrfmiddlewaretoken": self.token, **data}
            to = re.compile(re.escape(f"{base}/draft/"))
            self.step("POST", f"{base}/draft/{slug}/", form, 302, journey, to)
        form = {"csrfmiddlewaretoken": self.token}
        self.step("POST", f"{base}/submit/", form, 302, journey, re.compile(re.escape(f"{base}/")))
        journey.completed = True

    def sections(self) -> dict[str, dict[str, str]]:
        occurred = datetime.now(PHOENIX) - timedelta(hours=3)
        aware = occurred + timedelta(minutes=30)
        return {
            "reporter": {
                "site_name": "Drill clinic",
                "site_address": "1 Test Street",
                "contact_phone": "602-555-0100",
            },
            "member": {
                "member_id": "A00000000",
                "member_last_name": "Drill",
                "member_first_name": "Test",
                "member_birth_date": "1980-01-01",
                "member_sex": "unknown",
                "health_plan": str(self.facts.health_plan),
                "category": "none",
            },
            "event": {
                "occurred_date": f"{occurred:%Y-%m-%d}",
                "occurred_time": f"{occurred:%H:%M}",
                "aware_date": f"{aware:%Y-%m-%d}",
                "aware_time": f"{aware:%H:%M}",
                "location_type": "Clinic",
                "narrative": "A fault drill, not an event.",
            },
            "types": {"incident_types": str(self.facts.incident_type)},
            "outcome": {"injuries": "no", "immediate_actions": "None needed."},
        }


class Load:
    """`clients` people filing reports until `stop()`; each finishes the report in hand."""

    def __init__(self, port: int, facts: Facts, clients: int) -> None:
        self.tally = Tally()
        self.clients = [Client(port, facts, self.tally) for _ in range(clients)]
        self.errors: list[str] = []
        self._stopping = threading.Event()
        self._threads = [
            threading.Thread(target=self._run, args=(c,), daemon=True) for c in self.clients
        ]

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def _run(self, client: Client) -> None:
        try:
            client.sign_in()
            while not self._stopping.is_set():
                client.file_report()
        except JourneyFailed as error:
            self.errors.append(str(error))

    def stop(self) -> None:
        self._stopping.set()
        for thread in self._threads:
            thread.join()

    @property
    def journeys(self) -> list[Journey]:
        return [journey for client in self.clients for journey in client.journeys]
