"""Injection and XSS (issue #7 item 4; security.md X-1, X-2, X-4, Q-3): every payload of
payloads.txt is typed into every free-text field of every form that stores text, through the
real pages; then every page, export and e-mail where the value shows is parsed with html5lib.

"Injected" means, for a page: an element or attribute name the same page does not have when
its fields hold plain text (the baseline run); a `<tag` of the payloads found raw in the HTML
more often than the parser found such elements (text that was not escaped, even inside a
textarea or title); a script whose `src` the baseline page has not; or a URL attribute whose
value starts with `javascript:`, `vbscript:` or `data:text/html`. For an export: a cell that
starts a formula, or an Excel formula cell. For an e-mail: any of the above in its HTML body,
or a CR or LF in its subject or address, or a header the message should not have.

Where the value shows (form URL, fields, pages that show them):

| Form (POST)                            | Fields                                   | Shown on |
| -------------------------------------- | ---------------------------------------- | -------- |
| /iad/reports/<c>/draft/reporter/       | site_name, site_address, contact_phone   | R S L |
| /iad/reports/<c>/draft/member/         | member_last_name, member_first_name,     | R S L X |
|                                        | member_id (always refused: 400)          | S |
| /iad/reports/<c>/draft/event/          | location_type, location_description,     | R S C |
|                                        | narrative                                |  |
| /iad/reports/<c>/draft/outcome/        | injury_description, injury_treatment,    | R S C |
|                                        | immediate_actions, follow_up             |  |
| /iad/reports/<c>/draft/list/people/    | name, title                              | R I |
| /iad/reports/<c>/draft/list/notifications/ | detail                                   | R I |
| /iad/reports/<c>/return/               | reason                                   | R (history) |
| /iad/reports/<c>/request-info/, /respond/ | reason (respond also makes an addendum)  | R D C |
| /iad/reports/<c>/close/                | reason (note for the record)             | R |
| /iad/reports/<c>/redaction/            | own_phrases                              | D |
| /account/details/                      | first_name, last_name, phone             | A M E |
| /organization/accounts/<c>/details/    | first_name, last_name, phone, email      | A M E |
| /register/about-you/                   | first_name, last_name, phone, username,  | K M E |
|                                        | email, answer_1..3 (stored hashed)       |  |

R report page ("check your answers" for a draft), S the section's own page (values in the
inputs), L the report list, X the CSV and Excel exports, I the item page, C the committee's
released copy, D the redaction page, A the account pages, M the master's account pages, K the
registration check page, E the e-mails queued. Every form is also sent NUL bytes and overlong
values in all its fields: a clean 400, never a 500.
"""

import csv
import io
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import html5lib
import openpyxl
import pytest
from django.core.mail import EmailMultiAlternatives
from django.test import Client

from portal.accounts.models import User
from portal.accounts.services.terms import publish_terms
from portal.accounts.tests.factories import UserFactory
from portal.core.models import OutboundEmail
from portal.core.testing import with_roles
from portal.iad.models import IncidentType, RedactedCopy, Report
from portal.iad.tests.factories import ReportFactory
from portal.registry.models import Organization
from portal.reports.redaction import suggestions_for
from portal.reports.views import PAGE_SIZE

pytestmark = pytest.mark.django_db

ESCAPES = {"\\t": "\t", "\\r": "\r", "\\n": "\n", "\\x00": "\x00"}
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BAD_SCHEMES = ("javascript:", "vbscript:", "data:text/html")
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "poster", "background",
                  "xlink:href", "srcdoc", "ping"}  # fmt: skip
MAIL_HEADERS = {"content-type", "mime-version", "content-transfer-encoding", "subject", "from",
                "to", "date", "message-id"}  # fmt: skip
BASELINE = ["plain text", "Plain Words"]
REFUSED_BASELINE = ["plain\x00text"]


def load_payloads() -> list[str]:
    payloads = []
    for line in (Path(__file__).parent / "payloads.txt").read_text("utf-8").split("\n"):
        if not line.strip() or line == "#" or line.startswith("# "):
            continue
        for code, char in ESCAPES.items():
            line = line.replace(code, char)
        payloads.append(line)
    return payloads


