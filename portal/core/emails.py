"""E-mail: render a message into the outbox and let the task worker deliver it.

`queue_email()` belongs inside the service's transaction: the outbox row and its task row commit
or roll back with the change, so no mail leaves for a change that did not happen. Messages carry
no PHI, only a link to sign in and look.
"""

from contextlib import suppress
from dataclasses import dataclass
from datetime import timedelta
from email.utils import parseaddr
from smtplib import (
    SMTPDataError,
    SMTPException,
    SMTPRecipientsRefused,
    SMTPSenderRefused,
)
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import timezone
from django_tasks import TaskResultStatus

from .models import OutboundEmail

# Transient failures (server down, refused, timed out, 4xx replies) are retried; a 5xx reply
# to the message itself is final.
RETRYABLE = (SMTPException, OSError)
PERMANENT = (SMTPRecipientsRefused, SMTPSenderRefused)


@dataclass(frozen=True)
class EmailKind:
    """What the outbox must know about one kind of message (templates `emails/<name>.*`)."""

    # The body holds a secret: a security code, or a link with a token in it.
    carries_secret: bool = False


# Every kind of message the portal sends, by template name. `queue_email()` refuses any other, so
# each new kind is declared here, and whether it carries a secret is decided in this one place.
# The portal keeps codes only hashed; the outbox row of a kind that carries one loses its body
# once the relay has accepted the message (or it failed for good), and keeps what an operator
# needs to follow it up: to, subject, kind, times, attempts, last error (the Message-ID is
# derived from the row).
KINDS: dict[str, EmailKind] = {
    "account_awaiting_approval": EmailKind(),
    "account_notice": EmailKind(),
    "inactivity_warning": EmailKind(),
    "organization_without_master": EmailKind(),
    "recovery_code": EmailKind(carries_secret=True),
    "report_action_needed": EmailKind(),
}


class UndeclaredEmail(LookupError):
    """`queue_email()` was given a template that is not in `KINDS`."""


def queue_email(template: str, to: str, context: dict[str, Any] | None = None) -> OutboundEmail:
    """Render `emails/<template>.*` for `to` and queue its delivery."""
    from .tasks import deliver_email

    if template not in KINDS:
        raise UndeclaredEmail(f"Declare the e-mail {template!r} in portal.core.emails.KINDS.")
    context = {"site_url": settings.SITE_URL, **(context or {})}
    subject = _plain(f"emails/{template}.subject.txt", context)
    email = OutboundEmail.objects.create(
        template=template,
        to=to,
        subject=" ".join(subject.split()),
        text_body=_plain(f"emails/{template}.txt", context),
        html_body=render_to_string(f"emails/{template}.html", context),
    )
    deliver_email.enqueue(email.pk)
    return email


def _plain(template_name: str, context: dict[str, Any]) -> str:
    """Render a plain-text template: no HTML escaping (O'Brien stays O'Brien)."""
    template = get_template(template_name).template  # type: ignore[attr-defined]
    return str(template.render(Context(context, autoescape=False)))


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: 1, 2, 4 … minutes, capped at one hour."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


def deliver(email_id: int) -> str:
    """Send one queued e-mail; on a passing failure, queue another try later.

    Returns the outcome. The row is locked while sending so two workers never send it twice.
    """
    try:
        return _deliver(email_id)
    except Exception as error:
        # Not a passing failure: record it where staff see it rather than leave it queued.
        queued = OutboundEmail.objects.filter(pk=email_id, status=OutboundEmail.Status.QUEUED)
        template = queued.values_list("template", flat=True).first()
        if template is not None:
            queued.update(
                status=OutboundEmail.Status.FAILED,
                last_error=type(error).__name__[:200],
                **_cleared(template),
            )
        raise


def _deliver(email_id: int) -> str:
    connection = get_connection()
    try:
        with transaction.atomic():
            email = OutboundEmail.objects.select_for_update().filter(pk=email_id).first()
            if email is None or email.status != OutboundEmail.Status.QUEUED:
                return "skipped"
            return _attempt(email, connection)
    finally:
        # The SMTP session ends only after the commit: a crash between the server accepting the
        # message and the commit re-sends it (ADR 0017), so that window holds no extra round
        # trip. The message is already accepted and recorded; a failed goodbye changes nothing.
        with suppress(SMTPException, OSError):
            connection.close()


