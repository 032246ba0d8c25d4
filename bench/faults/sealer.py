"""Drill (e): the audit sealer killed in the middle of a batch, and PostgreSQL restarted under it,
while a writer keeps appending audit events through `audit.record()` (ADR 0024).

1. Killed mid-batch, three times: a sealer that holds each batch's transaction open before it
   commits (`seal_audit --pause-before-commit`) writes a batch; the drill sees the transaction
   open in pg_stat_activity and SIGKILLs the sealer. Nothing of the batch may remain (no batch
   row, no event with its places); the service's sealer, restarted, must seal those events.
2. PostgreSQL crashed (`pg_ctl stop -m immediate`) while such a batch is open, and started again
   5 s later: the same sealer process must reconnect by itself and seal again.
3. PostgreSQL stopped cleanly (`-m fast`) under the service's sealer and started 5 s later.

Afterwards every event the writer was told was written must be in the chain exactly once,
sealed; no event twice; places 1..N without a gap; `verify_audit_chain` must pass; after each
fault, everything waiting must be sealed within the lag limit (AUDIT_SEAL_LAG_LIMIT) of the
sealer's return.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import psycopg

from bench.serve import ROOT, stop_group

from .context import Context, Result

PYTHON = sys.executable
PAUSE = 4.0  # seconds the drill's sealer keeps each batch open before committing
LAG_LIMIT = 5.0  # AUDIT_SEAL_LAG_LIMIT's default: the bound the drill holds the sealer to
ACTION = "drill.sealer"


class Writer:
    """A process appending `drill.sealer` events numbered 0, 1, 2 … through `audit.record()`, each
    in its own transaction, going on through database outages. It writes `ok N` once an event's
    commit returned, `unsure N` when the commit's outcome is unknown (the connection died)."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.log = log
        self.process = subprocess.Popen(  # noqa: S603 (fixed program)
            [PYTHON, "-m", "bench.faults.sealer", "--writer", str(log)],
            cwd=ROOT,
            env=env,
            start_new_session=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=(log.parent / "drill-writer.err").open("ab"),
        )

    def stop(self) -> tuple[set[int], set[int]]:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=30)
        told, unsure = set(), set()
        for line in self.log.read_text().splitlines():
            kind, _, n = line.partition(" ")
            (told if kind == "ok" else unsure).add(int(n))
        return told, unsure


def _write_forever(out_path: str) -> None:
    import django

    django.setup()
    from django.db import DatabaseError, connection

    from portal.core import audit

    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    n = 0
    with open(out_path, "a") as out:
        while not stopping:
            try:
                audit.record(ACTION, data={"n": n})
                out.write(f"ok {n}\n")
            except DatabaseError:
                out.write(f"unsure {n}\n")
                connection.close()
                time.sleep(0.2)
            out.flush()
            n += 1
            time.sleep(0.003)