PAYLOADS = load_payloads()
STORED = [p for p in PAYLOADS if "\x00" not in p]
REFUSED = [p for p in PAYLOADS if "\x00" in p]
# Every `<tag` a payload types: found raw in a page, it was not escaped.
TAGS = sorted({m.lower() for p in PAYLOADS for m in re.findall(r"<([a-zA-Z]+)", p)})


# --- what a page holds -----------------------------------------------------------------------


@dataclass
class Shape:
    """The element names, element@attribute names and script sources of a page."""

    names: set[str] = field(default_factory=set)
    scripts: set[str] = field(default_factory=set)

    def add(self, other: "Shape") -> None:
        self.names |= other.names
        self.scripts |= other.scripts


def _elements(html: str) -> Iterator[Any]:
    root = html5lib.parse(html, treebuilder="etree", namespaceHTMLElements=False)
    for element in root.iter():
        if isinstance(element.tag, str):  # comments carry a function as their tag
            yield element


def inspect(html: str) -> tuple[Shape, list[str]]:
    """The page's shape, and what is wrong with it whatever the baseline."""
    shape, problems, counts = Shape(), [], dict.fromkeys(TAGS, 0)
    for element in _elements(html):
        tag = element.tag.split("}")[-1].lower()
        shape.names.add(element.tag)
        counts[tag] = counts.get(tag, 0) + 1
        if tag == "script":
            shape.scripts.add(element.get("src", "<inline>"))
        for name, value in element.attrib.items():
            shape.names.add(f"{element.tag}@{name}")
            squeezed = re.sub(r"[\x00-\x20]", "", value).lower()
            if name.split("}")[-1].lower() in URL_ATTRIBUTES and squeezed.startswith(BAD_SCHEMES):
                problems.append(f"<{tag} {name}={value!r}>")
    for tag in TAGS:
        raw = len(re.findall(rf"<{tag}\b", html, flags=re.IGNORECASE))
        if raw > counts[tag]:
            problems.append(f"{raw - counts[tag]} unescaped '<{tag}' in the HTML")
    return shape, problems


class Harness:
    """Records each kind of page with plain values, then checks it with the payloads."""

    def __init__(self) -> None:
        self.allowed: dict[str, Shape] = {}
        self.recording = True
        self.counts = {"posts": 0, "pages": 0, "exports": 0, "emails": 0}
        # One handler for every client: loading the middleware (whitenoise scans the static
        # files) costs about a second a client.
        self.handler = Client().handler

    def html(self, kind: str, html: str) -> None:
        shape, problems = inspect(html)
        self.counts["pages"] += 1
        if self.recording:
            self.allowed.setdefault(kind, Shape()).add(shape)
            assert problems == [], f"{kind}: the plain page already fails: {problems}"
            return
        assert kind in self.allowed, f"{kind} has no baseline: the test must record it first"
        base = self.allowed[kind]
        extra = sorted(shape.names - base.names)
        scripts = sorted(shape.scripts - base.scripts)
        assert (extra, scripts, problems) == ([], [], []), f"{kind}: injected"

    def page(self, kind: str, response: Any) -> None:
        assert response.status_code < 500, kind
        self.html(f"{kind}/{response.status_code}", response.content.decode())


class Browser:
    """A test client that counts its POSTs and fails on any response of 500 or more."""

    def __init__(self, harness: Harness, user: User | None = None, ip: str = "127.0.0.1") -> None:
        self.client = Client(raise_request_exception=False, REMOTE_ADDR=ip)
        self.client.handler = harness.handler
        self.harness = harness
        if user is not None:
            self.client.force_login(user)

    def post(self, url: str, data: dict[str, Any], expect: int | None = 302) -> Any:
        response = self.client.post(url, data)
        self.harness.counts["posts"] += 1
        assert response.status_code < 500, (url, data)
        if expect is not None:
            said = re.findall(
                r"(?:alert__text|error-message)[^>]*>([^<]+)", response.content.decode()
            )
            assert response.status_code == expect, (url, data, said)
        return response

    def show(self, kind: str, url: str) -> Any:
        response = self.client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        self.harness.page(kind, response)
        return response


