"""IAD-IRF items of the home page: drafts to finish, reports to approve or review."""

from datetime import timedelta
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from portal.core.home import Waiting
from portal.core.roles import has_role

from .access import visible_reports
from .lists import report_list
from .models import Report

S = Report.Status


def waiting_for(user: Any) -> list[Waiting]:
    """One counting query per item the person's roles give them."""
    now = timezone.now()
    urgency = {
        "overdue": Count("pk", filter=Q(due_at__lt=now)),
        "due_soon": Count("pk", filter=Q(due_at__gte=now, due_at__lt=now + timedelta(days=1))),
    }
    url = reverse("iad:reports")
    items = []
    if has_role(user, "iad.submitter") or has_role(user, "irf.submitter"):
        counts = report_list(user, "drafts").aggregate(count=Count("pk"), **urgency)
        items.append(Waiting("Your draft reports", url=f"{url}?show=drafts", **counts))
    if has_role(user, "iad.clinical_director"):
        counts = report_list(user, "approval").aggregate(count=Count("pk"))
        items.append(Waiting("Reports awaiting your approval", url=f"{url}?show=approval",
                             **counts))  # fmt: skip
        # Drafts of the organization about to be late: the director may need to chase them.
        drafts = visible_reports(user).filter(status__in=[S.DRAFT, S.RETURNED])
        counts = drafts.aggregate(count=Count("pk", filter=Q(due_at__lt=now + timedelta(days=1))),
                                  **urgency)  # fmt: skip
        items.append(Waiting("Your organization's drafts due soon or overdue", url=url, **counts))
    if has_role(user, "iad.reviewer"):
        counts = report_list(user, "review").aggregate(count=Count("pk"))
        items.append(Waiting("Reports awaiting review", url=f"{url}?show=review", **counts))
    return items
