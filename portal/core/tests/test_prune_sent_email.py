"""prune_sent_email: sent mail leaves the outbox after EMAIL_RETENTION_DAYS; nothing else does."""

from datetime import datetime, timedelta
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command

from portal.core.models import OutboundEmail

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 6, 1, 2, 15, tzinfo=ZoneInfo("America/Phoenix"))


def mail(subject: str, status: str, days_ago: float) -> None:
    at = NOW - timedelta(days=days_ago)
    sent_at = at if status == "sent" else None
    OutboundEmail.objects.create(
        template="account_notice",
        to="someone@example.org",
        subject=subject,
        text_body="Hello",
        status=status,
        created_at=at,
        sent_at=sent_at,
    )


def prune(*args: str) -> str:
    out = StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("prune_sent_email", *args, stdout=out)
    return out.getvalue().strip()


def left() -> set[str]:
    return set(OutboundEmail.objects.values_list("subject", flat=True))


def test_only_sent_mail_older_than_the_retention_is_deleted() -> None:
    assert settings.EMAIL_RETENTION_DAYS == 30
    mail("sent 31 days ago", "sent", 31)
    mail("sent 30 days and a minute ago", "sent", 30 + 1 / 1440)
    mail("sent 29 days ago", "sent", 29)
    mail("sent today", "sent", 0)
    mail("failed 90 days ago", "failed", 90)
    mail("queued 90 days ago", "queued", 90)

    assert prune("--dry-run") == "Would delete 2 sent e-mail(s)."
    assert len(left()) == 6
    assert prune() == "Deleted 2 sent e-mail(s)."
    assert left() == {"sent 29 days ago", "sent today", "failed 90 days ago", "queued 90 days ago"}
    assert prune() == "Deleted 0 sent e-mail(s)."


def test_the_retention_is_a_setting(settings) -> None:
    settings.EMAIL_RETENTION_DAYS = 7
    mail("sent 8 days ago", "sent", 8)
    mail("sent 6 days ago", "sent", 6)
    assert prune() == "Deleted 1 sent e-mail(s)."
    assert left() == {"sent 6 days ago"}


def test_the_daily_job_runs_it() -> None:
    unit = Path(settings.BASE_DIR, "deploy", "systemd", "qmportal-daily.service").read_text()
    assert "manage.py prune_sent_email\n" in unit