def fit(value: str, length: int) -> str:
    """What a browser sends for a box with this maxlength."""
    return value[:length]


def rotation(values: list[str], start: int, fields: dict[str, int]) -> dict[str, str]:
    """One value per field, each field a step further along the list (0 = no length limit)."""
    return {name: fit(values[(start + k) % len(values)], size or 100_000)
            for k, (name, size) in enumerate(fields.items())}  # fmt: skip


def refusals(values: list[str], refused: list[str], fields: dict[str, int]) -> list[str]:
    """Values every form must refuse in all its fields: NUL bytes, and longer than allowed."""
    longest = max(values, key=len)
    overlong = (longest + " ") * (max(fields.values()) // len(longest) + 2)
    return [*refused, overlong] if any(fields.values()) else list(refused)


# --- the world -------------------------------------------------------------------------------


@dataclass
class World:
    provider: Organization
    plan: Organization
    committee: Organization
    master: User
    submitter: User
    director: User
    reviewer: User
    redactor: User
    ioc_member: User


@pytest.fixture
def world(personas) -> World:
    plan = personas.plan_reviewer.organization
    committee = personas.ioc_member.organization
    for organization in (personas.provider, committee):
        organization.region = "central"
        organization.save()
    return World(
        provider=personas.provider, plan=plan, committee=committee,
        master=personas.provider_master,
        submitter=with_roles(personas.provider_user, "iad.submitter"),
        director=with_roles(personas.clinical_director, "iad.clinical_director"),
        reviewer=with_roles(personas.plan_reviewer, "iad.reviewer"),
        redactor=with_roles(UserFactory(organization=plan), "iad.redactor"),
        ioc_member=with_roles(personas.ioc_member, "ioc.member"),
    )  # fmt: skip


# --- the flows: each runs once with plain values (recording) and once with the payloads ------

SECTIONS: dict[str, dict[str, int]] = {
    "reporter": {"site_name": 200, "site_address": 300, "contact_phone": 30},
    "member": {"member_last_name": 100, "member_first_name": 100},
    "event": {"location_type": 100, "location_description": 0, "narrative": 0},
    "outcome": {"injury_description": 0, "injury_treatment": 0, "immediate_actions": 0,
                "follow_up": 0},
}  # fmt: skip
ITEMS: dict[str, tuple[dict[str, int], dict[str, str]]] = {
    "people": ({"name": 200, "title": 200}, {"role": "staff"}),
    "notifications": ({"detail": 200}, {"party": "police", "notified_date": "2026-11-16",
                                        "notified_time": "10:30"}),
}  # fmt: skip


def draft_flow(h: Harness, w: World, values: list[str], refused: list[str]) -> None:
    """Every draft page, one draft per round; then the lists and the exports of them all."""
    me = Browser(h, w.submitter)
    fixed = {"member": {"member_id": "", "member_sex": "female", "category": "smi",
                        "health_plan": w.plan.pk, "member_birth_date": "1980-04-02"},
             "outcome": {"injuries": "yes"}}  # fmt: skip
    drafts = []
    for i in range(len(values)):
        draft = ReportFactory(status=Report.Status.DRAFT, organization=w.provider,
                              preparer=w.submitter, health_plan=w.plan)  # fmt: skip
        drafts.append(draft)
        base = f"/iad/reports/{draft.code}/draft"
        for n, (section, fields) in enumerate(SECTIONS.items()):
            me.post(f"{base}/{section}/", {**rotation(values, i + 4 * n, fields),
                                           **fixed.get(section, {})})  # fmt: skip
            me.show(f"section {section}", f"{base}/{section}/")
        refused_id = {**rotation(values, i, SECTIONS["member"]), **fixed["member"]}
        h.page(
            "section member",
            me.post(f"{base}/member/", {**refused_id, "member_id": values[i]}, expect=400),
        )
        for n, (part, (fields, other)) in enumerate(ITEMS.items()):  # all on the first draft
            me.post(
                f"/iad/reports/{drafts[0].code}/draft/list/{part}/",
                {"add": "1", **other, **rotation(values, i + 20 + 3 * n, fields)},
            )
        me.show("report", f"/iad/reports/{draft.code}/")
    for part in ITEMS:
        me.show(f"items {part}", f"/iad/reports/{drafts[0].code}/draft/list/{part}/")
    me.show("draft", f"/iad/reports/{drafts[0].code}/draft/")
    me.show("report", f"/iad/reports/{drafts[0].code}/")
    _refuse_drafts(h, me, drafts[0], values, refused, fixed)
    if h.recording:  # enough plain drafts for the list to have its second page
        ReportFactory.create_batch(PAGE_SIZE, status=Report.Status.DRAFT, organization=w.provider,
                                   preparer=w.submitter, health_plan=w.plan)  # fmt: skip
    me.show("list", "/iad/reports/?show=drafts")
    me.show("list", "/iad/reports/?show=drafts&page=2")
    check_exports(h, me, len(values), "?show=drafts")


def _refuse_drafts(h: Harness, me: Browser, draft: Report, values: list[str],
                   refused: list[str], fixed: dict[str, dict[str, Any]]) -> None:  # fmt: skip
    base = f"/iad/reports/{draft.code}/draft"
    for section, fields in SECTIONS.items():
        for bad in refusals(values, refused, fields):
            data = {**dict.fromkeys(fields, bad), **fixed.get(section, {})}
            h.page(f"section {section}", me.post(f"{base}/{section}/", data, expect=400))
    for part, (fields, other) in ITEMS.items():
        for bad in refusals(values, refused, fields):
            data = {"add": "1", **other, **dict.fromkeys(fields, bad)}
            h.page(f"items {part}", me.post(f"{base}/list/{part}/", data, expect=400))


def check_exports(h: Harness, me: Browser, rows: int, query: str) -> None:
    """Both exports hold every row, and no cell can start a formula."""
    response = me.client.get(f"/iad/reports/export/csv/{query}")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text, newline="")))
    assert len(table) >= rows + 1
    cells = [cell for row in table for cell in row]
    response = me.client.get(f"/iad/reports/export/xlsx/{query}")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = [cell for row in book.active.iter_rows() for cell in row]
    assert len(sheet) == len(cells)
    assert [c.coordinate for c in sheet if c.data_type == "f"] == []
    texts = cells + [c.value for c in sheet if isinstance(c.value, str)]
    assert [t for t in texts if t.startswith(FORMULA_STARTS)] == []
    h.counts["exports"] += 2
    if not h.recording:  # the payloads did reach the exports, made inert
        assert any(t.startswith(("'=", "'+", "'-", "'@")) for t in texts)


