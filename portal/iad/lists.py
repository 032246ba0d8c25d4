"""What the IAD-IRF list shows and exports (SPEC §3, §11): its tabs, columns and export rows;
the kit (`portal.reports.listing`) does the rest."""

from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import islice

from django.db.models import F, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.utils import timezone

from portal.core.exports import Cell
from portal.reports import columns
from portal.reports.types import Column, Tab

from .models import Report

S = Report.Status
TABS = (
    columns.everything(),
    columns.my_drafts(("iad.submitter", "irf.submitter"), [S.DRAFT, S.RETURNED]),
    Tab(
        "approval",
        "Awaiting my approval",
        ("iad.clinical_director",),
        lambda user: Q(organization=user.organization, status=S.AWAITING_APPROVAL),
    ),
    columns.awaiting_review(("iad.reviewer",), [S.SUBMITTED, S.IN_REVIEW]),
)
_STATUSES, _OUTCOMES = dict(Report.Status.choices), dict(Report.Outcome.choices)
COLUMNS = (
    columns.created(),
    columns.status(Report),
    columns.member(),
    Column(
        "provider",
        "Provider",
        "provider",
        (F("provider__name"),),
        lambda r: r.provider.name if r.provider else "",
        nullable=True,
    ),
    columns.day("due", "Due", "due time", "due_at"),
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
