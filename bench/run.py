"""`make bench`: the portal's pages at a million reports, as ratios to a reference in one run.

1. Makes sure the benchmark database holds the volume (bench/seed.py, once: the database's comment
   records what was seeded, and a later run reuses it while the migrations match).
2. Starts gunicorn on 127.0.0.1 with the production settings (2 sync workers, persistent
   PostgreSQL connections) plus the reference view (bench/settings.py).
3. For each page, runs wrk in pairs that alternate the page with the reference, and keeps the
   median of the pair ratios; a pair during which other work took more than a tenth of the
   machine is run again (twice at most, then kept and counted as disturbed).
4. Exports 100,000+ rows as CSV (rows/s, peak memory of the serving worker) and measures
   sign-ins per second at the portal's Argon2id cost.
5. Measures the audit trail (bench/audit.py, on a fresh database of its own): audited page
   reads per second through `audit.record()` with 1-16 writers, the sealer's lag and rows/s.
6. Writes the table into docs/performance.md and the figures to bench/results.json.

`--only audit` measures only the audit trail (no seeded database, no server).

Run: .venv/bin/python -m bench.run --database-url postgres://postgres@127.0.0.1:5432/qm_bench
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tools.security.run_scans import demo_password

from .client import CSRF_FIELD, Client
from .measure import CORES, DISTURBED, Run, snapshot, wrk
from .serve import free_port, production_environment, start_gunicorn, stop_group, worker_pids

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
OUT = ROOT / "var" / "bench"
RESULTS = ROOT / "bench" / "results.json"
REPORT = ROOT / "docs" / "performance.md"
# The seeder seals audit events with this key and the server checks with it: bench data only.
AUDIT_KEY = "bench-only-audit-key-not-a-secret-0123456789"
REFERENCE = "/_bench/reference/"
REVIEWER = "plan.reviewer"
MANAGER = "qoc.manager"  # the trends are a Quality of Care manager's
OHR_STAFF = "ohr.staff"  # decides every provider's special assistance notifications
# The trends counted afresh: five grouped counts over some 200,000 cases, with two requests at
# a time on the two workers (a manager or two asking for new periods, not sixteen at once).
COUNTED_TRENDS_RATIO = 0.002
COUNTED_TRENDS_P99_MS = 1500.0
# The reviewer's home counted on every view (HOME_COUNTS_SECONDS=0, a server of its own), as
# the first view of each minute is: eleven counts over the million reports. Its floor guards
# against the counts getting dearer; the 0.40 is the page as it is shown (ADR 0027).
COUNTED_HOME_RATIO = 0.08
COUNTED_HOME_P99_MS = 600.0
COUNTED_HOME = "reviewer's home page, counted on every view"
# Each request asks for a twelve-month period starting on another day: nothing is kept between
# them (336 periods; a run makes a few dozen requests).
NEW_PERIOD_SCRIPT = """
math.randomseed(os.time())
request = function()
  local month, day = math.random(1, 12), math.random(1, 28)
  local path = string.format(
    "/qoc/trends/?received_from=2025-%02d-%02d&received_to=2026-%02d-%02d", month, day, month, day
  )
  return wrk.format("GET", path)
end
"""


@dataclass
class Page:
    name: str
    path: str
    persona: str | None
    target_ratio: float | None = None  # req/s of the page ÷ the reference's, at least
    method: str = "GET"
    expect: int = 200  # the answer a person gets; any other counts as an error
    connections: int | None = None  # default: --connections (4 for a POST)
    p99_target_ms: float = 150.0
    script: str | None = None  # wrk's script when the page asks for more than one path


# Counts the answers whose status is not the one the page gives a person (`unexpected N`).
STATUS_SCRIPT = """
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) unexpected = 0 end
function response(status, headers, body)
  if status ~= %(status)d then unexpected = unexpected + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("unexpected") end
  io.write(string.format("unexpected %%d\\n", total))