def transition_flow(h: Harness, w: World, values: list[str], refused: list[str]) -> None:
    """Return reasons, requests for information and answers pile up in one report's history;
    each close note goes on a report of its own. Then the redaction of the answered report."""
    director, reviewer, filer = (Browser(h, u) for u in (w.director, w.reviewer, w.submitter))
    about = {"organization": w.provider, "preparer": w.submitter, "health_plan": w.plan}
    returned = ReportFactory(status=Report.Status.AWAITING_APPROVAL, **about)
    # Complete, as a corrected report must be to go back (an incident type besides the
    # factory's fields).
    returned.incident_types.add(IncidentType.objects.get_or_create(name="Fall")[0])
    asked = ReportFactory(status=Report.Status.IN_REVIEW, **about)
    for i, value in enumerate(values):
        director.post(f"/iad/reports/{returned.code}/return/", {"reason": value})
        filer.post(f"/iad/reports/{returned.code}/resubmit/", {})
        reviewer.post(f"/iad/reports/{asked.code}/request-info/", {"reason": value})
        filer.post(f"/iad/reports/{asked.code}/respond/",
                   {"reason": values[(i + 1) % len(values)]})  # fmt: skip
        closed = ReportFactory(status=Report.Status.IN_REVIEW, **about)
        reviewer.post(
            f"/iad/reports/{closed.code}/close/",
            {"outcome": "referred_qoc", "reason": values[(i + 2) % len(values)]},
        )
        reviewer.show("report", f"/iad/reports/{closed.code}/")
    for bad in refusals(values, refused, {"reason": 5000}):
        h.page("act", director.post(f"/iad/reports/{returned.code}/return/", {"reason": bad},
                                    expect=400))  # fmt: skip
    director.show("report", f"/iad/reports/{returned.code}/")
    reviewer.show("report", f"/iad/reports/{asked.code}/")
    redaction_flow(h, w, asked, values, refused)


