"""Drill (a): PostgreSQL restarted while people file reports, once cleanly (`pg_ctl stop -m fast`,
as for a minor upgrade) and once as a crash (`-m immediate`, recovery at start). Every answer
during the outage must be the portal's 503 page, service must come back by itself within
seconds, and the reports sent again after it must exist once each and whole.

E-mail: none lost. A message the relay accepted just as the database went away cannot be marked
sent (ADR 0017's window, opened by an outage as by a kill) and is sent again: a repeat passes only
as drill (c) counts one, two copies of one Message-ID whose first the relay accepted during an
outage (from `OUTAGE_SLACK` before `pg_ctl stop` until the database was back)."""

from __future__ import annotations

import time

from .checks import check_mail, check_reports, wait_for_outbox
from .context import Context, Result
from .journeys import Load

RESUME_LIMIT = 15.0  # seconds from "database accepting connections" to the first good answer
# A worker's commit follows the relay's acceptance by milliseconds; a second covers a loaded
# machine without explaining a repeat of a message sent well before the outage.
OUTAGE_SLACK = 1.0


def run(
    ctx: Context, *, clients: int = 3, warmup: float = 8, down: float = 5, settle: float = 10
) -> Result:
    result = Result("(a) PostgreSQL restarted under load")
    since, web_log = ctx.now(), ctx.log_offset("gunicorn.log")
    crashes_before = ctx.workers.starts
    load = Load(ctx.portal.port, ctx.facts, clients)
    outages: list[tuple[float, float]] = []
    load.start()
    try:
        time.sleep(warmup)
        for mode in ("fast", "immediate"):
            outages.append(_outage(ctx, load, mode, down, result))
            time.sleep(settle)
    finally:
        load.stop()
    result.require(not load.errors, f"clients stopped on unexpected answers: {load.errors[:3]}")
    answers = load.tally.between(0, time.monotonic())
    result.add("requests answered", f"{sum(answers.values())} ({_counts(answers)})")
    result.require(answers["503 unclear"] == 0, "503 answers without the portal's page")
    result.require(not [k for k in answers if k.isdigit()], "other 5xx answers")
    result.require(answers["no answer"] == 0, "requests the web server never answered")
    left = wait_for_outbox(ctx.url, 180)
    _check_outcome(ctx, load, since, left, result)
    _check_mail(ctx, outages, left, result)
    tracebacks = ctx.log_since("gunicorn.log", web_log).count("Traceback")
    result.add("tracebacks in the web server's log", tracebacks)
    result.require(tracebacks == 0, "tracebacks in the web server's log")
    result.add(
        "task worker restarts (they exit when the database goes)",
        ctx.workers.starts - crashes_before,
    )
    return result


def _outage(
    ctx: Context, load: Load, mode: str, down: float, result: Result
) -> tuple[float, float]:
    """Stop, wait, start. While it is stopped every answer must be the 503 page; while stopping
    and starting (pg_ctl waiting for the server) answers may also be good ones. Returns when the
    stop began and when the database was back."""
    began = time.monotonic()
    ctx.cluster.stop(mode)
    stopped = time.monotonic()
    time.sleep(down)
    starting = time.monotonic()
    ctx.cluster.start()
    back = time.monotonic()
    edges = load.tally.between(began, stopped) + load.tally.between(starting, back)
    away = load.tally.between(stopped, starting)
    time.sleep(1)  # let the clients' retries land before reading the figures
    resumed = load.tally.first_ok_after(back)
    result.add(
        f"outage ({mode}): stopping / stopped / starting",
        f"{stopped - began:.1f} s / {starting - stopped:.1f} s / {back - starting:.1f} s",
    )
    result.add(f"outage ({mode}): answers while stopped", _counts(away) or "none")
    result.add(f"outage ({mode}): answers while stopping or starting", _counts(edges) or "none")
    result.add(
        f"outage ({mode}): first good answer after pg_ctl start returned",
        f"{resumed:.2f} s" if resumed is not None else "none",
    )
    result.require(sum(away.values()) > 0, f"no request reached the portal during {mode}")
    result.require(set(away) <= {"503 page"}, f"answers other than 503 during {mode}")
    result.require(set(edges) <= {"503 page", "ok"}, f"errors while stopping or starting ({mode})")
    result.require(resumed is not None and resumed <= RESUME_LIMIT, f"slow resume after {mode}")
    return began, back


def _check_outcome(ctx: Context, load: Load, since: object, left: int, result: Result) -> None:
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
    chain = ctx.portal.manage("verify_audit_chain").strip()
    result.add("audit chain", chain)


def _check_mail(
    ctx: Context, outages: list[tuple[float, float]], left: int, result: Result
) -> None:
    mail = check_mail(ctx.url, ctx.sink)

    def in_outage(outbox_id: int) -> bool:
        first = ctx.sink.first_accepted(outbox_id)
        return first is not None and any(
            began - OUTAGE_SLACK <= first <= back for began, back in outages
        )

    explained = {i for i, n in mail.duplicated.items() if n == 2 and in_outage(i)}
    result.add(
        "e-mails: rows / delivered once / lost / still queued",
        f"{mail.emails} / {mail.delivered_once} / {len(mail.lost)} / {left}",
    )
    result.add(
        "e-mails delivered twice: first copy accepted during an outage / otherwise",
        f"{len(explained)} / {len(mail.duplicated) - len(explained)}",
    )
    result.add("messages without the portal's Message-ID", mail.unidentified)
    result.require(not mail.lost, f"{len(mail.lost)} e-mails lost")
    result.require(
        len(mail.duplicated) == len(explained), "e-mail sent twice with no outage to explain it"
    )
    result.require(mail.unidentified == 0, "messages the drill cannot tell apart")


def _counts(answers: object) -> str:
    return ", ".join(f"{n} {outcome}" for outcome, n in sorted(answers.items()))  # type: ignore[attr-defined]
