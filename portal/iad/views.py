"""Pages of the IAD-IRF application."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from .access import get_report_for_user


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
