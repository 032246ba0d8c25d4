"""`make faults`: the fault drills, on a private PostgreSQL cluster made for the run.

    python -m bench.faults.run [--drills a,b,c,d,e]

Creates a temporary folder with its own PostgreSQL cluster (initdb, a free port on 127.0.0.1),
an SMTP server (aiosmtpd), gunicorn, two task workers and the audit sealer, all on loopback;
loads the demo data; runs the drills; prints each drill's figures; exits non-zero if any drill
lost or duplicated anything. Everything started here is stopped and the folder removed on exit,
Ctrl+C included; the logs are copied to var/faults/ first.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import signal
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType

import psycopg

from bench.serve import ROOT, free_port

from . import backup_restore, db_restart, kills, sealer, smtp_outage
from .cluster import Cluster
from .context import Context, Result
from .journeys import ABORT, Facts
from .mail import Sink
from .portal import Portal, Sealer, TaskWorkers

OUT = ROOT / "var" / "faults"
DATABASE = "qm_faults"


def say(text: str = "") -> None:
    print(text, flush=True)


def facts(ctx_portal: Portal, url: str) -> Facts:
    password = ctx_portal.manage(
        "shell",
        "--verbosity",
        "0",
        "-c",
        "from django.conf import settings; print(settings.DEMO_PASSWORD)",
    ).strip()
    with psycopg.connect(url) as connection:
        plan = connection.execute(
            "SELECT id FROM registry_organization WHERE kind = 'health_plan' ORDER BY id LIMIT 1"
        ).fetchone()
        kind = connection.execute(
            "SELECT id FROM iad_incidenttype WHERE active AND NOT sentinel ORDER BY id LIMIT 1"
        ).fetchone()
    if plan is None or kind is None:
        raise SystemExit("The demo data has no health plan or incident type.")
    return Facts(password, int(plan[0]), int(kind[0]))


def set_up(stack: ExitStack, folder: Path, args: argparse.Namespace) -> Context:
    cluster = Cluster(folder, free_port())
    stack.callback(cluster.shutdown)
    cluster.init()
    cluster.start()
    cluster.create_database(DATABASE)
    sink = Sink(free_port())
    sink.start()
    stack.callback(sink.stop)
    portal = Portal(folder, cluster.url(DATABASE), sink.port)
    stack.callback(portal.stop)
    say("Migrating the drill database and loading the demo data …")
    portal.manage("migrate", "--no-input", "--verbosity", "0")
    portal.manage("seed_demo")
    portal.start_web(workers=args.web_workers)
    workers = TaskWorkers(portal, count=args.task_workers)
    stack.callback(workers.stop)
    workers.start()
    audit_sealer = Sealer(portal)  # as deploy/systemd/qmportal-sealer.service runs it
    stack.callback(audit_sealer.stop)
    audit_sealer.start()
    return Context(
        cluster, DATABASE, portal, workers, sink, facts(portal, cluster.url(DATABASE)), audit_sealer
    )


def run_drills(ctx: Context, args: argparse.Namespace) -> list[Result]:
    chosen = set(args.drills.split(","))
    plan = [
        ("a", lambda: db_restart.run(ctx, clients=args.clients)),
        ("b", lambda: smtp_outage.run(ctx, count=args.emails, down_seconds=args.smtp_down)),
        (
            "c",
            lambda: kills.run(
                ctx, seconds=args.kill_seconds, clients=args.clients, batch=args.batch
            ),
        ),
        ("d", lambda: backup_restore.drill(ctx)),
        ("e", lambda: sealer.run(ctx)),
    ]
    results = []
    for key, drill in plan:
        if key in chosen:
            started = time.monotonic()
            result = drill()
            result.add("drill time", f"{time.monotonic() - started:.0f} s")
            show(result)
            results.append(result)
    return results


def show(result: Result) -> None:
    say()
    say(f"{result.name}: {'PASSED' if result.passed else 'FAILED'}")
    width = max(len(label) for label, _ in result.figures)
    for label, value in result.figures:
        say(f"  {label:<{width}}  {value}")
    for failure in result.failures:
        say(f"  ! {failure}")


def machine() -> str:
    load = os.getloadavg()
    return (
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, {os.cpu_count()} cores, "
        f"load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f} at the start"
    )


def keep_logs(folder: Path) -> None:
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True, exist_ok=True)
    if (folder / "logs").exists():
        shutil.copytree(folder / "logs", OUT / "logs")
    if (folder / "postgres.log").exists():
        shutil.copy(folder / "postgres.log", OUT / "postgres.log")


def _stop_on_signal(signum: int, frame: FrameType | None) -> None:
    ABORT.set()  # clients waiting out a fault give up at once
    raise KeyboardInterrupt  # unwinds through the clean-up


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--drills", default="a,b,c,d,e", help="which drills, e.g. a,c")
    parser.add_argument("--clients", type=int, default=3, help="people filing reports at once")
    parser.add_argument("--emails", type=int, default=100, help="(b) e-mails queued")
    parser.add_argument("--smtp-down", type=float, default=120, help="(b) seconds away")
    parser.add_argument("--kill-seconds", type=float, default=60, help="(c) seconds of kills")
    parser.add_argument("--batch", type=int, default=60, help="(c) e-mails queued per kill")
    parser.add_argument("--web-workers", type=int, default=3)
    parser.add_argument("--task-workers", type=int, default=2)
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, _stop_on_signal)
    signal.signal(signal.SIGINT, _stop_on_signal)
    say(f"Fault drills: {machine()}")
    folder = Path(tempfile.mkdtemp(prefix="qm-faults-"))
    results: list[Result] = []
    stack = ExitStack()
    try:
        stack.callback(keep_logs, folder)
        results = run_drills(set_up(stack, folder, args), args)
    except KeyboardInterrupt:
        say("\nInterrupted: stopping everything the drills started.")
        return 130
    finally:
        for number in (signal.SIGINT, signal.SIGTERM):
            signal.signal(number, signal.SIG_IGN)  # the clean-up runs whole
        stack.close()
        shutil.rmtree(folder, ignore_errors=True)
    failed = [result.name for result in results if not result.passed]
    say()
    say(f"{len(results) - len(failed)} of {len(results)} drills passed; logs in {OUT}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
