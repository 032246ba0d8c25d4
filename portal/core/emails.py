"""E-mail: render a message into the outbox and let the task worker deliver it.

`queue_email()` belongs inside the service's transaction: the outbox row and its task row commit
or roll back with the change, so no mail leaves for a change that did not happen. Messages carry
no PHI, only a link to sign in and look.
"""

from datetime import timedelta
from smtplib import (
    SMTPDataError,
    SMTPException,
    SMTPRecipientsRefused,
    SMTPSenderRefused,
)
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import timezone

from .models import OutboundEmail

# Transient failures (server down, refused, timed out, 4xx replies) are retried; a 5xx reply
# to the message itself is final.
RETRYABLE = (SMTPException, OSError)
PERMANENT = (SMTPRecipientsRefused, SMTPSenderRefused)


def queue_email(template: str, to: str, context: dict[str, Any] | None = None) -> OutboundEmail:
    """Render `emails/<template>.*` for `to` and queue its delivery."""
    from .tasks import deliver_email

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
        OutboundEmail.objects.filter(pk=email_id, status=OutboundEmail.Status.QUEUED).update(
            status=OutboundEmail.Status.FAILED, last_error=type(error).__name__[:200]
        )
        raise


def _deliver(email_id: int) -> str:
    from .tasks import deliver_email

    with transaction.atomic():
        email = OutboundEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None or email.status != OutboundEmail.Status.QUEUED:
            return "skipped"
        email.attempts += 1
        try:
            _send(email)
        except RETRYABLE as error:
            email.last_error = type(error).__name__
            if _is_permanent(error) or email.attempts >= settings.EMAIL_RETRY_LIMIT:
                email.status = OutboundEmail.Status.FAILED
            else:
                deliver_email.using(run_after=timezone.now() + retry_delay(email.attempts)).enqueue(
                    email.pk
                )
            email.save(update_fields=["attempts", "last_error", "status"])
            return email.status
        email.status, email.sent_at, email.last_error = (
            OutboundEmail.Status.SENT,
            timezone.now(),
            "",
        )
        email.save(update_fields=["attempts", "last_error", "status", "sent_at"])
        return email.status


def _is_permanent(error: Exception) -> bool:
    if isinstance(error, PERMANENT):
        return True
    return isinstance(error, SMTPDataError) and error.smtp_code >= 500


def _send(email: OutboundEmail) -> None:
    message = EmailMultiAlternatives(email.subject, email.text_body, to=[email.to])
    if email.html_body:
        message.attach_alternative(email.html_body, "text/html")
    message.send()
