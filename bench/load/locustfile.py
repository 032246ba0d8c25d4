"""The simulated people of `make load` (bench/load/run.py starts locust with this file).

Providers' preparers sign in once, browse their lists, open reports, file reports section by
section and submit them, answer requests for information and resubmit returned reports;
clinical directors approve or return; health-plan reviewers start reviews, ask for information
and close. Everyone scrapes the CSRF token from the form they send, as a browser would.

Start POSTs carry the start page's key, and a share of them is sent twice with the same key
(one after the other, as a retry after a timeout, or both at once, as a double click); every
answer is written to the run's ledger so the driver can compare it with the database.

The portal runs with production settings behind no proxy: each request says it came through
the TLS proxy (X-Forwarded-Proto, Origin), and the cookie jar sends the `Secure` cookies over
the loopback's plain HTTP.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import re
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import gevent
from locust import HttpUser, between, events, task
from locust.exception import StopUser
from requests.cookies import RequestsCookieJar

from bench.load.database import SHARES

OUT = Path(os.environ.get("LOAD_OUT", "var/load"))
PASSWORD = os.environ.get("LOAD_PASSWORD", "")
RESEND = float(os.environ.get("LOAD_RESEND", "0.2"))  # share of start POSTs sent twice
PHOENIX = ZoneInfo("America/Phoenix")
CODE = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
KEY = re.compile(r'name="client_key" value="([^"]+)"')
LISTED = re.compile(rf'href="/iad/reports/({CODE})/"')
DRAFT = re.compile(rf"^/iad/reports/({CODE})/draft/$")
PLAN = re.compile(r'<option value="(\d+)"[^>]*>Saguaro Health Plan</option>')
TYPES = re.compile(r'name="incident_types" value="(\d+)"')
ALREADY = "already acted"
SECTIONS = ("reporter", "member", "event", "types", "outcome")
FIRST = ("Rosa", "Marcus", "Elena", "Tomas", "Hannah", "Victor", "Ada", "Luis", "Mei", "Omar")
LAST = ("Quintero", "Yazzie", "Ruiz", "Lee", "Cole", "Nez", "Brooks", "Ortega", "Chen", "Haddad")
FILTERS = ("", "&sort=due", "&sort=-created", "&sort=member", "&sentinel=no", "&sentinel=yes",
           "&status=submitted", "&status=in_review", "&status=draft", "&page=2")  # fmt: skip

_accounts: dict[str, itertools.count[int]] = {}
_counts: Counter[str] = Counter()


class _Ledger:
    """One JSON line per fact about a start POST, flushed at once (a killed run keeps them)."""

    def __init__(self) -> None:
        self._file: Any = None

    def write(self, **fact: Any) -> None:
        if self._file is None:
            OUT.mkdir(parents=True, exist_ok=True)
            self._file = (OUT / f"ledger-{os.getpid()}.jsonl").open("a", encoding="utf-8")
        self._file.write(json.dumps(fact) + "\n")
        self._file.flush()


LEDGER = _Ledger()


class _BehindTheProxy(RequestsCookieJar):
    """Keeps `Secure` cookies sendable over the loopback's plain HTTP, which stands in for the
    TLS proxy here (requests, like browsers, sends them only over HTTPS)."""

    def set_cookie(self, cookie: Any, *args: Any, **kwargs: Any) -> Any:
        cookie.secure = False
        return super().set_cookie(cookie, *args, **kwargs)


@events.request.add_listener
def _count_server_errors(response: Any = None, name: str = "", **_: Any) -> None:
    if response is not None and getattr(response, "status_code", 0) >= 500:
        _counts["5xx"] += 1
        _counts[f"5xx {name}"] += 1


@events.quitting.add_listener
def _write_counts(**_: Any) -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"counts-{os.getpid()}.json").write_text(json.dumps(dict(_counts)))


def _account(kind: str) -> str:
    """The next account of this kind; when people outnumber accounts (locust restarts a
    person who stopped), two sessions share one account, as one person in two browsers."""
    roster = json.loads((OUT / "roster.json").read_text())[kind]
    n = next(_accounts.setdefault(kind, itertools.count()))
    return str(roster[n % len(roster)]["username"])


class Person(HttpUser):
    """Signs in once for the whole run: sign-in checks an Argon2 hash, costly on purpose."""

    abstract = True
    kind = ""
    wait_time = between(2, 6)

    def on_start(self) -> None:
        self.client.cookies = _BehindTheProxy()
        origin = (self.host or "").replace("http://", "https://", 1)
        self.client.headers.update({"X-Forwarded-Proto": "https", "Origin": origin})
        self.username = _account(self.kind)
        token = self.token("/sign-in/", "/sign-in/")
        form = {"csrfmiddlewaretoken": token, "username": self.username, "password": PASSWORD}
        if self.post("/sign-in/", form, "/sign-in/") in (None, "/sign-in/"):
            raise StopUser(f"{self.username} could not sign in")

    # --- requests -----------------------------------------------------------------------------
    def page(self, path: str, name: str) -> str:
        """GET a page that must answer 200; its HTML ('' when it did not)."""
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")
                return ""
            return str(response.text)

    def token(self, path: str, name: str) -> str:
        found = TOKEN.search(self.page(path, name))
        return found.group(1) if found else ""

    def post(self, path: str, data: dict[str, Any], name: str) -> str | None:
        """POST a form that must answer with a redirect (post/redirect/get); where it points,
        or None when it did not (an "already acted" refusal counts as a conflict, not a
        failure: two people may act on one report at once)."""
        with self.client.post(path, data=data, name=name, allow_redirects=False,
                              catch_response=True) as response:  # fmt: skip
            if response.status_code == 302:
                response.success()
                return str(response.headers.get("Location", ""))
            if response.status_code == 400 and ALREADY in response.text:
                response.success()
                _counts["conflicts"] += 1
                return None
            response.failure(f"{response.status_code}")
            return None

    def listed(self, query: str, name: str = "/iad/reports/ (filtered)") -> list[str]:
        """The report codes one page of the list shows."""
        return LISTED.findall(self.page(f"/iad/reports/?{query}", name))

    def open_report(self, code: str) -> None:
        self.page(f"/iad/reports/{code}/", "/iad/reports/[code]/")

    def act(self, code: str, transition: str, data: dict[str, str]) -> bool:
        """A transition as a person takes it: its page, then its form. A page that sends the
        person back to the report means someone acted first."""
        path, name = f"/iad/reports/{code}/{transition}/", f"/iad/reports/[code]/{transition}/"
        with self.client.get(path, name=name, allow_redirects=False,
                             catch_response=True) as response:  # fmt: skip
            if response.status_code == 302:
                response.success()
                _counts["conflicts"] += 1
                return False
            found = TOKEN.search(response.text) if response.status_code == 200 else None
            if not found:
                response.failure(f"{response.status_code}")
                return False
        done = self.post(path, {"csrfmiddlewaretoken": found.group(1), **data}, name)
        if done:
            self.open_report(code)
        return bool(done)

    def browse(self, shows: tuple[str, ...]) -> None:
        """A list tab with a filter or sort, then one of the reports it shows."""
        codes = self.listed(f"show={random.choice(shows)}{random.choice(FILTERS)}")
        if codes:
            self.open_report(random.choice(codes))


class Preparer(Person):
    """A provider's preparer: files IADs, answers requests, resubmits returned reports."""

    kind = "filer"
    weight = SHARES[kind]

    @task(3)
    def browse_lists(self) -> None:
        self.browse(("all", "drafts"))

    @task(2)
    def file_a_report(self) -> None:
        code = self.start_report()
        if code is None:
            return
        self.page(f"/iad/reports/{code}/draft/", "/iad/reports/[code]/draft/")
        for slug in SECTIONS:
            if not self.fill(code, slug):
                return
        if random.random() < 0.9:  # some drafts are left for later, as people do
            self.act(code, "submit", {"reason": "Filed during the load run."})

    @task(1)
    def follow_up(self) -> None:
        asked = self.listed("show=all&status=info_requested")
        if asked:
            self.act(random.choice(asked), "respond", {"reason": "Two staff were on the unit."})
        returned = self.listed("show=drafts&status=returned")
        if returned:
            self.act(random.choice(returned), "resubmit", {})

    def start_report(self) -> str | None:
        """Start an IAD from the start page; sometimes send that page twice with its key."""
        page = self.page("/iad/reports/new/", "/iad/reports/new/")
        token, key = TOKEN.search(page), KEY.search(page)
        if not token or not key:
            return None
        form = {"csrfmiddlewaretoken": token.group(1), "kind": "iad", "client_key": key.group(1)}
        draw = random.random()
        how = "double click" if draw < RESEND / 2 else "retry" if draw < RESEND else "once"
        LEDGER.write(sent=key.group(1), user=self.username, how=how)
        if how == "double click":
            sends = [gevent.spawn(self.send_start, form, "double click") for _ in range(2)]
            gevent.joinall(sends)
            codes = [send.value for send in sends]
        else:
            codes = [self.send_start(form, "")]
            if how == "retry":
                codes.append(self.send_start(form, "sent again"))
        told = [code for code in codes if code]
        return told[0] if told else None

    def send_start(self, form: dict[str, str], repeat: str) -> str | None:
        name = f"/iad/reports/new/ ({repeat})" if repeat else "/iad/reports/new/"
        where = self.post("/iad/reports/new/", form, name) or ""
        found = DRAFT.match(where)
        if found is None:
            return None
        LEDGER.write(told=form["client_key"], code=found.group(1), user=self.username)
        return found.group(1)

    def fill(self, code: str, slug: str) -> bool:
        path = f"/iad/reports/{code}/draft/{slug}/"
        page = self.page(path, "/iad/reports/[code]/draft/[section]/")
        token = TOKEN.search(page)
        if not token:
            return False
        form = {"csrfmiddlewaretoken": token.group(1), **answers(slug, page)}
        if self.post(path, form, "/iad/reports/[code]/draft/[section]/") is None:
            return False
        self.page(f"/iad/reports/{code}/draft/", "/iad/reports/[code]/draft/")
        return True


