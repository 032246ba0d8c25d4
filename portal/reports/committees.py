"""What oversight committees read: the released redacted copies of every report type that
declares redaction, in one list, without the committee pages knowing the types."""

from dataclasses import dataclass
from typing import Any

from django.db.models import CharField, QuerySet, Value
from django.urls import reverse

from .access import is_committee_member, released_copies
from .types import ReportType, get, with_redaction


def released_to(user: Any) -> QuerySet[Any] | None:
    """(type slug, pk, released_at) of every copy released to this member's committee, latest
    first, as one query however many types there are; None for anyone else."""
    if not is_committee_member(user):
        return None
    parts = [
        released_copies(rtype, user)
        .annotate(type_slug=Value(rtype.slug, output_field=CharField()))
        .values_list("type_slug", "pk", "released_at")
        .order_by()
        for rtype in with_redaction()
    ]
    if not parts:
        return None
    everything = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    return everything.order_by("-released_at", "-pk")


def released_count(user: Any) -> int:
    if not is_committee_member(user):
        return 0
    return sum(released_copies(rtype, user).count() for rtype in with_redaction())


@dataclass(frozen=True)
class InboxRow:
    href: str
    label: str
    tags: list[str]
    released_at: Any
    provider: str
    detail: str


def inbox_rows(keys: list[tuple[str, int, Any]]) -> list[InboxRow]:
    """The rows of one page of `released_to`, in its order: one query per type on the page."""
    wanted: dict[str, list[int]] = {}
    for slug, pk, _ in keys:
        wanted.setdefault(slug, []).append(pk)
    loaded = {}
    for slug, pks in wanted.items():
        rtype = get(slug)
        for copy in _copies(rtype, pks):
            loaded[(slug, copy.pk)] = _row(rtype, copy)
    return [loaded[(slug, pk)] for slug, pk, _ in keys if (slug, pk) in loaded]


def _copies(rtype: ReportType, pks: list[int]) -> QuerySet[Any]:
    model: Any = rtype.copy_model
    spec = rtype.redaction
    prefetch = spec.inbox_prefetch if spec else ()
    return (
        model.objects.filter(pk__in=pks)
        .select_related("report__provider")
        .prefetch_related(*prefetch)
    )


def _row(rtype: ReportType, copy: Any) -> InboxRow:
    report = copy.report
    detail = rtype.redaction.inbox_detail(copy) if rtype.redaction else ""
    return InboxRow(
        href=reverse(rtype.url("copy"), args=[copy.code]),
        label=f"{report.get_kind_display()} {str(copy.code)[:8]}",
        tags=rtype.row_tags(report),
        released_at=copy.released_at,
        provider=report.provider.name if report.provider else "",
        detail=detail,
    )
