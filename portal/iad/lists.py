"""The report lists (SPEC §3, §11): what this person may see, narrowed to what waits for them,
filtered, sorted, paged and exported."""

import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import islice
from typing import Any, NamedTuple

from django.core.paginator import Page
from django.db.models import Case, F, Q, QuerySet, TextField, Value, When
from django.db.models.expressions import OrderBy
from django.db.models.functions import Cast
from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from portal.core.exports import Cell
from portal.core.roles import has_role

from .access import visible_reports
from .filters import ReportFilter
from .models import Report

S = Report.Status
# The tabs of the list page: key → (label, who has the tab, which reports).
SHOWS: dict[str, tuple[str, tuple[str, ...], Any]] = {
    "all": ("All I may see", (), lambda user: Q()),
    "drafts": ("My drafts", ("iad.submitter", "irf.submitter"),
               lambda user: Q(preparer=user, status__in=[S.DRAFT, S.RETURNED])),
    "approval": ("Awaiting my approval", ("iad.clinical_director",),
                 lambda user: Q(organization=user.organization, status=S.AWAITING_APPROVAL)),
    "review": ("Awaiting review", ("iad.reviewer",), lambda user: _to_review(user)),
}  # fmt: skip


def _to_review(user: Any) -> Q:
    """Filed reports this reviewer may take through review (workflow.may_act): their plan's
    members', or any for agency staff; reports a plan only sees through a contracted provider
    are another plan's to review."""
    waiting = Q(status__in=[S.SUBMITTED, S.IN_REVIEW])
    organization = user.organization
    if organization is None or organization.kind == "agency":
        return waiting
    return waiting & Q(health_plan=organization)


# Statuses sort in the order a report moves through them, not alphabetically.
_STATUS_ORDER = Case(*(When(status=s, then=Value(n)) for n, s in enumerate(S.values)))


class Sort(NamedTuple):
    """A sortable column: its heading, what it orders by, and which way a first click sorts."""

    heading: str
    by: str  # for the table caption: "sorted by <by>"
    columns: tuple[F | Case, ...]
    descending_first: bool = False
    # Only columns that can be empty say where empties go: "NULLS LAST" on a column that is
    # never null would stop PostgreSQL from reading the rows in the order of an index.
    nullable: bool = False


SORTS: dict[str, Sort] = {
    "created": Sort("Report", "date created", (F("created_at"),), descending_first=True),
    "status": Sort("Status", "status", (_STATUS_ORDER,)),
    "member": Sort("Member", "member name", (F("member_last_name"), F("member_first_name"))),
    "provider": Sort("Provider", "provider", (F("provider__name"),), nullable=True),
    "due": Sort("Due", "due time", (F("due_at"),), nullable=True),
}
DEFAULT_SORT = "-created"
EXPORT_CHUNK = 2000
EXPORT_HEADERS = ("Report", "Status", "Sentinel", "Member ID", "Member name", "Date of birth",
                  "Provider", "Health plan", "Occurred at", "Due at", "Submitted at",
                  "Incident types", "Outcome")  # fmt: skip


def shows_for(user: Any) -> list[tuple[str, str]]:
    """The tabs this person has, as (key, label)."""
    return [
        (key, label)
        for key, (label, roles, _) in SHOWS.items()
        if not roles or any(has_role(user, role) for role in roles)
    ]


def checked_sort(sort: str | None) -> str:
    """The sort asked for when it names a column ("-" first for descending), else the default."""
    return sort if sort and sort.removeprefix("-") in SORTS else DEFAULT_SORT


def ordering(sort: str) -> list[OrderBy]:
    """The order of a sort, with the primary key last so every page boundary is stable."""
    sort = checked_sort(sort)
    chosen = SORTS[sort.removeprefix("-")]
    empties = {"nulls_last": True} if chosen.nullable else {}
    if sort.startswith("-"):
        return [*(column.desc(**empties) for column in chosen.columns), F("pk").desc()]
    return [*(column.asc(**empties) for column in chosen.columns), F("pk").asc()]


def report_list(user: Any, show: str, sort: str = DEFAULT_SORT) -> QuerySet[Report]:
    """The reports of one tab, in the chosen order, with what each row shows loaded at once."""
    chosen = SHOWS.get(show, SHOWS["all"])
    return (
        visible_reports(user)
        .filter(chosen[2](user))
        .select_related("organization", "provider", "health_plan")
        .order_by(*ordering(sort))
    )


