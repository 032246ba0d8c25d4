import json
from argparse import ArgumentParser
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from portal.accounts.demo import DEMO_ANSWER, identity_provider_accounts, seed_demo
from portal.iad.demo import seed_reports


class Command(BaseCommand):
    help = (
        "Development only: load the sample registry and one account per persona, all with "
        "DEMO_PASSWORD. Safe to run again."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--identity-provider-accounts",
            type=Path,
            metavar="FILE",
            help="Also write the staff personas as tools/dev-idp's accounts file.",
        )

    def handle(self, *args: object, **options: object) -> None:
        accounts_file = options["identity_provider_accounts"]
        try:
            personas = seed_demo()
            reports = seed_reports()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        self.stdout.write("Demo sign-ins (password: the DEMO_PASSWORD setting):")
        for persona, can_sign_in in personas:
            note = "" if can_sign_in else "  (single sign-on only: no local password here)"
            self.stdout.write(f"  {persona.username:<18} {persona.kind:<12}{note}")
        self.stdout.write(f"Password: {settings.DEMO_PASSWORD}")
        self.stdout.write(f"Security answers (all three questions): {DEMO_ANSWER}")
        if reports:
            self.stdout.write(f"Demo incident reports created: {reports}, one in each state.")
        if isinstance(accounts_file, Path):
            accounts_file.write_text(json.dumps(identity_provider_accounts(), indent=2))
            self.stdout.write(f"Staff sign in through the development identity provider at "
                              f"{settings.SSO_ISSUER or '(SSO_ISSUER is not set)'}.")  # fmt: skip
