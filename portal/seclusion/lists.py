"""What the S&R list shows and exports: its tabs, columns and export rows; the kit does the
rest (`portal.reports.listing`)."""

from collections.abc import Iterator

from django.db.models import F, QuerySet

from portal.core.exports import Cell
from portal.reports import columns
from portal.reports.types import Column

from .models import Report

S = Report.Status
TABS = (
    columns.everything(),
    columns.my_drafts(("sr.submitter",), [S.DRAFT, S.RETURNED]),
    columns.awaiting_review(("sr.reviewer",), [S.SUBMITTED]),
)
_STATUSES, _TYPES = dict(S.choices), dict(Report.Type.choices)


def minutes(report: Report) -> str:
    return "" if report.minutes is None else str(report.minutes)


COLUMNS = (
    columns.created(),
    columns.status(Report),
    columns.member(),
    Column(
        "type", "Type", "type", (F("restraint_type"),), lambda r: _TYPES.get(r.restraint_type, "")
    ),
    columns.day("started", "Started", "start", "started_at", descending_first=True),
    columns.day("due", "Due", "due time", "due_at"),
)
DEFAULT_SORT = "-created"

EXPORT_HEADERS = (
    "Report",
    "Status",
    "Facility",
    "License number",
    "Member ID",
    "Member name",
    "Health plan",
    "Type",
    "Started at",
    "Ended at",
    "Minutes",
    "Injuries",
    "Due at",
    "Submitted at",
)
EXPORT_CHUNK = 2000


def export_rows(reports: QuerySet[Report]) -> Iterator[tuple[Cell, ...]]:
    """One row per report, read in chunks with the organization and plan joined."""
    rows = reports.select_related("organization", "health_plan").iterator(chunk_size=EXPORT_CHUNK)
    for report in rows:
        yield (
            str(report),
            _STATUSES[report.status],
            report.organization.name,
            report.license_number,
            report.member_id,
            columns.member_name(report),
            report.health_plan.name if report.health_plan else "",
            _TYPES.get(report.restraint_type, ""),
            columns.local(report.started_at),
            columns.local(report.ended_at),
            minutes(report),
            {True: "Yes", False: "No", None: ""}[report.injuries],
            columns.local(report.due_at),
            columns.local(report.submitted_at),
        )
