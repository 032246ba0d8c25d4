"""The report lists (SPEC §3, §11): what this person may see, narrowed to what waits for them."""

from typing import Any

from django.db.models import Q, QuerySet

from portal.core.roles import has_role

from .access import visible_reports
from .models import Report

S = Report.Status
# The tabs of the list page: key → (label, who has the tab, which reports).
SHOWS: dict[str, tuple[str, tuple[str, ...], Any]] = {
    "all": ("All I may see", (), lambda user: Q()),
    "drafts": ("My drafts", ("iad.submitter", "irf.submitter"),
               lambda user: Q(preparer=user, status__in=[S.DRAFT, S.RETURNED])),
    "approval": ("Awaiting my approval", ("iad.clinical_director",),
                 lambda user: Q(organization=user.organization, status=S.AWAITING_APPROVAL)),
    "review": ("Awaiting review", ("iad.reviewer",),
               lambda user: Q(status__in=[S.SUBMITTED, S.IN_REVIEW])),
}  # fmt: skip


def shows_for(user: Any) -> list[tuple[str, str]]:
    """The tabs this person has, as (key, label)."""
    return [
        (key, label)
        for key, (label, roles, _) in SHOWS.items()
        if not roles or any(has_role(user, role) for role in roles)
    ]


def report_list(user: Any, show: str) -> QuerySet[Report]:
    """The reports of one tab, newest first, with what each row shows loaded at once."""
    chosen = SHOWS.get(show, SHOWS["all"])
    return (
        visible_reports(user)
        .filter(chosen[2](user))
        .select_related("organization", "provider", "health_plan")
        .order_by("-created_at", "-pk")
    )
