"""sqlmap against every query and form parameter the crawl found: level 3, risk 2, bounded.

One sqlmap process per endpoint (all its parameters), each with a fresh signed-in session of
the persona that reached it, so a target that ends its session cannot spoil the others.
"""

from __future__ import annotations

import csv
import re
import time
import urllib.parse
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .findings import STOPPING, Finding, Run, run_bounded
from .portal_client import CSRF_FIELD, CrawlResult, PortalClient, url_pattern

# Seconds sqlmap gets per parameter at level 3 / risk 2. One parameter costs sqlmap 300-550
# probes, each with a fetch of the CSRF token, so 600-1,100 requests. Measured on the 2-core
# reference machine with a load average of 5-9 (5 sqlmap processes, wapiti and other work) on
# 2026-11-23: 9-314 s per parameter, median about 100 s, at 3-9 requests a second. The longest
# were the security questions (Argon2 on every probe, on purpose: DESIGN §11) and the draft
# sections. The bound is a third more than the longest seen; the overall bound (--minutes)
# stays the outer limit.
SECONDS_PER_PARAMETER = 420
# A review transition's probe is four requests, not two: the scan fixture that puts the report
# back, the token, the POST that takes the transition, and the report it redirects to. With
# the fixture, one such parameter had reached sqlmap's last tests (UNION) after 300 s at a load
# average of 4-5, so these get twice the bound.
FIXTURE_FACTOR = 2
# Where signed-in targets take their CSRF token. Django's token is per session, so any
# signed-in page's form gives a valid one (every page has the sign-out form, templates/
# base.html), and a form's own page can change under the scan: a review transition's first
# accepted request moves the report on and its form disappears. Signed out, this page shows no
# form, so a target whose session ended stops with "anti-CSRF token ... can't be found"
# instead of going on with the sign-in page's token.
SIGNED_IN_CSRF_PAGE = "/help/"
# Transitions of any report type: the one page of a report, other than its redaction form,
# that takes a POST under the report's own path (the kit's `act`, `portal/reports/urls.py`).
# Each can be taken once per state (see fixture_url).
TRANSITION = re.compile(
    r"^/(?P<slug>[a-z]+)/reports/(?P<code>[0-9a-f-]{36})/(?P<name>(?!redaction/)[a-z_-]+)/$"
)
# Values that make the sign-in form fail: a successful sign-in would rotate the session.
OVERRIDES = {
    "/sign-in/": {"password": "not-the-password-0123", "username": "provider.user"},
    "/forgot-password/": {"username": "provider.user"},
}


@dataclass
class Target:
    persona: str | None
    method: str
    url: str  # for POST, the form's action; for GET, the URL with every parameter
    page: str  # where the form (and its CSRF token) is shown
    params: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str]:
        return (self.method, url_pattern(urllib.parse.urlsplit(self.url).path))

    @property
    def tested(self) -> list[str]:
        return [name for name in self.params if name != CSRF_FIELD]

    @property
    def csrf_page(self) -> str:
        return self.page if self.persona is None else SIGNED_IN_CSRF_PAGE


def build_targets(crawls: list[tuple[str | None, CrawlResult]]) -> list[Target]:
    """One target per (method, URL pattern); parameters seen there under any persona merge."""
    targets: dict[tuple[str, str], Target] = {}

    def add(target: Target) -> None:
        known = targets.setdefault(target.key, target)
        for name, value in target.params.items():
            known.params.setdefault(name, value)

    for persona, crawl in crawls:
        for url in crawl.query_urls:
            parts = urllib.parse.urlsplit(url)
            params = dict(urllib.parse.parse_qsl(parts.query, keep_blank_values=True))
            add(Target(persona, "GET", parts.path, parts.path, params))
        for form in crawl.forms:
            path = urllib.parse.urlsplit(form.action).path
            page = urllib.parse.urlsplit(form.page).path
            params = {**form.fields, **OVERRIDES.get(path, {})}
            add(Target(persona, form.method, path, page, params))
    # Query parameters first, then what anyone can reach, then the personas' forms: if the time
    # bound cuts the run short, the most exposed parameters have been tested.
    ordered = sorted(targets.values(), key=lambda t: (t.method != "GET", t.persona is not None))
    return [t for t in ordered if t.tested]


def fixture_url(target: Target) -> str | None:
    """For a review transition, the scan fixture that puts its report back in the state the
    transition starts from (tools/security/planted/reset.py); sqlmap visits it before every
    request, so each probe reaches the form instead of the workflow's refusal."""
    match = TRANSITION.match(target.url) if target.method == "POST" else None
    if match is None:
        return None
    return f"/scan-fixture/{match['slug']}/reports/{match['code']}/{match['name']}/"


