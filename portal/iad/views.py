"""Pages of the IAD-IRF application."""

import uuid
from typing import Any, cast

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from portal.accounts.models import User
from portal.core import audit, uploads
from portal.core.exports import FORMATS, export_response
from portal.core.http import posted
from portal.core.paging import CappedPaginator
from portal.core.pdf import pdf_response
from portal.core.roles import has_role
from portal.core.workflow import TransitionRefused

from . import services
from .access import (
    check_iad_user,
    get_attachment_for_user,
    get_copy_for_user,
    get_draft_for_user,
    get_report_for_user,
    get_report_to_redact,
    may_edit,
    may_redact,
)
from .forms import (
    AttachmentForm,
    NotificationForm,
    PersonForm,
    RedactionForm,
    ReleaseForm,
    TransitionForm,
)
from .lists import EXPORT_HEADERS, export_rows, read_listing, shows_for
from .models import RedactedCopy, Report
from .redaction import copy_texts, document_for, suggestions_for
from .sections import SECTIONS, task_list
from .workflow import REPORT_WORKFLOW

PAGE_SIZE = 50


@require_GET
def reports(request: HttpRequest) -> HttpResponse:
    """The list of reports this person may see, by tab, filtered and sorted; the rows shown are
    one audited read. Filters that make no sense are named on the page (400), with no rows."""
    check_iad_user(request.user)
    shows = shows_for(request.user)
    listing = read_listing(request, shows)
    if not listing.filters.is_valid():
        return _reports_page(request, listing.context(None, shows), status=400)
    paginator = CappedPaginator(listing.reports(), PAGE_SIZE, settings.LIST_COUNT_LIMIT)
    page = paginator.get_page(request.GET.get("page"))
    shown = {**listing.audit_data(), "page": page.number, "rows": len(page.object_list)}
    audit.record("iad.listed", actor=request.user, request=request, data=shown)
    return _reports_page(request, listing.context(page, shows))


