from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from portal.core.csv_import import run_csv_import
from portal.registry.services import import_registry


class Command(BaseCommand):
    help = (
        "Load the agency's registry of organizations and mailing addresses from a CSV file "
        "(format: portal/registry/services.py and docs/registry-import.md). All or nothing; "
        "running it twice changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="CSV file, UTF-8, with a header row")

    def handle(self, *args: object, path: Path, **options: object) -> None:
        counts = run_csv_import(path, import_registry)
        self.stdout.write(
            f"Organizations: {counts.created} created, {counts.updated} updated, "
            f"{counts.unchanged} unchanged. Addresses: {counts.addresses_added} added, "
            f"{counts.addresses_updated} updated, {counts.addresses_deactivated} deactivated."
        )
