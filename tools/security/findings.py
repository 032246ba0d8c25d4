"""What the scanners report, the suppression file that explains known false positives, and a
bounded way to run a scanner process."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

SUPPRESSIONS = Path(__file__).with_name("suppressions.toml")
PLANTED_PREFIX = "/planted/"


@dataclass
class Finding:
    scanner: str
    kind: str
    path: str
    detail: str
    parameter: str = ""
    suppressed_by: str = ""

    @property
    def planted(self) -> bool:
        return self.path.startswith(PLANTED_PREFIX)


@dataclass
class Suppression:
    scanner: str
    kind: str
    url: re.Pattern[str]
    detail: re.Pattern[str]
    reason: str
    used: int = 0

    def matches(self, finding: Finding) -> bool:
        return (
            finding.scanner == self.scanner
            and finding.kind == self.kind
            and bool(self.url.fullmatch(finding.path))
            and bool(self.detail.search(finding.detail))
        )


def load_suppressions(path: Path = SUPPRESSIONS) -> list[Suppression]:
    """Each [[suppress]] needs scanner, kind, url (regex on the path), reason; detail optional."""
    entries = tomllib.loads(path.read_text()).get("suppress", [])
    rules = []
    for entry in entries:
        if not entry.get("reason", "").strip():
            raise ValueError(f"suppression without a reason: {entry}")
        rules.append(
            Suppression(
                entry["scanner"],
                entry["kind"],
                re.compile(entry["url"]),
                re.compile(entry.get("detail", "")),
                entry["reason"],
            )
        )
    return rules


def apply_suppressions(findings: list[Finding], rules: list[Suppression]) -> None:
    """Mark findings a rule explains. Planted controls are never suppressed."""
    for finding in findings:
        if finding.planted:
            continue
        for rule in rules:
            if rule.matches(finding):
                rule.used += 1
                finding.suppressed_by = rule.reason
                break


@dataclass
class Run:
    """How one scanner process ended."""

    command: list[str]
    seconds: float
    returncode: int | None
    timed_out: bool
    log: Path
    extra: dict[str, object] = field(default_factory=dict)


# Scanner processes running now, so that an interrupted run can stop every one of them.
LIVE: set[subprocess.Popen[bytes]] = set()
STOPPING = threading.Event()


def stop_all() -> None:
    """Stop every scanner process and start no new one (Ctrl+C, SIGTERM, errors)."""
    STOPPING.set()
    for process in list(LIVE):
        stop_group(process)


def run_bounded(command: list[str], log: Path, timeout: float, cwd: Path) -> Run:
    """Run `command` in its own process group, killing the whole group at `timeout` seconds."""
    if STOPPING.is_set():
        return Run(command, 0, None, False, log)
    started = time.monotonic()
    with log.open("w") as out:
        process = subprocess.Popen(  # noqa: S603 (commands are built from fixed argument lists)
            command,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            env={**os.environ, "TERM": "dumb"},
        )
        LIVE.add(process)
        try:
            process.wait(timeout=max(timeout, 1))
            timed_out = False
        except subprocess.TimeoutExpired:
            timed_out = True
        finally:
            stop_group(process)
            LIVE.discard(process)
    return Run(command, time.monotonic() - started, process.returncode, timed_out, log)


def stop_group(process: subprocess.Popen[bytes]) -> None:
    """Terminate a process started with start_new_session, and everything it started."""
    if process.poll() is not None:
        return
    for sig, grace in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue
