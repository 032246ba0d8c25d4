"""`make bench`, the audit part: audited page reads per second through `audit.record()` with 1, 2,
4, 8 and 16 concurrent writer processes, with the sealer running beside them as deployed; how
long events wait to be sealed at each rate; the sealer's own rows per second; and the chain
verified afterwards (ADR 0024).

    python -m bench.audit [--database-url postgres://postgres@127.0.0.1:5432/qm_bench_audit]

Uses a fresh database of its own (qm_bench_audit*, re-created each run, dropped at the end
unless --keep), never the seeded qm_bench. bench/run.py runs it as part of `make bench`; alone
it prints its figures and exits 1 on a missed target.

Each writer is a process with the production settings, one persistent connection and a health
plan reviewer of its own as the actor (16 reviewers of 4 plans), calling
`audit.record("iad.listed", actor=…, data=…)` in autocommit, its own transaction, exactly as the
report list does for each page it shows. The writers start
together, write for --seconds, and count what they wrote; a window's figure is the total over
it. Each count of writers is measured in WINDOWS windows and the median window kept, as the
pages keep the median of their pairs: one window of the same code swung by a quarter either way
from one run to the next on this machine. The sealer is `manage.py seal_audit --forever`
(every 0.2 s). An event's sealing lag is its batch's sealed_at minus its `at` (taken in
`record()` just before the insert).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from .measure import DISTURBED, snapshot
from .serve import ROOT, production_environment, stop_group

PYTHON = sys.executable
AUDIT_KEY = "bench-only-audit-key-not-a-secret-0123456789"
WRITERS = (1, 2, 4, 8, 16)
ACTOR = "bench.reviewer"  # bench.reviewer.0 …: one per writer, in PLANS health plans
PLANS = 4
# What the report list records for one page it shows (portal/reports/views.py).
PAGE_DATA = {
    "tab": "all",
    "status": ["closed", "in_review"],
    "occurred_from": "2024-12-05",
    "sort": "-created",
    "page": 1,
    "rows": 50,
}

# Targets (issue #20): at least 5,000 audited reads a second at 16 writers; throughput that does
# not fall as writers are added (each count of writers at least RISE_TOLERANCE of the best with
# fewer: runs on a shared 2-core machine vary by a few percent); events sealed within 1 s (p99)
# at that rate; the sealer alone faster than the writers can write.
TARGET_RATE = 5_000
RISE_TOLERANCE = 0.90
TARGET_LAG_P99 = 1.0
WINDOWS = 3


def say(text: str) -> None:
    print(text, flush=True)


# --- the database -----------------------------------------------------------------------------
def fresh_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    if parts.hostname not in {"127.0.0.1", "localhost"} or not name.startswith("qm_bench_audit"):
        raise SystemExit("The audit benchmark's database must be qm_bench_audit* on 127.0.0.1.")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def drop_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urllib.parse.urlsplit(url)
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(parts.path.lstrip("/"))
            )
        )


def query(url: str, statement: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    import psycopg

    with psycopg.connect(url) as connection:
        return connection.execute(statement, params or []).fetchall()  # type: ignore[arg-type]


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(  # noqa: S603 (fixed program)
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"manage.py {args[0]} failed:\n{done.stderr[-3000:]}")
    return done.stdout + done.stderr


# --- the processes ----------------------------------------------------------------------------
def child(mode: str, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(  # noqa: S603 (fixed program)
        [PYTHON, "-m", "bench.audit", "--child", mode, *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def start_sealer(env: dict[str, str], log: Any) -> subprocess.Popen[bytes]:
    """The sealer as deploy/systemd/qmportal-sealer.service runs it (Nice=-5, when allowed)."""
    return subprocess.Popen(  # noqa: S603 (fixed program)
        [PYTHON, "manage.py", "seal_audit", "--forever"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=_ahead,
    )


def _ahead() -> None:
    with contextlib.suppress(OSError):  # not root: the same priority as the writers
        os.nice(-5)


@dataclass
class Step:
    writers: int
    seconds: float
    writes: int
    start: float
    end: float
    lag: dict[str, float] = field(default_factory=dict)
    drained_after: float = 0.0  # seconds after the window until nothing waited
    writer_cpu: float = 0.0
    database_cpu: float = 0.0  # PostgreSQL backends of the benchmark's database, in the window
    sealer_cpu: float = 0.0
    other_work: float = 0.0  # share of the machine other processes took in the window
    disturbed: bool = False  # other work took more than DISTURBED in each of three tries
    windows: list[float] = field(default_factory=list)  # every window's rate, the median kept

    @property
    def rate(self) -> float:
        return self.writes / self.seconds

    def per_event(self, cpu_seconds: float) -> float:
        return cpu_seconds / max(self.writes, 1) * 1e6


def run_writers(
    env: dict[str, str],
    count: int,
    seconds: float,
    sealer: int = 0,
    database: str = "",
    mode: str = "writer",
) -> Step:
    """`count` writers, started together once each has warmed up; their total in the window,
    and the CPU the writers, PostgreSQL and the sealer (process group `sealer`) spent in it."""
    processes = [child(mode, {**env, "BENCH_WRITER": str(n)}) for n in range(count)]
    try:
        for process in processes:
            assert process.stdout is not None
            line = process.stdout.readline()
            if line.strip() != "ready":
                raise SystemExit(f"A writer did not start: {line!r}")
        start = time.time() + 0.3
        end = start + seconds
        for process in processes:
            assert process.stdin is not None
            process.stdin.write(f"{start} {end}\n")
            process.stdin.flush()
        time.sleep(max(0.0, start - time.time()))
        before = snapshot(sealer, database)
        time.sleep(max(0.0, end - time.time()))
        after = snapshot(sealer, database)
        results = []
        for process in processes:
            assert process.stdout is not None
            results.append(json.loads(process.stdout.readline()))
            process.wait(timeout=60)
    finally:
        for process in processes:
            if process.poll() is None:
                stop_group(process)  # type: ignore[arg-type]
    writes = sum(r["writes"] for r in results)
    step = Step(count, seconds, writes, start, end)
    step.writer_cpu = sum(r["cpu"] for r in results)
    step.database_cpu = after.database - before.database
    step.sealer_cpu = after.server - before.server
    ours = step.writer_cpu + step.database_cpu + step.sealer_cpu
    step.other_work = max(0.0, (after.busy - before.busy) - ours) / (after.total - before.total)
    return step


def undisturbed_step(
    env: dict[str, str], url: str, count: int, seconds: float, sealer: int, database: str
) -> Step:
    """One step of writers, run again when other work took more than DISTURBED of the machine
    in it (twice at most, then kept and marked), as the pages' pairs are: a step that shared the
    machine with something else measures that, not the audit path. Each try starts once the
    sealer has sealed what the one before wrote."""
    for attempt in range(3):
        step = run_writers(env, count, seconds, sealer, database)
        if step.other_work <= DISTURBED:
            return step
        if attempt < 2:
            say(f"  {count:>2} writer(s): other work took {step.other_work:.0%}; again")
            wait_drained(url, step.end)
    step.disturbed = True
    return step


# Events without a seal (ADR 0031): the whole table, as the benchmark's database is small.
UNSEALED = (
    "SELECT count(*) FROM core_auditevent e"
    " WHERE NOT EXISTS (SELECT 1 FROM core_auditseal s WHERE s.event_id = e.id)"
)


def median_step(
    env: dict[str, str], url: str, count: int, seconds: float, sealer: int, database: str
) -> Step:
    """`count` writers in WINDOWS windows, each once the one before is sealed, with its sealing
    lag; the median window (by rate), with every window's rate."""
    steps = []
    for _ in range(WINDOWS):
        step = undisturbed_step(env, url, count, seconds, sealer, database)
        step.drained_after = wait_drained(url, step.end)
        step.lag = lags(url, step.start, step.end)
        steps.append(step)
    median = sorted(steps, key=lambda s: s.rate)[len(steps) // 2]
    median.windows = [s.rate for s in steps]
    return median


def wait_drained(url: str, since: float, limit: float = 60) -> float:
    """Seconds from `since` (epoch) until no event waits to be sealed."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if query(url, UNSEALED)[0][0] == 0:
            return max(0.0, time.time() - since)
        time.sleep(0.05)
    raise SystemExit(f"Events still unsealed {limit:.0f} s after the writers stopped")


def lags(url: str, start: float, end: float) -> dict[str, float]:
    """Sealing lag of the events written in [start, end): their batch's sealed_at minus their at."""
    rows = query(
        url,
        "SELECT percentile_cont(ARRAY[0.5, 0.99]) WITHIN GROUP (ORDER BY lag), max(lag), count(*)"
        " FROM (SELECT extract(epoch FROM b.sealed_at - e.at) AS lag FROM core_auditevent e"
        " JOIN core_auditseal s ON s.event_id = e.id"
        " CROSS JOIN LATERAL (SELECT sealed_at FROM core_auditbatch b WHERE b.last_seq >= s.seq"
        " ORDER BY b.last_seq LIMIT 1) b"
        " WHERE e.at >= to_timestamp(%s) AND e.at < to_timestamp(%s)) AS lags",
        [start, end],
    )
    (p50, p99), worst, count = rows[0]
    return {"p50": float(p50), "p99": float(p99), "max": float(worst), "events": int(count)}


def batches_between(url: str, start: float, end: float) -> tuple[int, float]:
    rows = query(
        url,
        "SELECT count(*), coalesce(avg(last_seq - first_seq + 1), 0) FROM core_auditbatch"
        " WHERE sealed_at >= to_timestamp(%s) AND sealed_at < to_timestamp(%s)",
        [start, end],
    )
    return int(rows[0][0]), float(rows[0][1])


def sealer_alone(env: dict[str, str], url: str, backlog_seconds: float) -> dict[str, Any]:
    """The sealer's own rate: a backlog written with no sealer running, then sealed by one."""
    step = run_writers(env, 2, backlog_seconds)
    waiting = query(url, UNSEALED)[0][0]
    drain = child("drain", env)
    assert drain.stdout is not None
    result = json.loads(drain.stdout.readline())
    drain.wait(timeout=60)
    return {
        "backlog": waiting,
        "backlog_written_per_second": round(step.rate),
        "sealed": result["events"],
        "batches": result["batches"],
        "seconds": result["seconds"],
        "rows_per_second": result["events"] / max(result["seconds"], 1e-9),
    }


# --- inside the child processes ---------------------------------------------------------------
def _child(mode: str) -> None:
    import django

    django.setup()
    from portal.accounts.models import User
    from portal.core import audit

    if mode == "prepare":
        from portal.registry.models import Organization

        for n in range(max(WRITERS)):
            plan, _ = Organization.objects.get_or_create(
                identifier=f"HPBENCH{n % PLANS}",
                defaults={
                    "kind": Organization.Kind.HEALTH_PLAN,
                    "name": f"Bench plan {n % PLANS}",
                    "npi": "",
                    "region": Organization.Region.CENTRAL,
                },
            )
            user = User(
                username=f"{ACTOR}.{n}",
                first_name="Bench",
                last_name=f"Reviewer {n}",
                email=f"bench.reviewer.{n}@example.org",
                organization=plan,
            )
            user.set_unusable_password()
            user.save()
        return
    if mode == "drain":
        started = time.perf_counter()
        done = audit.seal_pending()
        seconds = time.perf_counter() - started
        print(json.dumps({"events": done.events, "batches": done.batches, "seconds": seconds}))
        return
    # Each writer is another reviewer (of PLANS plans), as concurrent page reads come from
    # different people.
    number = int(os.environ.get("BENCH_WRITER", "0"))
    actor = User.objects.select_related("organization").get(username=f"{ACTOR}.{number}")
    write = audit.record if mode == "writer" else _locked_record
    for _ in range(20):  # the connection made, the code paths warm
        write("iad.listed", actor=actor, data=PAGE_DATA)
    print("ready", flush=True)
    start, end = (float(x) for x in sys.stdin.readline().split())
    while time.time() < start:
        time.sleep(0.001)
    writes = 0
    cpu = time.process_time()
    while time.time() < end:
        write("iad.listed", actor=actor, data=PAGE_DATA)
        writes += 1
    print(json.dumps({"writes": writes, "cpu": time.process_time() - cpu}), flush=True)


def _locked_record(action: str, *, actor: Any, data: dict[str, Any]) -> None:
    """ADR 0004's append, for comparison in the same run: one advisory lock around reading the
    head, sealing in Python and committing (as record() did before ADR 0024)."""
    from django.db import connection, transaction

    from portal.core import audit
    from portal.core.models import AuditEvent, AuditSeal

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [7_406_211])
        last = AuditSeal.objects.order_by("-seq").values_list("seq", "hash").first()
        prev_seq, prev_hash = last if last else (0, audit.GENESIS)
        event = AuditEvent.objects.create(
            actor=actor,
            organization=actor.organization,
            action=action,
            data=audit._normalized(data)[1],
        )
        event.seal = AuditSeal(seq=prev_seq + 1, prev_hash=prev_hash)
        event.seal.hash = audit.seal(prev_hash, event)
        event.seal.save()


