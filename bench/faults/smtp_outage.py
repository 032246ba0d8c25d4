"""Drill (b): the SMTP server stopped, e-mails queued while it is away, started again two
minutes later. The outbox retries on its own schedule (1, 2, 4 … minutes, ADR 0005, product
defaults unchanged); every message must arrive exactly once."""

from __future__ import annotations

import json
import time

import psycopg

from .checks import check_mail, wait_for_outbox
from .context import Context, Result

QUEUE = """
import json
from django.db import transaction
from portal.core.emails import queue_email
context = {"person": {"first_name": "Drill"}, "what": "A fault drill message.", "link": "/"}
with transaction.atomic():
    ids = [queue_email("report_action_needed", f"drill-{n}@example.test", context).pk
           for n in range(COUNT)]
print(json.dumps(ids))
"""


def queue_batch(ctx: Context, count: int) -> list[int]:
    """`count` e-mails queued through the outbox in one transaction; their ids."""
    output = ctx.portal.manage(
        "shell", "--verbosity", "0", "-c", QUEUE.replace("COUNT", str(count))
    )
    return list(json.loads(output.strip().splitlines()[-1]))


def run(
    ctx: Context, *, count: int = 100, down_seconds: float = 120, wait_seconds: float = 600
) -> Result:
    result = Result(f"(b) SMTP server away for {down_seconds:.0f} s with {count} e-mails queued")
    wait_for_outbox(ctx.url, 120)
    ctx.sink.stop()
    stopped = time.monotonic()
    ids = queue_batch(ctx, count)
    time.sleep(max(0.0, stopped + down_seconds - time.monotonic()))
    tries_while_down = _attempts(ctx, ids)
    ctx.sink.start()
    back = time.monotonic()
    deadline, first = back + wait_seconds, None
    while (unsent := _unsent(ctx, ids)) and time.monotonic() < deadline:
        if first is None and unsent < len(ids):
            first = time.monotonic()
        time.sleep(1)
    done = time.monotonic()
    first = first or done
    mail = check_mail(ctx.url, ctx.sink, ids)
    result.add("e-mails queued while the server was away", len(ids))
    result.add(
        "delivery tries while it was away", sum(tries * n for tries, n in tries_while_down.items())
    )
    result.add("tries per e-mail at the end", _distribution(_attempts(ctx, ids)))
    result.add(
        "first / last delivery after the server came back",
        f"{first - back:.0f} s / {done - back:.0f} s (polled each second)",
    )
    result.add(
        "delivered once / lost / duplicated / unidentified at the server",
        f"{mail.delivered_once} / {len(mail.lost)} / {len(mail.duplicated)} / {mail.unidentified}",
    )
    result.require(
        mail.delivered_once == count, f"{count - mail.delivered_once} not delivered once"
    )
    result.require(not mail.duplicated and not mail.lost, "e-mail lost or duplicated")
    return result


def _attempts(ctx: Context, ids: list[int]) -> dict[int, int]:
    """How many e-mails have had each number of tries."""
    with psycopg.connect(ctx.url) as connection:
        rows = connection.execute(
            "SELECT attempts, count(*) FROM core_outboundemail WHERE id = ANY(%s) GROUP BY 1",
            [ids],
        ).fetchall()
    return {int(attempts): int(n) for attempts, n in rows}


def _unsent(ctx: Context, ids: list[int]) -> int:
    with psycopg.connect(ctx.url) as connection:
        row = connection.execute(
            "SELECT count(*) FROM core_outboundemail WHERE id = ANY(%s) AND status <> 'sent'",
            [ids],
        ).fetchone()
    return int(row[0]) if row else 0


def _distribution(attempts: dict[int, int]) -> str:
    return ", ".join(f"{n} x {tries}" for tries, n in sorted(attempts.items()))