def answers(slug: str, page: str) -> dict[str, Any]:
    """What a preparer types on one section page: complete, valid, never late."""
    happened = datetime.now(PHOENIX) - timedelta(hours=2)
    aware = happened + timedelta(minutes=15)
    first, last = random.choice(FIRST), random.choice(LAST)
    plan, types = PLAN.search(page), TYPES.findall(page)
    return {
        "reporter": {"site_name": "Residential unit", "site_address": "3300 E. Indian School Road",
                     "contact_phone": "602-555-0142"},
        "member": {"member_id": f"A{random.randrange(10**8):08d}", "member_last_name": last,
                   "member_first_name": first, "member_birth_date": "1984-06-02",
                   "member_sex": "unknown", "health_plan": plan.group(1) if plan else "",
                   "category": "smi"},
        "event": {"occurred_date": f"{happened:%Y-%m-%d}", "occurred_time": f"{happened:%H:%M}",
                  "aware_date": f"{aware:%Y-%m-%d}", "aware_time": f"{aware:%H:%M}",
                  "location_type": "Residential facility",
                  "narrative": f"Staff found {first} {last} in the day room and called the nurse."},
        "types": {"incident_types": [random.choice(types)] if types else []},
        "outcome": {"injuries": "no", "immediate_actions": "Called the nurse.",
                    "follow_up": "Review at the next team meeting."},
    }[slug]  # fmt: skip