# --- the whole part ---------------------------------------------------------------------------
def measure(
    database_url: str, seconds: float, writers: tuple[int, ...], keep: bool
) -> dict[str, Any]:
    from .run import OUT

    env = production_environment(
        database_url, audit_key=AUDIT_KEY, name="bench-audit", email_url="smtp://127.0.0.1:9"
    )
    say(f"Audit trail: a fresh {urllib.parse.urlsplit(database_url).path.lstrip('/')}, migrated")
    fresh_database(database_url)
    try:
        manage(env, "migrate", "--no-input", "--verbosity", "0")
        prepare = child("prepare", env)
        if prepare.wait(timeout=120) != 0:
            raise SystemExit("Could not make the benchmark's reviewer")
        OUT.mkdir(parents=True, exist_ok=True)
        steps = []
        with (OUT / "sealer.log").open("ab") as log:
            sealer = start_sealer(env, log)
            try:
                database = urllib.parse.urlsplit(database_url).path.lstrip("/")
                for count in writers:
                    step = median_step(env, database_url, count, seconds, sealer.pid, database)
                    batches, size = batches_between(database_url, step.start, step.end)
                    steps.append(step)
                    say(
                        f"  {count:>2} writer(s): {step.rate:8,.0f} audited reads/s "
                        f"({step.writes:,} in {seconds:g} s; the median of "
                        f"{' / '.join(f'{r:,.0f}' for r in step.windows)}); sealing lag p50 "
                        f"{step.lag['p50'] * 1000:.0f} ms, p99 {step.lag['p99'] * 1000:.0f} ms, "
                        f"max {step.lag['max'] * 1000:.0f} ms; {batches} batches of "
                        f"{size:,.0f} on average; all sealed {step.drained_after:.2f} s after; "
                        f"CPU µs per event: writers {step.per_event(step.writer_cpu):.0f}, "
                        f"PostgreSQL {step.per_event(step.database_cpu):.0f}, sealer "
                        f"{step.per_event(step.sealer_cpu):.0f}; other work "
                        f"{step.other_work:.0%} of the machine"
                        + (" (disturbed in three tries)" if step.disturbed else "")
                    )
            finally:
                stop_group(sealer)
        alone = sealer_alone(env, database_url, backlog_seconds=seconds)
        say(
            f"  sealer alone: {alone['sealed']:,} events in {alone['seconds']:.2f} s, "
            f"{alone['rows_per_second']:,.0f} rows/s ({alone['batches']} batches)"
        )
        verified = manage(env, "verify_audit_chain").strip().splitlines()[0]
        say(f"  {verified}")
        before = []
        for count in writers:  # ADR 0004's lock, same machine, same minute
            step = run_writers(env, count, seconds, mode="locked")
            before.append({"writers": count, "rate": round(step.rate, 1)})
            say(f"  {count:>2} writer(s) with ADR 0004's lock: {step.rate:8,.0f} audited reads/s")
    finally:
        if not keep:
            drop_database(database_url)
    figures = summarize(steps, alone, verified, seconds)
    figures["before"] = before
    return figures


