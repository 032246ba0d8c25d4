"""Pages of the IAD-IRF application."""

from typing import cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from portal.accounts.models import User
from portal.core import audit
from portal.core.http import posted
from portal.core.roles import has_role
from portal.core.workflow import TransitionRefused

from . import services
from .access import check_iad_user, get_draft_for_user, get_report_for_user, may_edit
from .forms import NotificationForm, PersonForm, TransitionForm
from .lists import report_list, shows_for
from .models import Report
from .sections import SECTIONS, task_list
from .workflow import REPORT_WORKFLOW

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
    can_file = has_role(request.user, "iad.submitter") or has_role(request.user, "irf.submitter")
    context = {"page": page, "shows": shows, "show": show, "can_file": can_file}
    return render(request, "iad/reports.html", context)


@require_GET
def report(request: HttpRequest, code: str) -> HttpResponse:
    """One report as filed, its addenda and its history timeline."""
    shown = get_report_for_user(request.user, code, request=request)
    context = {
        "report": shown,
        "history": shown.history.select_related("actor"),
        "addenda": shown.addenda.select_related("author"),
        "incident_types": shown.incident_types.all(),
        "people": shown.people.all(),
        "notifications": shown.notifications.all(),
        "actions": REPORT_WORKFLOW.allowed(shown, request.user),
        "editable": shown.status in services.EDITABLE and may_edit(request.user, shown),
    }
    return render(request, "iad/report.html", context)


@require_http_methods(["GET", "POST"])
def act(request: HttpRequest, code: str, transition: str) -> HttpResponse:
    """GET asks for what the transition needs (and confirmation); POST takes it."""
    user = cast(User, request.user)
    report = get_report_for_user(user, code, request=request)
    try:
        chosen = REPORT_WORKFLOW.check(report, transition.replace("-", "_"), user)
    except TransitionRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("iad:report", code=report.code)
    late = report.due_at is not None and timezone.now() > report.due_at
    form = TransitionForm(posted(request), transition=chosen, late=late)
    if form.is_valid() and _taken(request, report, chosen.name, form):
        messages.success(request, f"Done: {chosen.label.lower()}.")
        return redirect("iad:report", code=report.code)
    return render(request, "iad/act.html", {"report": report, "transition": chosen, "form": form},
                  status=400 if form.errors else 200)  # fmt: skip


def _taken(request: HttpRequest, report: Report, name: str, form: TransitionForm) -> bool:
    """Take the transition; a refusal (someone acted first) goes to the form's error summary."""
    data = form.cleaned_data
    try:
        services.take_transition(
            report, name, by=cast(User, request.user), request=request,
            reason=data.get("reason", ""), outcome=data.get("outcome", ""),
        )  # fmt: skip
    except TransitionRefused as refusal:
        form.add_error(None, str(refusal))
        return False
    return True


@require_http_methods(["GET", "POST"])
def start(request: HttpRequest) -> HttpResponse:
    """Choose what to file; POST makes the draft and opens its task list."""
    user = cast(User, request.user)
    kinds = [k for k, role in (("iad", "iad.submitter"), ("irf", "irf.submitter"))
             if has_role(user, role)]  # fmt: skip
    if not kinds:
        raise Http404
    if request.method == "POST" and request.POST.get("kind") in kinds:
        report = services.start_report(request.POST["kind"], by=user, request=request)
        return redirect("iad:draft", code=report.code)
    return render(request, "iad/start.html", {"kinds": kinds})


@require_GET
def draft(request: HttpRequest, code: str) -> HttpResponse:
    """The task list of a draft: its sections, which are done, and the way to submit."""
    report = get_draft_for_user(request.user, code, request=request)
    if report.status not in services.EDITABLE:
        return redirect("iad:report", code=report.code)
    context = {"report": report, "tasks": task_list(report),
               "missing": services.missing_items(report)}  # fmt: skip
    return render(request, "iad/draft.html", context)


@require_http_methods(["GET", "POST"])
def edit_section(request: HttpRequest, code: str, section: str) -> HttpResponse:
    """One question page of a draft; saving returns to the task list, an error keeps it all."""
    report = get_draft_for_user(request.user, code, request=request)
    chosen = SECTIONS.get(section)
    if chosen is None:
        raise Http404
    form = chosen.form(report, posted(request))
    if form.is_valid():
        types = form.cleaned_data.get("incident_types")
        try:
            services.update_draft(report, chosen.changes(form), by=cast(User, request.user),
                                  request=request, incident_types=types)  # fmt: skip
        except TransitionRefused as refusal:
            messages.error(request, str(refusal))
            return redirect("iad:report", code=report.code)
        return redirect("iad:draft", code=report.code)
    return render(request, "iad/section.html", {"report": report, "section": chosen,
                  "form": form}, status=400 if form.errors else 200)  # fmt: skip


ITEM_PAGES = {
    "people": ("People involved", PersonForm, "people"),
    "notifications": ("Who was told", NotificationForm, "notifications"),
}


@require_http_methods(["GET", "POST"])
def edit_items(request: HttpRequest, code: str, part: str) -> HttpResponse:
    """People involved, or notifications made: a list with an add form and remove buttons."""
    report = get_draft_for_user(request.user, code, request=request)
    if part not in ITEM_PAGES:
        raise Http404
    title, form_class, related = ITEM_PAGES[part]
    items = getattr(report, related)
    form = form_class(request.POST if "add" in request.POST else None)
    try:
        if "remove" in request.POST:
            chosen = request.POST["remove"]
            item = get_object_or_404(items, pk=int(chosen) if chosen.isdigit() else 0)
            services.remove_from_draft(report, item, by=cast(User, request.user), request=request)
            return redirect("iad:edit_items", code=report.code, part=part)
        if form.is_valid():
            services.add_to_draft(report, form.instance, by=cast(User, request.user),
                                  request=request)  # fmt: skip
            return redirect("iad:edit_items", code=report.code, part=part)
    except TransitionRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("iad:report", code=report.code)
    context = {"report": report, "title": title, "form": form, "items": items.all(), "part": part}
    return render(request, "iad/items.html", context, status=400 if form.errors else 200)
