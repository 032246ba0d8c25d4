"""What the Quality of Care list shows and exports: its tabs, columns and export rows; the kit
does the rest (`portal.reports.listing`)."""

from collections.abc import Iterator
from typing import Any

from django.db.models import F, Q, QuerySet

from portal.core.exports import Cell
from portal.reports import columns
from portal.reports.types import Column, Tab

from .models import Case
from .roles import INVESTIGATORS

S = Case.Status
OPEN = (S.INVESTIGATING, S.DETERMINED, S.CORRECTIVE_ACTION, S.CAP_REVIEW)


def assigned_to_me(user: Any) -> Q:
    return Q(investigator=user, status__in=OPEN)


def corrective_action(user: Any) -> Q:
    """Plans with the providers, or to review, on the cases this person works."""
    waiting = Q(status__in=[S.CORRECTIVE_ACTION, S.CAP_REVIEW])
    organization = user.organization
    if organization is None or organization.kind == "agency":
        return waiting
    return waiting & Q(health_plan=organization)


TABS = (
    columns.everything(),
    columns.my_drafts(("qoc.submitter",), [S.DRAFT]),
    Tab("triage", "To triage", INVESTIGATORS, columns.awaiting_review((), [S.RECEIVED]).rows),
    Tab("mine", "My investigations", INVESTIGATORS, assigned_to_me),
    Tab("cap", "Corrective action", INVESTIGATORS, corrective_action),
)

_SEVERITIES = dict(Case.Severity.choices)


COLUMNS = (
    columns.created(),
    columns.status(Case),
    columns.member(),
    Column(
        "severity",
        "Severity",
        "severity",
        (F("severity"),),
        lambda case: str(case.severity or ""),
        descending_first=True,
        nullable=True,
    ),
    Column(
        "received",
        "Received",
        "date received",
        (F("received_on"),),
        lambda case: columns.short_day(case.received_on),
        descending_first=True,
        nullable=True,
    ),
)
DEFAULT_SORT = "-created"

EXPORT_HEADERS = (
    "Case",
    "Status",
    "Recorded by",
    "Source",
    "Received on",
    "Member ID",
    "Member name",
    "Health plan",
    "Provider",
    "Category",
    "Severity",
    "Determination",
    "Corrective action due",
)
EXPORT_CHUNK = 2000
_STATUSES, _SOURCES = dict(S.choices), dict(Case.Source.choices)
_DETERMINATIONS = dict(Case.Determination.choices)


def export_rows(cases: QuerySet[Case]) -> Iterator[tuple[Cell, ...]]:
    """One row per case, read in chunks with its organizations and category joined. The
    complainant is not exported: it stays on the case."""
    rows = cases.select_related("organization", "health_plan", "provider", "topic")
    for case in rows.iterator(chunk_size=EXPORT_CHUNK):
        yield (
            str(case),
            _STATUSES[case.status],
            case.organization.name,
            _SOURCES.get(case.source, ""),
            case.received_on,
            case.member_id,
            columns.member_name(case),
            case.health_plan.name if case.health_plan else "",
            case.provider.name if case.provider else "",
            case.topic.name if case.topic else "",
            case.severity,
            _DETERMINATIONS.get(case.determination, ""),
            case.cap_due_on,
        )