def redaction_flow(h: Harness, w: World, report: Report, values: list[str],
                   refused: list[str]) -> None:  # fmt: skip
    """The suggestions and preview hold the answers; the own-phrases box takes the payloads."""
    Report.objects.filter(pk=report.pk).update(member_first_name=values[0],
                                               member_last_name=values[-1])  # fmt: skip
    redactor = Browser(h, w.redactor)
    url = f"/iad/reports/{report.code}/redaction/"
    redactor.post(f"{url}start/", {})
    redactor.show("redact", url)
    phrases = [p for p in dict.fromkeys(" ".join(v.split()) for v in values)
               if len(p) >= 2 and "\r" not in p and "\n" not in p]  # fmt: skip
    absent = "\n".join(f"qqzx {p}" for p in phrases)
    h.page("redact", redactor.post(url, {"own_phrases": absent}, expect=400))
    for bad in refused:
        h.page("redact", redactor.post(url, {"own_phrases": bad}, expect=400))
    # The member's name (a payload here) must go before release: every suggestion is kept.
    suggested = [s.phrase for s in suggestions_for(Report.objects.get(pk=report.pk))]
    redactor.post(url, {"remove": suggested, "own_phrases": "\n".join(phrases[::2])})
    redactor.show("redact", url)
    redactor.post(f"{url}release/", {"committee": w.committee.pk, "reviewed": "on"})
    copy = RedactedCopy.objects.get(report=report)
    assert copy.status == RedactedCopy.Status.RELEASED
    Browser(h, w.ioc_member).show("copy", f"/iad/copies/{copy.code}/")


ACCOUNT = {"first_name": 100, "last_name": 100, "phone": 30}


def account_flow(h: Harness, w: World, values: list[str], refused: list[str], run: str) -> None:
    """Each round an account changes its own details and the master changes them again (an
    e-mail to the account each time, naming the master, whose own name holds payloads too)."""
    master = Browser(h, w.master)
    for i in range(len(values)):
        account = UserFactory(organization=w.provider, username=f"{run}.{i}",
                              email=f"{run}.{i}@clinic.example")  # fmt: skip
        own = Browser(h, account)
        own.post("/account/details/", rotation(values, i, ACCOUNT))
        own.show("my account", "/account/")
        master.post("/account/details/", rotation(values, i + 3, ACCOUNT))
        details = {**rotation(values, i + 6, ACCOUNT), "email": f"{run}.{i}@new.example"}
        master.post(f"/organization/accounts/{account.code}/details/", details)
        master.show("manage account", f"/organization/accounts/{account.code}/")
        master.show("manage details", f"/organization/accounts/{account.code}/details/")
    last = f"/organization/accounts/{account.code}/details/"
    crlf = [f"{run}@clinic.example{v}" for v in values if "\r" in v or "\n" in v] or [" a\r\nb"]
    for bad in refusals(values, refused, ACCOUNT):
        h.page("my details", own.post("/account/details/", dict.fromkeys(ACCOUNT, bad), 400))
        data = {**dict.fromkeys(ACCOUNT, bad), "email": f"{run}.x@clinic.example"}
        h.page("manage details", master.post(last, data, 400))
    for bad in crlf:  # an address with a line break must never reach a header
        data = {**rotation(values, 0, ACCOUNT), "email": bad}
        h.page("manage details", master.post(last, data, 400))
    own.show("my details", "/account/details/")
    master.show("manage list", "/organization/accounts/")


