"""What the IAD-IRF list shows and exports (SPEC §3, §11): its tabs, columns and export rows;
the kit (`portal.reports.listing`) does the rest."""

from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import islice
from typing import Any

from django.db.models import Case, F, Q, QuerySet, TextField, Value, When
from django.db.models.functions import Cast
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
        ("iad.submitter", "irf.submitter"),
        lambda user: Q(preparer=user, status__in=[S.DRAFT, S.RETURNED]),
    ),
    Tab(
        "approval",
        "Awaiting my approval",
        ("iad.clinical_director",),
        lambda user: Q(organization=user.organization, status=S.AWAITING_APPROVAL),
    ),
    Tab("review", "Awaiting review", ("iad.reviewer",), lambda user: _to_review(user)),
)


def _to_review(user: Any) -> Q:
    """Filed reports this reviewer may take through review (the kit's `may_act`): their plan's
    members', or any for agency staff; reports a plan only sees through a contracted provider
    are another plan's to review."""
    waiting = Q(status__in=[S.SUBMITTED, S.IN_REVIEW])
    organization = user.organization
    if organization is None or organization.kind == "agency":
        return waiting
    return waiting & Q(health_plan=organization)


# Statuses sort in the order a report moves through them, not alphabetically.
_STATUS_ORDER = Case(*(When(status=s, then=Value(n)) for n, s in enumerate(S.values)))
_STATUSES, _OUTCOMES = dict(Report.Status.choices), dict(Report.Outcome.choices)


def _due(report: Report) -> str:
    zone = timezone.get_current_timezone()
    return date_format(report.due_at.astimezone(zone), "M j, Y") if report.due_at else ""


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
        "provider",
        "Provider",
        "provider",
        (F("provider__name"),),
        lambda r: r.provider.name if r.provider else "",
        nullable=True,
    ),
    Column("due", "Due", "due time", (F("due_at"),), _due, nullable=True),
)
DEFAULT_SORT = "-created"

EXPORT_CHUNK = 2000
EXPORT_HEADERS = (
    "Report",
    "Status",
    "Sentinel",
    "Member ID",
    "Member name",
    "Date of birth",
    "Provider",
    "Health plan",
    "Occurred at",
    "Due at",
    "Submitted at",
    "Incident types",
    "Outcome",
)
EXPORT_COLUMNS = (
    "pk",
    "kind",
    "code",
    "status",
    "sentinel",
    "member_id",
    "member_last_name",
    "member_first_name",
    "member_birth_date",
    "provider__name",
    "health_plan__name",
    "outcome",
)
# Read as text and parsed by Python's own (C) parser: the driver's timestamp loader, wrapped by
# Django's time-zone loader, is Python code and cost a third of an export's time.
EXPORT_TIMES = {
    f"{name}_text": Cast(name, TextField()) for name in ("occurred_at", "due_at", "submitted_at")
}


def export_rows(reports: QuerySet[Report]) -> Iterator[tuple[Cell, ...]]:
    """One row per report: plain values read in chunks (no model instances, which cost more than
    the row), with the incident types of each chunk in one query."""
    columns = reports.annotate(**EXPORT_TIMES).values_list(*EXPORT_COLUMNS, *EXPORT_TIMES)
    rows = columns.iterator(chunk_size=EXPORT_CHUNK)
    zone = timezone.get_current_timezone()  # once: looking it up per value costs more than it

    def local(text: str | None) -> datetime | None:
        if not text:
            return None
        moment = datetime.fromisoformat(text)  # PostgreSQL gives "+00"; SQLite stores UTC bare
        return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(zone)

    while chunk := list(islice(rows, EXPORT_CHUNK)):
        types = _incident_types([row[0] for row in chunk])
        for (
            pk,
            kind,
            code,
            status,
            sentinel,
            member_id,
            last,
            first,
            born,
            provider,
            plan,
            outcome,
            occurred,
            due,
            submitted,
        ) in chunk:
            yield (
                Report.label(kind, code),
                _STATUSES[status],
                "Yes" if sentinel else "No",
                member_id,
                ", ".join(filter(None, [last, first])),
                born,
                provider or "",
                plan or "",
                local(occurred),
                local(due),
                local(submitted),
                "; ".join(types.get(pk, ())),
                _OUTCOMES.get(outcome, ""),
            )


def _incident_types(report_pks: list[int]) -> dict[int, list[str]]:
    """The names of each report's incident types, in catalogue order."""
    links = Report.incident_types.through.objects.filter(report_id__any_of=report_pks)
    named: dict[int, list[str]] = {}
    for report_pk, name in links.order_by("incidenttype__order", "incidenttype__name").values_list(
        "report_id", "incidenttype__name"
    ):
        named.setdefault(report_pk, []).append(name)
    return named
