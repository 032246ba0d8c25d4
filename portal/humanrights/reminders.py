"""Asking the filer about special assistance that has had no word for a long time
(`OHR_STALE_DAYS`): is it still needed, or has it ended (Part C)? Sent by the daily
`send_due_reminders`, at most once per stale period for each member."""

from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from portal.core import audit
from portal.reports.notifications import holding, tell

from .lists import stale_since
from .models import Report

WHAT = "special assistance to confirm or end"


def remind_stale(*, dry_run: bool = False) -> dict[str, int]:
    """E-mail the filing organization's OHR submitters about each stale member; returns how
    many were (or, dry, would be) reminded."""
    cutoff = stale_since()
    sent = 0
    for report in _stale(cutoff).only("pk", "code", "organization_id"):
        if dry_run or _remind(report, cutoff):
            sent += 1
    return {WHAT: sent}


def _stale(cutoff: Any) -> Any:
    not_asked = Q(stale_reminded_at__isnull=True) | Q(stale_reminded_at__lt=cutoff)
    return Report.objects.filter(
        not_asked, status=Report.Status.ACCEPTED, status_changed_at__lt=cutoff
    )


def _remind(report: Report, cutoff: Any) -> bool:
    with transaction.atomic():
        # Marked first, on the condition that made it stale: of two runs at once, one sends.
        if not _stale(cutoff).filter(pk=report.pk).update(stale_reminded_at=timezone.now()):
            return False
        words = (
            f"A member's special assistance has had no update for {settings.OHR_STALE_DAYS} "
            "days. Confirm that it is still needed, or end it with Part C."
        )
        link = reverse("ohr:report", kwargs={"code": report.code})
        tell(holding("ohr.submitter", report.organization_id), words, link)
        audit.record("ohr.reminder_sent", target=report, data={"kind": "stale"})
    return True
