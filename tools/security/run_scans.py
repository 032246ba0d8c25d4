"""`make security`: the portal on 127.0.0.1 with PostgreSQL and the scan-only settings, sqlmap and
wapiti against it, suppressions applied, a summary, and a non-zero exit on any finding.

Run from the repository root: `python -m tools.security.run_scans --database-url URL`.
Reports go to var/security/. Everything started here is stopped on exit, Ctrl+C included.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import FrameType

from . import sqlmap_scan, summary, wapiti_scan
from .findings import stop_all, stop_group
from .portal_client import CrawlResult, PortalClient

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
# Personas whose pages are crawled for sqlmap targets (None: signed out). The wapiti persona
# files incident reports, so its pages hold the most forms.
PERSONAS: list[str | None] = [
    None,
    "provider.user",
    "provider.master",
    "clinical.director",
    "plan.reviewer",
    "ioc.member",
    "agency.admin",
]
WAPITI_PERSONA = "provider.user"
PUBLIC_START = [
    "/sign-in/",
    "/register/",
    "/forgot-password/",
    "/forgot-password/reset/",
    "/sign-in/activate/",
    "/help/",
]
PLANTED_SQL = "/planted/organizations/?identifier=100001"
PLANTED_XSS = "/planted/echo/?q=hello"


def refuse_second_run(out: Path) -> None:
    """Two runs would share var/security, and the second would delete the first's reports."""
    try:
        pid = int((out / "run.pid").read_text())
        os.kill(pid, 0)
    except (OSError, ValueError):
        return
    raise SystemExit(f"Another make security (process {pid}) is writing {out}.")


def scan_environment(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings_scan",
        "DJANGO_ENV": "development",
        "DJANGO_READ_DOTENV": "false",
        "DATABASE_URL": database_url,
        "PYTHONUNBUFFERED": "1",
    }


