"""One wrk run with the CPU it cost, split by who spent it (procfs).

Server CPU is the gunicorn process group's (master, workers and reaped workers); database CPU is
the PostgreSQL backends serving the benchmark's database; "foreign" is whatever else the machine
did meanwhile, as a share of its capacity: a run with much foreign work is disturbed.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")
CORES = os.cpu_count() or 1
# The share of the machine other work may take during a measurement before it is run again
# (twice at most, then kept and counted as disturbed): the pages' pairs and the audit's steps.
DISTURBED = 0.10


def _processes() -> list[tuple[int, int, float, str]]:
    """(pid, process group, CPU seconds incl. reaped children, command line) of every process."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        # After the command: state ppid pgrp session ... utime(14) stime cutime cstime.
        ticks = sum(int(fields[n]) for n in (11, 12, 13, 14))
        found.append((int(entry.name), int(fields[2]), ticks / TICK, command))
    return found


def _machine_busy() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    total = sum(values[:8])
    return (total - idle) / TICK, total / TICK


@dataclass
class Snapshot:
    server: float
    database: float
    busy: float
    total: float


def snapshot(server_group: int, database: str) -> Snapshot:
    server = database_cpu = 0.0
    for _pid, group, cpu, command in _processes():
        if group == server_group:
            server += cpu
        elif command.startswith("postgres: ") and f" {database} " in command:
            database_cpu += cpu
    busy, total = _machine_busy()
    return Snapshot(server, database_cpu, busy, total)


@dataclass
class Run:
    """One measured wrk run."""

    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int  # socket errors, timeouts and non-2xx/3xx answers
    server_cpu_us: float  # per request
    database_cpu_us: float  # per request
    foreign_share: float  # of the machine's capacity during the run

    @property
    def cpu_us(self) -> float:
        return self.server_cpu_us + self.database_cpu_us


_DURATION = {"us": 1e-3, "ms": 1.0, "s": 1000.0}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(number) * _DURATION[unit]


def parse(output: str) -> tuple[int, float, float, float, int]:
    """(requests, req/s, p50 ms, p99 ms, errors) from wrk --latency output."""
    requests = int(re.search(r"(\d+) requests in", output).group(1))  # type: ignore[union-attr]
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    p50 = _ms(re.search(r"\s50%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    p99 = _ms(re.search(r"\s99%\s+(\S+)", output).group(1))  # type: ignore[union-attr]
    errors = 0
    socket = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)",
                       output)  # fmt: skip
    if socket:
        errors += sum(int(n) for n in socket.groups())
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if bad:
        errors += int(bad.group(1))
    return requests, rps, p50, p99, errors


def settle(server_group: int, database: str, limit: float = 120) -> None:
    """Wait until the server has finished what a run left queued (a slow page leaves requests
    behind when wrk stops), so that it does not eat into the next run."""
    quiet, deadline = 0, time.monotonic() + limit
    last = snapshot(server_group, database)
    while quiet < 3 and time.monotonic() < deadline:
        time.sleep(0.1)
        now = snapshot(server_group, database)
        busy = (now.server - last.server) + (now.database - last.database)
        quiet = quiet + 1 if busy < 0.01 else 0
        last = now


def wrk(url: str, headers: dict[str, str], *, seconds: float, connections: int,
        server_group: int, database: str, script: str | None = None) -> Run:  # fmt: skip
    """Run wrk against `url` for `seconds` and account for the CPU it made everyone spend."""
    settle(server_group, database)
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds:g}s", "--timeout", "10s",
               "--latency"]  # fmt: skip
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script or "")
    command += ["-s", lua.name, url]
    try:
        process = subprocess.Popen(  # noqa: S603 (wrk with our own arguments)
            command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
            start_new_session=True,
        )  # fmt: skip
        before = snapshot(server_group, database)
        started = time.monotonic()
        assert process.stdout is not None
        output = process.stdout.read()  # until wrk exits
        # Reaping wrk ourselves gives its CPU time (procfs forgets an exited process).
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.monotonic() - started
        after = snapshot(server_group, database)
        process.returncode = os.waitstatus_to_exitcode(status)
    finally:
        os.unlink(lua.name)
    if process.returncode != 0:
        raise RuntimeError(f"wrk failed: {output}")
    requests, rps, p50, p99, errors = parse(output)
    errors += _script_errors(output)
    server = after.server - before.server
    database_cpu = after.database - before.database
    client = usage.ru_utime + usage.ru_stime
    foreign = max(0.0, (after.busy - before.busy) - server - database_cpu - client)
    per = 1e6 / max(requests, 1)
    return Run(requests, elapsed, rps, p50, p99, errors, server * per, database_cpu * per,
               foreign / max(after.total - before.total, 1e-9))  # fmt: skip


def _script_errors(output: str) -> int:
    """Answers a script counted as wrong (a sign-in that did not sign in): `unexpected N`."""
    match = re.search(r"unexpected (\d+)", output)
    return int(match.group(1)) if match else 0
