"""`make load`: simulated people work the portal for a bounded time, then every report they were
told was created is looked for in the database.

Run from the repository root: `python -m bench.load.run --database-url URL [--users N]
[--minutes M]`. It drops and re-creates the qm_load database, migrates it, loads the demo data
and one account per simulated person, serves the portal with production settings on a free
loopback port (gunicorn, and the task worker so that e-mail goes out), runs locust headless
with bench/load/locustfile.py, and prints per request type the count, failures and 95th
percentile, the 5xx answers, and the reconciliation of reports: lost (told, not stored) and
duplicated (stored or told twice for one start page). Exit status 1 on any 5xx answer, any lost,
duplicated or misdirected report, no report at all, or a broken audit chain. Files go to
var/load/ (bench/README.md says which). Everything started here is stopped on exit, Ctrl+C
included.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path
from types import FrameType
from typing import Any

from bench.serve import ROOT, free_port, production_environment, start_gunicorn, stop_group
from tools.security.run_scans import demo_password

from .reconcile import Reconciliation, reconcile

OUT = ROOT / "var" / "load"
PYTHON = sys.executable
# Fixed, so that the demo data sealed while seeding and the events of the run form one chain.
AUDIT_KEY = "load-run-audit-key-for-a-throwaway-database"
# As deploy/gunicorn.conf.py sizes it for this host, with its request timeout.
WORKERS = 2 * (os.cpu_count() or 1) + 1
TIMEOUT = 30


def environment(database_url: str) -> dict[str, str]:
    """Production settings on loopback; e-mail goes to the worker's log (console backend)."""
    return production_environment(database_url, audit_key=AUDIT_KEY, email_url="console://",
                                  name="load")  # fmt: skip


def development(env: dict[str, str]) -> dict[str, str]:
    """For the demo data, which production settings refuse to load."""
    return {**env, "DJANGO_ENV": "development", "DEBUG": "false"}