end
"""


@dataclass
class Pair:
    page: Run
    reference: Run

    @property
    def ratio(self) -> float:
        return self.page.rps / max(self.reference.rps, 1e-9)

    @property
    def cpu_ratio(self) -> float:
        return self.page.cpu_us / max(self.reference.cpu_us, 1e-9)

    @property
    def foreign(self) -> float:
        return max(self.page.foreign_share, self.reference.foreign_share)


@dataclass
class Result:
    name: str
    path: str
    pairs: list[Pair] = field(default_factory=list)
    disturbed: int = 0
    target_ratio: float | None = None
    connections: int = 0
    p99_target_ms: float = 150.0

    def summary(self) -> dict[str, Any]:
        runs = [p.page for p in self.pairs]
        ratios = [p.ratio for p in self.pairs]
        rps = [r.rps for r in runs]
        return {
            "page": self.name,
            "path": self.path,
            "pairs": len(self.pairs),
            "disturbed_pairs": self.disturbed,
            "rps": statistics.median(rps),
            "rps_spread": (max(rps) - min(rps)) / statistics.median(rps),
            "p50_ms": statistics.median(r.p50_ms for r in runs),
            "p99_ms": statistics.median(r.p99_ms for r in runs),
            "server_cpu_us": statistics.median(r.server_cpu_us for r in runs),
            "database_cpu_us": statistics.median(r.database_cpu_us for r in runs),
            "reference_rps": statistics.median(p.reference.rps for p in self.pairs),
            "reference_cpu_us": statistics.median(p.reference.cpu_us for p in self.pairs),
            "ratio": statistics.median(ratios),
            "ratio_min": min(ratios),
            "ratio_max": max(ratios),
            "cpu_ratio": statistics.median(p.cpu_ratio for p in self.pairs),
            "errors": sum(r.errors for r in runs) + sum(p.reference.errors for p in self.pairs),
            "target_ratio": self.target_ratio,
            "connections": self.connections,
            "p99_target_ms": self.p99_target_ms,
        }


# --- the database -----------------------------------------------------------------------------
def seed_marker(args: argparse.Namespace) -> str:
    return f"qm-portal bench seed={args.seed} reports={args.reports}"


def migrations_applied(url: str) -> int:
    import psycopg

    with psycopg.connect(url) as connection:
        row = connection.execute("SELECT count(*) FROM django_migrations").fetchone()
    return int(row[0]) if row else 0


def ensure_database(args: argparse.Namespace, env: dict[str, str]) -> None:
    """Reuse the seeded database when it holds this volume (new migrations are applied to it:
    an index or a column does not need the data made again); seed it otherwise."""
    import psycopg
    from psycopg import sql

    parts = urllib.parse.urlsplit(args.database_url)
    name = parts.path.lstrip("/")
    if parts.hostname not in {"127.0.0.1", "localhost"} or not name.startswith("qm_bench"):
        raise SystemExit("The benchmark database must be a qm_bench* database on 127.0.0.1.")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        row = connection.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name],
        ).fetchone()
    if row is not None and row[0] == seed_marker(args):
        say(f"Reusing {name} ({row[0]}); applying any new migrations")
        applied = migrations_applied(args.database_url)
        subprocess.run(  # noqa: S603
            [PYTHON, "manage.py", "migrate", "--no-input", "--verbosity", "0"],
            cwd=ROOT, env=env, check=True,
        )  # fmt: skip
        if migrations_applied(args.database_url) != applied:
            # As the seeder ends: a migration that filled a table (0007 copies millions of
            # seals) leaves it unvacuumed and without statistics, and autovacuum would then
            # catch up during the pages' pairs.
            say("New migrations applied: VACUUM ANALYZE")
            with psycopg.connect(args.database_url, autocommit=True) as connection:
                connection.execute("VACUUM ANALYZE")
        return
    say(f"Seeding {name} with {args.reports:,} reports (minutes; done once)")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    seed_env = {**env, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_ENV": "development"}
    subprocess.run(  # noqa: S603
        [PYTHON, "-m", "bench.seed", "--reports", str(args.reports), "--seed", str(args.seed)],
        cwd=ROOT,
        env=seed_env,
        check=True,
    )
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(
            sql.SQL("COMMENT ON DATABASE {} IS {}").format(
                sql.Identifier(name), sql.Literal(seed_marker(args))
            )
        )


def ensure_added(args: argparse.Namespace, env: dict[str, str], table: str, seeder: str) -> None:
    """Add one application's rows (bench/seed_<app>.py, `--count` of them) to a seeded database
    whose `table` holds none yet."""
    import psycopg

    count = {
        "sr_report": args.sr_reports,
        "qoc_case": args.qoc_cases,
        "ohr_report": args.ohr_notifications,
    }[table]
    with psycopg.connect(args.database_url) as connection:
        row = connection.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608
    if row is not None and row[0] > 100:
        return
    say(f"Adding {count:,} rows to {table} with {seeder} (minutes; done once)")
    seed_env = {**env, "DJANGO_SETTINGS_MODULE": "config.settings", "DJANGO_ENV": "development"}
    command = ["-m", seeder, "--count", str(count), "--seed", str(args.seed)]
    subprocess.run(  # noqa: S603
        [PYTHON, *command], cwd=ROOT, env=seed_env, check=True
    )


# --- the server -------------------------------------------------------------------------------
def environment(database_url: str) -> dict[str, str]:
    # Nothing is sent during the benchmark (e-mail waits in the outbox for a worker).
    return production_environment(
        database_url,
        audit_key=AUDIT_KEY,
        name="bench",
        email_url="smtp://127.0.0.1:9",
        settings_module="bench.settings",
    )


def staff_session(username: str, env: dict[str, str]) -> dict[str, str]:
    """The session cookie of agency staff, who sign in through the agency's identity provider
    (production refuses them a password): the session its callback starts, made by Django's own
    login with the server's own environment (its secret key signs the session's account hash).
    The pages then check it as they check any session."""
    code = (
        "from django.conf import settings; from django.test import Client; "
        "from portal.accounts.models import User; client = Client(); "
        f"client.force_login(User.objects.get(username={username!r})); "
        "name = settings.SESSION_COOKIE_NAME; print(name, client.cookies[name].value)"
    )
    command = [PYTHON, "manage.py", "shell", "--command", code]
    shown = subprocess.run(  # noqa: S603
        command, cwd=ROOT, env=env, check=True, capture_output=True, text=True
    )
    name, value = shown.stdout.split()[-2:]
    return {name: value}


# --- measuring --------------------------------------------------------------------------------
def say(text: str) -> None:
    print(text, flush=True)


def measure_page(
    page: Page,
    client: Client,
    reference: Client,
    port: int,
    args: argparse.Namespace,
    script: str | None = None,
) -> Result:
    """The page in pairs with the reference: the signed-in bare view, requested with the
    reviewer's session and the headers production sees. An answer other than the page's (200,
    or its redirect) or the reference's 200 counts as an error, and errors fail the run."""
    base = f"http://127.0.0.1:{port}"
    reference_headers = reference.headers()
    reference_script = STATUS_SCRIPT % {"status": 200}
    script = script or page.script or STATUS_SCRIPT % {"status": page.expect}
    database = urllib.parse.urlsplit(args.database_url).path.lstrip("/")

    def run(path: str, headers: dict[str, str], lua: str | None = None) -> Run:
        return wrk(
            base + path,
            headers,
            seconds=args.seconds,
            connections=page_connections,
            server_group=server_group,
            database=database,
            script=lua,
        )

    page_connections = page.connections or (4 if page.method == "POST" else args.connections)
    server_group = args.server_group
    result = Result(
        page.name,
        page.path,
        target_ratio=page.target_ratio,
        connections=page_connections,
        p99_target_ms=page.p99_target_ms,
    )
    # Warm both (template caches, connections, PostgreSQL's buffers), discarded.
    wrk(
        base + page.path,
        client.headers(),
        seconds=2,
        connections=page_connections,
        server_group=server_group,
        database=database,
        script=script,
    )
    wrk(
        base + REFERENCE,
        reference_headers,
        seconds=2,
        connections=page_connections,
        server_group=server_group,
        database=database,
        script=reference_script,
    )
    for n in range(args.pairs):
        for attempt in range(3):
            if n % 2 == 0:  # alternate which of the two runs first
                bare = run(REFERENCE, reference_headers, reference_script)
                measured = run(page.path, client.headers(), script)
            else:
                measured = run(page.path, client.headers(), script)
                bare = run(REFERENCE, reference_headers, reference_script)
            pair = Pair(measured, bare)
            if pair.foreign <= DISTURBED:
                break
            if attempt == 2:
                result.disturbed += 1
        result.pairs.append(pair)
        say(
            f"  {page.name:<24} pair {n + 1}: {measured.rps:8.1f} req/s, reference "
            f"{bare.rps:8.1f}, ratio {pair.ratio:.3f}, other work {pair.foreign:.0%}"
        )
    return result


