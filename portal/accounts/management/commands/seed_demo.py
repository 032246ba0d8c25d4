from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from portal.accounts.demo import DEMO_ANSWER, seed_demo


class Command(BaseCommand):
    help = (
        "Development only: load the sample registry and one account per persona, all with "
        "DEMO_PASSWORD. Safe to run again."
    )

    def handle(self, *args: object, **options: object) -> None:
        try:
            personas = seed_demo()
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from error
        self.stdout.write("Demo sign-ins (password: the DEMO_PASSWORD setting):")
        for persona, can_sign_in in personas:
            note = "" if can_sign_in else "  (single sign-on only: no local password here)"
            self.stdout.write(f"  {persona.username:<18} {persona.kind:<12}{note}")
        self.stdout.write(f"Password: {settings.DEMO_PASSWORD}")
        self.stdout.write(f"Security answers (all three questions): {DEMO_ANSWER}")
