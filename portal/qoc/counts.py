"""Quality of Care's own home-page items (SPEC §11) besides the list tabs' counts: record
requests past due for investigators; requests and plans to answer for providers. One counting
query each, whatever the number of cases."""

from datetime import timedelta
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from portal.core.home import Waiting
from portal.reports.types import get
from portal.reports.visibility import visible_reports

from .access import open_requests_to, plans_asked_of
from .models import Case, RecordRequest


def overdue_requests(user: Any) -> Waiting:
    """Unanswered record requests past their due day, on the cases this person investigates."""
    today = timezone.localdate()
    mine = Q(case__investigator=user) | Q(case__investigator=None)
    count = (
        RecordRequest.objects.filter(
            mine,
            case__in=visible_reports(get("qoc"), user),
            answered_at=None,
            due_on__lt=today,
        )
        .exclude(case__status=Case.Status.CLOSED)
        .count()
    )
    url = reverse("qoc:reports") + "?show=mine"
    return Waiting("Record requests past due on your investigations", count, url, overdue=count)


def asked_of_provider(user: Any) -> list[Waiting]:
    """Record requests to answer and corrective action plans to send, with how many are late
    or due within a day."""
    today = timezone.localdate()
    soon = today + timedelta(days=1)
    due = {
        "overdue": Count("pk", filter=Q(due_on__lt=today)),
        "due_soon": Count("pk", filter=Q(due_on__gte=today, due_on__lte=soon)),
    }
    requests = open_requests_to(user).aggregate(count=Count("pk"), **due)
    plans = (
        plans_asked_of(user)
        .filter(status=Case.Status.CORRECTIVE_ACTION)
        .aggregate(
            count=Count("pk"),
            overdue=Count("pk", filter=Q(cap_due_on__lt=today)),
            due_soon=Count("pk", filter=Q(cap_due_on__gte=today, cap_due_on__lte=soon)),
        )
    )
    inbox = reverse("qoc_work:inbox")
    return [
        Waiting("Record requests to answer for Quality of Care", url=inbox, **requests),
        Waiting("Corrective action plans to send to Quality of Care", url=inbox, **plans),
    ]