def _attempt(email: OutboundEmail, connection: BaseEmailBackend) -> str:
    """One try at sending a locked, queued row; records the outcome on it.

    The row is marked sent *before* the message goes out, inside the transaction, so that once
    the relay accepts it only the commit remains: no statement runs in the window of ADR 0017.
    A failed send puts back what the mark changed, in the same transaction.
    """
    from .tasks import deliver_email

    email.attempts += 1
    if not email.text_body:
        # Its secret was cleared when it failed: a row re-queued by hand must not go out empty.
        email.status, email.last_error = OutboundEmail.Status.FAILED, "BodyCleared"
        return _record(email, ["attempts", "last_error", "status"])
    message, body = _message(email, connection), (email.text_body, email.html_body)
    email.status, email.sent_at, email.last_error = OutboundEmail.Status.SENT, timezone.now(), ""
    outcome = _record(email, ["attempts", "last_error", "status", "sent_at"])
    try:
        # Opened here, the connection stays open after the send, until _deliver closes it.
        connection.open()
        message.send()
    except RETRYABLE as error:
        email.text_body, email.html_body = body
        email.status, email.sent_at = OutboundEmail.Status.QUEUED, None
        email.last_error = type(error).__name__
        if _is_permanent(error) or email.attempts >= settings.EMAIL_RETRY_LIMIT:
            email.status = OutboundEmail.Status.FAILED
        else:
            deliver_email.using(run_after=timezone.now() + retry_delay(email.attempts)).enqueue(
                email.pk
            )
        return _record(email, ["last_error", "status", "sent_at", "text_body", "html_body"])
    return outcome


def _record(email: OutboundEmail, fields: list[str]) -> str:
    """Save the try's outcome; a message done with (sent, or failed for good) loses the secret
    it carried in the same commit, so the outbox never holds a code that was delivered."""
    if email.status != OutboundEmail.Status.QUEUED:
        for field, value in _cleared(email.template).items():
            setattr(email, field, value)
            fields.append(field)
    email.save(update_fields=fields)
    return email.status


def _cleared(template: str) -> dict[str, str]:
    """The stored body to clear once delivery of a `template` message is over: all of it when
    the kind carries a secret (or is no longer declared), none otherwise.

    Kept while DEBUG is on: the development mailbox is how a developer reads a code without a
    mail server (the file backend keeps a copy anyway), and production cannot run with DEBUG.
    """
    kind = KINDS.get(template)
    if settings.DEBUG or (kind is not None and not kind.carries_secret):
        return {}
    return {"text_body": "", "html_body": ""}


def _is_permanent(error: Exception) -> bool:
    if isinstance(error, PERMANENT):
        return True
    return isinstance(error, SMTPDataError) and error.smtp_code >= 500


def message_id(email: OutboundEmail) -> str:
    """The same Message-ID on every try of one outbox row, from any worker: a copy re-sent after
    a crash (ADR 0017) carries the ID of the first, so mail systems can tell it is one message."""
    domain = parseaddr(settings.DEFAULT_FROM_EMAIL)[1].rpartition("@")[2] or "qmportal.invalid"
    created = int(email.created_at.timestamp() * 1_000_000)
    return f"<outbox-{email.pk}.{created}@{domain}>"


def _message(email: OutboundEmail, connection: BaseEmailBackend) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        email.subject,
        email.text_body,
        to=[email.to],
        connection=connection,
        headers={"Message-ID": message_id(email)},
    )
    if email.html_body:
        message.attach_alternative(email.html_body, "text/html")
    return message


class WorkerLost(Exception):
    """The worker running a delivery task stopped before finishing it: killed, crashed or its
    host lost. Recorded on the abandoned task by `requeue_stranded()`."""


def requeue_stranded(*, dry_run: bool = False) -> tuple[int, int]:
    """Queue delivery again for e-mail left `queued` with no task that will deliver it: a worker
    killed mid-send leaves its task `RUNNING` for ever (ADR 0017). Returns the e-mails re-queued
    and the abandoned tasks marked failed.

    Safe beside live workers and when run twice: a row being sent is locked and skipped, a row
    with a task waiting (a retry) is left alone, and a second task for a row that does get sent
    finds it sent and does nothing.
    """
    from django_tasks_db.models import DBTaskResult

    from .tasks import deliver_email

    ready, running = TaskResultStatus.READY, TaskResultStatus.RUNNING
    with transaction.atomic():
        # Locked first, tasks read after: a worker that commits a retry in between has its row
        # locked (skipped) or its new task seen.
        queued = set(
            OutboundEmail.objects.select_for_update(skip_locked=True)
            .filter(status=OutboundEmail.Status.QUEUED)
            .values_list("pk", flat=True)
        )
        tasks = list(
            DBTaskResult.objects.filter(
                task_path=deliver_email.module_path, status__in=[ready, running]
            ).values_list("pk", "status", "args_kwargs")
        )
        waiting = {_email_id(call) for _, status, call in tasks if status == ready}
        stranded = sorted(queued - waiting)
        abandoned = [pk for pk, status, call in tasks
                     if status == running and _email_id(call) in stranded]  # fmt: skip
        if not dry_run:
            DBTaskResult.objects.filter(pk__in=abandoned, status=running).update(
                status=TaskResultStatus.FAILED,
                finished_at=timezone.now(),
                exception_class_path=f"{__name__}.{WorkerLost.__name__}",
                traceback="",
            )
            for email_id in stranded:
                deliver_email.enqueue(email_id)
    return len(stranded), len(abandoned)


def _email_id(call: dict[str, Any]) -> int | None:
    """The e-mail a deliver_email task is for, from its stored arguments."""
    args = call.get("args") or [call.get("kwargs", {}).get("email_id")]
    return args[0]
