from django.core.management.base import BaseCommand, CommandParser

from portal.reports.reminders import send_due_reminders


class Command(BaseCommand):
    help = (
        "E-mail reminders for draft reports of every type due within a day or overdue (each kind "
        "once per report), and each type's own reminders. Safe to run hourly or daily."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="say what would be sent")

    def handle(self, *args: object, dry_run: bool = False, **options: object) -> None:
        counts = send_due_reminders(dry_run=dry_run)
        prefix = "Would have sent: " if dry_run else "Sent: "
        more = "".join(f", {count} {what}" for what, count in counts.more.items())
        self.stdout.write(f"{prefix}{counts.due_soon} due soon, {counts.overdue} overdue{more}.")
