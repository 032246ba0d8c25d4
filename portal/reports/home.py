"""Report items of the home page (SPEC §11): each registered type's counts, a few counting
queries per type whatever the number of reports."""

from datetime import timedelta
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from portal.core.home import Waiting

from .listing import tab_rows
from .types import ReportType, registered


def waiting_for(user: Any) -> list[Waiting]:
    return [item for rtype in registered() for item in rtype.home(user, rtype)]


def urgency() -> dict[str, Any]:
    """Counts of the rows past their due time and due within a day."""
    now = timezone.now()
    return {
        "overdue": Count("pk", filter=Q(due_at__lt=now)),
        "due_soon": Count("pk", filter=Q(due_at__gte=now, due_at__lt=now + timedelta(days=1))),
    }


def tab_count(
    rtype: ReportType, user: Any, tab: str, label: str, *, urgent: bool = False
) -> Waiting:
    """One home-page item: the reports of a list tab, with how many are late or due soon."""
    counts = tab_rows(rtype, user, tab).aggregate(
        count=Count("pk"), **(urgency() if urgent else {})
    )
    return Waiting(label, url=f"{reverse(rtype.url('reports'))}?show={tab}", **counts)
