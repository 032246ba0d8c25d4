"""E-mail goes through the outbox and the real task worker to a real SMTP server (aiosmtpd)."""

import socket
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes
from pathlib import Path

import pytest
import time_machine
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from portal.core.emails import KINDS, EmailKind, queue_email, retry_delay
from portal.core.models import OutboundEmail

pytestmark = pytest.mark.django_db(transaction=True)
TEST_TEMPLATES = Path(__file__).parent / "templates"


class Inbox:
    def __init__(self) -> None:
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.original_content)
        return "250 Message accepted for delivery"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def smtp_settings(settings, monkeypatch):
    monkeypatch.setitem(KINDS, "smoke", EmailKind())  # the test templates' one kind
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [*settings.TEMPLATES[0]["DIRS"],
                                                             TEST_TEMPLATES]}]  # fmt: skip
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()
    return settings


@pytest.fixture
def smtp_server(smtp_settings) -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_settings.EMAIL_PORT)
    controller.start()
    yield inbox
    controller.stop()


def run_worker() -> None:
    call_command("db_worker", "--batch", "--interval", "0", "--no-startup-delay", "--no-reload")


def test_mail_waits_for_the_transaction_and_then_reaches_the_smtp_server(smtp_server) -> None:
    with transaction.atomic():
        email = queue_email("smoke", "someone@example.org", {"name": "Ana"})
    run_worker()
    email.refresh_from_db()
    assert (email.status, email.attempts) == (OutboundEmail.Status.SENT, 1)
    assert len(smtp_server.messages) == 1
    message = message_from_bytes(smtp_server.messages[0])
    assert message["To"] == "someone@example.org"
    assert message["Subject"] == "Something needs your attention in the QM Portal"
    assert [part.get_content_type() for part in message.walk()][1:] == ["text/plain", "text/html"]
    run_worker()  # running again sends nothing twice
    assert len(smtp_server.messages) == 1


def test_a_rolled_back_change_sends_no_mail(smtp_server) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        queue_email("smoke", "someone@example.org", {"name": "Ana"})
        raise RuntimeError
    run_worker()
    assert not OutboundEmail.objects.exists() and not DBTaskResult.objects.exists()
    assert smtp_server.messages == []


def test_a_down_server_delays_mail_and_it_is_sent_once_it_is_back(smtp_settings) -> None:
    email = queue_email("smoke", "someone@example.org", {"name": "Ana"})
    run_worker()  # nothing listens on the port yet
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == (
        "queued",
        1,
        "ConnectionRefusedError",
    )
    retry = DBTaskResult.objects.filter(status="READY").get()
    assert retry.run_after > timezone.now()
    run_worker()  # too early: the retry waits its turn
    email.refresh_from_db()
    assert email.attempts == 1
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_settings.EMAIL_PORT)
    controller.start()
    try:
        with time_machine.travel(timezone.now() + retry_delay(1) + timedelta(seconds=1)):
            run_worker()
    finally:
        controller.stop()
    email.refresh_from_db()
    assert (email.status, email.attempts, len(inbox.messages)) == ("sent", 2, 1)


def test_mail_that_keeps_failing_is_marked_failed_for_staff(smtp_settings) -> None:
    smtp_settings.EMAIL_RETRY_LIMIT = 2
    email = queue_email("smoke", "someone@example.org", {"name": "Ana"})
    run_worker()
    with time_machine.travel(timezone.now() + timedelta(hours=2)):
        run_worker()
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("failed", 2)
    assert not DBTaskResult.objects.filter(status="READY").exists()


def test_backoff_doubles_and_is_capped() -> None:
    assert [retry_delay(n).total_seconds() / 60 for n in (1, 2, 3, 7, 8, 20)] == [
        1, 2, 4, 60, 60, 60,
    ]  # fmt: skip


class RefusingInbox(Inbox):
    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        return "550 No such mailbox here"


def test_a_refused_recipient_is_failed_at_once_not_retried(smtp_settings) -> None:
    controller = Controller(RefusingInbox(), hostname="127.0.0.1", port=smtp_settings.EMAIL_PORT)
    controller.start()
    try:
        email = queue_email("smoke", "nobody@example.org", {"name": "Ana"})
        run_worker()
    finally:
        controller.stop()
    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == (
        "failed",
        1,
        "SMTPRecipientsRefused",
    )
    assert not DBTaskResult.objects.filter(status="READY").exists()


def test_an_unexpected_error_marks_the_mail_failed_where_staff_see_it(smtp_settings) -> None:
    smtp_settings.EMAIL_BACKEND = "portal.core.tests.broken_backend.BrokenBackend"
    email = queue_email("smoke", "someone@example.org", {"name": "Ana"})
    run_worker()
    email.refresh_from_db()
    assert (email.status, email.last_error) == ("failed", "KeyError")


def test_plain_text_parts_are_not_html_escaped(smtp_server) -> None:
    email = queue_email("smoke", "someone@example.org", {"name": "O'Brien & <Co>"})
    assert "Hello O'Brien & <Co>," in email.text_body
    assert "O&#x27;Brien &amp; &lt;Co&gt;" in email.html_body
