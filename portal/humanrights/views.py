"""The roster pages of OHR (the notifications' own pages come from the report kit)."""

from django.conf import settings
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from portal.core import audit
from portal.core.exports import FORMATS, export_response
from portal.core.paging import CappedPaginator

from . import roster
from .models import Report

PAGE_SIZE = 50


def _filtered(request: HttpRequest) -> tuple[roster.RosterFilterForm, QuerySet[Report] | None]:
    """The roster's filters and its rows (None when a filter makes no sense); 404 for anyone
    who has no roster."""
    if not roster.may_see_roster(request.user):
        raise Http404
    form = roster.RosterFilterForm(request.GET, user=request.user)
    rows = roster.on_roster(request.user)
    return form, (form.narrowed(rows) if form.is_valid() else None)


@require_GET
def roster_page(request: HttpRequest) -> HttpResponse:
    """Members under special assistance, filtered and paged (one audited read of the rows
    shown), and the count per plan over recent months."""
    form, rows = _filtered(request)
    days = roster.month_ends(roster.today())
    context = {
        "form": form,
        "statewide": roster.statewide(request.user),
        "days": days,
        "counts": roster.counts_over_time(request.user, days),
        "query": request.GET.urlencode(),
        "page": None,
    }
    if rows is None:
        return render(request, "ohr/roster.html", context, status=400)
    paginator = CappedPaginator(rows, PAGE_SIZE, settings.LIST_COUNT_LIMIT)
    page = paginator.get_page(request.GET.get("page"))
    shown = {"filters": form.chosen(), "page": page.number, "rows": len(page.object_list)}
    audit.record("ohr.roster_viewed", actor=request.user, request=request, data=shown)
    return render(request, "ohr/roster.html", {**context, "page": page, **_near(request, page)})


def _near(request: HttpRequest, page: object) -> dict[str, str]:
    """The query strings of the previous and next pages, filters kept."""
    links = {}
    for name, has, number in (
        ("previous", "has_previous", "previous_page_number"),
        ("next", "has_next", "next_page_number"),
    ):
        query = request.GET.copy()
        if getattr(page, has)():
            query["page"] = str(getattr(page, number)())
            links[name] = query.urlencode()
    return links


@require_GET
def roster_export(request: HttpRequest, file_format: str) -> HttpResponseBase:
    """Every member of the filtered roster as a CSV or Excel download: one audited export."""
    if file_format not in FORMATS:
        raise Http404
    form, rows = _filtered(request)
    if rows is None:
        return roster_page(request)
    shown = {"format": file_format, "filters": form.chosen(), "rows": rows.count()}
    audit.record("ohr.roster_exported", actor=request.user, request=request, data=shown)
    filename = f"special-assistance-roster-{timezone.localdate():%Y-%m-%d}"
    return export_response(file_format, filename, roster.EXPORT_HEADERS, roster.export_rows(rows))
