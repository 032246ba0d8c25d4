from django.core.management.base import BaseCommand, CommandParser

from portal.accounts.services.inactivity import sweep_inactive_accounts


class Command(BaseCommand):
    help = (
        "Daily: e-mail inactivity warnings, lock accounts unused for INACTIVITY_LOCK_DAYS and "
        "delete those unused for INACTIVITY_DELETE_DAYS (credentials and contact data erased; "
        "names, reports and audit kept). Safe to run more than once a day."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="say what would happen")

    def handle(self, *args: object, dry_run: bool = False, **options: object) -> None:
        counts = sweep_inactive_accounts(dry_run=dry_run)
        prefix = "Would have: " if dry_run else ""
        self.stdout.write(
            f"{prefix}{counts.warned} warned, {counts.locked} locked, {counts.deleted} deleted."
        )
        for name in counts.masterless:
            self.stdout.write(f"  {name} has no master account any more; agency admins told.")
