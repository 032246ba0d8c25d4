"""The pages every report type gets from the kit. Each view receives its type (`rtype`) from
`report_urls()`; templates are looked up in the type's folder first (`<slug>/<page>.html`),
then in `reports/`, as the admin looks for an app's template before its own."""

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
from portal.core.compiled import related_objects
from portal.core.exports import FORMATS, export_response
from portal.core.forms import add_service_errors
from portal.core.http import posted
from portal.core.paging import CappedPaginator
from portal.core.pdf import pdf_response
from portal.core.workflow import TransitionRefused

from . import attachments as files
from . import redaction, services
from .access import (
    check_user,
    get_attachment_for_user,
    get_copy_for_user,
    get_draft_for_user,
    get_report_for_user,
    get_report_to_redact,
    may_edit,
    may_redact,
)
from .forms import AttachmentForm, RedactionForm, ReleaseForm, TransitionForm
from .listing import read_listing, tabs_for
from .types import ReportType

PAGE_SIZE = 50


def _render(
    request: HttpRequest, rtype: ReportType, page: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    names = [f"{rtype.slug}/{page}.html", f"reports/{page}.html"]
    return render(request, names, {"rt": rtype, **context}, status=status)


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


@require_GET
def reports(request: HttpRequest, rtype: ReportType) -> HttpResponse:
    """The list of reports this person may see, by tab, filtered and sorted; the rows shown are
    one audited read. Filters that make no sense are named on the page (400), with no rows."""
    check_user(rtype, request.user)
    shows = tabs_for(rtype, request.user)
    listing = read_listing(rtype, request, shows)
    if not listing.filters.is_valid():
        return _reports_page(request, rtype, listing.context(None, shows), status=400)
    count_key = listing.count_key(request.user)
    paginator = CappedPaginator(listing.shown(), PAGE_SIZE, settings.LIST_COUNT_LIMIT, count_key)
    page = paginator.get_page(request.GET.get("page"))
    shown = {**listing.audit_data(), "page": page.number, "rows": len(page.object_list)}
    audit.record(f"{rtype.slug}.listed", actor=request.user, request=request, data=shown)
    return _reports_page(request, rtype, listing.context(page, shows))


def _reports_page(
    request: HttpRequest, rtype: ReportType, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    can_file = bool(rtype.kinds_filed_by(request.user))
    return _render(request, rtype, "reports", {**context, "can_file": can_file}, status)


@require_GET
def export_reports(request: HttpRequest, rtype: ReportType, file_format: str) -> HttpResponseBase:
    """Exactly the filtered list, every page of it, as a CSV or Excel download: one audited
    export (the row count is taken before the rows are streamed)."""
    check_user(rtype, request.user)
    if file_format not in FORMATS:
        raise Http404
    shows = tabs_for(rtype, request.user)
    listing = read_listing(rtype, request, shows)
    if not listing.filters.is_valid():
        return _reports_page(request, rtype, listing.context(None, shows), status=400)
    rows = listing.reports()
    shown = {"format": file_format, **listing.audit_data(), "rows": rows.count()}
    audit.record(f"{rtype.slug}.exported", actor=request.user, request=request, data=shown)
    filename = f"{rtype.export_name}-{timezone.localdate():%Y-%m-%d}"
    return export_response(file_format, filename, rtype.export_headers, rtype.export_rows(rows))


@require_GET
def report(request: HttpRequest, rtype: ReportType, code: uuid.UUID) -> HttpResponse:
    """One report as filed, its addenda and its history timeline."""
    shown = get_report_for_user(rtype, request.user, code, request=request)
    redactable = rtype.redaction is not None and may_redact(request.user, shown)
    context = {
        "report": shown,
        **report_parts(rtype, shown),
        **rtype.page_context(shown, request.user),
        "actions": rtype.workflow.allowed(shown, request.user),
        "editable": shown.status in rtype.editable and may_edit(request.user, shown),
        "redactable": redactable,
        "copy": next(iter(related_objects(shown, "redacted_copy")), None) if redactable else None,
    }
    return _render(request, rtype, "report", context)


def report_parts(rtype: ReportType, report: Any) -> dict[str, Any]:
    """What the report page and its PDF show besides the report's own fields: its tags (as its
    list row shows them), history (each entry saying what was done), addenda, files, item lists
    by their related names and the type's `report_prefetch`. Each is read here, as a list: a
    template that reads a relation itself runs a query while rendering, which the kit's
    contract test catches. Their queries are compiled once (ADR 0030)."""
    steps = rtype.workflow.transitions
    history = [
        (event, steps[event.transition].what_was_done if event.transition in steps else "")
        for event in related_objects(report, "history", "actor")
    ]
    related = [i.related_name for i in rtype.item_lists] + list(rtype.report_prefetch)
    return {
        "tags": rtype.row_tags(report),
        "history": history,
        "addenda": related_objects(report, "addenda", "author"),
        "attachments": related_objects(report, "attachments"),
        **{name: related_objects(report, name) for name in related},
    }


@require_http_methods(["GET", "POST"])
def act(request: HttpRequest, rtype: ReportType, code: uuid.UUID, transition: str) -> HttpResponse:
    """GET asks for what the transition needs (and confirmation); POST takes it."""
    report = get_report_for_user(rtype, request.user, code, request=request)
    try:
        chosen = rtype.workflow.check(report, transition.replace("-", "_"), _user(request))
    except TransitionRefused as refusal:
        messages.error(request, str(refusal))
        return redirect(rtype.url("report"), code=report.code)
    form_class = chosen.form or TransitionForm
    form = form_class(posted(request), transition=chosen, report=report, late=services.late(report))
    if form.is_valid() and _taken(request, report, chosen.name, form):
        messages.success(request, f"{chosen.what_was_done}.")
        return redirect(rtype.url("report"), code=report.code)
    context = {"report": report, "transition": chosen, "form": form}
    return _render(request, rtype, "act", context, status=400 if form.errors else 200)


def _taken(request: HttpRequest, report: Any, name: str, form: TransitionForm) -> bool:
    """Take the transition; a refusal (someone acted first) goes to the form's error summary."""
    data = form.cleaned_data
    try:
        services.take_transition(
            report,
            name,
            by=_user(request),
            request=request,
            reason=data.get("reason", ""),
            choice=data.get(form.choice_name, ""),
            facts=form.facts(),
        )
    except TransitionRefused as refusal:
        form.add_error(None, str(refusal))
        return False
    except ValidationError as refusal:
        add_service_errors(form, refusal)
        return False
    return True


@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, rtype: ReportType) -> HttpResponse:
    """Choose what to file; POST makes the draft and opens its task list. The page carries a
    key made when it is shown, so sending it twice opens one draft (ADR 0016)."""
    kinds = rtype.kinds_filed_by(request.user)
    if not kinds:
        raise Http404
    status = 200
    if request.method == "POST" and request.POST.get("kind") in {k.value for k in kinds}:
        client_key = _uuid(request.POST.get("client_key", ""))
        if client_key is not None:
            report = services.start_report(
                request.POST["kind"], by=_user(request), client_key=client_key, request=request
            )
            return redirect(rtype.url("draft"), code=report.code)
        # Only a page older than this check, or a hand-made request, lacks the key.
        messages.error(
            request,
            "This page was out of date, so no report was started. "
            "Choose the report to start again.",
        )
        status = 400
    context = {"kinds": kinds, "client_key": uuid.uuid4()}
    return _render(request, rtype, "start", context, status=status)


@require_GET
def draft(request: HttpRequest, rtype: ReportType, code: uuid.UUID) -> HttpResponse:
    """The task list of a draft: its sections, which are done, and the way to submit."""
    report = get_draft_for_user(rtype, request.user, code, request=request)
    if report.status not in rtype.editable:
        return redirect(rtype.url("report"), code=report.code)
    context = {
        "report": report,
        "tasks": services.task_list(report),
        "missing": services.missing_items(report),
        "attachments": report.attachments.count(),
        "lists": [(i, getattr(report, i.related_name).count()) for i in rtype.item_lists],
    }
    return _render(request, rtype, "draft", context)


@require_http_methods(["GET", "POST"])
def edit_section(
    request: HttpRequest, rtype: ReportType, code: uuid.UUID, section: str
) -> HttpResponse:
    """One question page of a draft; saving returns to the task list, an error keeps it all."""
    report = get_draft_for_user(rtype, request.user, code, request=request)
    chosen = rtype.section(section)
    if chosen is None:
        raise Http404
    if report.status not in rtype.editable:
        return _no_longer_editable(request, rtype, report)
    form = chosen.form(report, posted(request))
    if form.is_valid():
        try:
            services.update_draft(
                report,
                chosen.changes(form),
                by=_user(request),
                section=chosen.slug,
                request=request,
                plan_confirmed=bool(form.cleaned_data.get("plan_confirmed")),
            )
        except TransitionRefused as refusal:
            messages.error(request, str(refusal))
            return redirect(rtype.url("report"), code=report.code)
        except ValidationError as refusal:
            add_service_errors(form, refusal)
        else:
            return redirect(rtype.url("draft"), code=report.code)
    context = {"report": report, "section": chosen, "form": form}
    return _render(request, rtype, "section", context, status=400 if form.errors else 200)


def _no_longer_editable(request: HttpRequest, rtype: ReportType, report: Any) -> HttpResponse:
    """A page of the draft asked for once the report has left its filer: its page, saying so."""
    messages.info(request, services.SUBMITTED)
    return redirect(rtype.url("report"), code=report.code)


@require_http_methods(["GET", "POST"])
def edit_items(request: HttpRequest, rtype: ReportType, code: uuid.UUID, part: str) -> HttpResponse:
    """One list of sub-items of a draft: the items with remove buttons, and a form to add one."""
    report = get_draft_for_user(rtype, request.user, code, request=request)
    chosen = rtype.item_list(part)
    if chosen is None:
        raise Http404
    if report.status not in rtype.editable:
        return _no_longer_editable(request, rtype, report)
    items = getattr(report, chosen.related_name)
    form = chosen.form_class(request.POST if "add" in request.POST else None)
    try:
        if "remove" in request.POST:
            picked = request.POST["remove"]
            item = get_object_or_404(items, pk=int(picked) if picked.isdigit() else 0)
            services.remove_from_draft(report, item, by=_user(request), request=request)
            return redirect(rtype.url("edit_items"), code=report.code, part=part)
        if form.is_valid():
            services.add_to_draft(report, form.instance, by=_user(request), request=request)
            return redirect(rtype.url("edit_items"), code=report.code, part=part)
    except TransitionRefused as refusal:
        messages.error(request, str(refusal))
        return redirect(rtype.url("report"), code=report.code)
    lines = [(item, chosen.describe(item), chosen.name(item)) for item in items.all()]
    context = {"report": report, "list": chosen, "form": form, "items": lines}
    return _render(request, rtype, "items", context, status=400 if form.errors else 200)


# --- Attachments -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def attachments(request: HttpRequest, rtype: ReportType, code: uuid.UUID) -> HttpResponse:
    """The files of a draft: a list with remove buttons and a form to attach one more; a
    refused file keeps the page and names the problem."""
    report = get_draft_for_user(rtype, request.user, code, request=request)
    if report.status not in rtype.editable:
        return _no_longer_editable(request, rtype, report)
    form = AttachmentForm(request.POST if "add" in request.POST else None, request.FILES or None)
    try:
        if "remove" in request.POST:
            chosen = get_object_or_404(report.attachments, code=_uuid(request.POST["remove"]))
            files.remove_attachment(report, chosen, by=_user(request), request=request)
            return redirect(rtype.url("attachments"), code=report.code)
        if form.is_valid() and _attached(request, report, form):
            return redirect(rtype.url("attachments"), code=report.code)
    except TransitionRefused as refusal:
        messages.error(request, str(refusal))
        return redirect(rtype.url("report"), code=report.code)
    context = {"report": report, "form": form, "attachments": report.attachments.all()}
    return _render(request, rtype, "attachments", context, status=400 if form.errors else 200)


def _attached(request: HttpRequest, report: Any, form: AttachmentForm) -> bool:
    """Attach the chosen file; a refusal of its content goes to the form's error summary."""
    try:
        files.add_attachment(report, form.cleaned_data["file"], by=_user(request), request=request)
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
def attachment(
    request: HttpRequest, rtype: ReportType, code: uuid.UUID, attachment_code: str
) -> HttpResponseBase:
    """One file of a report, as a download, for whoever may see the report."""
    chosen = get_attachment_for_user(rtype, request.user, code, attachment_code, request=request)
    return uploads.download_response(chosen.stored_name, chosen.name, chosen.content_type)


# --- Printing and redacted copies --------------------------------------------------------------


@require_GET
def report_pdf(request: HttpRequest, rtype: ReportType, code: uuid.UUID) -> HttpResponse:
    """The report as a PDF: one audited print of the original, for those who may see it."""
    shown = get_report_for_user(rtype, request.user, code, request=request, action="printed")
    context = {
        "rt": rtype,
        "report": shown,
        **report_parts(rtype, shown),
        **rtype.page_context(shown, request.user),
        "printed_at": timezone.now(),
    }
    names = [f"{rtype.slug}/report_print.html", "reports/report_print.html"]
    return pdf_response(names, context, filename=f"{shown}.pdf".replace(" ", "-"))


@require_http_methods(["GET", "POST"])
def redact(request: HttpRequest, rtype: ReportType, code: uuid.UUID) -> HttpResponse:
    """The redactor's page: what to remove, and the copy as the committee would read it."""
    report = get_report_to_redact(rtype, request.user, code, request=request)
    copy_model: Any = rtype.copy_model
    copy = copy_model.objects.select_related("committee").filter(report=report).first()
    if copy is None:
        return _render(request, rtype, "redact_start", {"report": report})
    copy.report = report
    form = _redaction_form(report, copy, posted(request))
    if form.is_valid():
        try:
            redaction.save_redaction(copy, form.phrases(), by=_user(request), request=request)
        except TransitionRefused as refusal:
            messages.error(request, str(refusal))
            return redirect(rtype.url("copy"), code=copy.code)
        messages.success(
            request, "Saved. The preview shows the copy as the committee will read it."
        )
        return redirect(rtype.url("redact"), code=report.code)
    return _copy_page(request, rtype, "redact", report, copy, form)


def _copy_page(
    request: HttpRequest, rtype: ReportType, page: str, report: Any, copy: Any, form: Any
) -> HttpResponse:
    """The redaction or release page: the copy as the committee will read it, and what of the
    report's own values it still holds."""
    context = {
        "report": report,
        "copy": copy,
        "form": form,
        "document": _document(rtype, copy),
        "leftovers": redaction.still_identifying(copy),
    }
    return _render(request, rtype, page, context, status=400 if form.errors else 200)


def _document(rtype: ReportType, copy: Any) -> Any:
    """The committee's document of a copy (only types that declare redaction have copies)."""
    if rtype.redaction is None:
        raise Http404
    return rtype.redaction.document(copy)


def _redaction_form(report: Any, copy: Any, data: Any) -> RedactionForm:
    return RedactionForm(
        data if copy.status == copy.Status.DRAFT else None,
        suggestions=redaction.suggestions_for(report),
        removed=copy.removed_phrases,
        suggested_before=copy.content.get("suggested", []),
        texts=redaction.copy_texts(report),
    )


@require_POST
def start_redaction(request: HttpRequest, rtype: ReportType, code: uuid.UUID) -> HttpResponse:
    """Make the copy (once, however many clicks) and open it for redaction."""
    report = get_report_to_redact(rtype, request.user, code, request=request)
    redaction.start_redaction(report, by=_user(request), request=request)
    return redirect(rtype.url("redact"), code=report.code)


@require_http_methods(["GET", "POST"])
def release(request: HttpRequest, rtype: ReportType, code: uuid.UUID) -> HttpResponse:
    """Confirm the copy and the committee; POST releases it."""
    report = get_report_to_redact(rtype, request.user, code, request=request)
    copy_model: Any = rtype.copy_model
    copy = get_object_or_404(copy_model.objects.select_related("committee"), report=report)
    copy.report = report
    if copy.status == copy.Status.RELEASED:
        messages.info(request, "This copy was already released.")
        return redirect(rtype.url("copy"), code=copy.code)
    form = ReleaseForm(
        posted(request), committees=redaction.committees_for(report), seen=copy.updated_at
    )
    if form.is_valid():
        try:
            redaction.release_copy(
                copy,
                form.cleaned_data["committee"],
                by=_user(request),
                reviewed=form.cleaned_data["reviewed"],
                seen=form.cleaned_data["seen"],
                request=request,
            )
            messages.success(request, "Released to the committee.")
            return redirect(rtype.url("copy"), code=copy.code)
        except TransitionRefused as refusal:
            form.add_error(None, str(refusal))
    return _copy_page(request, rtype, "release", report, copy, form)


@require_GET
def copy(request: HttpRequest, rtype: ReportType, code: uuid.UUID) -> HttpResponse:
    """A redacted copy, as its committee reads it."""
    shown = get_copy_for_user(rtype, request.user, code, request=request)
    return _render(request, rtype, "copy", {"copy": shown, "document": _document(rtype, shown)})


@require_GET
def copy_pdf(request: HttpRequest, rtype: ReportType, code: uuid.UUID) -> HttpResponse:
    """A redacted copy as a PDF: one audited print."""
    shown = get_copy_for_user(rtype, request.user, code, request=request, action="copy_printed")
    context = {"rt": rtype, "document": _document(rtype, shown), "printed_at": timezone.now()}
    name = f"redacted-{shown.report.get_kind_display()}-{str(shown.code)[:8]}.pdf"
    names = [f"{rtype.slug}/copy_print.html", "reports/copy_print.html"]
    return pdf_response(names, context, filename=name)
