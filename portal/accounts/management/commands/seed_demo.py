import json
from argparse import ArgumentParser
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from portal.accounts.demo import (
    DEMO_ANSWER,
    DemoPersona,
    demo_totp_secret,
    identity_provider_accounts,
    seed_demo,
)
from portal.accounts.models import User
from portal.reports.demo import seed_stories


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
            stories = seed_stories()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        for title, made in stories.items():
            if made:
                self.stdout.write(f"Demo {title.lower()} created: {made}, in every state.")
        if isinstance(accounts_file, Path):
            accounts_file.write_text(json.dumps(identity_provider_accounts(), indent=2))
        self._write_sign_ins(personas, identity_provider=isinstance(accounts_file, Path))

    def _write_sign_ins(
        self, personas: list[tuple[DemoPersona, bool]], *, identity_provider: bool
    ) -> None:
        """The lines a newcomer needs: who to sign in as, in which organization, and how."""
        organizations = dict(
            User.objects.filter(username__in=[p.username for p, _ in personas]).values_list(
                "username", "organization__name"
            )
        )
        self.stdout.write(
            f"Demo sign-ins: password {settings.DEMO_PASSWORD}, "
            f"security answers (all three questions) {DEMO_ANSWER}"
        )
        for persona, can_sign_in in personas:
            note = "" if can_sign_in else "  (single sign-on only: no local password here)"
            if persona.authenticator_app:
                key = demo_totp_secret(persona.username)
                note += (
                    f"  (second factor: an authenticator app with the setup key {key}, "
                    "time-based, 6 digits)"
                )
            organization = organizations.get(persona.username) or persona.identifier
            self.stdout.write(f"  {persona.username:<18} {organization}{note}")
        if identity_provider:
            self.stdout.write(f"Staff sign in through the development identity provider at "
                              f"{settings.SSO_ISSUER or '(SSO_ISSUER is not set)'}.")  # fmt: skip
