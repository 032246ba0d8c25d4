"""The monthly summary pages of S&R (the reports' own pages come from the report kit)."""

from datetime import date
from typing import cast

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from portal.accounts.models import User
from portal.core.http import posted
from portal.core.workflow import TransitionRefused

from . import monthly
from .forms import SummaryForm


@require_GET
def summaries(request: HttpRequest) -> HttpResponse:
    """A facility's recent months, filed or not; for reviewers, every facility they oversee for
    one month (the latest ended unless another is chosen), the ones that have not filed first."""
    monthly.check_user(request.user)
    if monthly.is_facility(request.user):
        lines = monthly.facility_lines(cast(User, request.user).organization)  # type: ignore[arg-type]
        context = {"lines": lines, "facility": True, "now": monthly.now()}
        return render(request, "sr/summaries.html", context)
    choices = monthly.SCHEDULE.recent()
    period = _month(request.GET.get("month", ""), choices)
    lines = sorted(monthly.month_lines(request.user, period), key=lambda line: bool(line.summary))
    context = {
        "lines": lines,
        "facility": False,
        "period": period,
        "choices": choices,
        "label": monthly.SCHEDULE.label(period),
        "now": monthly.now(),
    }
    return render(request, "sr/summaries.html", context)


def _month(text: str, choices: list[date]) -> date:
    """The month asked for as YYYY-MM when it is one of the choices, else the latest."""
    asked = _parse_month(text)
    return asked if asked in choices else choices[0]


def _parse_month(text: str) -> date | None:
    try:
        return date.fromisoformat(f"{text}-01")
    except ValueError:
        return None


@require_http_methods(["GET", "POST"])
def file_summary(request: HttpRequest) -> HttpResponse:
    """A facility files one month's summary; a month already filed, or a count below the
    reports filed, is named on the page with what was typed kept."""
    monthly.check_user(request.user)
    user = cast(User, request.user)
    if not monthly.is_facility(user) or user.organization is None:
        return redirect("sr_monthly:summaries")
    open_months = monthly.unfiled_months(user.organization)
    choices = [(f"{m:%Y-%m}", monthly.SCHEDULE.label(m)) for m in open_months]
    form = SummaryForm(posted(request), months=choices)
    if form.is_valid():
        period = date.fromisoformat(f"{form.cleaned_data['period']}-01")
        try:
            monthly.file_summary(
                by=user,
                period=period,
                request=request,
                event_count=form.cleaned_data["event_count"],
                notes=form.cleaned_data["notes"],
            )
        except TransitionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, f"Filed: {monthly.SCHEDULE.label(period)}.")
            return redirect("sr_monthly:summaries")
    context = {"form": form, "nothing_open": not choices}
    return render(request, "sr/file_summary.html", context, status=400 if form.errors else 200)
