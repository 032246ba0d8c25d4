"""An e-mail backend with a bug in it, to prove a programming error does not strand mail."""

from django.core.mail.backends.base import BaseEmailBackend


class BrokenBackend(BaseEmailBackend):
    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        raise KeyError("a bug, not a passing failure")
