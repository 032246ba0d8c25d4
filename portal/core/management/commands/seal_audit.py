"""The audit sealer (ADR 0024): seals the events `record()` wrote into the chain, in batches."""

import signal
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from portal.core import audit
from portal.core.models import AuditBatch


class Command(BaseCommand):
    help = (
        "Seal the audit events waiting to be sealed, in batches (one Merkle tree each, chained). "
        "Once by default; with --forever, every --interval seconds until SIGTERM or SIGINT (the "
        "qmportal-sealer service, and `make run`). One sealer seals at a time: a second one "
        "waits its turn."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--forever", action="store_true", help="keep sealing until stopped")
        parser.add_argument(
            "--interval",
            type=float,
            default=None,
            help="seconds between looks for new events (AUDIT_SEAL_INTERVAL, 0.2)",
        )
        parser.add_argument(
            "--batch-size", type=int, default=None, help="events per batch (AUDIT_SEAL_BATCH_SIZE)"
        )
        # For the fault drill (bench/faults/sealer.py): keep each batch's transaction open this
        # long before it commits, so that a kill lands in the middle of a batch.
        parser.add_argument("--pause-before-commit", type=float, default=0.0, help="(drills)")

    def handle(self, *args: Any, **options: Any) -> None:
        pause = options["pause_before_commit"]
        before_commit = None
        if pause:

            def before_commit(batch: AuditBatch) -> None:
                self.stdout.write(
                    f"batch {batch.number} (events {batch.first_seq}-{batch.last_seq}) written, "
                    f"committing in {pause:g} s",
                )
                self.stdout.flush()
                time.sleep(pause)

        if not options["forever"]:
            done = audit.seal_pending(options["batch_size"], before_commit=before_commit)
            refused = f"; refused {len(done.refused)} (see the log)" if done.refused else ""
            busy = "; another sealer was sealing" if done.busy else ""
            self.stdout.write(
                f"Sealed {done.events} event(s) in {done.batches} batch(es); adopted "
                f"{done.adopted} sealed before batches{refused}{busy}."
            )
            return
        stopping = []
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, lambda *_: stopping.append(True))
        interval = options["interval"] or settings.AUDIT_SEAL_INTERVAL
        self.stdout.write(f"Sealing audit events every {interval:g} s")
        self.stdout.flush()
        audit.run_sealer(
            interval,
            lambda: bool(stopping),
            batch_size=options["batch_size"],
            before_commit=before_commit,
            say=self._say,
        )
        self.stdout.write("Sealer stopped")

    def _say(self, line: str) -> None:
        self.stdout.write(line)
        self.stdout.flush()
