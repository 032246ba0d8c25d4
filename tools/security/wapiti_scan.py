"""wapiti (Debian's 3.0.4) over the portal as a signed-in demo account, bounded in time."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

from .findings import Finding, Run, run_bounded

LAUNCHER = Path(__file__).with_name("wapiti_launcher.py")
MODULES = (
    "xss,permanentxss,sql,blindsql,exec,file,crlf,redirect,csp,http_headers,cookieflags,"
    "methods,backup"
)
# wapiti checks --max-attack-time only between resources, so a module overshoots by up to one
# resource's attack; dividing the attack time by more modules than are slow leaves room for that.
SLOW_MODULES = 13
# The reports list's filter form, submitted, is one URL with 16 parameters (each status is one);
# it alone took a module several minutes. sqlmap covers its parameters; wapiti drops it.
MAX_PARAMETERS = 10
# URLs the crawler must not open: sign-out would end the scan's session; the agency door leaves
# loopback for the identity provider; PDFs and exports cost seconds of CPU each and take the
# same filter parameters as the list page, which is scanned.
EXCLUDE = (
    "/sign-out/*",
    "/back-office/logout/*",
    "/sign-in/agency/*",
    "/*/pdf/*",
    "/*/export/*",
    "/static/*",
)


def scan(
    base: str, cookies: Path, start: list[str], out: Path, seconds: float
) -> tuple[list[Finding], Run]:
    """Crawl for up to a fifth of `seconds`, then attack; findings from the JSON report."""
    crawl = max(60, math.floor(seconds / 5))
    attack = max(30, math.floor((seconds - crawl - 60) / SLOW_MODULES))
    report = out / "wapiti.json"
    command = [
        "/usr/bin/python3",
        str(LAUNCHER),
        "-u",
        f"{base}/",
        "--scope",
        "folder",
        "-m",
        MODULES,
        "-c",
        str(cookies),
        "--flush-session",
        "--no-bugreport",
        "--skip",
        "csrfmiddlewaretoken",
        "--max-parameters",
        str(MAX_PARAMETERS),
        "--max-scan-time",
        str(crawl),
        "--max-attack-time",
        str(attack),
        "-t",
        "30",
        "-f",
        "json",
        "-o",
        str(report),
        "--store-session",
        str(out / "session"),
        "--store-config",
        str(out / "config"),
        "-v",
        "1",
        "-A",  # so the portal's access log tells the scanners apart
        "qm-portal-security-scan (wapiti)",
    ]
    for url in start:
        command += ["-s", base + url]
    for pattern in EXCLUDE:
        command += ["-x", base + pattern]
    run = run_bounded(command, out / "wapiti.log", seconds + 240, out)
    run.extra.update(crawl_seconds=crawl, attack_seconds_per_module=attack)
    if not report.exists():
        return [], run
    return parse(json.loads(report.read_text())), run


def parse(report: dict[str, dict[str, list[dict[str, object]]]]) -> list[Finding]:
    """Vulnerabilities and anomalies (server errors, timeouts) both count as findings."""
    findings = []
    for section in ("vulnerabilities", "anomalies"):
        for kind, entries in report.get(section, {}).items():
            for entry in entries:
                findings.append(
                    Finding(
                        "wapiti",
                        kind,
                        str(entry["path"]),
                        f"{entry['method']}: {entry['info']}",
                        str(entry.get("parameter") or ""),
                    )
                )
    return findings


def attacked_urls(log: Path) -> int:
    """Resources the crawler found and the modules attacked: wapiti's own count ("Wapiti found
    N URLs and forms during the scan", after dropping those with too many parameters). The
    `[+] METHOD URL (depth)` lines are no measure: each module prints them again."""
    if not log.exists():
        return 0
    text = log.read_text(errors="replace")
    found = re.search(r"Wapiti found (\d+) URLs and forms", text)
    if found:
        return int(found.group(1))
    crawl = text.split("[*] Loading modules", 1)[0]
    return sum(1 for line in crawl.splitlines() if line.startswith("[+] "))
