from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.core.audit import verify_chain
from portal.core.models import AuditEvent


class Command(BaseCommand):
    help = (
        "Check every audit event against its seal and its place in the chain. Prints the count "
        "and the head hash; keep the head outside the database and pass it back with "
        "--expect-head to detect removal of the newest events. Exits non-zero on any problem."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--expect-head", metavar="HASH", help="a head printed by an earlier run"
        )

    def handle(self, *args: object, expect_head: str | None = None, **options: object) -> None:
        count, head, problems = verify_chain()
        messages = [f"event #{problem.seq}: {problem.problem}" for problem in problems]
        if expect_head and not AuditEvent.objects.filter(hash=expect_head).exists():
            messages.append("the expected head is no longer in the chain: events were removed")
        for message in messages:
            self.stderr.write(message)
        if messages:
            raise CommandError(f"Audit chain broken: {len(messages)} problem(s) in {count} events.")
        self.stdout.write(f"Audit chain intact: {count} events. Head: {head}")
