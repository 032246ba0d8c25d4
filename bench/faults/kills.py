"""Drill (c): web and task workers killed (SIGKILL) at random moments while people file reports
and a batch of e-mail is being delivered. gunicorn's master replaces a killed web worker; task
workers are restarted as systemd would, `requeue_stranded_email` first. Nothing may be lost.

A killed task worker leaves its task RUNNING. Where the kill landed is read from the database
and the SMTP server before the restart:
  between tasks          no task of that worker is RUNNING
  before acceptance      its e-mail is queued and the server has no copy: sent again, once
  after the commit       its e-mail is sent: nothing to do
  in the window          the server accepted it but the commit did not happen: the one case
                         that sends a message twice (ADR 0017), counted, never hidden
"""

from __future__ import annotations

import json
import os
import random
import signal
import threading
import time
from collections import Counter

import psycopg

from .checks import check_mail, check_reports, wait_for_outbox
from .context import Context, Result
from .journeys import Load
from .smtp_outage import queue_batch

_RUNNING = """
SELECT (t.args_kwargs -> 'args' ->> 0)::bigint, e.status
FROM django_tasks_database_dbtaskresult t
LEFT JOIN core_outboundemail e ON e.id = (t.args_kwargs -> 'args' ->> 0)::bigint
WHERE t.status = 'RUNNING' AND t.worker_ids @> %s::jsonb
"""


# The relay's time to accept a message: sends take as long as they do against a real server, so
# kills can land in the middle of one.
SMTP_DELAY = 0.02


class Killer:
    def __init__(self, ctx: Context, batch: int) -> None:
        self.ctx, self.batch = ctx, batch
        self.queued: list[int] = []
        self.web_kills = 0
        self.landed: Counter[str] = Counter()
        self.window: set[int] = set()
        self.errors: list[str] = []
        self.stopping = threading.Event()

    def guarded(self, loop, every: tuple[float, float]) -> None:  # type: ignore[no-untyped-def]
        """Run a kill loop; an error in it fails the drill rather than vanish with its thread."""
        try:
            loop(every)
        except (Exception, SystemExit) as error:  # reported as a drill failure
            self.errors.append(f"{loop.__name__}: {type(error).__name__}: {error}")

    def kill_web_workers(self, every: tuple[float, float]) -> None:
        while not self.stopping.wait(random.uniform(*every)):
            pids = self.ctx.portal.web_workers()
            if pids:
                try:
                    os.kill(random.choice(pids), signal.SIGKILL)
                    self.web_kills += 1
                except ProcessLookupError:
                    pass

    def kill_task_workers(self, every: tuple[float, float]) -> None:
        """Each round queues a batch, lets the workers get into it, then kills one of them."""
        while not self.stopping.wait(random.uniform(*every)):
            self.queued += queue_batch(self.ctx, self.batch)
            if self.stopping.wait(random.uniform(0.1, 1.0)):
                break
            slot = random.randrange(self.ctx.workers.count)
            with self.ctx.workers.held(slot):
                worker_id = self.ctx.workers.kill(slot)
                if worker_id:
                    time.sleep(0.5)  # a message whose last line was sent still reaches the server
                    where, email_id = self._where(worker_id)
                    self.landed[where] += 1
                    with (self.ctx.portal.logs / "kills.log").open("a") as log:
                        log.write(f"{time.strftime('%H:%M:%S')} {worker_id}: {where} {email_id}\n")

    def _where(self, worker_id: str) -> tuple[str, int | None]:
        with psycopg.connect(self.ctx.url) as connection:
            rows = connection.execute(_RUNNING, [json.dumps([worker_id])]).fetchall()
        if not rows:
            return "between tasks", None
        email_id, status = rows[0]
        if status == "sent":
            return "after the commit", email_id
        if self.ctx.sink.copies(email_id) == 0:
            return "before acceptance", email_id
        self.window.add(email_id)
        return "in the window", email_id


