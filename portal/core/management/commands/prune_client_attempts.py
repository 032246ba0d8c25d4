from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from portal.core.models import ClientAttempt


class Command(BaseCommand):
    help = (
        "Daily: delete counted tries of rate-limited steps older than their longest window; "
        "they count toward nothing any more (the audit trail keeps refusals)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="say how many, delete none")

    def handle(self, *args: object, dry_run: bool = False, **options: object) -> None:
        longest = max(minutes for _, minutes in settings.RATE_LIMITS.values())
        old = ClientAttempt.objects.filter(at__lt=timezone.now() - timedelta(minutes=longest))
        count = old.count() if dry_run else old.delete()[0]
        self.stdout.write(f"{'Would delete' if dry_run else 'Deleted'} {count} old tries.")