@dataclass(frozen=True)
class Listing:
    """One request's view of the list: tab, filters and sort, and the links that keep them."""

    show: str
    sort: str
    filters: ReportFilter
    kept: str  # the tab and filters as a query string, built once for every link

    def reports(self) -> QuerySet[Report]:
        """The filtered rows (check `filters.is_valid()` first: invalid filters are skipped)."""
        return self.filters.qs

    def query(self, **changes: str | int) -> str:
        params = QueryDict(self.kept, mutable=True)
        for key, value in changes.items():
            params[key] = str(value)
        return params.urlencode()

    def audit_data(self) -> dict[str, Any]:
        """What was listed, as codes, ids and dates: never PHI."""
        return {"show": self.show, "sort": self.sort, "filters": self.filters.chosen()}

    def context(self, page: Page | None, shows: list[tuple[str, str]]) -> dict[str, Any]:
        """What the list page shows besides the rows: tabs, form, sortable headings, links."""
        near = {}
        if page is not None and page.has_previous():
            near["previous"] = self.query(sort=self.sort, page=page.previous_page_number())
        if page is not None and page.has_next():
            near["next"] = self.query(sort=self.sort, page=page.next_page_number())
        return {
            "page": page, "show": self.show, "sort": self.sort, "form": self.filters.form,
            "tabs": [(key, label, self.query(show=key, sort=self.sort)) for key, label in shows],
            "headings": self.headings(), "near": near, "sort_query": self.query(sort=self.sort),
            "filtered": bool(QueryDict(self.kept).keys() - {"show"}),
            "sorted_by": self.sorted_by(), "rows": table_rows(page.object_list if page else []),
        }  # fmt: skip

    def sorted_by(self) -> str:
        order = "descending" if self.sort.startswith("-") else "ascending"
        return f"sorted by {SORTS[self.sort.removeprefix('-')].by}, {order}"

    def headings(self) -> list[dict[str, str]]:
        """Each sortable column: its heading, aria-sort when the list is sorted by it, and a link
        that sorts by it (the other way round when it is already the sort)."""
        headings = []
        for key, column in SORTS.items():
            current = self.sort.removeprefix("-") == key
            now_descending = self.sort.startswith("-")
            next_descending = not now_descending if current else column.descending_first
            headings.append({
                "label": column.heading,
                "aria_sort": ("descending" if now_descending else "ascending") if current else "",
                "query": self.query(sort=f"-{key}" if next_descending else key),
            })  # fmt: skip
        return headings


def read_listing(request: HttpRequest, shows: list[tuple[str, str]]) -> Listing:
    """The tab, filters and sort asked for in the query string; unknown tabs and sorts fall back
    to the defaults, filters are only read here (check them with `filters.is_valid()`)."""
    show = request.GET.get("show", "all")
    show = show if show in dict(shows) else "all"
    sort = checked_sort(request.GET.get("sort"))
    kept = QueryDict(mutable=True)
    kept["show"] = show
    for key in ReportFilter.base_filters:
        values = [value for value in request.GET.getlist(key) if value]
        if values:
            kept.setlist(key, values)
    queryset = report_list(request.user, show, sort)
    filters = ReportFilter(request.GET, queryset=queryset, request=request)
    return Listing(show=show, sort=sort, filters=filters, kept=kept.urlencode())


_STATUSES, _OUTCOMES = dict(Report.Status.choices), dict(Report.Outcome.choices)


class Row(NamedTuple):
    """One line of the list table, its cells already written out."""

    href: str
    label: str
    sentinel: bool
    status: str
    member: str
    provider: str
    due: str


def table_rows(reports: Iterable[Report]) -> list[Row]:
    """The table's cells, formatted once here: a {% url %} and date filters per row cost more
    than reading the rows (bench/README.md)."""
    placeholder = uuid.UUID(int=0)
    link = reverse("iad:report", args=[placeholder])
    zone = timezone.get_current_timezone()
    return [
        Row(link.replace(str(placeholder), str(report.code)), str(report), report.sentinel,
            _STATUSES[report.status],
            ", ".join(filter(None, [report.member_last_name, report.member_first_name])),
            report.provider.name if report.provider else "",
            date_format(report.due_at.astimezone(zone), "M j, Y") if report.due_at else "")
        for report in reports
    ]  # fmt: skip


EXPORT_COLUMNS = ("pk", "kind", "code", "status", "sentinel", "member_id", "member_last_name",
                  "member_first_name", "member_birth_date", "provider__name", "health_plan__name",
                  "outcome")  # fmt: skip
# Read as text and parsed by Python's own (C) parser: the driver's timestamp loader, wrapped by
# Django's time-zone loader, is Python code and cost a third of an export's time.
EXPORT_TIMES = {f"{name}_text": Cast(name, TextField())
                for name in ("occurred_at", "due_at", "submitted_at")}  # fmt: skip


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
        for (pk, kind, code, status, sentinel, member_id, last, first, born, provider, plan,
             outcome, occurred, due, submitted) in chunk:  # fmt: skip
            yield (
                Report.label(kind, code), _STATUSES[status], "Yes" if sentinel else "No",
                member_id, ", ".join(filter(None, [last, first])), born, provider or "",
                plan or "", local(occurred), local(due), local(submitted),
                "; ".join(types.get(pk, ())), _OUTCOMES.get(outcome, ""),
            )  # fmt: skip


def _incident_types(report_pks: list[int]) -> dict[int, list[str]]:
    """The names of each report's incident types, in catalogue order."""
    links = Report.incident_types.through.objects.filter(report_id__any_of=report_pks)
    named: dict[int, list[str]] = {}
    for report_pk, name in links.order_by("incidenttype__order", "incidenttype__name").values_list(
        "report_id", "incidenttype__name"
    ):
        named.setdefault(report_pk, []).append(name)
    return named
