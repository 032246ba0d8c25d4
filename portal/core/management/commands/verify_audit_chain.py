from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.core.audit import forged_pending, pending_events, verify_chain
from portal.core.models import AuditBatch, AuditEvent


class Command(BaseCommand):
    help = (
        "Check every sealed audit event against its seal and its place in the chain, and every "
        "batch against its Merkle root, its seal and the batch before. Prints the count and the "
        "head hash; keep the head outside the database and pass it back with --expect-head to "
        "detect removal of the newest events. Also tells how many events wait to be sealed. "
        "Exits non-zero on any problem, an unsealed event that does not match its mac, or (with "
        "--max-pending-age) an event waiting longer than that."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--expect-head", metavar="HASH", help="a head printed by an earlier run"
        )
        parser.add_argument(
            "--max-pending-age",
            type=float,
            metavar="SECONDS",
            help="fail when an unsealed event is older than this (is the sealer running?)",
        )

    def handle(
        self,
        *args: object,
        expect_head: str | None = None,
        max_pending_age: float | None = None,
        **options: object,
    ) -> None:
        count, head, problems = verify_chain()
        messages = [f"event #{problem.seq}: {problem.problem}" for problem in problems]
        if expect_head and not AuditEvent.objects.filter(seal__hash=expect_head).exists():
            messages.append("the expected head is no longer in the chain: events were removed")
        waiting = pending_events()
        messages += [
            f"unsealed event id {pk}: its content does not match its mac (not written by the "
            "portal, or changed since)"
            for pk in forged_pending()
        ]
        age = waiting.age()
        if max_pending_age is not None and age > max_pending_age:
            messages.append(
                f"{waiting.count} event(s) unsealed, the oldest for {age:.0f} s: is the sealer "
                "(manage.py seal_audit --forever) running?"
            )
        for message in messages:
            self.stderr.write(message)
        if messages:
            raise CommandError(f"Audit chain broken: {len(messages)} problem(s) in {count} events.")
        batches = AuditBatch.objects.count()
        self.stdout.write(f"Audit chain intact: {count} events in {batches} batches. Head: {head}")
        if waiting.count:
            self.stdout.write(
                f"Waiting to be sealed: {waiting.count} event(s), the oldest {age:.1f} s old."
            )