SIGN_IN_SCRIPT = """
wrk.method = "POST"
wrk.body = "%(body)s"
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
wrk.headers["Origin"] = "%(origin)s"
wrk.headers["Referer"] = "%(origin)s/sign-in/"
wrk.headers["Cookie"] = "%(cookie)s"
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) unexpected = 0 end
function response(status, headers, body) if status ~= 302 then unexpected = unexpected + 1 end end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("unexpected") end
  io.write(string.format("unexpected %%d\\n", total))
end
"""


def sign_in_script(port: int, password: str) -> tuple[Client, str]:
    """A signed-out client holding a CSRF cookie, and the wrk script that signs in with it."""
    client = Client("127.0.0.1", port)
    token = client.csrf_token("/sign-in/")
    body = urllib.parse.urlencode({CSRF_FIELD: token, "username": REVIEWER, "password": password})
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    client.cookies.clear()  # the script sends the cookie itself
    return client, SIGN_IN_SCRIPT % {"body": body, "origin": client.origin, "cookie": cookie}


@dataclass
class Export:
    rows: int
    seconds: float
    peak_rss_mb: float
    other_work: float  # share of the machine other processes took meanwhile

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds


def _rss_mb(pids: list[int]) -> float:
    peak = 0.0
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        match = re.search(r"VmRSS:\s+(\d+) kB", status)
        if match:
            peak = max(peak, int(match.group(1)) / 1024)
    return peak


