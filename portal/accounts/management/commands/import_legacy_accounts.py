from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from portal.accounts.services.porting import import_legacy_accounts
from portal.core.csv_import import run_csv_import


class Command(BaseCommand):
    help = (
        "Load accounts from the previous portal (CSV; format in "
        "portal/accounts/services/porting.py). All or nothing; existing usernames are left alone."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: object, path: Path, **options: object) -> None:
        counts = run_csv_import(path, import_legacy_accounts)
        self.stdout.write(f"Accounts: {counts.created} created, {counts.skipped} already here.")
