from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from portal.core.models import OutboundEmail


class Command(BaseCommand):
    help = (
        "Daily: delete sent e-mail older than EMAIL_RETENTION_DAYS (default 30) from the outbox. "
        "Queued and failed e-mail stays: the one still waits, staff follow up the other."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="say how many, delete none")

    def handle(self, *args: object, dry_run: bool = False, **options: object) -> None:
        cutoff = timezone.now() - timedelta(days=settings.EMAIL_RETENTION_DAYS)
        old = OutboundEmail.objects.filter(status=OutboundEmail.Status.SENT, sent_at__lt=cutoff)
        count = old.count() if dry_run else old.delete()[0]
        self.stdout.write(f"{'Would delete' if dry_run else 'Deleted'} {count} sent e-mail(s).")
