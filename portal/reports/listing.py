"""The report lists (SPEC §11), for every type: what this person may see, narrowed to a tab,
filtered, sorted and paged; the same rows exported."""

import functools
import html
import uuid
from dataclasses import dataclass
from hashlib import blake2b
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Page
from django.db.models import F, QuerySet
from django.db.models.expressions import OrderBy
from django.forms.renderers import get_default_renderer
from django.http import HttpRequest, QueryDict
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import SafeString

from portal.core.roles import has_role

from .types import ReportType
from .visibility import visible_reports


def tabs_for(rtype: ReportType, user: Any) -> list[tuple[str, str]]:
    """The tabs this person has, as (key, label)."""
    return [
        (tab.key, tab.label)
        for tab in rtype.tabs
        if not tab.roles or any(has_role(user, role) for role in tab.roles)
    ]


def checked_sort(rtype: ReportType, sort: str | None) -> str:
    """The sort asked for when it names a column ("-" first for descending), else the default."""
    keys = {column.key for column in rtype.columns}
    return sort if sort and sort.removeprefix("-") in keys else rtype.default_sort


def ordering(rtype: ReportType, sort: str) -> list[OrderBy]:
    """The order of a sort, with the primary key last so every page boundary is stable."""
    sort = checked_sort(rtype, sort)
    chosen = next(c for c in rtype.columns if c.key == sort.removeprefix("-"))
    empties = {"nulls_last": True} if chosen.nullable else {}
    if sort.startswith("-"):
        return [*(column.desc(**empties) for column in chosen.order), F("pk").desc()]
    return [*(column.asc(**empties) for column in chosen.order), F("pk").asc()]


def tab_rows(rtype: ReportType, user: Any, tab: str) -> QuerySet[Any]:
    """The reports of one tab (the first tab's for an unknown one), in no order."""
    chosen = next((t for t in rtype.tabs if t.key == tab), rtype.tabs[0])
    return visible_reports(rtype, user).filter(chosen.rows(user))


def report_list(rtype: ReportType, user: Any, tab: str, sort: str = "") -> QuerySet[Any]:
    """The reports of one tab, in the chosen order, with their organizations loaded at once."""
    return (
        tab_rows(rtype, user, tab)
        .select_related("organization", "provider", "health_plan")
        .order_by(*ordering(rtype, sort or rtype.default_sort))
    )


@dataclass(frozen=True)
class Listing:
    """One request's view of the list: tab, filters and sort, and the links that keep them."""

    rtype: ReportType
    show: str
    sort: str
    filters: Any  # the type's FilterSet
    kept: str  # the tab and filters as a query string, built once for every link

    def reports(self) -> QuerySet[Any]:
        """The filtered rows (check `filters.is_valid()` first: invalid filters are skipped)."""
        return self.filters.qs  # type: ignore[no-any-return]

    def shown(self) -> QuerySet[Any]:
        """The filtered rows with what the table shows loaded and nothing else: a report's
        other columns (and converting their timestamps) cost more than the query itself
        (docs/performance.md)."""
        fields = self.rtype.row_fields
        related = {name.partition("__")[0] for name in fields if "__" in name}
        rows = self.reports().select_related(None).only(*fields)
        # select_related() with no names would follow every foreign key.
        return rows.select_related(*related) if related else rows

    def count_key(self, user: Any) -> str:
        """Names these matches for `CappedPaginator(kept_as=...)`: the type, tab and filters,
        and who asks (what they see follows the account, its organization and roles)."""
        roles = ",".join(sorted(user.role_names))
        return f"{self.rtype.slug}|{user.pk}|{user.organization_id}|{roles}|{self.kept}"

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
        rows = table_rows(self.rtype, page.object_list if page else [])
        headings = self.headings()
        first = html.escape(headings[0]["label"])  # every row's first cell carries it
        return {
            "page": page,
            "show": self.show,
            "sort": self.sort,
            "form": self.filters.form,
            "filter_fields": self.filter_fields(),
            "tabs": [(key, label, self.query(show=key, sort=self.sort)) for key, label in shows],
            "headings": headings,
            "near": near,
            "sort_query": self.query(sort=self.sort),
            "filtered": bool(QueryDict(self.kept).keys() - {"show"}),
            "sorted_by": self.sorted_by(),
            "rows": rows,
            "table_body": SafeString("".join(row.html(first) for row in rows)),
        }

    def filter_fields(self) -> SafeString:
        """The filter form's fields, laid out by the type's `<slug>/filter_fields.html` (else
        `reports/filter_fields.html`, both Jinja2). Building eight fields' HTML, choices and
        all, was a tenth of a list page: the HTML of valid filters is kept per organization and
        filters for FILTER_CHOICES_SECONDS, as long as the choices it shows (ADR 0027)."""
        form = self.filters.form
        template = filter_fields_template(self.rtype.slug)
        if form.errors:  # never kept: the errors and what was typed are this request's
            return form.render(template_name=template)  # type: ignore[no-any-return]
        data = self.filters.data
        chosen = [(name, value) for name in form.fields for value in data.getlist(name)]
        organization = getattr(self.filters.request.user, "organization_id", None)
        # Hashed: the filters asked for may run to kilobytes, past what a cache key may hold.
        asked = blake2b(urlencode(chosen).encode(), digest_size=16).hexdigest()
        key = f"{self.rtype.slug}:filter-fields:{organization}:{asked}"
        kept: str | None = cache.get(key)
        if kept is None:
            kept = str(form.render(template_name=template))
            cache.set(key, kept, settings.FILTER_CHOICES_SECONDS)
        return SafeString(kept)

    def sorted_by(self) -> str:
        order = "descending" if self.sort.startswith("-") else "ascending"
        column = next(c for c in self.rtype.columns if c.key == self.sort.removeprefix("-"))
        return f"sorted by {column.by}, {order}"

    def headings(self) -> list[dict[str, str]]:
        """Each sortable column: its heading, aria-sort when the list is sorted by it, and a link
        that sorts by it (the other way round when it is already the sort)."""
        headings = []
        for column in self.rtype.columns:
            current = self.sort.removeprefix("-") == column.key
            now_descending = self.sort.startswith("-")
            next_descending = not now_descending if current else column.descending_first
            headings.append(
                {
                    "label": column.heading,
                    "aria_sort": ("descending" if now_descending else "ascending")
                    if current
                    else "",
                    "query": self.query(sort=f"-{column.key}" if next_descending else column.key),
                }
            )
        return headings