def prepare_database(database_url: str, env: dict[str, str]) -> None:
    """Drop and create the scan database, migrate it and load the demo data."""
    import psycopg
    from psycopg import sql

    parts = urllib.parse.urlsplit(database_url)
    name = parts.path.lstrip("/")
    if parts.hostname not in {"127.0.0.1", "localhost"} or not name.startswith("qm_security"):
        raise SystemExit("The scan database must be a qm_security* database on 127.0.0.1.")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        # A throwaway database: durability buys nothing and slows every scanner request.
        connection.execute(
            sql.SQL("ALTER DATABASE {} SET synchronous_commit = off").format(sql.Identifier(name))
        )
    for command in (["migrate", "--no-input", "--verbosity", "0"], ["seed_demo"]):
        subprocess.run(  # noqa: S603 (fixed arguments)
            [PYTHON, "manage.py", *command],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """gunicorn with the scan settings on loopback; returns once /healthz answers 200."""
    server = subprocess.Popen(  # noqa: S603
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "3",
            "--timeout",
            "60",
            "--access-logfile",
            str(log.with_suffix(".access")),
            "--error-logfile",
            str(log),
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = PortalClient(f"http://127.0.0.1:{port}", timeout=5)
    for _ in range(120):
        try:
            if client.fetch("/healthz")[0] == 200:
                return server
        except OSError:
            pass
        if server.poll() is not None:
            break
        time.sleep(0.5)
    stop_group(server)
    raise SystemExit(f"The portal did not start; see {log}")


def crawl_all(base: str, password: str) -> list[tuple[str | None, CrawlResult]]:
    crawls = []
    for persona in PERSONAS:
        client = sign_in(base, password, persona)
        start = PUBLIC_START if persona is None else ["/"]
        crawls.append((persona, client.crawl(start)))
    return crawls


def sign_in(base: str, password: str, persona: str | None) -> PortalClient:
    client = PortalClient(base)
    if persona is not None:
        client.sign_in(persona, password)
    return client


def run(args: argparse.Namespace) -> int:
    out = ROOT / "var" / "security"
    refuse_second_run(out)
    shutil.rmtree(out, ignore_errors=True)  # the reports describe one run only
    out.mkdir(parents=True)
    (out / "run.pid").write_text(str(os.getpid()))
    env = scan_environment(args.database_url)
    started = time.monotonic()
    prepare_database(args.database_url, env)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(port, env, out / "gunicorn.log")
    try:
        return scan(base, out, started, args)
    finally:
        stop_group(server)


def scan(base: str, out: Path, started: float, args: argparse.Namespace) -> int:
    password = demo_password()
    crawls = crawl_all(base, password)
    targets = sqlmap_scan.build_targets(crawls)
    planted_sql = sqlmap_scan.Target(
        WAPITI_PERSONA,
        "GET",
        PLANTED_SQL.split("?")[0],
        PLANTED_SQL.split("?")[0],
        {"identifier": "100001"},
    )
    targets.insert(0, planted_sql)
    if args.only:
        targets = [t for t in targets if t is planted_sql or re.search(args.only, t.url)]
    if args.limit_targets:
        targets = targets[: args.limit_targets]
    deadline = started + args.minutes * 60
    wapiti_client = sign_in(base, password, WAPITI_PERSONA)
    wapiti_client.write_wapiti_cookies(out / "wapiti-cookies.json")
    # Not a `with` block: on Ctrl+C it would wait for the scanners to finish on their own.
    pool = ThreadPoolExecutor(max_workers=2)
    try:
        wapiti_job = pool.submit(
            wapiti_scan.scan,
            base,
            out / "wapiti-cookies.json",
            [PLANTED_XSS, *PUBLIC_START],
            out,
            deadline - time.monotonic() - 300,
        )
        sqlmap_job = pool.submit(
            sqlmap_scan.scan,
            targets,
            lambda who: sign_in(base, password, who),
            out / "sqlmap",
            deadline - 60,
            args.sqlmap_processes,
        )
        wapiti_findings, wapiti_run = wapiti_job.result()
        sqlmap_findings, sqlmap_records = sqlmap_job.result()
    except BaseException:
        stop_all()
        raise
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    wapiti_info = {
        "resources": wapiti_scan.attacked_urls(wapiti_run.log),
        "seconds": round(wapiti_run.seconds),
        "exit": wapiti_run.returncode,
        "timed_out": wapiti_run.timed_out,
        "session_alive_at_end": wapiti_client.signed_in(),
        **wapiti_run.extra,
    }
    findings = wapiti_findings + sqlmap_findings
    total = round(time.monotonic() - started)
    return summary.report(
        out,
        total,
        findings,
        wapiti_info,
        sqlmap_records,
        args.sqlmap_processes,
        summary.requests(out / "gunicorn.access"),
    )


def demo_password() -> str:
    output = subprocess.run(  # noqa: S603
        [PYTHON, "-c", "from django.conf import settings; print(settings.DEMO_PASSWORD)"],
        cwd=ROOT,
        env=scan_environment("sqlite://"),
        check=True,
        capture_output=True,
        text=True,
    )
    return output.stdout.strip()


def _stop_on_signal(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt  # unwinds through the finally blocks that stop the processes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/qm_security")
    parser.add_argument("--minutes", type=float, default=22, help="overall time bound")
    parser.add_argument(
        "--sqlmap-processes", type=int, default=3, help="sqlmap processes run side by side"
    )
    parser.add_argument("--limit-targets", type=int, default=0, help="sqlmap: first N only")
    parser.add_argument(
        "--only", default="", help="sqlmap: targets whose path matches this regex (and the control)"
    )
    parser.add_argument(
        "--rescore", action="store_true", help="only re-apply the suppressions to the last run"
    )
    args = parser.parse_args()
    if args.rescore:
        return summary.rescore(ROOT / "var" / "security")
    # SIGINT too: a shell starting the run in the background makes it ignore Ctrl+C otherwise.
    signal.signal(signal.SIGTERM, _stop_on_signal)
    signal.signal(signal.SIGINT, _stop_on_signal)
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