def run(
    ctx: Context,
    *,
    seconds: float = 60,
    clients: int = 3,
    batch: int = 60,
    web_every: tuple[float, float] = (3.0, 7.0),
    task_every: tuple[float, float] = (2.0, 5.0),
) -> Result:
    result = Result("(c) web and task workers killed under load")
    since = ctx.now()
    recovery_before = (ctx.workers.recovery.requeued, ctx.workers.recovery.abandoned)
    load, killer = Load(ctx.portal.port, ctx.facts, clients), Killer(ctx, batch)
    ctx.sink.delay = SMTP_DELAY
    threads = [
        threading.Thread(target=killer.guarded, args=(killer.kill_web_workers, web_every)),
        threading.Thread(target=killer.guarded, args=(killer.kill_task_workers, task_every)),
    ]
    load.start()
    for thread in threads:
        thread.start()
    try:
        time.sleep(seconds)
    finally:
        killer.stopping.set()
        for thread in threads:
            thread.join()
        load.stop()
    left = wait_for_outbox(ctx.url, 240)
    ctx.sink.delay = 0.0
    _report(ctx, result, load, killer, since, killer.queued, recovery_before, left)
    return result


def _report(
    ctx: Context,
    result: Result,
    load: Load,
    killer: Killer,
    since: object,
    batch_ids: list[int],
    recovery_before: tuple[int, int],
    left: int,
) -> None:
    result.require(not load.errors, f"clients stopped on unexpected answers: {load.errors[:3]}")
    result.require(not killer.errors, f"the killing stopped: {killer.errors}")
    answers = load.tally.between(0, time.monotonic())
    result.add("web workers killed", killer.web_kills)
    result.add("SMTP server's time to accept each message", f"{SMTP_DELAY * 1000:.0f} ms")
    result.add("requests answered", ", ".join(f"{n} {k}" for k, n in sorted(answers.items())))
    reports = check_reports(ctx.url, load.journeys, since)
    retried = sum(journey.retries for journey in load.journeys)
    result.add(
        "reports filed (completed by their clients)",
        f"{reports.completed} of {reports.journeys}, {retried} steps sent again",
    )
    result.add(
        "reports in the database / duplicated / missing / partial",
        f"{reports.reports} / {reports.duplicated} / {reports.missing} / {len(reports.partial)}",
    )
    result.require(reports.failures == 0, f"report problems: {reports.partial[:3]}")
    result.add("task workers killed", sum(killer.landed.values()))
    for where in ("between tasks", "before acceptance", "after the commit", "in the window"):
        result.add(f"  kills that landed {where}", killer.landed[where])
    recovery = ctx.workers.recovery
    result.add(
        "e-mails re-queued at worker starts / abandoned tasks closed",
        f"{recovery.requeued - recovery_before[0]} / {recovery.abandoned - recovery_before[1]}",
    )
    _mail(ctx, result, killer, since, batch_ids, left)


def _mail(
    ctx: Context, result: Result, killer: Killer, since: object, batch_ids: list[int], left: int
) -> None:
    with psycopg.connect(ctx.url) as connection:
        ids = [
            row[0]
            for row in connection.execute(
                "SELECT id FROM core_outboundemail WHERE created_at >= %s", [since]
            )
        ]
        skipped = connection.execute(
            "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE enqueued_at >= %s "
            "AND status = 'SUCCESSFUL' AND return_value = '\"skipped\"'::jsonb",
            [since],
        ).fetchone()
    mail = check_mail(ctx.url, ctx.sink, ids)
    explained = {i: n for i, n in mail.duplicated.items() if i in killer.window and n == 2}
    result.add(
        "e-mails (batch + reports): rows / delivered once / lost / still queued",
        f"{mail.emails} ({len(batch_ids)} + {mail.emails - len(batch_ids)}) / "
        f"{mail.delivered_once} / {len(mail.lost)} / {left}",
    )
    result.add(
        "delivery tasks that found their e-mail already sent (did nothing)",
        skipped[0] if skipped else 0,
    )
    result.add(
        "e-mails delivered twice: by a kill in the window / otherwise",
        f"{len(explained)} / {len(mail.duplicated) - len(explained)}",
    )
    result.require(not mail.lost, f"{len(mail.lost)} e-mails lost")
    result.require(
        len(mail.duplicated) == len(explained), "e-mail sent twice with no kill to explain it"
    )
    chain = ctx.portal.manage("verify_audit_chain").strip()
    result.add("audit chain", chain)
