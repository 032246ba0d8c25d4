"""What every drill works with, and the shape of what it reports."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import psycopg

from .cluster import Cluster
from .journeys import Facts
from .mail import Sink
from .portal import Portal, Sealer, TaskWorkers


@dataclass
class Context:
    cluster: Cluster
    database: str
    portal: Portal
    workers: TaskWorkers
    sink: Sink
    facts: Facts
    sealer: Sealer

    @property
    def url(self) -> str:
        return self.cluster.url(self.database)

    def now(self) -> Any:
        """The database's clock: rows created from here on belong to the drill."""
        with psycopg.connect(self.url) as connection:
            row = connection.execute("SELECT now()").fetchone()
        assert row is not None
        return row[0]

    def log_offset(self, name: str) -> int:
        path = self.portal.logs / name
        return path.stat().st_size if path.exists() else 0

    def log_since(self, name: str, offset: int) -> str:
        path = self.portal.logs / name
        if not path.exists():
            return ""
        with path.open("rb") as log:
            log.seek(offset)
            return log.read().decode("utf-8", "replace")


@dataclass
class Result:
    """A drill's name, its figures (label, value) in print order, and what failed."""

    name: str
    figures: list[tuple[str, Any]] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def add(self, label: str, value: Any) -> None:
        self.figures.append((label, value))

    def require(self, ok: bool, failure: str) -> None:
        if not ok:
            self.failures.append(failure)

    @property
    def passed(self) -> bool:
        return not self.failures
