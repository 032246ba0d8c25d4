from cryptography.fernet import InvalidToken
from django.core.management.base import BaseCommand
from django.db import transaction

from portal.accounts.models import AuthenticatorApp
from portal.accounts.secret_box import reseal


class Command(BaseCommand):
    help = (
        "After rotating SECRET_KEY with the old key in SECRET_KEY_FALLBACKS: seal every "
        "authenticator app's key under the new SECRET_KEY, so the fallback can then be removed "
        "(ADR 0025, docs/operations.md). Safe to run again."
    )

    def handle(self, *args: object, **options: object) -> None:
        done = unreadable = 0
        for app in AuthenticatorApp.objects.only("pk", "secret").iterator():
            try:
                sealed = reseal(app.secret)
            except InvalidToken:
                unreadable += 1
                continue
            with transaction.atomic():
                AuthenticatorApp.objects.filter(pk=app.pk, secret=app.secret).update(secret=sealed)
            done += 1
        self.stdout.write(f"Re-sealed {done} authenticator app keys; {unreadable} unreadable.")
        if unreadable:
            self.stdout.write(
                "Unreadable keys were sealed under a key no longer configured: those people use "
                "a recovery code or a passkey, or ask for a reset."
            )