def manage(env: dict[str, str], *args: str) -> None:
    subprocess.run(  # noqa: S603 (fixed program)
        [PYTHON, *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
    )


def prepare_database(database_url: str, env: dict[str, str], users: int) -> None:
    """Drop and create the load database, migrate it, load the demo data and the accounts."""
    import psycopg
    from psycopg import sql

    parts = urllib.parse.urlsplit(database_url)
    name = parts.path.lstrip("/")
    if parts.hostname not in {"127.0.0.1", "localhost"} or not name.startswith("qm_load"):
        raise SystemExit("The load database must be a qm_load* database on 127.0.0.1.")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    seed = development(env)
    manage(seed, "manage.py", "migrate", "--no-input", "--verbosity", "0")
    manage(seed, "manage.py", "seed_demo")
    roster = OUT / "roster.json"
    manage(seed, "-m", "bench.load.database", "accounts", "--users", str(users), "--out",
           str(roster))  # fmt: skip
    # Production settings serve hashed static file names from the manifest collectstatic writes.
    manage(env, "manage.py", "collectstatic", "--no-input", "--verbosity", "0")


def start_worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    with (OUT / "worker.log").open("ab") as log:
        return subprocess.Popen(  # noqa: S603 (fixed program)
            [PYTHON, "manage.py", "db_worker", "--no-reload", "--no-startup-delay",
             "--interval", "1"],
            cwd=ROOT, env=env, start_new_session=True, stdin=subprocess.DEVNULL,
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip


def start_sealer(env: dict[str, str]) -> subprocess.Popen[bytes]:
    """The audit sealer, as deploy/systemd/qmportal-sealer.service runs it (ADR 0024)."""
    with (OUT / "sealer.log").open("ab") as log:
        return subprocess.Popen(  # noqa: S603 (fixed program)
            [PYTHON, "manage.py", "seal_audit", "--forever"],
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def run_locust(port: int, args: argparse.Namespace, password: str) -> subprocess.Popen[bytes]:
    """locust headless for the run's minutes; simulated people then get up to 30 seconds to
    finish what they are doing, so no answer is cut off."""
    spawn_rate = args.spawn_rate or max(1.0, args.users / 20)
    command = [
        str(ROOT / ".venv" / "bin" / "locust"), "--headless",
        "--locustfile", str(Path(__file__).with_name("locustfile.py")),
        "--users", str(args.users), "--spawn-rate", str(spawn_rate),
        "--run-time", f"{round(args.minutes * 60)}s", "--stop-timeout", "30",
        "--host", f"http://127.0.0.1:{port}", "--csv", str(OUT / "locust"), "--only-summary",
        "--loglevel", "WARNING", "--logfile", str(OUT / "locust.log"),
        "--exit-code-on-error", "0",
    ]  # fmt: skip
    env = {**os.environ, "LOAD_OUT": str(OUT), "LOAD_PASSWORD": password,
           "LOAD_RESEND": str(args.resend), "PYTHONPATH": str(ROOT)}  # fmt: skip
    with (OUT / "locust.out").open("ab") as log:
        return subprocess.Popen(  # noqa: S603 (fixed program)
            command, cwd=ROOT, env=env, start_new_session=True, stdin=subprocess.DEVNULL,
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip


def wait_for_outbox(database_url: str, seconds: float = 60) -> None:
    """Give the task worker a moment to send what the last requests queued."""
    import psycopg

    deadline = time.monotonic() + seconds
    with psycopg.connect(database_url, autocommit=True) as connection:
        while time.monotonic() < deadline:
            row = connection.execute(
                "SELECT count(*) FROM core_outboundemail WHERE status = 'queued'"
            ).fetchone()
            if row is None or row[0] == 0:
                return
            time.sleep(1)


def refuse_second_run() -> None:
    """Two runs would share var/load and the qm_load database."""
    try:
        pid = int((OUT / "run.pid").read_text())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return
    raise SystemExit(f"Another make load (process {pid}) is running.")


def run(args: argparse.Namespace) -> int:
    refuse_second_run()
    shutil.rmtree(OUT, ignore_errors=True)  # the files describe one run only
    OUT.mkdir(parents=True)
    (OUT / "run.pid").write_text(str(os.getpid()))
    env = environment(args.database_url)
    say(f"Preparing {urllib.parse.urlsplit(args.database_url).path.lstrip('/')}: migrations, "
        f"demo data, an account for each of the {args.users} people, static files")  # fmt: skip
    prepare_database(args.database_url, env, args.users)
    port, started = free_port(), []
    try:
        started.append(start_gunicorn(port, env, OUT / "gunicorn.log", workers=WORKERS,
                                      timeout=TIMEOUT))  # fmt: skip
        started.append(start_worker(env))
        started.append(start_sealer(env))
        say(f"Portal on 127.0.0.1:{port} ({WORKERS} gunicorn workers, production settings); "
            f"{args.users} people for {args.minutes:g} minutes")  # fmt: skip
        load = run_locust(port, args, demo_password())
        started.append(load)
        try:
            load.wait(timeout=args.minutes * 60 + 180)
        except subprocess.TimeoutExpired:
            say("locust overran its time bound and was stopped; the figures may be partial")
        wait_for_outbox(args.database_url)
    finally:
        for process in reversed(started):
            stop_group(process)
    manage(development(env), "-m", "bench.load.database", "facts", "--out",
           str(OUT / "facts.json"))  # fmt: skip
    return report(args)


# --- what the run shows -------------------------------------------------------------------------
def say(text: str) -> None:
    print(text, flush=True)


def request_rows() -> list[dict[str, str]]:
    with (OUT / "locust_stats.csv").open(newline="") as stats:
        return list(csv.DictReader(stats))


def client_counts() -> dict[str, int]:
    counts: dict[str, int] = {}
    for path in OUT.glob("counts-*.json"):
        for key, value in json.loads(path.read_text()).items():
            counts[key] = counts.get(key, 0) + value
    return counts


def client_exceptions() -> int:
    """Errors in the simulated people's own code (locust logs them and goes on)."""
    with (OUT / "locust_exceptions.csv").open(newline="") as found:
        return sum(int(row["Count"]) for row in csv.DictReader(found))


def server_errors() -> int:
    """Tracebacks and timed-out workers in the server's own log (a cross-check of the 5xx
    the clients saw)."""
    log = (OUT / "gunicorn.log").read_text(errors="replace")
    return log.count("Internal Server Error:") + log.count("WORKER TIMEOUT")


def report(args: argparse.Namespace) -> int:
    rows, counts = request_rows(), client_counts()
    facts = json.loads((OUT / "facts.json").read_text())
    found = reconcile(OUT.glob("ledger-*.jsonl"), facts)
    failures = sum(int(row["Failure Count"]) for row in rows if row["Name"] != "Aggregated")
    say(table(rows))
    say(f"\n5xx answers: {counts.get('5xx', 0)}   failures: {failures}   "
        f"server log errors: {server_errors()}   client errors: {client_exceptions()}   "
        f"conflicts (someone else acted first): {counts.get('conflicts', 0)}")  # fmt: skip
    say(found.summary())
    outbox = facts["outbox"]
    say(f"E-mail: {outbox.get('sent', 0)} sent, {outbox.get('queued', 0)} queued, "
        f"{outbox.get('failed', 0)} failed. Audit chain: {facts['audit_events']} events, "
        f"{'intact' if not facts['audit_problems'] else 'BROKEN'}.")  # fmt: skip
    failed = counts.get("5xx", 0) > 0 or not found.passed or facts["audit_problems"] > 0
    write_summary(args, rows, counts, failures, found, facts)
    say(f"\n{'FAILED' if failed else 'PASSED'}; files in {OUT.relative_to(ROOT)}/")
    return 1 if failed else 0


def table(rows: list[dict[str, str]]) -> str:
    lines = [f"{'request':<58}{'count':>8}{'failed':>8}{'p95 ms':>9}"]
    for row in sorted(rows, key=lambda r: (r["Name"] == "Aggregated", r["Name"], r["Type"])):
        label = "all requests" if row["Name"] == "Aggregated" else f"{row['Type']} {row['Name']}"
        lines.append(f"{label[:57]:<58}{row['Request Count']:>8}{row['Failure Count']:>8}"
                     f"{row['95%']:>9}")  # fmt: skip
    return "\n".join(lines)


def write_summary(args: argparse.Namespace, rows: list[dict[str, str]], counts: dict[str, int],
                  failures: int, found: Reconciliation, facts: dict[str, Any]) -> None:  # fmt: skip
    summary = {
        "users": args.users, "minutes": args.minutes, "workers": WORKERS,
        "requests": {f"{r['Type']} {r['Name']}": {"count": int(r["Request Count"]),
                     "failures": int(r["Failure Count"]), "p95_ms": r["95%"]} for r in rows},
        "5xx": counts.get("5xx", 0), "failures": failures, "conflicts": counts.get("conflicts", 0),
        "reports": found.figures(), "outbox": facts["outbox"],
        "audit_events": facts["audit_events"], "audit_problems": facts["audit_problems"],
    }  # fmt: skip
    (OUT / "summary.json").write_text(json.dumps(summary, indent=1))


def _stop_on_signal(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # unwinds through the finally block that stops the processes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/qm_load")
    # LOAD_USERS and LOAD_MINUTES reach the defaults through `make load` too.
    parser.add_argument("--users", type=int, default=int(os.environ.get("LOAD_USERS", "50")),
                        help="simulated people (default 50)")  # fmt: skip
    parser.add_argument("--minutes", type=float, default=float(os.environ.get("LOAD_MINUTES", "5")),
                        help="how long they work (default 5)")  # fmt: skip
    parser.add_argument("--spawn-rate", type=float, default=0, help="people started per second "
                        "(default: all within about 20 seconds)")  # fmt: skip
    parser.add_argument(
        "--resend",
        type=float,
        default=0.2,
        help="share of report starts sent twice with one key (default 0.2)",
    )
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, _stop_on_signal)
    signal.signal(signal.SIGINT, _stop_on_signal)
    try:
        return run(args)
    except KeyboardInterrupt:
        say("Interrupted: the portal, the task worker and locust were stopped.")
        return 130
    finally:
        mine = OUT / "run.pid"
        if mine.exists() and mine.read_text() == str(os.getpid()):
            mine.unlink()


if __name__ == "__main__":
    sys.exit(main())
