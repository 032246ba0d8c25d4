"""What the drills verify in the database after each fault: no report twice, none half made,
every e-mail delivered exactly once (counted at the SMTP server)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import psycopg

from .journeys import Journey
from .mail import Sink

# One row per report the drill's clients started, with everything a complete one has. A report
# is whole when it has exactly one `iad.created` event, and either (draft) no history, or
# (submitted) one `submit` history row, one `iad.submitted` event, status awaiting approval and
# one e-mail per clinical director of its organization.
_REPORTS = """
SELECT r.client_key::text, r.code::text, r.status,
  (SELECT count(*) FROM core_auditevent a
    WHERE a.action = 'iad.created' AND a.target_id = r.code::text),
  (SELECT count(*) FROM iad_reportevent h WHERE h.report_id = r.id AND h.transition = 'submit'),
  (SELECT count(*) FROM iad_reportevent h WHERE h.report_id = r.id),
  (SELECT count(*) FROM core_auditevent a
    WHERE a.action = 'iad.submitted' AND a.target_id = r.code::text),
  (SELECT count(*) FROM core_outboundemail e
    WHERE e.text_body LIKE '%%/iad/reports/' || r.code::text || '/%%'),
  (SELECT count(*) FROM accounts_user u JOIN accounts_rolegrant g ON g.user_id = u.id
    WHERE u.organization_id = r.organization_id AND g.role = 'iad.clinical_director'
      AND u.status = 'active' AND u.email <> '')
FROM iad_report r
WHERE r.created_at >= %(since)s OR r.client_key::text = ANY(%(keys)s)
"""


@dataclass
class ReportCheck:
    journeys: int = 0
    completed: int = 0
    reports: int = 0
    duplicated: int = 0
    missing: int = 0
    partial: list[str] = field(default_factory=list)
    without_key: int = 0

    @property
    def failures(self) -> int:
        return self.duplicated + self.missing + len(self.partial) + self.without_key


def check_reports(url: str, journeys: list[Journey], since: object) -> ReportCheck:
    keys = [journey.key for journey in journeys]
    with psycopg.connect(url) as connection:
        rows = connection.execute(_REPORTS, {"since": since, "keys": keys}).fetchall()
    result = ReportCheck(len(journeys), sum(j.completed for j in journeys), len(rows))
    by_key: dict[str, list[tuple]] = {}
    for row in rows:
        by_key.setdefault(row[0], []).append(row)
    result.without_key = len(by_key.pop(None, []))  # type: ignore[call-overload]
    result.duplicated = sum(len(found) - 1 for found in by_key.values())
    for journey in journeys:
        found = by_key.get(journey.key, [])
        # A journey whose start was never answered may have no report: nothing was promised.
        if journey.code and not found:
            result.missing += 1
        for row in found:
            problem = _partial(row, journey)
            if problem:
                result.partial.append(f"{row[1]}: {problem}")
    return result


def _partial(row: tuple, journey: Journey) -> str:
    _, _, status, created, submits, history, submitted, emails, directors = row
    if created != 1:
        return f"{created} iad.created events"
    if journey.completed and status != "awaiting_approval":
        return f"submitted by its client, but {status}"
    if status == "draft":
        return "" if (history, submitted, emails) == (0, 0, 0) else "a draft with history"
    if (submits, history, submitted) != (1, 1, 1):
        return f"{submits} submit rows, {history} history rows, {submitted} iad.submitted events"
    if emails != directors:
        return f"{emails} e-mails for {directors} clinical directors"
    return ""


@dataclass
class MailCheck:
    emails: int = 0
    sent: int = 0
    delivered_once: int = 0
    lost: list[int] = field(default_factory=list)
    duplicated: dict[int, int] = field(default_factory=dict)
    unidentified: int = 0


def wait_for_outbox(url: str, seconds: float) -> int:
    """Wait until no e-mail is queued (or the time is up); how many still are."""
    deadline = time.monotonic() + seconds
    while True:
        with psycopg.connect(url) as connection:
            queued = connection.execute(
                "SELECT count(*) FROM core_outboundemail WHERE status = 'queued'"
            ).fetchone()
        left = int(queued[0]) if queued else 0
        if left == 0 or time.monotonic() > deadline:
            return left
        time.sleep(1)


def check_mail(url: str, sink: Sink, ids: list[int] | None = None) -> MailCheck:
    """Each e-mail row (all, or `ids`) against the copies the SMTP server accepted."""
    query = "SELECT id, status FROM core_outboundemail"
    with psycopg.connect(url) as connection:
        if ids is None:
            rows = connection.execute(query).fetchall()
        else:
            rows = connection.execute(query + " WHERE id = ANY(%s)", [ids]).fetchall()
    copies = sink.snapshot()
    result = MailCheck(emails=len(rows), unidentified=sink.unidentified)
    for outbox_id, status in rows:
        result.sent += status == "sent"
        if copies[outbox_id] == 0 or status != "sent":
            result.lost.append(outbox_id)
        elif copies[outbox_id] > 1:
            result.duplicated[outbox_id] = copies[outbox_id]
        else:
            result.delivered_once += 1
    return result
