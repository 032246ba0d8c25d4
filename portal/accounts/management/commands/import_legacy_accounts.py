from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.accounts.services.porting import LegacyImportError, import_legacy_accounts


class Command(BaseCommand):
    help = (
        "Load accounts from the previous portal (CSV; format in "
        "portal/accounts/services/porting.py). All or nothing; existing usernames are left alone."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)

    def handle(self, *args: object, path: Path, **options: object) -> None:
        try:
            with path.open(newline="", encoding="utf-8-sig") as stream:
                counts = import_legacy_accounts(stream)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from error
        except UnicodeDecodeError as error:
            raise CommandError(f"{path} is not UTF-8 text.") from error
        except LegacyImportError as error:
            raise CommandError(
                "Nothing was imported:\n" + "\n".join(f"  {p}" for p in error.problems)
            ) from error
        self.stdout.write(f"Accounts: {counts.created} created, {counts.skipped} already here.")
