"""Reminder e-mails for drafts about to be late or already late (SPEC §3.2)."""

from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from portal.core import audit
from portal.core.emails import queue_email

from .models import DueReminder, Report
from .notifications import holding

UNFILED = (Report.Status.DRAFT, Report.Status.RETURNED)
WHAT: dict[str, str] = {
    DueReminder.Kind.DUE_SOON: "A draft incident report is due within a day. Finish and submit "
    "it on time.",
    DueReminder.Kind.OVERDUE: "A draft incident report is past its due time. Submit it as soon "
    "as you can; you will be asked why it is late.",
}


@dataclass
class ReminderCounts:
    due_soon: int = 0
    overdue: int = 0


def send_due_reminders(*, dry_run: bool = False) -> ReminderCounts:
    """E-mail the preparer once when a draft is due within a day, and once more (with the
    clinical directors, for an IAD) when it is overdue. Safe to run as often as wanted."""
    now, counts = timezone.now(), ReminderCounts()
    windows = {DueReminder.Kind.OVERDUE: {"due_at__lt": now},
               DueReminder.Kind.DUE_SOON: {"due_at__gte": now,
                                           "due_at__lt": now + timedelta(days=1)}}  # fmt: skip
    for kind, window in windows.items():
        sent = DueReminder.objects.filter(report=OuterRef("pk"), kind=kind)
        reports = (Report.objects.filter(status__in=UNFILED, **window)
                   .exclude(Exists(sent)).select_related("preparer"))  # fmt: skip
        for report in reports:
            if dry_run or _remind(report, kind):
                setattr(counts, kind, getattr(counts, kind) + 1)
    return counts


def _remind(report: Report, kind: str) -> bool:
    try:
        with transaction.atomic():
            DueReminder.objects.create(report=report, kind=kind)
            people = {report.preparer.pk: report.preparer}
            if kind == DueReminder.Kind.OVERDUE and report.kind == Report.Kind.IAD:
                people |= {u.pk: u for u in holding("iad.clinical_director",
                                                     report.organization_id)}  # fmt: skip
            link = reverse("iad:draft", kwargs={"code": report.code})
            for person in people.values():
                if person.email and person.is_active:
                    queue_email("iad_action_needed", person.email,
                                {"person": person, "what": WHAT[kind], "link": link})  # fmt: skip
            audit.record("iad.reminder_sent", target=report, data={"kind": kind})
    except IntegrityError:  # another run sent it first
        return False
    return True