def _command(target: Target, client: PortalClient, out: Path) -> list[str]:
    # Values as the page offers them, blank ones blank: a made-up value (a "1" in a date field)
    # would make every request invalid, and the view would never get past its form.
    params = dict(target.params)
    if target.method != "GET":  # first: fetching the token may set the CSRF cookie
        params[CSRF_FIELD] = client.csrf_token(target.csrf_page)
    command = [
        "sqlmap",
        "--batch",
        "--level=3",
        "--risk=2",
        "--dbms=PostgreSQL",
        "--keep-alive",
        "--timeout=30",
        "--retries=1",
        "--flush-session",
        "--disable-coloring",
        f"--output-dir={out}",
        f"-p{','.join(target.tested)}",
        "--user-agent=qm-portal-security-scan (sqlmap)",
    ]
    if client.cookie_header():
        command.append(f"--cookie={client.cookie_header()}")
    fixture = fixture_url(target)
    if fixture is not None:
        client.fetch(fixture)  # wapiti may have taken the transition already
        command += [f"--safe-url={client.base}{fixture}", "--safe-freq=1"]
    if target.method == "GET":
        return [*command, "-u", f"{client.base}{target.url}?{urllib.parse.urlencode(params)}"]
    return [
        *command,
        "-u",
        client.base + target.url,
        f"--data={urllib.parse.urlencode(params)}",
        f"--csrf-token={CSRF_FIELD}",
        f"--csrf-url={client.base}{target.csrf_page}",
    ]


def injectable(out: Path, path: str) -> list[Finding]:
    findings = []
    for results in out.glob("results-*.csv"):
        with results.open() as handle:
            for row in csv.DictReader(handle):
                # sqlmap keeps points its own false-positive check rejected, with this note,
                # after concluding "does not seem to be injectable": its verdict, not ours.
                if "false positive" in (row.get("Note(s)") or ""):
                    continue
                findings.append(
                    Finding(
                        "sqlmap",
                        "SQL injection",
                        path,
                        f"{row.get('Place')} parameter, {row.get('Technique(s)')}",
                        row.get("Parameter", ""),
                    )
                )
    return findings


# sqlmap's verdict on one parameter, as its log gives it.
_VERDICT = re.compile(r"parameter '([^']+)' (?:does not seem to be injectable|is vulnerable)")


def verdicts(log: str) -> set[str]:
    """The parameters sqlmap finished with a verdict (injectable or not)."""
    return set(_VERDICT.findall(log))


def status(
    target: Target, run: Run, found: list[Finding], session_ended: bool, cut: bool, closed: bool
) -> str:
    """Completed only when sqlmap gave a verdict on every parameter (or found one injectable:
    it then stops, and the finding fails the run); anything else names why not."""
    log = run.log.read_text(errors="replace")
    if re.search(r"anti-CSRF token .* can't be found", log):
        return "not completed: CSRF token not found (session ended?)"
    if session_ended:
        return "not completed: the session ended during the scan"
    if run.timed_out:
        return "timed out (overall time bound)" if cut else "timed out (per-target bound)"
    done = verdicts(log)
    missing = [name for name in target.tested if name not in done]
    if run.returncode != 0:
        return f"not completed: sqlmap exit {run.returncode}"
    if missing and not found:
        return f"not completed: no verdict on {', '.join(missing)}"
    return ONE_SHOT if closed else COMPLETED


COMPLETED = "completed"
# A review transition (respond, return, request_info, close) can be taken once per state: an
# accepted probe moves the report on, and later probes meet the workflow's refusal (a redirect
# to the report) before the form reads its fields. The scan fixture puts the report back before
# every probe (fixture_url); if the form's page still does not offer the form after the run,
# the fixture did not work, sqlmap's verdict rests on the probes before the state changed, and
# the target is counted apart, never as completed.
ONE_SHOT = "ran to the end, but its form closed before or during the scan (one-shot)"


def scan(
    targets: list[Target],
    sign_in: Callable[[str | None], PortalClient],
    out: Path,
    deadline: float,
    workers: int = 3,
) -> tuple[list[Finding], list[dict[str, object]]]:
    """Run sqlmap on each target until `deadline` (time.monotonic); returns findings and a
    per-target record (seconds, status: completed, timed out, not completed, not reached)."""

    def one(index: int, target: Target) -> tuple[list[Finding], dict[str, object]]:
        record: dict[str, object] = {
            "method": target.method,
            "url": target.url,
            "persona": target.persona,
            "parameters": target.tested,
        }
        remaining = deadline - time.monotonic()
        if remaining < 30 or STOPPING.is_set():
            record["status"] = "not reached (overall time bound)"
            return [], record
        target_out = out / f"{index:03d}"
        target_out.mkdir(parents=True, exist_ok=True)
        factor = FIXTURE_FACTOR if fixture_url(target) else 1
        own_bound = SECONDS_PER_PARAMETER * factor * len(target.tested)
        bound = min(own_bound, remaining)
        try:
            client = sign_in(target.persona)
            command = _command(target, client, target_out)
        except (RuntimeError, OSError) as error:  # sign-in refused, no token, portal down
            record.update(seconds=0, findings=0, status=f"not completed: {error}")
            return [], record
        # A form whose page stops offering it (a transition taken) is not tested to the end.
        watch = target.method == "POST" and target.persona is not None
        offered = watch and client.shows_form(target.page, target.url)
        run: Run = run_bounded(command, target_out / "sqlmap.log", bound, out)
        fixture = fixture_url(target)
        if fixture is not None:  # the last probe may have taken the transition
            client.fetch(fixture)
        closed = watch and (not offered or not client.shows_form(target.page, target.url))
        path = urllib.parse.urlsplit(target.url).path
        found = injectable(target_out, path)
        session_ended = target.persona is not None and not client.signed_in()
        record.update(
            seconds=round(run.seconds),
            bound=round(bound),
            findings=len(found),
            exit=run.returncode,
            status=status(target, run, found, session_ended, bound < own_bound, closed),
        )
        return found, record

    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(lambda pair: one(*pair), enumerate(targets)))
    findings = [f for found, _ in results for f in found]
    return findings, [record for _, record in results]
