from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from portal.registry.services import RegistryImportError, import_registry


class Command(BaseCommand):
    help = (
        "Load the agency's registry of organizations and mailing addresses from a CSV file "
        "(format: portal/registry/services.py and docs/registry-import.md). All or nothing; "
        "running it twice changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="CSV file, UTF-8, with a header row")

    def handle(self, *args: object, path: Path, **options: object) -> None:
        try:
            with path.open(newline="", encoding="utf-8-sig") as stream:
                counts = import_registry(stream)
        except OSError as error:
            raise CommandError(f"Cannot read {path}: {error.strerror}") from error
        except UnicodeDecodeError as error:
            raise CommandError(f"{path} is not UTF-8 text.") from error
        except RegistryImportError as error:
            raise CommandError(
                "Nothing was imported:\n" + "\n".join(f"  {p}" for p in error.problems)
            ) from error
        self.stdout.write(
            f"Organizations: {counts.created} created, {counts.updated} updated, "
            f"{counts.unchanged} unchanged. Addresses: {counts.addresses_added} added, "
            f"{counts.addresses_updated} updated, {counts.addresses_deactivated} deactivated."
        )