def summarize(
    steps: list[Step], alone: dict[str, Any], verified: str, seconds: float
) -> dict[str, Any]:
    by = {step.writers: step for step in steps}
    targets = []
    top = by.get(max(by)) if by else None
    if top is not None:
        targets.append(
            {
                "what": f"audited reads/s at {top.writers} writers ≥ {TARGET_RATE:,}",
                "value": round(top.rate),
                "met": top.rate >= TARGET_RATE,
            }
        )
        targets.append(
            {
                "what": f"sealing lag p99 ≤ {TARGET_LAG_P99:g} s at {top.writers} writers",
                "value": f"{top.lag['p99']:.3f} s (max {top.lag['max']:.3f})",
                "met": top.lag["p99"] <= TARGET_LAG_P99,
            }
        )
    falls = []
    best = 0.0
    for step in steps:
        if best and step.rate < RISE_TOLERANCE * best:
            falls.append(f"{step.writers}: {step.rate:,.0f} < {RISE_TOLERANCE:.0%} of {best:,.0f}")
        best = max(best, step.rate)
    targets.append(
        {
            "what": "throughput does not fall as writers are added "
            f"(each ≥ {RISE_TOLERANCE:.0%} of the best with fewer)",
            "value": "; ".join(falls) or " / ".join(f"{s.rate:,.0f}" for s in steps),
            "met": not falls,
        }
    )
    if top is not None:
        targets.append(
            {
                "what": f"the sealer alone seals faster than {top.writers} writers write",
                "value": f"{alone['rows_per_second']:,.0f} rows/s",
                "met": alone["rows_per_second"] > top.rate,
            }
        )
    targets.append(
        {
            "what": "the audit chain verifies after the run",
            "value": verified.split(". Head")[0],
            "met": verified.startswith("Audit chain intact"),
        }
    )
    for target in targets:
        say(f"{'met    ' if target['met'] else 'MISSED '} {target['what']}: {target['value']}")
    return {
        "seconds_per_step": seconds,
        "steps": [
            {
                "writers": s.writers,
                "writes": s.writes,
                "rate": round(s.rate, 1),
                "windows": [round(r, 1) for r in s.windows],
                "lag_p50_s": round(s.lag["p50"], 4),
                "lag_p99_s": round(s.lag["p99"], 4),
                "lag_max_s": round(s.lag["max"], 4),
                "drained_after_s": round(s.drained_after, 3),
                "writer_cpu_s": round(s.writer_cpu, 2),
                "cpu_us_per_event": {
                    "writers": round(s.per_event(s.writer_cpu)),
                    "postgresql": round(s.per_event(s.database_cpu)),
                    "sealer": round(s.per_event(s.sealer_cpu)),
                },
                "other_work": round(s.other_work, 3),
                "disturbed": s.disturbed,
            }
            for s in steps
        ],
        "sealer_alone": {k: (round(v, 3) if isinstance(v, float) else v) for k, v in alone.items()},
        "verified": verified,
        "targets": targets,
    }


