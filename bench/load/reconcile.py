"""What the simulated people were told against what the database holds, for reports.

The ledger (one JSON line per fact, written by the locustfile) holds `{"sent": key, "how"}`
before each start page is sent and `{"told": key, "code"}` for each answer that named a draft.
The database facts list every report whose preparer is a load account, with its key.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass
class Reconciliation:
    sent: int = 0  # start pages sent (a page sent twice counts once)
    sent_twice: Counter[str] = field(default_factory=Counter)  # by how: retry, double click
    posts: int = 0  # start POSTs answered with a draft
    told: int = 0  # distinct reports the people were told of
    stored: int = 0  # reports of the load accounts in the database
    lost: list[str] = field(default_factory=list)  # told, not stored
    second: int = 0  # reports beyond the first for one page (stored, or named in answers)
    stray: list[str] = field(default_factory=list)  # stored, with no key or one never sent
    events_twice: int = 0  # `iad.created` events beyond one per report
    unanswered: int = 0  # stored for a page sent, but the answer never reached the person
    misdirected: int = 0  # answers naming a stored report that is not this person's page's

    @property
    def duplicated(self) -> int:
        return self.second + len(self.stray) + self.events_twice

    @property
    def passed(self) -> bool:
        return self.told > 0 and not self.lost and self.duplicated == 0 and not self.misdirected

    def summary(self) -> str:
        twice = ", ".join(f"{n} as a {how}" for how, n in sorted(self.sent_twice.items()))
        return (
            f"Reports: {self.sent} start pages sent ({sum(self.sent_twice.values())} of them "
            f"twice with one key: {twice or 'none'}), {self.posts} answers naming a draft; "
            f"{self.told} reports told created, {self.stored} stored.\n"
            f"  lost: {len(self.lost)}   duplicated: {self.duplicated} (second reports for one "
            f"page {self.second}, reports no page asked for {len(self.stray)}, second "
            f"iad.created events {self.events_twice})   unanswered: {self.unanswered}   "
            f"misdirected: {self.misdirected}"
        )

    def figures(self) -> dict[str, Any]:
        return {
            "start_pages_sent": self.sent, "sent_twice": dict(self.sent_twice),
            "answers": self.posts, "told": self.told, "stored": self.stored,
            "lost": len(self.lost), "duplicated": self.duplicated,
            "second": self.second, "stray": len(self.stray), "events_twice": self.events_twice,
            "unanswered": self.unanswered, "misdirected": self.misdirected,
        }  # fmt: skip


def read_ledger(paths: Iterable[Path]) -> list[dict[str, Any]]:
    facts = []
    for path in paths:
        with path.open(encoding="utf-8") as ledger:
            facts.extend(json.loads(line) for line in ledger if line.strip())
    return facts


def reconcile(ledgers: Iterable[Path], facts: dict[str, Any]) -> Reconciliation:
    found = Reconciliation()
    sent: dict[tuple[str, str], str] = {}
    told: dict[tuple[str, str], set[str]] = defaultdict(set)
    for fact in read_ledger(ledgers):
        if "sent" in fact:
            sent[(fact["user"], fact["sent"])] = fact["how"]
        elif "told" in fact:
            found.posts += 1
            told[(fact["user"], fact["told"])].add(fact["code"])
    found.sent = len(sent)
    found.sent_twice = Counter(how for how in sent.values() if how != "once")
    rows: dict[tuple[str, str], list[str]] = defaultdict(list)
    for row in facts["reports"]:
        if row["key"] is None or (row["preparer"], row["key"]) not in sent:
            found.stray.append(row["code"])
        else:
            rows[(row["preparer"], row["key"])].append(row["code"])
    stored = {row["code"] for row in facts["reports"]}
    told_codes = {code for codes in told.values() for code in codes}
    found.stored, found.told = len(stored), len(told_codes)
    found.lost = sorted(told_codes - stored)
    found.second = sum(
        max(len(rows.get(page, [])), len(told.get(page, ()))) - 1 for page in {*rows, *told}
    )
    found.unanswered = sum(1 for page in rows if page not in told)
    found.misdirected = sum(
        1 for page, codes in told.items() for code in codes
        if code in stored and code not in rows.get(page, [])
    )  # fmt: skip
    events = facts["created_events"]
    found.events_twice = sum(max(0, events.get(code, 0) - 1) for code in stored)
    return found