PERSON = {"first_name": 100, "last_name": 100, "phone": 30}
SECRETS = {"password1": "four unrelated words together", "question_1": "first_street",
           "question_2": "first_school", "question_3": "birth_city"}  # fmt: skip


def registration_flow(h: Harness, w: World, values: list[str], refused: list[str],
                      run: str) -> None:  # fmt: skip
    """Register a colleague of the master (who is e-mailed the newcomer's name) per round; the
    username and e-mail boxes refuse the payloads."""
    for i in range(len(values)):
        visitor = Browser(h, ip=f"10.7.{i // 250}.{i % 250 + 1}")  # past the network throttle
        visitor.post("/register/terms/", {"agree": "on"})
        visitor.post("/register/organization/", {"kind": "provider"})
        visitor.post("/register/organization/identifiers/",
                     {"identifier": w.provider.identifier, "npi": w.provider.npi})  # fmt: skip
        person = {
            **rotation(values, i, PERSON),
            **SECRETS,
            "password2": SECRETS["password1"],
            "username": f"{run}-new-{i}",
            "email": f"{run}-new-{i}@clinic.example",
            **{f"answer_{n}": fit(values[(i + n) % len(values)], 100) for n in (1, 2, 3)},
        }
        # The username box refuses the payloads; the e-mail box those with a line break.
        breaks = "\r" in values[i] or "\n" in values[i]
        for box in ("username", "email") if breaks else ("username",):
            sent = visitor.post("/register/about-you/", {**person, box: values[i]}, expect=None)
            # "-1+1" or "@SUM(1)" are fine usernames (letters, digits and @.+-_ only).
            if sent.status_code != 400:
                assert re.fullmatch(r"[\w.@+-]+", values[i]), values[i]
                continue
            h.page("register person", sent)
        for bad in refusals(values, refused, PERSON) if i == 0 else []:
            data = {**person, **dict.fromkeys(PERSON, bad)}
            h.page("register person", visitor.post("/register/about-you/", data, expect=400))
        visitor.post("/register/about-you/", person)
        visitor.show("register check", "/register/check/")
        visitor.post("/register/check/", {})
        assert User.objects.filter(username=f"{run}-new-{i}").exists()


def check_emails(h: Harness) -> None:
    """HTML bodies as pages; subjects, addresses and headers free of line breaks."""
    emails = list(OutboundEmail.objects.all())
    assert emails, "the flows queue e-mails"
    for email in emails:
        assert "\r" not in email.subject and "\n" not in email.subject, email.subject
        assert "\r" not in email.to and "\n" not in email.to, email.to
        message = EmailMultiAlternatives(email.subject, email.text_body, to=[email.to])
        message.attach_alternative(email.html_body, "text/html")
        headers = {name.lower() for name in message.message()}
        assert headers <= MAIL_HEADERS, headers
        h.html(f"e-mail {email.template}", email.html_body)
    h.counts["emails"] += len(emails)


def test_payloads_in_every_text_field_show_inert_everywhere(world: World) -> None:
    publish_terms("Terms", "Be good.", by=None)
    assert len(PAYLOADS) >= 80 and REFUSED and TAGS
    started = time.monotonic()
    h = Harness()
    for values, refused, run in ((BASELINE, REFUSED_BASELINE, "plain"),
                                 (STORED, REFUSED, "payload")):  # fmt: skip
        h.recording = run == "plain"
        draft_flow(h, world, values, refused)
        transition_flow(h, world, values, refused)
        account_flow(h, world, values, refused, run)
        registration_flow(h, world, values, refused, run)
        check_emails(h)
        OutboundEmail.objects.all().delete()
    seconds = time.monotonic() - started
    print(f"\n{len(PAYLOADS)} payloads, {h.counts} in {seconds:.1f} s")
    assert h.counts["posts"] > len(STORED) * 20
