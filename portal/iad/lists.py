"""What the IAD-IRF list shows and exports (SPEC §3, §11): its tabs, columns and export rows;
the kit (`portal.reports.listing`) does the rest."""

from collections.abc import Iterator
from datetime import datetime

from django.db.models import F, OuterRef, Q, QuerySet, TextField
from django.db.models.functions import Cast, TruncMinute
from django.utils import timezone

from portal.core.exports import Cell
from portal.core.expressions import Joined
from portal.reports import columns
from portal.reports.types import Column, Tab

from .models import IncidentType, Report

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


def export_rows(reports: QuerySet[Report]) -> Iterator[tuple[Cell, ...]]:
    """One row per report: plain values read in chunks (no model instances, which cost more than
    the row), with each report's incident types joined by the database."""
    zone = timezone.get_current_timezone()
    # Each moment is turned into the reader's time, to the minute, by the database and read as
    # text: the driver's timestamp loader and Python's time-zone conversion of three moments a
    # row cost a quarter of an export's time (docs/performance.md).
    times = {
        f"{name}_text": Cast(TruncMinute(name, tzinfo=zone), TextField())
        for name in ("occurred_at", "due_at", "submitted_at")
    }
    # The ids of each report's types, joined by the database, named here: the database joining
    # the names themselves cost it twice as long, and an export meets few distinct sets of types.
    links = Report.incident_types.through.objects.filter(report_id=OuterRef("pk")).order_by()
    rows = reports.annotate(**times, types=Joined(links, "incidenttype_id", ","))
    named = _IncidentTypeNames()
    for (
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
        joined,
    ) in rows.values_list(*EXPORT_COLUMNS, *times, "types").iterator(chunk_size=EXPORT_CHUNK):
        yield (
            Report.label(kind, code),
            _STATUSES[status],
            "Yes" if sentinel else "No",
            member_id,
            ", ".join(filter(None, [last, first])),
            born,
            provider or "",
            plan or "",
            _local(occurred),
            _local(due),
            _local(submitted),
            named[joined],
            _OUTCOMES.get(outcome, ""),
        )


def _local(text: str | None) -> datetime | None:
    """The reader's time of day as both databases write it ("YYYY-MM-DD HH:MM:SS")."""
    return datetime.fromisoformat(text) if text else None


class _IncidentTypeNames(dict[str | None, str]):
    """Each set of incident type ids as the database joins them ("3,7"; None or "" for none),
    named in catalogue order ("Fall; Injury"), each set worked out once."""

    def __init__(self) -> None:
        super().__init__()
        self.catalogue: dict[int, str] = {}

    def __missing__(self, joined: str | None) -> str:
        ids = {int(pk) for pk in joined.split(",")} if joined else set()
        if not self.catalogue.keys() >= ids:  # read once, and again for a type added since
            self.catalogue = dict(
                IncidentType.objects.order_by("order", "name").values_list("pk", "name")
            )
        # A type deleted since the rows were read is left out, as a query now would leave it.
        self[joined] = "; ".join(name for pk, name in self.catalogue.items() if pk in ids)
        return self[joined]
