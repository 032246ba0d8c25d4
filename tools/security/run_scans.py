"""`make security`: the portal on 127.0.0.1 with PostgreSQL and the scan-only settings, sqlmap and
wapiti against it, suppressions applied, a summary, and a non-zero exit on any finding.

Run from the repository root: `python -m tools.security.run_scans --database-url URL`.
Reports go to var/security/. Everything started here is stopped on exit, Ctrl+C included.
"""

from __future__ import annotations

import argparse
import json
import os
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

from . import sqlmap_scan, wapiti_scan
from .findings import Finding, apply_suppressions, load_suppressions, stop_group
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


def session_alive(client: PortalClient) -> bool:
    status, final, _ = client.fetch("/account/")
    return status == 200 and final == "/account/"


def run(args: argparse.Namespace) -> int:
    out = ROOT / "var" / "security"
    shutil.rmtree(out, ignore_errors=True)  # the reports describe one run only
    out.mkdir(parents=True)
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
    if args.limit_targets:
        targets = targets[: args.limit_targets]
    deadline = started + args.minutes * 60
    wapiti_client = sign_in(base, password, WAPITI_PERSONA)
    wapiti_client.write_wapiti_cookies(out / "wapiti-cookies.json")
    with ThreadPoolExecutor(max_workers=2) as pool:
        wapiti_job = pool.submit(
            wapiti_scan.scan,
            base,
            out / "wapiti-cookies.json",
            [PLANTED_XSS, *PUBLIC_START],
            out,
            deadline - time.monotonic() - 150,
        )
        sqlmap_job = pool.submit(
            sqlmap_scan.scan,
            targets,
            lambda who: sign_in(base, password, who),
            out / "sqlmap",
            deadline - 60,
        )
        wapiti_findings, wapiti_run = wapiti_job.result()
        sqlmap_findings, sqlmap_records = sqlmap_job.result()
    wapiti_run.extra["session_alive_at_end"] = session_alive(wapiti_client)
    return report(out, started, wapiti_findings, wapiti_run, sqlmap_findings, sqlmap_records)


def report(
    out: Path,
    started: float,
    wapiti_findings: list[Finding],
    wapiti_run: wapiti_scan.Run,
    sqlmap_findings: list[Finding],
    sqlmap_records: list[dict[str, object]],
) -> int:
    """Print the summary table, write var/security/summary.json, return the exit status."""
    rules = load_suppressions()
    findings = wapiti_findings + sqlmap_findings
    apply_suppressions(findings, rules)
    open_findings = [f for f in findings if not f.planted and not f.suppressed_by]
    sql_caught = any(f.planted and f.kind == "SQL injection" for f in sqlmap_findings)
    xss_caught = any(f.planted and "Cross Site Scripting" in f.kind for f in wapiti_findings)
    sqlmap_seconds = sum(int(str(r.get("seconds", 0))) for r in sqlmap_records)
    rows = [
        ("sqlmap", len(sqlmap_records), sqlmap_findings, sql_caught, sqlmap_seconds),
        (
            "wapiti",
            wapiti_scan.attacked_urls(wapiti_run.log),
            wapiti_findings,
            xss_caught,
            round(wapiti_run.seconds),
        ),
    ]
    print(
        f"\n{'scanner':<8} {'targets':>7} {'findings':>8} {'suppressed':>10} "
        f"{'planted caught':>14} {'seconds':>8}"
    )
    for name, count, found, caught, seconds in rows:
        portal = [f for f in found if not f.planted]
        suppressed = sum(1 for f in portal if f.suppressed_by)
        print(
            f"{name:<8} {count:>7} {len(portal) - suppressed:>8} {suppressed:>10} "
            f"{'yes' if caught else 'NO':>14} {seconds:>8}"
        )
    incomplete = [r for r in sqlmap_records if r.get("status") != "exit 0"]
    print(f"\nsqlmap targets not completed: {len(incomplete)} of {len(sqlmap_records)}")
    for record in incomplete:
        print(f"  {record['method']} {record['url']}: {record.get('status')}")
    print(
        f"wapiti: {wapiti_run.extra}; exit {wapiti_run.returncode}"
        f"{' (timed out)' if wapiti_run.timed_out else ''}"
    )
    for finding in open_findings:
        print(
            f"FINDING {finding.scanner} {finding.kind} {finding.path} "
            f"[{finding.parameter}] {finding.detail[:200]}"
        )
    for rule in rules:
        if not rule.used:
            print(f"note: suppression not used this run: {rule.scanner} {rule.kind}")
    total = round(time.monotonic() - started)
    print(f"\nTotal time: {total // 60} min {total % 60} s. Reports: {out}")
    summary = {
        "seconds": total,
        "sqlmap": sqlmap_records,
        "wapiti": wapiti_run.extra,
        "planted_caught": {"sqlmap": sql_caught, "wapiti": xss_caught},
        "findings": [vars(f) for f in findings],
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2, default=str))
    ok = sql_caught and xss_caught and not open_findings
    ok = ok and bool(wapiti_run.extra["session_alive_at_end"])
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


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
    parser.add_argument("--limit-targets", type=int, default=0, help="sqlmap: first N only")
    signal.signal(signal.SIGTERM, _stop_on_signal)
    return run(parser.parse_args())


if __name__ == "__main__":
    sys.exit(main())