def markdown(figures: dict[str, Any]) -> list[str]:
    """The audit part's lines for docs/performance.md."""
    lines = [
        "",
        f"**Audit trail** (`bench/audit.py`, a fresh database; windows of "
        f"{figures['seconds_per_step']:g} s, the median of each count's windows kept; the sealer "
        "running beside the writers as deployed): audited page reads per second through "
        "`audit.record()`, one process per writer.",
        "",
        "| writers | audited reads/s | its windows | before (ADR 0004's lock, same run) | "
        "sealing lag p50 ms | "
        "p99 ms | max ms | all sealed after | "
        "CPU µs per event: writers / PostgreSQL / sealer | other work |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    before = {b["writers"]: b["rate"] for b in figures.get("before", [])}
    lines += [
        f"| {s['writers']} | {s['rate']:,.0f} | "
        f"{' / '.join(f'{r:,.0f}' for r in s.get('windows', []))} | "
        f"{before.get(s['writers'], 0):,.0f} | "
        f"{s['lag_p50_s'] * 1000:,.0f} | "
        f"{s['lag_p99_s'] * 1000:,.0f} | {s['lag_max_s'] * 1000:,.0f} | "
        f"{s['drained_after_s']:.2f} s | {s['cpu_us_per_event']['writers']} / "
        f"{s['cpu_us_per_event']['postgresql']} / {s['cpu_us_per_event']['sealer']} | "
        f"{s['other_work']:.0%}{' (disturbed)' if s.get('disturbed') else ''} |"
        for s in figures["steps"]
    ]
    alone = figures["sealer_alone"]
    lines += [
        "",
        f"The sealer alone: {alone['sealed']:,} waiting events sealed in {alone['seconds']:.2f} s, "
        f"{alone['rows_per_second']:,.0f} rows/s ({alone['batches']} batches). "
        f"{figures['verified'].split('. Head')[0]}.",
    ]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/qm_bench_audit"
    )
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--writers", default=",".join(map(str, WRITERS)))
    parser.add_argument("--keep", action="store_true", help="leave the database for a look")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child)
        return 0
    figures = measure(
        args.database_url, args.seconds, tuple(int(n) for n in args.writers.split(",")), args.keep
    )
    return 0 if all(t["met"] for t in figures["targets"]) else 1


if __name__ == "__main__":
    sys.exit(main())
