"""What the S&R list shows and exports: its tabs, columns and export rows; the kit does the
rest (`portal.reports.listing`)."""

from collections.abc import Iterator
from typing import Any

from django.db.models import Case, F, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.dateformat import format as date_format

from portal.core.exports import Cell
from portal.reports.types import Column, Tab

from .models import Report

S = Report.Status
TABS = (
    Tab("all", "All I may see", (), lambda user: Q()),
    Tab(
        "drafts",
        "My drafts",
        ("sr.submitter",),
        lambda user: Q(preparer=user, status__in=[S.DRAFT, S.RETURNED]),
    ),
    Tab("review", "Awaiting review", ("sr.reviewer",), lambda user: _to_review(user)),
)


def _to_review(user: Any) -> Q:
    """Submitted reports this reviewer may accept or return: their plan's members', or any for
    agency staff."""
    waiting = Q(status=S.SUBMITTED)
    organization = user.organization
    if organization is None or organization.kind == "agency":
        return waiting
    return waiting & Q(health_plan=organization)


_STATUS_ORDER = Case(*(When(status=s, then=Value(n)) for n, s in enumerate(S.values)))
_STATUSES, _TYPES = dict(S.choices), dict(Report.Type.choices)


def _day(moment: Any) -> str:
    return date_format(timezone.localtime(moment), "M j, Y") if moment else ""


def minutes(report: Report) -> str:
    return "" if report.minutes is None else str(report.minutes)


COLUMNS = (
    Column("created", "Report", "date created", (F("created_at"),), str, descending_first=True),
    Column("status", "Status", "status", (_STATUS_ORDER,), lambda r: _STATUSES[r.status]),
    Column(
        "member",
        "Member",
        "member name",
        (F("member_last_name"), F("member_first_name")),
        lambda r: ", ".join(filter(None, [r.member_last_name, r.member_first_name])),
    ),
    Column(
        "type", "Type", "type", (F("restraint_type"),), lambda r: _TYPES.get(r.restraint_type, "")
    ),
    Column(
        "started",
        "Started",
        "start",
        (F("started_at"),),
        lambda r: _day(r.started_at),
        descending_first=True,
        nullable=True,
    ),
    Column("due", "Due", "due time", (F("due_at"),), lambda r: _day(r.due_at), nullable=True),
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
            ", ".join(filter(None, [report.member_last_name, report.member_first_name])),
            report.health_plan.name if report.health_plan else "",
            _TYPES.get(report.restraint_type, ""),
            _local(report.started_at),
            _local(report.ended_at),
            minutes(report),
            {True: "Yes", False: "No", None: ""}[report.injuries],
            _local(report.due_at),
            _local(report.submitted_at),
        )


def _local(moment: Any) -> Any:
    return timezone.localtime(moment) if moment else None
