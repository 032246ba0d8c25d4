"""Reminder e-mails for drafts about to be late or already late, over every report type."""

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from portal.core import audit

from .notifications import holding, tell
from .types import ReportType, registered


@dataclass
class ReminderCounts:
    due_soon: int = 0
    overdue: int = 0
    more: dict[str, int] = field(default_factory=dict)  # the types' own reminders, by words


def send_due_reminders(*, dry_run: bool = False) -> ReminderCounts:
    """E-mail the preparer once when a draft is due within a day, and once more (with the
    kind's escalation role, such as an IAD's clinical directors) when it is overdue; then each
    type's own reminders. Safe to run as often as wanted."""
    counts = ReminderCounts()
    for rtype in registered():
        _remind_type(rtype, counts, dry_run=dry_run)
        if rtype.reminders is not None:
            counts.more |= rtype.reminders(dry_run=dry_run)
    return counts


def _remind_type(rtype: ReportType, counts: ReminderCounts, *, dry_run: bool) -> None:
    now = timezone.now()
    reminder: Any = rtype.reminder_model
    model: Any = rtype.model
    windows = {
        reminder.Kind.OVERDUE: {"due_at__lt": now},
        reminder.Kind.DUE_SOON: {"due_at__gte": now, "due_at__lt": now + timedelta(days=1)},
    }
    for kind, window in windows.items():
        sent = reminder.objects.filter(report=OuterRef("pk"), kind=kind)
        reports = (
            model.objects.filter(status__in=rtype.editable, **window)
            .exclude(Exists(sent))
            .select_related("preparer")
        )
        for report in reports:
            if dry_run or _remind(rtype, report, kind):
                setattr(counts, kind, getattr(counts, kind) + 1)


def _words(rtype: ReportType, kind: str) -> str:
    if kind == "overdue":
        return (
            f"A draft {rtype.noun} is past its due time. Submit it as soon as you can; you "
            "will be asked why it is late."
        )
    return f"A draft {rtype.noun} is due within a day. Finish and submit it on time."


def _remind(rtype: ReportType, report: Any, kind: str) -> bool:
    reminder: Any = rtype.reminder_model
    try:
        with transaction.atomic():
            reminder.objects.create(report=report, kind=kind)
            people = [report.preparer] if report.preparer.is_active else []
            escalate = rtype.kind(report.kind).escalate_role
            if kind == reminder.Kind.OVERDUE and escalate:
                people += list(holding(escalate, report.organization_id))
            link = reverse(rtype.url("draft"), kwargs={"code": report.code})
            tell([person for person in people if person.email], _words(rtype, kind), link)
            audit.record(f"{rtype.slug}.reminder_sent", target=report, data={"kind": kind})
    except IntegrityError:  # another run sent it first
        return False
    return True