def measure_export(
    client: Client, port: int, path: str, workers: list[int], args: argparse.Namespace
) -> Export:
    """One CSV download, read as it streams; the serving worker's RSS sampled meanwhile."""
    database = urllib.parse.urlsplit(args.database_url).path.lstrip("/")
    before = snapshot(args.server_group, database)
    mine = time.process_time()
    import http.client

    peak = [0.0]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], _rss_mb(workers))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    started = time.monotonic()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    connection.request("GET", path, headers=client.headers())
    answer = connection.getresponse()
    if answer.status != 200:
        raise RuntimeError(f"The export answered {answer.status}")
    rows = sum(1 for _ in csv.reader(io.TextIOWrapper(answer, encoding="utf-8-sig"))) - 1
    seconds = time.monotonic() - started
    done.set()
    sampler.join()
    connection.close()
    after = snapshot(args.server_group, database)
    spent = (after.server - before.server) + (after.database - before.database)
    spent += time.process_time() - mine  # this process read and parsed the download
    other = max(0.0, (after.busy - before.busy) - spent) / max(after.total - before.total, 1e-9)
    return Export(rows, seconds, peak[0], other)


def first_report(client: Client, list_path: str) -> str:
    """The first report the list at `list_path` links to (a path of the same type)."""
    prefix = re.escape(list_path.split("?")[0])
    match = re.search(f'href="({prefix}[0-9a-f-]{{36}}/)"', client.get(list_path).body)
    if match is None:
        raise RuntimeError(f"{list_path} shows no report to open")
    return match.group(1)


