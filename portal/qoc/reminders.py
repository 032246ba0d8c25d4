"""Reminders of what providers owe Quality of Care: a record request or a corrective action plan
due within a day, and then once a week while it is late; the investigator hears of the late
ones too. Sent by the daily `send_due_reminders`; of two runs at once, one sends."""

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from portal.core import audit
from portal.reports.notifications import tell

from .models import Case, RecordRequest
from .people import assigned, cap_page, provider_people

AGAIN_AFTER = timedelta(days=7)
REQUESTS, PLANS = "record requests due or late", "corrective action plans due or late"


def remind_due(*, dry_run: bool = False) -> dict[str, int]:
    """E-mail the providers (and, for late ones, the investigators); returns how many requests
    and plans were (or, dry, would be) reminded."""
    today = timezone.localdate()
    sent = {REQUESTS: 0, PLANS: 0}
    for asked in _requests_due(today).select_related("case"):
        if dry_run or _remind_request(asked, today):
            sent[REQUESTS] += 1
    for case in _plans_due(today):
        if dry_run or _remind_plan(case, today):
            sent[PLANS] += 1
    return sent


def _not_reminded(field: str, today: Any) -> Q:
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__lte": today - AGAIN_AFTER})


def _requests_due(today: Any) -> QuerySet[RecordRequest]:
    return RecordRequest.objects.filter(
        _not_reminded("reminded_on", today),
        answered_at=None,
        due_on__lte=today + timedelta(days=1),
    ).exclude(case__status=Case.Status.CLOSED)


def _plans_due(today: Any) -> QuerySet[Case]:
    return Case.objects.filter(
        _not_reminded("cap_reminded_on", today),
        status=Case.Status.CORRECTIVE_ACTION,
        cap_due_on__lte=today + timedelta(days=1),
    )


def _remind_request(asked: RecordRequest, today: Any) -> bool:
    with transaction.atomic():
        if not _requests_due(today).filter(pk=asked.pk).update(reminded_on=today):
            return False
        late = asked.due_on < today
        link = reverse("qoc_work:request", kwargs={"code": asked.code})
        words = "A record request from Quality of Care is " + ("late." if late else "due soon.")
        tell(provider_people(asked.provider_id), words, link)
        if late:
            case_link = reverse("qoc:report", kwargs={"code": asked.case.code})
            tell(assigned(asked.case), "A record request on your investigation is late.", case_link)
        audit.record(
            "qoc.reminder_sent",
            target=asked.case,
            data={"kind": "record_request", "request": str(asked.code), "late": late},
        )
    return True


def _remind_plan(case: Case, today: Any) -> bool:
    with transaction.atomic():
        if not _plans_due(today).filter(pk=case.pk).update(cap_reminded_on=today):
            return False
        late = case.cap_due_on is not None and case.cap_due_on < today
        words = "A corrective action plan for Quality of Care is " + (
            "late." if late else "due soon."
        )
        tell(provider_people(case.cap_provider_id), words, cap_page(case))
        if late:
            case_link = reverse("qoc:report", kwargs={"code": case.code})
            tell(assigned(case), "A corrective action plan on your case is late.", case_link)
        audit.record("qoc.reminder_sent", target=case, data={"kind": "cap", "late": late})
    return True
