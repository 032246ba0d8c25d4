"""Reminder e-mails for drafts near or past their due time: once each, safe to rerun."""

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from portal.core.models import OutboundEmail
from portal.iad.models import Report

from .factories import ReportFactory

pytestmark = pytest.mark.django_db
QOC_NONE = ", 0 record requests due or late, 0 corrective action plans due or late."
S = Report.Status


def draft(actors, due_in: timedelta, status: str = S.DRAFT) -> Report:
    return ReportFactory(organization=actors.personas.provider, health_plan=actors.plan,
                         preparer=actors.submitter, status=status,
                         due_at=timezone.now() + due_in)  # fmt: skip


def run(*args: str) -> str:
    out = StringIO()
    call_command("send_due_reminders", *args, stdout=out)
    return out.getvalue()


def test_reminders_go_once_to_the_right_people(actors) -> None:
    soon = draft(actors, timedelta(hours=6))
    late = draft(actors, timedelta(hours=-2))
    draft(actors, timedelta(days=3))  # not yet
    draft(actors, timedelta(hours=-2), status=S.AWAITING_APPROVAL)  # already submitted

    assert (
        run("--dry-run")
        == "Would have sent: 1 due soon, 1 overdue, 0 special assistance to confirm or end"
        f"{QOC_NONE}\n"
    )
    assert not OutboundEmail.objects.exists()
    assert (
        run() == f"Sent: 1 due soon, 1 overdue, 0 special assistance to confirm or end{QOC_NONE}\n"
    )
    assert (
        run() == f"Sent: 0 due soon, 0 overdue, 0 special assistance to confirm or end{QOC_NONE}\n"
    )

    sent = sorted(OutboundEmail.objects.values_list("to", flat=True))
    assert sent == sorted([actors.submitter.email, actors.submitter.email, actors.director.email])
    bodies = " ".join(OutboundEmail.objects.values_list("text_body", flat=True))
    assert (
        f"/iad/reports/{soon.code}/draft/" in bodies
        and f"/iad/reports/{late.code}/draft/" in bodies
    )
    assert "Quintero" not in bodies


def test_a_draft_that_becomes_overdue_gets_its_second_reminder_later(actors) -> None:
    draft(actors, timedelta(hours=6))
    run()
    with time_machine.travel(timezone.now() + timedelta(hours=7)):
        assert (
            run()
            == f"Sent: 0 due soon, 1 overdue, 0 special assistance to confirm or end{QOC_NONE}\n"
        )