# --- the whole run ----------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/qm_bench")
    parser.add_argument("--reports", type=int, default=1_000_000)
    parser.add_argument("--sr-reports", type=int, default=200_000)
    parser.add_argument("--qoc-cases", type=int, default=1_000_000)
    parser.add_argument("--ohr-notifications", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--only", help="measure only the pages whose name contains this")
    parser.add_argument("--no-write", action="store_true", help="print only; leave the files")
    parser.add_argument(
        "--audit-database-url",
        default="postgres://postgres@127.0.0.1:5432/qm_bench_audit",
        help="the audit part's own database (re-created, then dropped)",
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    if args.only == "audit":
        figures = {
            "audit": measure_audit(args),
            "date": datetime.now(UTC).isoformat(timespec="minutes"),
        }
        if not args.no_write:
            write_audit_only(figures)
        return 0 if all(check["met"] for check in figures["audit"]["targets"]) else 1
    env = environment(args.database_url)
    ensure_database(args, env)
    ensure_added(args, env, "sr_report", "bench.seed_sr")
    ensure_added(args, env, "qoc_case", "bench.seed_qoc")
    ensure_added(args, env, "ohr_report", "bench.seed_ohr")
    # Production settings serve hashed static file names from the manifest collectstatic writes.
    subprocess.run(  # noqa: S603
        [PYTHON, "manage.py", "collectstatic", "--no-input", "--verbosity", "0"],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    port = free_port()
    OUT.mkdir(parents=True, exist_ok=True)
    server = start_gunicorn(port, env, OUT / "gunicorn.log", workers=2, timeout=120)
    args.server_group = server.pid
    try:
        figures = measure_all(args, port, server, env)
    finally:
        stop_group(server)
    if not args.only:
        figures["audit"] = measure_audit(args)
        figures["targets"] += figures["audit"]["targets"]
    if not args.no_write:
        write(figures)
    return 0 if all(check["met"] for check in figures["targets"]) else 1


def measure_audit(args: argparse.Namespace) -> dict[str, Any]:
    """The audit trail's part (bench/audit.py), after the pages: its writers would disturb them."""
    from . import audit

    say("audit trail")
    return audit.measure(args.audit_database_url, args.seconds, audit.WRITERS, keep=False)


def write_audit_only(figures: dict[str, Any]) -> None:
    """`--only audit`: the audit block of docs/performance.md and its key in results.json."""

    results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    results["audit"] = {**figures["audit"], "date": figures["date"]}
    RESULTS.write_text(json.dumps(results, indent=2, default=str) + "\n")
    _replace_block(AUDIT_START, AUDIT_END, audit_markdown(figures["audit"], figures["date"]))
    say(f"Wrote the audit part of {REPORT.relative_to(ROOT)} and {RESULTS.relative_to(ROOT)}")


def measure_all(
    args: argparse.Namespace, port: int, server: subprocess.Popen[bytes], env: dict[str, str]
) -> dict[str, Any]:
    password = demo_password()
    reviewer = Client("127.0.0.1", port)
    reviewer.sign_in(REVIEWER, password)
    since = (datetime.now(UTC).date() - timedelta(days=730)).isoformat()
    list_path = f"/iad/reports/?status=closed&status=in_review&occurred_from={since}&sort=-created"
    sr_path = f"/sr/reports/?status=accepted&status=submitted&occurred_from={since}&sort=-created"
    qoc_path = f"/qoc/reports/?status=closed&status=investigating&occurred_from={since}"
    ohr_path = f"/ohr/reports/?status=accepted&status=submitted&occurred_from={since}"
    manager = Client("127.0.0.1", port, cookies=staff_session(MANAGER, env))
    ohr_staff = Client("127.0.0.1", port, cookies=staff_session(OHR_STAFF, env))
    pages = [
        # The reference as earlier runs measured it: signed out, the middleware's redirect to
        # the sign-in page, not a view (kept to compare with the figures of before).
        Page("signed-out bare view (a redirect)", REFERENCE, None, expect=302),
        Page("sign-in page", "/sign-in/", None),
        Page("reviewer's home page", "/", REVIEWER, 0.40),
        Page("report list, filtered", list_path, REVIEWER, 0.20),
        Page("S&R list, filtered", sr_path, REVIEWER, 0.20),
        Page("QOC list, filtered", qoc_path, REVIEWER, 0.20),
        Page("OHR list, filtered, statewide", ohr_path, OHR_STAFF, 0.20),
        # A year of cases of every plan (about 200,000 at a million), counted five ways: as a
        # manager sees it again within QOC_TRENDS_SECONDS, and counted for a new period each time.
        Page("QOC trends, a year statewide, kept", "/qoc/trends/", MANAGER, 0.20),
        Page(
            "QOC trends, a new year statewide each time, counted",
            "/qoc/trends/",
            MANAGER,
            COUNTED_TRENDS_RATIO,
            connections=2,
            p99_target_ms=COUNTED_TRENDS_P99_MS,
            script=NEW_PERIOD_SCRIPT + STATUS_SCRIPT % {"status": 200},
        ),
        Page("report", first_report(reviewer, list_path), REVIEWER, 0.30),
        Page("S&R report", first_report(reviewer, sr_path), REVIEWER, 0.30),
        Page("QOC case", first_report(reviewer, qoc_path), REVIEWER, 0.30),
        Page("OHR notification", first_report(ohr_staff, ohr_path), OHR_STAFF, 0.30),
    ]
    results = []
    for page in pages:
        if args.only and args.only not in page.name:
            continue
        personas = {REVIEWER: reviewer, MANAGER: manager, OHR_STAFF: ohr_staff}
        client = personas.get(page.persona or "") or Client("127.0.0.1", port)
        say(f"{page.name} ({page.path})")
        results.append(measure_page(page, client, reviewer, port, args))
    if not args.only or args.only in COUNTED_HOME:
        say(COUNTED_HOME)
        results.append(measure_counted_home(args, env, password))
    sign_ins = None
    if not args.only or args.only in "sign-in POST":
        say("sign-in POST")
        signer, script = sign_in_script(port, password)
        sign_ins = measure_page(
            Page("sign-in POST", "/sign-in/", None, method="POST", expect=302),
            signer,
            reviewer,
            port,
            args,
            script,
        )
    exports = []
    if not args.only or args.only in "CSV export":
        for n in range(3):
            exports.append(
                measure_export(
                    reviewer, port, "/iad/reports/export/csv/", worker_pids(server), args
                )
            )
            last = exports[-1]
            say(
                f"CSV export {n + 1}: {last.rows:,} rows in {last.seconds:.1f} s, "
                f"peak RSS {last.peak_rss_mb:.0f} MB, other work {last.other_work:.0%}"
            )
    return summarize(args, results, sign_ins, exports)


def measure_counted_home(args: argparse.Namespace, env: dict[str, str], password: str) -> Result:
    """The reviewer's home with nothing kept, on a server of its own started with
    HOME_COUNTS_SECONDS=0, measured against that server's reference."""
    port = free_port()
    log = OUT / "gunicorn-counted-home.log"
    server = start_gunicorn(port, {**env, "HOME_COUNTS_SECONDS": "0"}, log, workers=2, timeout=120)
    shared_group, args.server_group = args.server_group, server.pid
    try:
        reviewer = Client("127.0.0.1", port)
        reviewer.sign_in(REVIEWER, password)
        page = Page(
            COUNTED_HOME, "/", REVIEWER, COUNTED_HOME_RATIO, p99_target_ms=COUNTED_HOME_P99_MS
        )
        return measure_page(page, reviewer, reviewer, port, args)
    finally:
        stop_group(server)
        args.server_group = shared_group


def summarize(
    args: argparse.Namespace, results: list[Result], sign_ins: Result | None, exports: list[Export]
) -> dict[str, Any]:
    pages = [r.summary() for r in results]
    targets = []
    for page in pages:
        if page["target_ratio"]:
            targets.append(
                {
                    "what": f"{page['page']}: req/s ÷ reference ≥ {page['target_ratio']}",
                    "value": round(page["ratio"], 3),
                    "met": page["ratio"] >= page["target_ratio"],
                }
            )
            targets.append(
                {
                    "what": f"{page['page']}: p99 ≤ {page['p99_target_ms']:g} ms at "
                    f"{page['connections']} connections",
                    "value": round(page["p99_ms"], 1),
                    "met": page["p99_ms"] <= page["p99_target_ms"],
                }
            )
        if page["page"] == "report list, filtered":
            targets.append(
                {
                    "what": "report list: CPU per request at most 5 times the reference's",
                    "value": round(page["cpu_ratio"], 2),
                    "met": page["cpu_ratio"] <= 5,
                }
            )
    signed = sign_ins.summary() if sign_ins else None
    if signed:
        targets.append(
            {
                "what": "sign-ins per second ≥ 10 (Argon2id 19 MiB, 2 passes, 1 lane)",
                "value": round(signed["rps"], 1),
                "met": signed["rps"] >= 10,
            }
        )
    export = None
    if exports:
        export = {
            "rows": exports[0].rows,
            "rows_per_second": statistics.median(e.rows_per_second for e in exports),
            "rows_per_second_all": [round(e.rows_per_second) for e in exports],
            "peak_rss_mb": max(e.peak_rss_mb for e in exports),
            "other_work": [round(e.other_work, 2) for e in exports],
        }
        targets.append(
            {
                "what": "CSV export ≥ 40,000 rows/s",
                "met": export["rows_per_second"] >= 40_000,
                "value": round(export["rows_per_second"]),
            }
        )
        targets.append(
            {
                "what": "CSV export peak RSS < 150 MB",
                "met": export["peak_rss_mb"] < 150,
                "value": round(export["peak_rss_mb"]),
            }
        )
    # A page measured while answering anything but what a person gets is a false figure.
    wrong = sum(page["errors"] for page in pages) + (signed["errors"] if signed else 0)
    targets.append(
        {
            "what": "every answer as a person gets it (200; 302 for the redirect and sign-in)",
            "value": f"{wrong} other",
            "met": wrong == 0,
        }
    )
    for target in targets:
        say(f"{'met    ' if target['met'] else 'MISSED '} {target['what']}: {target['value']}")
    return {
        "date": datetime.now(UTC).isoformat(timespec="minutes"),
        "machine": {
            "cores": CORES,
            "python": platform.python_version(),
            "load_average_at_end": os.getloadavg(),
        },
        "settings": {
            "reports": args.reports,
            "sr_reports": args.sr_reports,
            "qoc_cases": args.qoc_cases,
            "ohr_notifications": args.ohr_notifications,
            "seed": args.seed,
            "pairs": args.pairs,
            "seconds_per_run": args.seconds,
            "connections": args.connections,
        },
        "pages": pages,
        "sign_in": signed,
        "export": export,
        "targets": targets,
    }


AUDIT_START, AUDIT_END = "<!-- bench-audit:start -->", "<!-- bench-audit:end -->"


def write(figures: dict[str, Any]) -> None:
    RESULTS.write_text(json.dumps(figures, indent=2, default=str) + "\n")
    _replace_block("<!-- bench:start -->", "<!-- bench:end -->", markdown(figures))
    if figures.get("audit"):
        _replace_block(AUDIT_START, AUDIT_END, audit_markdown(figures["audit"], figures["date"]))
    say(f"Wrote {REPORT.relative_to(ROOT)} and {RESULTS.relative_to(ROOT)}")


def _replace_block(start: str, end: str, table: str) -> None:
    text = REPORT.read_text() if REPORT.exists() else "# Performance\n"
    block = f"{start}\n{table}{end}"
    if start in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text += f"\n## Benchmarks (make bench)\n\n{block}\n"
    REPORT.write_text(text)


def audit_markdown(audit_figures: dict[str, Any], date: str) -> str:
    from . import audit

    lines = [
        f"Latest run of the audit part: {date} UTC, {CORES} cores.",
        *audit.markdown(audit_figures),
    ]
    lines += ["", "| target | value | met |", "|---|---:|---|"]
    lines += [
        f"| {t['what']} | {t['value']} | {'yes' if t['met'] else '**no**'} |"
        for t in audit_figures["targets"]
    ]
    return "\n".join(lines) + "\n"


def markdown(figures: dict[str, Any]) -> str:
    s = figures["settings"]
    lines = [
        f"Latest run: {figures['date']} UTC, {figures['machine']['cores']} cores, "
        f"{s['reports']:,} incident reports, {s.get('sr_reports', 0):,} S&R reports, "
        f"{s.get('qoc_cases', 0):,} quality-of-care cases and "
        f"{s.get('ohr_notifications', 0):,} special assistance notifications, "
        f"{s['pairs']} pairs of {s['seconds_per_run']:g} s per page at "
        f"{s['connections']} connections (sign-in POST at 4). Ratios are the median of the pair "
        "ratios (min-max); the reference is a bare view behind the same middleware, signed in as "
        "the reviewer (it answers 200).",
        "",
        "| page | req/s | ÷ reference (min-max) | p50 ms | p99 ms | server CPU µs/req | "
        "PostgreSQL CPU µs/req | CPU ÷ reference | spread | disturbed pairs |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    rows = list(figures["pages"]) + ([figures["sign_in"]] if figures["sign_in"] else [])
    lines += [
        f"| {p['page']} | {p['rps']:,.1f} | {p['ratio']:.3f} ({p['ratio_min']:.3f}-"
        f"{p['ratio_max']:.3f}) | {p['p50_ms']:.1f} | {p['p99_ms']:.1f} | "
        f"{p['server_cpu_us']:,.0f} | {p['database_cpu_us']:,.0f} | {p['cpu_ratio']:.2f} | "
        f"{p['rps_spread']:.0%} | {p['disturbed_pairs']} |"
        for p in rows
    ]
    if rows:
        lines += [
            "",
            f"Reference: {rows[0]['reference_rps']:,.0f} req/s, "
            f"{rows[0]['reference_cpu_us']:,.0f} µs of CPU per request (first page's pairs).",
        ]
    if figures["export"]:
        e = figures["export"]
        lines += [
            "",
            f"CSV export: {e['rows']:,} rows, {e['rows_per_second']:,.0f} rows/s "
            f"(runs: {', '.join(f'{r:,}' for r in e['rows_per_second_all'])}), "
            f"peak RSS of the serving worker {e['peak_rss_mb']:.0f} MB; other work took "
            f"{', '.join(f'{w:.0%}' for w in e['other_work'])} of the machine.",
        ]
    lines += ["", "| target | value | met |", "|---|---:|---|"]
    lines += [
        f"| {t['what']} | {t['value']} | {'yes' if t['met'] else '**no**'} |"
        for t in figures["targets"]
    ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
