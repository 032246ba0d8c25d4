"""Pages of the IAD-IRF application."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from portal.core import audit

from .access import check_iad_user, get_report_for_user
from .lists import report_list, shows_for

PAGE_SIZE = 50


@require_GET
def reports(request: HttpRequest) -> HttpResponse:
    """The list of reports this person may see, by tab; the rows shown are one audited read."""
    check_iad_user(request.user)
    shows = shows_for(request.user)
    show = request.GET.get("show", "all")
    show = show if show in dict(shows) else "all"
    page = Paginator(report_list(request.user, show), PAGE_SIZE).get_page(request.GET.get("page"))
    shown = {"show": show, "page": page.number, "rows": len(page.object_list)}
    audit.record("iad.listed", actor=request.user, request=request, data=shown)
    return render(request, "iad/reports.html", {"page": page, "shows": shows, "show": show})


@require_GET
def report(request: HttpRequest, code: str) -> HttpResponse:
    """One report as filed, its addenda and its history timeline."""
    shown = get_report_for_user(request.user, code, request=request)
    context = {
        "report": shown,
        "history": shown.history.select_related("actor"),
        "addenda": shown.addenda.select_related("author"),
        "incident_types": shown.incident_types.all(),
    }
    return render(request, "iad/report.html", context)