class ClinicalDirector(Person):
    """Approves most of the provider's reports; returns a few for correction."""

    kind = "director"
    weight = SHARES[kind]

    @task(2)
    def browse_lists(self) -> None:
        self.browse(("all", "approval"))

    @task(3)
    def decide(self) -> None:
        waiting = self.listed("show=approval", "/iad/reports/?show=approval")
        if not waiting:
            return
        code = random.choice(waiting)
        self.open_report(code)
        if random.random() < 0.85:
            self.act(code, "approve", {})
        else:
            self.act(code, "return", {"reason": "Add the time the nurse arrived."})


class PlanReviewer(Person):
    """Starts reviews of the plan's members' reports, asks for information, closes them."""

    kind = "reviewer"
    weight = SHARES[kind]

    @task(2)
    def browse_lists(self) -> None:
        self.browse(("all", "review"))

    @task(3)
    def review(self) -> None:
        submitted = self.listed("show=review&status=submitted")
        if submitted:
            code = random.choice(submitted)
            self.open_report(code)
            self.act(code, "start_review", {})
        in_review = self.listed("show=review&status=in_review")
        if in_review:
            code = random.choice(in_review)
            self.open_report(code)
            if random.random() < 0.75:
                self.act(code, "close", {"outcome": "no_further_action", "reason": ""})
            else:
                self.act(code, "request_info", {"reason": "Which staff were on the unit?"})