@functools.cache
def filter_fields_template(slug: str) -> str:
    """The type's own layout of its filter fields, else the kit's."""
    names = [f"{slug}/filter_fields.html", "reports/filter_fields.html"]
    renderer: Any = get_default_renderer()  # the Jinja2 one (ADR 0018)
    return str(renderer.engine.env.select_template(names).name)


def read_listing(rtype: ReportType, request: HttpRequest, shows: list[tuple[str, str]]) -> Listing:
    """The tab, filters and sort asked for in the query string; unknown tabs and sorts fall back
    to the defaults, filters are only read here (check them with `filters.is_valid()`)."""
    show = request.GET.get("show", shows[0][0])
    show = show if show in dict(shows) else shows[0][0]
    sort = checked_sort(rtype, request.GET.get("sort"))
    kept = QueryDict(mutable=True)
    kept["show"] = show
    for key in rtype.filterset.base_filters:
        values = [value for value in request.GET.getlist(key) if value]
        if values:
            kept.setlist(key, values)
    queryset = report_list(rtype, request.user, show, sort)
    filters = rtype.filterset(request.GET, queryset=queryset, request=request)
    return Listing(rtype=rtype, show=show, sort=sort, filters=filters, kept=kept.urlencode())


@dataclass(frozen=True)
class Row:
    """One line of the list table, its cells already written out."""

    href: str
    label: str
    tags: list[str]
    cells: SafeString  # the <td> of each column after the first, escaped

    def html(self, first_heading: str) -> str:
        """The row's <tr>, written here rather than by a template loop (bench/README.md);
        `first_heading` is already escaped."""
        tags = "".join(f' <span class="usa-tag">{html.escape(tag)}</span>' for tag in self.tags)
        link = f'<a href="{html.escape(self.href)}">{html.escape(self.label)}</a>'
        return (
            f'<tr><th scope="row" data-label="{first_heading}">{link}{tags}</th>{self.cells}</tr>'
        )


def table_rows(rtype: ReportType, reports: Any) -> list[Row]:
    """The table's cells, written out once here: a {% url %}, date filters and a template loop
    over the cells of each row cost more than reading the rows (bench/README.md)."""
    placeholder = uuid.UUID(int=0)
    link = reverse(rtype.url("report"), args=[placeholder])
    # Each cell escaped once, here (Django's escape() goes through its lazy-string wrapper on
    # every call, a tenth of the page for 200 cells).
    cells = [(f'<td data-label="{html.escape(c.heading)}">', c.cell) for c in rtype.columns[1:]]
    return [
        Row(
            link.replace(str(placeholder), str(report.code)),
            str(report),
            rtype.row_tags(report),
            SafeString("".join(f"{start}{html.escape(get(report))}</td>" for start, get in cells)),
        )
        for report in reports
    ]
