"""The drills' SMTP server (aiosmtpd on 127.0.0.1), counting every message it accepts by the
outbox row it came from: the portal's Message-ID is `<outbox-ID.…@…>` on every try of one row."""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections import Counter
from email.parser import BytesHeaderParser

from aiosmtpd.controller import Controller

OUTBOX_ID = re.compile(r"<outbox-(\d+)\.")


class Sink:
    """Start, stop and start again on one port; `copies(id)` is how often row `id` arrived."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._lock = threading.Lock()
        self._copies: Counter[int] = Counter()
        self._first: dict[int, float] = {}  # outbox row -> when its first copy was accepted
        self.unidentified = 0
        # Seconds the server takes over each message before it accepts it, as a real relay does.
        self.delay = 0.0
        self._controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        if self.delay:
            await asyncio.sleep(self.delay)
        headers = BytesHeaderParser().parsebytes(envelope.original_content or b"")
        found = OUTBOX_ID.match(headers.get("Message-ID", ""))
        with self._lock:
            if found:
                self._copies[int(found.group(1))] += 1
                self._first.setdefault(int(found.group(1)), time.monotonic())
            else:
                self.unidentified += 1
        return "250 Message accepted for delivery"

    def start(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def copies(self, outbox_id: int) -> int:
        with self._lock:
            return self._copies[outbox_id]

    def first_accepted(self, outbox_id: int) -> float | None:
        """`time.monotonic()` when the first copy of row `outbox_id` was accepted."""
        with self._lock:
            return self._first.get(outbox_id)

    def snapshot(self) -> Counter[int]:
        with self._lock:
            return Counter(self._copies)
