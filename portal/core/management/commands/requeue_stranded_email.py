from django.core.management.base import BaseCommand, CommandParser

from portal.core.emails import requeue_stranded


class Command(BaseCommand):
    help = (
        "Queue delivery again for e-mail left queued with no task to deliver it (a task worker "
        "killed mid-send, ADR 0017), and mark the abandoned tasks failed. Safe beside running "
        "workers and as often as wanted. Prints counts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="count only, change nothing")

    def handle(self, *args: object, dry_run: bool = False, **options: object) -> None:
        requeued, abandoned = requeue_stranded(dry_run=dry_run)
        verb = "To re-queue" if dry_run else "Re-queued"
        self.stdout.write(
            f"{verb}: {requeued} stranded e-mail(s); abandoned delivery tasks: {abandoned}."
        )
