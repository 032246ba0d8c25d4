"""Quality of Care's own pages (the cases' pages come from the report kit): record requests
sent by investigators and answered by providers, the corrective action plan as its provider
reads and answers it, and the trends."""

from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from portal.accounts.models import User
from portal.core import audit, uploads
from portal.core.exports import FORMATS, export_response
from portal.core.forms import add_service_errors
from portal.core.http import posted
from portal.core.workflow import TransitionRefused
from portal.reports import services
from portal.reports.forms import TransitionForm
from portal.reports.types import get

from . import access, requests
from . import trends as trending
from .forms import AnswerForm, RecordRequestForm
from .models import Case

RECENT = 20  # answered requests and plans the provider's list shows


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@require_http_methods(["GET", "POST"])
def new_request(request: HttpRequest, code: str) -> HttpResponse:
    """An investigator asks a provider involved in the case for records."""
    case = access.get_case_to_request(request.user, code, request=request)
    form = RecordRequestForm(posted(request), report=case)
    if form.is_valid():
        try:
            requests.send_record_request(
                case, **form.cleaned_data, by=_user(request), request=request
            )
        except TransitionRefused as refusal:
            form.add_error(None, str(refusal))
        except ValidationError as refusal:
            add_service_errors(form, refusal)
        else:
            messages.success(request, "Record request sent.")
            return redirect("qoc:report", code=case.code)
    context = {"report": case, "rt": get("qoc"), "form": form}
    return render(request, "qoc/new_request.html", context, status=400 if form.errors else 200)


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """What Quality of Care asks of this provider: the record requests to answer, soonest due
    first, the corrective action plans, and the latest requests answered or closed. One
    audited read of the rows shown."""
    if not access.answers_for(request.user):
        raise Http404
    shown: dict[str, list[Any]] = {
        "open": list(access.open_requests_to(request.user).order_by("due_on", "pk")),
        "answered": list(access.past_requests_to(request.user)[:RECENT]),
        "plans": list(access.plans_asked_of(request.user).order_by("-cap_due_on", "-pk")[:RECENT]),
    }
    audit.record(
        "qoc.requests_listed",
        actor=request.user,
        request=request,
        data={name: len(rows) for name, rows in shown.items()},
    )
    return render(request, "qoc/inbox.html", shown)


@require_http_methods(["GET", "POST"])
def record_request(request: HttpRequest, code: str) -> HttpResponse:
    """A record request as its provider reads it, and the answer with files."""
    asked = access.get_request_for_provider(request.user, code, request=request)
    form = AnswerForm(posted(request), request.FILES or None)
    if asked.is_open and form.is_valid():
        try:
            requests.answer_record_request(
                asked,
                answer=form.cleaned_data["answer"],
                files=form.cleaned_data["attachments"],
                by=_user(request),
                request=request,
            )
        except TransitionRefused as refusal:
            form.add_error(None, str(refusal))
        except ValidationError as refusal:
            add_service_errors(form, refusal)
        else:
            messages.success(request, "Answer sent to Quality of Care.")
            return redirect("qoc_work:request", code=asked.code)
    context = {"asked": asked, "case": asked.case, "form": form, "files": asked.files.all()}
    return render(request, "qoc/request.html", context, status=400 if form.errors else 200)


@require_GET
def record_file(request: HttpRequest, code: str, file_code: str) -> HttpResponseBase:
    sent = access.get_file_for_user(request.user, code, file_code, request=request)
    return uploads.download_response(sent.stored_name, sent.shown_name, sent.content_type)


@require_http_methods(["GET", "POST"])
def corrective_plan(request: HttpRequest, code: str) -> HttpResponse:
    """The corrective action plan as its provider reads it, with what was sent and sent back,
    and the provider's answer while it is with them."""
    case = access.get_plan_for_provider(request.user, code, request=request)
    rtype = get("qoc")
    step = rtype.workflow.transitions["respond_cap"]
    answering = step in rtype.workflow.allowed(case, request.user)
    form = TransitionForm(posted(request), transition=step, report=case, late=False)
    if answering and form.is_valid():
        try:
            services.take_transition(
                case,
                step.name,
                by=_user(request),
                reason=form.cleaned_data["reason"],
                request=request,
            )
        except TransitionRefused as refusal:
            form.add_error(None, str(refusal))
        else:
            messages.success(request, "Your corrective action plan was sent to Quality of Care.")
            return redirect("qoc_work:cap", code=case.code)
    context = {"case": case, "form": form, "answering": answering, **_plan_history(case)}
    return render(request, "qoc/cap.html", context, status=400 if form.errors else 200)


def _plan_history(case: Case) -> dict[str, Any]:
    """What was sent and sent back about the plan: the provider's answers and the reasons for
    not accepting them. Nothing else of the case (its notes, who raised the concern)."""
    steps = ("require_cap", "respond_cap", "return_cap", "accept_cap")
    history: Any = get("qoc").history_model
    events = history.objects.filter(report=case, transition__in=steps).select_related("actor")
    return {"exchanges": [(event, event.reason) for event in events]}


def _trend_filters(request: HttpRequest) -> trending.TrendFilterForm:
    """The trends' filters; 404 for anyone who does not see trends."""
    if not trending.may_see_trends(request.user):
        raise Http404
    return trending.TrendFilterForm(request.GET)


@require_GET
def trends(request: HttpRequest) -> HttpResponse:
    """The counts of cases received over a period, each as a chart (drawn from its table by
    `trends.js`) and as a table; the page works without JavaScript."""
    form = _trend_filters(request)
    if not form.is_valid():
        return render(request, "qoc/trends.html", {"form": form, "trends": None}, status=400)
    counted = form.trends()
    audit.record("qoc.trends_viewed", actor=request.user, request=request, data=form.chosen())
    context = {
        "form": form,
        "trends": counted.trends,
        "counted_at": counted.at,
        "query": request.GET.urlencode(),
    }
    return render(request, "qoc/trends.html", context)


@require_GET
def trends_export(request: HttpRequest, file_format: str) -> HttpResponseBase:
    """The same numbers as the page, as CSV or Excel: one audited export."""
    if file_format not in FORMATS:
        raise Http404
    form = _trend_filters(request)
    if not form.is_valid():
        return render(request, "qoc/trends.html", {"form": form, "trends": None}, status=400)
    shown = form.trends().trends
    data = {"format": file_format, **form.chosen()}
    audit.record("qoc.trends_exported", actor=request.user, request=request, data=data)
    name = f"quality-of-care-trends-{timezone.localdate():%Y-%m-%d}"
    return export_response(file_format, name, trending.EXPORT_HEADERS, trending.export_rows(shown))
