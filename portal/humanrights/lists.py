"""What the OHR list shows and exports: its tabs, columns and export rows; the kit does the
rest (`portal.reports.listing`)."""

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from portal.core.exports import Cell
from portal.reports import columns
from portal.reports.types import Column, Tab

from .models import Report
from .rules import tags

S = Report.Status


def stale_since() -> Any:
    """Special assistance not confirmed or changed since this moment looks stale."""
    return timezone.now() - timedelta(days=settings.OHR_STALE_DAYS)


def to_confirm(user: Any) -> Q:
    """The organization's members under special assistance with no word for a long time."""
    return Q(
        status=S.ACCEPTED,
        organization=user.organization,
        status_changed_at__lt=stale_since(),
    )


TABS = (
    columns.everything(),
    columns.my_drafts(("ohr.submitter",), [S.DRAFT]),
    columns.awaiting_review(("ohr.staff",), [S.SUBMITTED]),
    Tab("confirm", "To confirm or end", ("ohr.submitter",), to_confirm),
)


COLUMNS = (
    columns.created(),
    columns.status(Report),
    columns.member(),
    Column(
        "determined",
        "Determined",
        "date of the determination",
        (F("determined_on"),),
        lambda r: columns.short_day(r.determined_on),
        descending_first=True,
        nullable=True,
    ),
    columns.day("due", "Part A due", "due time", "due_at"),
)
DEFAULT_SORT = "-created"

EXPORT_HEADERS = (
    "Notification",
    "Status",
    "Filed by",
    "Member ID",
    "Member name",
    "Health plan",
    "Determined on",
    "Areas of need",
    "Criterion",
    "Part A due",
    "Submitted at",
    "Part A late",
    "Designated representative",
    "Special assistance since",
    "Ended on",
    "Part C late",
)
EXPORT_CHUNK = 2000
_STATUSES, _CRITERIA = dict(S.choices), dict(Report.Criterion.choices)


def export_rows(reports: QuerySet[Report]) -> Iterator[tuple[Cell, ...]]:
    """One row per notification, read in chunks with the organization and plan joined."""
    rows = reports.select_related("organization", "health_plan").iterator(chunk_size=EXPORT_CHUNK)
    for report in rows:
        yield (
            str(report),
            _STATUSES[report.status],
            report.organization.name,
            report.member_id,
            columns.member_name(report),
            report.health_plan.name if report.health_plan else "",
            report.determined_on,
            "; ".join(report.areas),
            _CRITERIA.get(report.criterion, ""),
            columns.local(report.due_at),
            columns.local(report.submitted_at),
            "Yes" if "Part A late" in tags(report) else "",
            report.representative_name,
            report.assistance_started_on,
            report.ended_on,
            "Yes" if report.part_c_late else "",
        )
