"""sqlmap against every query and form parameter the crawl found: level 3, risk 2, bounded.

One sqlmap process per endpoint (all its parameters), each with a fresh signed-in session of
the persona that reached it, so a target that ends its session cannot spoil the others.
"""

from __future__ import annotations

import csv
import time
import urllib.parse
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .findings import STOPPING, Finding, Run, run_bounded
from .portal_client import CSRF_FIELD, CrawlResult, PortalClient, url_pattern

# Seconds sqlmap gets per parameter at level 3 / risk 2: about 700 requests each, measured at
# 45-75 s on the 2-core reference machine.
SECONDS_PER_PARAMETER = 100
# Every sign-in attempt runs Argon2 (on purpose: DESIGN §11), about 0.3 s here, so the sign-in
# form's ~700 probes per parameter need longer.
SLOW_PATHS = {"/sign-in/": 360}
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


def _command(target: Target, client: PortalClient, out: Path) -> list[str]:
    params = {name: value or "1" for name, value in target.params.items()}
    if target.method != "GET":  # first: fetching the token may set the CSRF cookie
        params[CSRF_FIELD] = client.csrf_token(target.page)
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
    if target.method == "GET":
        return [*command, "-u", f"{client.base}{target.url}?{urllib.parse.urlencode(params)}"]
    return [
        *command,
        "-u",
        client.base + target.url,
        f"--data={urllib.parse.urlencode(params)}",
        f"--csrf-token={CSRF_FIELD}",
        f"--csrf-url={client.base}{target.page}",
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


def scan(
    targets: list[Target],
    sign_in: Callable[[str | None], PortalClient],
    out: Path,
    deadline: float,
    workers: int = 3,
) -> tuple[list[Finding], list[dict[str, object]]]:
    """Run sqlmap on each target until `deadline` (time.monotonic); returns findings and a
    per-target record (seconds, timed out, not reached)."""

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
        client = sign_in(target.persona)
        target_out = out / f"{index:03d}"
        target_out.mkdir(parents=True, exist_ok=True)
        per_parameter = SLOW_PATHS.get(target.url, SECONDS_PER_PARAMETER)
        bound = min(per_parameter * len(target.tested), remaining)
        run: Run = run_bounded(
            _command(target, client, target_out), target_out / "sqlmap.log", bound, out
        )
        path = urllib.parse.urlsplit(target.url).path
        found = injectable(target_out, path)
        record.update(
            seconds=round(run.seconds),
            findings=len(found),
            status="timed out" if run.timed_out else f"exit {run.returncode}",
        )
        # The form's page can change under the scan (another target moved the report on), and
        # sqlmap then skips the target: that is not a completed target.
        if "anti-CSRF token" in run.log.read_text(errors="replace"):
            record["status"] = "skipped: no CSRF token on the form's page any more"
        return found, record

    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = list(pool.map(lambda pair: one(*pair), enumerate(targets)))
    findings = [f for found, _ in results for f in found]
    return findings, [record for _, record in results]
