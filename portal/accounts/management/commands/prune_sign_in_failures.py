from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from portal.accounts.models import SignInFailure


class Command(BaseCommand):
    help = (
        "Daily: delete failed-sign-in rows older than the lockout window; they count toward "
        "nothing any more (the audit trail keeps the record)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="say how many, delete none")

    def handle(self, *args: object, dry_run: bool = False, **options: object) -> None:
        cutoff = timezone.now() - timedelta(minutes=settings.LOCKOUT_WINDOW_MINUTES)
        old = SignInFailure.objects.filter(at__lt=cutoff)
        count = old.count() if dry_run else old.delete()[0]
        self.stdout.write(f"{'Would delete' if dry_run else 'Deleted'} {count} old failures.")
