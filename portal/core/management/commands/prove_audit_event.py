import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.core import audit
from portal.core.models import AuditBatch, AuditEvent


class Command(BaseCommand):
    help = (
        "Prove one sealed audit event is in the trail without reading all of it: prints the "
        "event, its batch's Merkle audit path and the batch headers up to the newest as JSON, and "
        "checks them (with the key). --expect-head: a head kept earlier must be at or after it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("seq", type=int, help="the event's place in the chain (#)")
        parser.add_argument("--expect-head", metavar="HASH")

    def handle(self, *args: object, seq: int, expect_head: str | None = None, **_: object) -> None:
        try:
            proof = audit.prove(seq)
        except (AuditEvent.DoesNotExist, AuditBatch.DoesNotExist) as missing:
            raise CommandError(f"Event #{seq} is not sealed in a batch.") from missing
        self.stdout.write(json.dumps(proof.as_dict(), indent=2))
        wrong = audit.check_proof(proof, expect_head)
        for problem in wrong:
            self.stderr.write(problem)
        if wrong:
            raise CommandError(f"Event #{seq}: the proof does not hold.")
        self.stderr.write(
            f"Event #{seq} is leaf {proof.index} of batch {proof.batches[0].number}, "
            f"{len(proof.path)} hashes to its root, {len(proof.batches)} batch header(s) to the "
            "head."
        )