class PausingSealer:
    """`seal_audit --forever --pause-before-commit PAUSE`, its announcements read as they come."""

    def __init__(self, ctx: Context) -> None:
        self.lines: list[str] = []
        self.process = subprocess.Popen(  # noqa: S603 (fixed program)
            [PYTHON, "manage.py", "seal_audit", "--forever", "--pause-before-commit", str(PAUSE)],
            cwd=ROOT,
            env=ctx.portal.env,
            start_new_session=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=(ctx.portal.logs / "pausing-sealer.log").open("ab"),
            text=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.strip())

    def next_batch(self, after: int = 0, timeout: float = 60) -> tuple[int, int, int]:
        """The first batch announced after `after` lines as written: (number, first, last)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.lines[after:]:
                if line.startswith("batch ") and "written" in line:
                    number = int(line.split()[1])
                    first, last = line.split("(events ")[1].split(")")[0].split("-")
                    return number, int(first), int(last)
            time.sleep(0.05)
        raise SystemExit("The drill's sealer announced no batch")

    def kill(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        stop_group(self.process)  # type: ignore[arg-type]


def _one(url: str, statement: str, params: list[Any] | None = None) -> Any:
    with psycopg.connect(url) as connection:
        row = connection.execute(statement, params or []).fetchone()  # type: ignore[arg-type]
    return row[0] if row else None


def _open_batch_transactions(ctx: Context) -> int:
    return int(
        _one(
            ctx.url,
            "SELECT count(*) FROM pg_stat_activity WHERE datname = %s"
            " AND state = 'idle in transaction' AND query LIKE 'INSERT INTO \"core_auditbatch\"%%'",
            [ctx.database],
        )
    )


def _traces(ctx: Context, number: int, first: int, last: int) -> tuple[int, int]:
    """(batch rows numbered `number` with those places, seals of places first..last)."""
    batches = _one(
        ctx.url,
        "SELECT count(*) FROM core_auditbatch WHERE number = %s AND "
        "first_seq = %s AND last_seq = %s",
        [number, first, last],
    )
    events = _one(
        ctx.url, "SELECT count(*) FROM core_auditseal WHERE seq BETWEEN %s AND %s", [first, last]
    )
    return int(batches), int(events)


def _sealed_within(ctx: Context, since: float, limit: float) -> float | None:
    """Seconds after `since` (monotonic) until every event written before it is sealed (the
    writer goes on meanwhile: later events may wait, as they always briefly do); None if that
    takes a minute more than `limit`."""
    horizon = _one(ctx.url, "SELECT coalesce(max(id), 0) FROM core_auditevent")
    deadline = since + limit + 60
    while time.monotonic() < deadline:
        try:
            waiting = _one(
                ctx.url,
                "SELECT count(*) FROM core_auditevent e WHERE e.id <= %s AND NOT EXISTS"
                " (SELECT 1 FROM core_auditseal s WHERE s.event_id = e.id)",
                [horizon],
            )
        except psycopg.OperationalError:
            waiting = None
        if waiting == 0:
            return time.monotonic() - since
        time.sleep(0.05)
    return None


def _wait_for_database(ctx: Context, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            _one(ctx.url, "SELECT 1")
            return
        except psycopg.OperationalError:
            time.sleep(0.2)
    raise SystemExit("The database did not come back")


def _kill_mid_batch(ctx: Context, round_: int, result: Result) -> None:
    with ctx.sealer.held():
        time.sleep(1)  # let events wait
        sealer = PausingSealer(ctx)
        try:
            number, first, last = sealer.next_batch()
            time.sleep(0.3)
            open_before = _open_batch_transactions(ctx)
            sealer.kill()
        finally:
            sealer.stop()
        time.sleep(0.5)
        left = _traces(ctx, number, first, last)
    back = time.monotonic()
    again = _sealed_within(ctx, back, LAG_LIMIT)
    result.add(
        f"kill {round_}: batch in flight / its transaction open / rows left after the kill",
        f"{number} (events {first}-{last}) / {open_before} / {left[0]} batch, {left[1]} events",
    )
    result.add(
        f"kill {round_}: all sealed after the service's sealer returned",
        f"{again:.2f} s" if again is not None else "no",
    )
    result.require(open_before == 1, f"kill {round_} did not land in an open batch")
    result.require(left == (0, 0), f"kill {round_}: the killed batch left rows behind")
    result.require(
        again is not None and again <= LAG_LIMIT + ctx.sealer.restart_delay,
        f"kill {round_}: events unsealed beyond the limit after the sealer returned",
    )


def _crash_database_mid_batch(ctx: Context, result: Result) -> None:
    with ctx.sealer.held():
        time.sleep(1)
        sealer = PausingSealer(ctx)
        try:
            number, first, last = sealer.next_batch()
            seen = len(sealer.lines)
            open_before = _open_batch_transactions(ctx)
            ctx.cluster.stop("immediate")
            time.sleep(5)
            ctx.cluster.start()
            _wait_for_database(ctx)
            back = time.monotonic()
            left = _traces(ctx, number, first, last)
            # The same process, reconnected, writes its next batch and commits it.
            after = sealer.next_batch(seen)
            rewritten = time.monotonic() - back
            time.sleep(PAUSE + 1)
            committed = _one(
                ctx.url, "SELECT count(*) FROM core_auditbatch WHERE number = %s", [after[0]]
            )
            survived = sealer.process.poll() is None
        finally:
            sealer.stop()
    resealed = _sealed_within(ctx, time.monotonic(), LAG_LIMIT)
    result.add(
        "database crash mid-batch: batch in flight / open / rows left after the restart",
        f"{number} (events {first}-{last}) / {open_before} / {left[0]} batch, {left[1]} events",
    )
    result.add(
        "database crash mid-batch: the same sealer wrote a batch again / committed it",
        f"{rewritten:.1f} s after the restart (batch {after[0]}, events {after[1]}-{after[2]}) / "
        f"{'yes' if survived and committed else 'no'} ({PAUSE:g} s later)",
    )
    result.require(open_before == 1, "the crash did not land in an open batch")
    result.require(left == (0, 0), "the batch in flight at the crash left rows behind")
    result.require(survived and committed == 1, "the sealer did not seal again after the restart")
    result.require(
        resealed is not None and resealed <= LAG_LIMIT + ctx.sealer.restart_delay,
        "events unsealed beyond the limit after the crash",
    )


def _restart_database(ctx: Context, result: Result) -> None:
    ctx.cluster.stop("fast")
    time.sleep(5)
    ctx.cluster.start()
    _wait_for_database(ctx)
    back = time.monotonic()
    again = _sealed_within(ctx, back, LAG_LIMIT)
    result.add(
        "clean restart: all sealed after the database returned",
        f"{again:.2f} s" if again is not None else "no",
    )
    result.require(
        again is not None and again <= LAG_LIMIT,
        "events unsealed beyond the limit after the clean restart",
    )


def _check(ctx: Context, told: set[int], unsure: set[int], result: Result) -> None:
    with psycopg.connect(ctx.url) as connection:
        rows = connection.execute(
            "SELECT (data->>'n')::int, s.seq FROM core_auditevent e"
            " LEFT JOIN core_auditseal s ON s.event_id = e.id WHERE e.action = %s",
            [ACTION],
        ).fetchall()
        places = connection.execute(
            "SELECT count(*), count(s.seq), count(DISTINCT s.seq), min(s.seq), max(s.seq),"
            " max(extract(epoch FROM now() - e.at)) FILTER (WHERE s.seq IS NULL)"
            " FROM core_auditevent e LEFT JOIN core_auditseal s ON s.event_id = e.id"
        ).fetchone()
        batches = connection.execute(
            "SELECT count(*), min(number), max(number), sum(last_seq - first_seq + 1)"
            " FROM core_auditbatch"
        ).fetchone()
    assert places is not None and batches is not None
    stored = Counter(n for n, _ in rows)
    duplicated = sorted(n for n, c in stored.items() if c > 1)
    lost = sorted(told - set(stored))
    strays = sorted(set(stored) - told - unsure)
    unsealed = sum(1 for _, seq in rows if seq is None)
    total, sealed, distinct, low, high, oldest = places
    result.add(
        "events the writer was told were written / unsure (connection lost) / stored",
        f"{len(told)} / {len(unsure)} ({len(set(stored) & unsure)} of them stored) / {len(rows)}",
    )
    result.add(
        "lost / duplicated / stored but never written / unsealed",
        f"{len(lost)} / {len(duplicated)} / {len(strays)} / {unsealed}",
    )
    result.add(
        "trail: events / sealed / places (distinct, first-last) / batches (numbers)",
        f"{total} / {sealed} / {distinct}, {low}-{high} / {batches[0]} "
        f"({batches[1]}-{batches[2]}, covering {batches[3]})",
    )
    result.require(not lost, f"events lost: {lost[:5]}")
    result.require(not duplicated, f"events duplicated: {duplicated[:5]}")
    result.require(not strays, f"events nobody wrote: {strays[:5]}")
    result.require(
        sealed == total == distinct and low == 1 and high == total,
        "places in the chain are not 1..N once each",
    )
    result.require(
        batches[0] == batches[2] and batches[3] == total,
        "batches are not numbered 1..N or do not cover every event",
    )
    result.require(oldest is None, f"an event still unsealed ({oldest} s)")
    chain = ctx.portal.manage("verify_audit_chain").strip()
    result.add("audit chain", chain.splitlines()[0])


def run(ctx: Context) -> Result:
    result = Result("(e) audit sealer killed mid-batch, database restarted under it")
    log = ctx.portal.logs / "drill-writer.txt"
    log.unlink(missing_ok=True)
    starts = ctx.sealer.starts
    writer = Writer(ctx.portal.env, log)
    try:
        time.sleep(3)
        for round_ in (1, 2, 3):
            _kill_mid_batch(ctx, round_, result)
        _crash_database_mid_batch(ctx, result)
        time.sleep(2)
        _restart_database(ctx, result)
        time.sleep(2)
    finally:
        told, unsure = writer.stop()
    drained = _sealed_within(ctx, time.monotonic(), LAG_LIMIT)
    result.add(
        "after the writer stopped, all sealed within",
        f"{drained:.2f} s" if drained is not None else "no",
    )
    result.require(drained is not None and drained <= LAG_LIMIT, "left unsealed after the drill")
    result.add("service sealer starts during the drill", ctx.sealer.starts - starts)
    _check(ctx, told, unsure, result)
    return result


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--writer":
        _write_forever(sys.argv[2])
    else:
        print(json.dumps({"usage": "python -m bench.faults.run --drills e"}))