def _reports_page(request: HttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    can_file = has_role(request.user, "iad.submitter") or has_role(request.user, "irf.submitter")
    context = {**context, "can_file": can_file}
    return render(request, "iad/reports.html", context, status=status)


@require_GET
def export_reports(request: HttpRequest, file_format: str) -> HttpResponseBase:
    """Exactly the filtered list, every page of it, as a CSV or Excel download: one audited
    export (the row count is taken before the rows are streamed)."""
    check_iad_user(request.user)
    if file_format not in FORMATS:
        raise Http404
    shows = shows_for(request.user)
    listing = read_listing(request, shows)
    if not listing.filters.is_valid():
        return _reports_page(request, listing.context(None, shows), status=400)
    rows = listing.reports()
    shown = {"format": file_format, **listing.audit_data(), "rows": rows.count()}
    audit.record("iad.exported", actor=request.user, request=request, data=shown)
    filename = f"incident-reports-{timezone.localdate():%Y-%m-%d}"
    return export_response(file_format, filename, EXPORT_HEADERS, export_rows(rows))


@require_GET
def report(request: HttpRequest, code: str) -> HttpResponse:
    """One report as filed, its addenda and its history timeline."""
    shown = get_report_for_user(request.user, code, request=request)
    redactable = may_redact(request.user, shown)
    context = {
        "report": shown,
        **_report_parts(shown),
        "actions": REPORT_WORKFLOW.allowed(shown, request.user),
        "editable": shown.status in services.EDITABLE and may_edit(request.user, shown),
        "redactable": redactable,
        "copy": RedactedCopy.objects.filter(report=shown).first() if redactable else None,
    }
    return render(request, "iad/report.html", context)


def _report_parts(report: Report) -> dict[str, Any]:
    """What the report page and its PDF show besides the report's own fields."""
    return {
        "history": report.history.select_related("actor"),
        "addenda": report.addenda.select_related("author"),
        "incident_types": report.incident_types.all(),
        "people": report.people.all(),
        "notifications": report.notifications.all(),
        "attachments": report.attachments.all(),
    }


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
    """Choose what to file; POST makes the draft and opens its task list. The page carries a
    key made when it is shown, so sending it twice opens one draft (ADR 0016)."""
    user = cast(User, request.user)
    kinds = [k for k, role in (("iad", "iad.submitter"), ("irf", "irf.submitter"))
             if has_role(user, role)]  # fmt: skip
    if not kinds:
        raise Http404
    status = 200
    if request.method == "POST" and request.POST.get("kind") in kinds:
        client_key = _uuid(request.POST.get("client_key", ""))
        if client_key is not None:
            report = services.start_report(request.POST["kind"], by=user, client_key=client_key,
                                           request=request)  # fmt: skip
            return redirect("iad:draft", code=report.code)
        # Only a page older than this check, or a hand-made request, lacks the key.
        messages.error(request, "This page was out of date, so no report was started. "
                       "Choose the report to start again.")  # fmt: skip
        status = 400
    context = {"kinds": kinds, "client_key": uuid.uuid4()}
    return render(request, "iad/start.html", context, status=status)


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


# --- Printing and redacted copies (SPEC §3.4, §11) ---------------------------------------


@require_GET
def report_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """The report as a PDF: one audited print of the original, for those who may see it."""
    shown = get_report_for_user(request.user, code, request=request, action="iad.printed")
    context = {"report": shown, **_report_parts(shown), "printed_at": timezone.now()}
    return pdf_response("iad/report_print.html", context, filename=f"{shown}.pdf".replace(" ", "-"))


@require_http_methods(["GET", "POST"])
def redact(request: HttpRequest, code: str) -> HttpResponse:
    """The redactor's page: what to remove, and the copy as the committee would read it."""
    report = get_report_to_redact(request.user, code, request=request)
    copy = RedactedCopy.objects.select_related("committee").filter(report=report).first()
    if copy is None:
        return render(request, "iad/redact_start.html", {"report": report})
    copy.report = report
    form = _redaction_form(report, copy, posted(request))
    if form.is_valid():
        try:
            services.save_redaction(copy, form.phrases(), by=cast(User, request.user),
                                    request=request)  # fmt: skip
        except TransitionRefused as refusal:
            messages.error(request, str(refusal))
            return redirect("iad:copy", code=copy.code)
        messages.success(
            request, "Saved. The preview shows the copy as the committee will read it."
        )
        return redirect("iad:redact", code=report.code)
    context = {"report": report, "copy": copy, "form": form, "document": document_for(copy)}
    return render(request, "iad/redact.html", context, status=400 if form.errors else 200)


def _redaction_form(report: Report, copy: RedactedCopy, data: Any) -> RedactionForm:
    return RedactionForm(
        data if copy.status == RedactedCopy.Status.DRAFT else None,
        suggestions=suggestions_for(report), removed=copy.removed_phrases,
        suggested_before=copy.content.get("suggested", []), texts=copy_texts(report),
    )  # fmt: skip


@require_POST
def start_redaction(request: HttpRequest, code: str) -> HttpResponse:
    """Make the copy (once, however many clicks) and open it for redaction."""
    report = get_report_to_redact(request.user, code, request=request)
    services.start_redaction(report, by=cast(User, request.user), request=request)
    return redirect("iad:redact", code=report.code)


@require_http_methods(["GET", "POST"])
def release(request: HttpRequest, code: str) -> HttpResponse:
    """Confirm the copy and the committee; POST releases it."""
    report = get_report_to_redact(request.user, code, request=request)
    copy = get_object_or_404(RedactedCopy.objects.select_related("committee"), report=report)
    copy.report = report
    if copy.status == RedactedCopy.Status.RELEASED:
        messages.info(request, "This copy was already released.")
        return redirect("iad:copy", code=copy.code)
    form = ReleaseForm(posted(request), committees=services.committees_for(report))
    if form.is_valid():
        try:
            services.release_copy(copy, form.cleaned_data["committee"],
                                  by=cast(User, request.user), request=request)  # fmt: skip
            messages.success(request, "Released to the committee.")
            return redirect("iad:copy", code=copy.code)
        except TransitionRefused as refusal:
            form.add_error(None, str(refusal))
    context = {"report": report, "copy": copy, "form": form, "document": document_for(copy)}
    return render(request, "iad/release.html", context, status=400 if form.errors else 200)


@require_GET
def copy(request: HttpRequest, code: str) -> HttpResponse:
    """A redacted copy, as its committee reads it."""
    shown = get_copy_for_user(request.user, code, request=request)
    return render(request, "iad/copy.html", {"copy": shown, "document": document_for(shown)})


@require_GET
def copy_pdf(request: HttpRequest, code: str) -> HttpResponse:
    """A redacted copy as a PDF: one audited print."""
    shown = get_copy_for_user(request.user, code, request=request, action="iad.copy_printed")
    context = {"document": document_for(shown), "printed_at": timezone.now()}
    name = f"redacted-{shown.report.get_kind_display()}-{str(shown.code)[:8]}.pdf"
    return pdf_response("iad/copy_print.html", context, filename=name)


# --- Attachments (SPEC §3.1) -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def attachments(request: HttpRequest, code: str) -> HttpResponse:
    """The files of a draft: a list with remove buttons and a form to attach one more; a
    refused file keeps the page and names the problem."""
    report = get_draft_for_user(request.user, code, request=request)
    form = AttachmentForm(request.POST if "add" in request.POST else None, request.FILES or None)
    try:
        if "remove" in request.POST:
            chosen = get_object_or_404(report.attachments, code=_uuid(request.POST["remove"]))
            services.remove_attachment(report, chosen, by=cast(User, request.user),
                                       request=request)  # fmt: skip
            return redirect("iad:attachments", code=report.code)
        if form.is_valid() and _attached(request, report, form):
            return redirect("iad:attachments", code=report.code)
    except TransitionRefused as refusal:
        messages.error(request, str(refusal))
        return redirect("iad:report", code=report.code)
    context = {"report": report, "form": form, "attachments": report.attachments.all()}
    return render(request, "iad/attachments.html", context, status=400 if form.errors else 200)


def _attached(request: HttpRequest, report: Report, form: AttachmentForm) -> bool:
    """Attach the chosen file; a refusal of its content goes to the form's error summary."""
    try:
        services.add_attachment(report, form.cleaned_data["file"], by=cast(User, request.user),
                                request=request)  # fmt: skip
    except ValidationError as refusal:
        form.add_error("file", refusal)
        return False
    return True


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


@require_GET
def attachment(request: HttpRequest, code: str, attachment_code: str) -> HttpResponseBase:
    """One file of a report, as a download, for whoever may see the report."""
    chosen = get_attachment_for_user(request.user, code, attachment_code, request=request)
    return uploads.download_response(chosen.stored_name, chosen.name, chosen.content_type)
