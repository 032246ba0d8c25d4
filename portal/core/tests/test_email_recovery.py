"""Recovery after a task worker dies mid-send (ADR 0017): stranded e-mail is queued again, once,
and nothing a live worker holds or already sent is touched."""

import threading
from email import message_from_bytes
from io import StringIO

import pytest
from aiosmtpd.controller import Controller
from asgiref.sync import sync_to_async
from django.core.management import call_command
from django.db import connection, transaction
from django_tasks_db.models import DBTaskResult

from portal.core.emails import deliver, queue_email, requeue_stranded
from portal.core.models import OutboundEmail

from . import test_email_outbox as outbox

pytestmark = pytest.mark.django_db(transaction=True)
# The outbox tests' real SMTP server (aiosmtpd on a free port) and worker run.
Inbox, run_worker = outbox.Inbox, outbox.run_worker
smtp_settings, smtp_server = outbox.smtp_settings, outbox.smtp_server


def killed_mid_send() -> OutboundEmail:
    """An e-mail whose task a worker claimed and never finished: the state SIGKILL leaves."""
    email = queue_email("smoke", "someone@example.org", {"name": "Ana"})
    DBTaskResult.objects.get().claim("worker-that-was-killed")
    return email


def requeue(*args: str) -> str:
    out = StringIO()
    call_command("requeue_stranded_email", *args, stdout=out)
    return out.getvalue().strip()


def test_mail_of_a_killed_worker_is_queued_again_and_sent_once(smtp_server) -> None:
    email = killed_mid_send()
    run_worker()
    assert smtp_server.messages == []  # without recovery nothing would ever send it

    assert requeue() == "Re-queued: 1 stranded e-mail(s); abandoned delivery tasks: 1."
    assert requeue() == "Re-queued: 0 stranded e-mail(s); abandoned delivery tasks: 0."
    run_worker()

    email.refresh_from_db()
    assert (email.status, email.attempts, len(smtp_server.messages)) == ("sent", 1, 1)
    abandoned = DBTaskResult.objects.get(worker_ids=["worker-that-was-killed"])
    assert abandoned.status == "FAILED"
    assert abandoned.exception_class_path == "portal.core.emails.WorkerLost"


def test_a_dry_run_counts_and_changes_nothing(smtp_settings) -> None:
    killed_mid_send()
    assert requeue("--dry-run") == "To re-queue: 1 stranded e-mail(s); abandoned delivery tasks: 1."
    assert list(DBTaskResult.objects.values_list("status", flat=True)) == ["RUNNING"]


def test_mail_waiting_for_its_retry_is_left_alone(smtp_settings) -> None:
    queue_email("smoke", "someone@example.org", {"name": "Ana"})
    run_worker()  # the server is down: a retry waits a minute
    assert DBTaskResult.objects.filter(status="READY").count() == 1
    assert requeue_stranded() == (0, 0)
    assert DBTaskResult.objects.filter(status="READY").count() == 1


def test_mail_sent_before_the_worker_died_is_not_sent_again(smtp_server) -> None:
    email = queue_email("smoke", "someone@example.org", {"name": "Ana"})
    run_worker()
    # Killed after its commit, before the task was marked done: the task stays RUNNING.
    DBTaskResult.objects.update(status="RUNNING")
    assert requeue_stranded() == (0, 0)
    run_worker()
    email.refresh_from_db()
    assert (email.status, len(smtp_server.messages)) == ("sent", 1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks: PostgreSQL only")
def test_mail_a_live_worker_is_sending_is_skipped(smtp_settings) -> None:
    email = killed_mid_send()  # its task shows RUNNING, as a live worker's does too
    locked, release = threading.Event(), threading.Event()

    def live_worker() -> None:
        try:
            with transaction.atomic():
                OutboundEmail.objects.select_for_update().get(pk=email.pk)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    sender = threading.Thread(target=live_worker)
    sender.start()
    try:
        assert locked.wait(10)
        assert requeue_stranded() == (0, 0)
    finally:
        release.set()
        sender.join()
    assert requeue_stranded() == (1, 1)  # once the lock is gone, it is stranded


def test_every_copy_of_one_email_carries_one_message_id(smtp_server) -> None:
    first = queue_email("smoke", "someone@example.org", {"name": "Ana"})
    queue_email("smoke", "other@example.org", {"name": "Ben"})
    run_worker()
    # The same row sent again, as after a crash between the server's acceptance and the commit.
    OutboundEmail.objects.filter(pk=first.pk).update(status="queued")
    requeue_stranded()
    run_worker()
    ids = [message_from_bytes(raw)["Message-ID"] for raw in smtp_server.messages]
    assert len(ids) == 3 and len(set(ids)) == 2
    assert ids.count(ids[0]) == 2 and ids[0].startswith(f"<outbox-{first.pk}.")
    assert ids[0].endswith("@qmportal.invalid>")


class WatchingInbox(Inbox):
    """Notes the row's committed status when the portal says goodbye (QUIT)."""

    def __init__(self) -> None:
        super().__init__()
        self.status_at_quit: list[str] = []

    async def handle_QUIT(self, server, session, envelope):
        self.status_at_quit.append(await sync_to_async(committed_status, thread_sensitive=False)())
        return "221 Bye"


def committed_status() -> str:
    try:
        return OutboundEmail.objects.values_list("status", flat=True).get()
    finally:
        connection.close()


def test_the_sent_mark_is_committed_before_the_smtp_session_ends(smtp_settings) -> None:
    inbox = WatchingInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_settings.EMAIL_PORT)
    controller.start()
    try:
        queue_email("smoke", "someone@example.org", {"name": "Ana"})
        run_worker()
    finally:
        controller.stop()
    assert len(inbox.messages) == 1
    assert inbox.status_at_quit == ["sent"]


class AcceptingInbox(Inbox):
    """Says when it has accepted a message (its answer to the last line of DATA)."""

    def __init__(self) -> None:
        super().__init__()
        self.accepted = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        answer = await super().handle_DATA(server, session, envelope)
        self.accepted.set()
        return answer


def test_no_statement_runs_between_the_relays_acceptance_and_the_commit(smtp_settings) -> None:
    """The window of ADR 0017 holds the commit alone: a database outage or a kill after the
    relay accepted has as little time as SMTP allows to strand the message."""
    inbox = AcceptingInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_settings.EMAIL_PORT)
    controller.start()
    in_window: list[str] = []

    def watch(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
        if inbox.accepted.is_set() and connection.in_atomic_block:
            in_window.append(sql)
        return execute(sql, params, many, context)

    email = queue_email("smoke", "someone@example.org", {"name": "Ana"})
    try:
        with connection.execute_wrapper(watch):
            assert deliver(email.pk) == "sent"
    finally:
        controller.stop()
    assert inbox.accepted.is_set() and in_window == []
    email.refresh_from_db()
    assert (email.status, email.attempts, len(inbox.messages)) == ("sent", 1, 1)
