"""State changes of IAD and IRF reports: one atomic function per change, with its history row,
audit event and e-mail to whoever must act next (SPEC §3, DESIGN §3)."""

import uuid
from collections.abc import Iterable
from datetime import datetime
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from portal.accounts.models import User
from portal.core import audit, uploads
from portal.core.business_days import due_at
from portal.core.roles import has_role
from portal.core.workflow import TransitionRefused
from portal.registry.models import Organization

from .access import may_edit, may_redact
from .models import Addendum, Attachment, IncidentType, RedactedCopy, Report
from .notifications import notify_committee, notify_next
from .redaction import redacted_content, suggestions_for
from .workflow import REPORT_WORKFLOW

EDITABLE = (Report.Status.DRAFT, Report.Status.RETURNED)
# What a report must hold before it leaves its preparer (SPEC §3.1), with the words that name
# each missing item.
REQUIRED = {
    "site_name": "the site or facility",
    "contact_phone": "a contact phone number",
    "member_id": "the member's AHCCCS ID",
    "member_last_name": "the member's last name",
    "member_first_name": "the member's first name",
    "member_birth_date": "the member's date of birth",
    "health_plan": "the member's health plan",
    "occurred_at": "when the event happened",
    "aware_at": "when you became aware of it",
    "narrative": "what happened",
}


def start_report(
    kind: str, *, by: User, client_key: uuid.UUID | None = None,
    request: HttpRequest | None = None,
) -> Report:  # fmt: skip
    """A new draft filed by `by`'s organization (an IAD's provider is the filer itself). With
    the start page's `client_key`, sending that page again returns the draft it made: one row
    and one `iad.created` however many times the page is posted, at once or not (ADR 0016)."""
    role = "iad.submitter" if kind == Report.Kind.IAD else "irf.submitter"
    if not has_role(by, role) or by.organization is None:
        raise PermissionDenied
    made = _draft_made_with(by, client_key)
    if made is not None:
        return made
    with transaction.atomic():
        try:
            # A savepoint: a concurrent POST of the same page that committed first makes the
            # insert fail here without spoiling the caller's transaction.
            with transaction.atomic():
                report = Report.objects.create(
                    kind=kind, organization=by.organization, preparer=by, client_key=client_key,
                    provider=by.organization if kind == Report.Kind.IAD else None,
                )  # fmt: skip
        except IntegrityError:
            made = _draft_made_with(by, client_key)
            if made is None:
                raise
            return made
        audit.record("iad.created", actor=by, organization=by.organization, target=report,
                     request=request)  # fmt: skip
    return report


def _draft_made_with(by: User, client_key: uuid.UUID | None) -> Report | None:
    """The report this person already started from the page with this key; never another
    person's, whatever key they send."""
    if client_key is None:
        return None
    return Report.objects.filter(preparer=by, client_key=client_key).first()


def update_draft(
    report: Report, changes: dict[str, Any], *, by: User, request: HttpRequest | None = None,
    incident_types: Iterable[IncidentType] | None = None,
) -> list[str]:  # fmt: skip
    """Save one section of a draft (or a returned report); returns the fields that changed.
    The deadline follows the event times and the incident types."""
    _check_filer(report, by)
    with transaction.atomic():
        # Compare with the stored row: a bound ModelForm has already copied its values onto
        # the in-memory report.
        stored = Report.objects.select_for_update().get(pk=report.pk)
        if stored.status not in EDITABLE:
            raise TransitionRefused("This report was submitted: it can no longer be changed.")
        changed = sorted(name for name, value in changes.items() if getattr(stored, name) != value)
        for name, value in changes.items():
            setattr(stored, name, value)
        chosen = {kind.pk for kind in incident_types or []}
        if incident_types is not None and chosen != set(
            stored.incident_types.values_list("pk", flat=True)
        ):
            stored.incident_types.set(chosen)
            changed.append("incident_types")
        stored.sentinel = stored.incident_types.filter(sentinel=True).exists()
        stored.due_at = _deadline(stored)
        stored.updated_at = timezone.now()
        stored.save()
        if changed:
            audit.record("iad.changed", actor=by, organization=by.organization, target=stored,
                         request=request, data={"fields": changed})  # fmt: skip
    report.refresh_from_db()
    return changed


def missing_items(report: Report) -> list[str]:
    """What the report still lacks before it can be submitted, in words for the person."""
    missing = [words for name, words in REQUIRED.items() if not getattr(report, name)]
    if report.kind == Report.Kind.IRF and report.provider_id is None:
        missing.append("the provider involved")
    if not report.incident_types.exists():
        missing.append("at least one incident type")
    return missing


def submit_report(
    report: Report, *, by: User, late_reason: str = "", request: HttpRequest | None = None
) -> None:
    """An IAD goes to its clinical director; an IRF straight to review. A late one needs a
    reason (SPEC §3.2)."""
    missing = missing_items(report)
    if missing:
        raise TransitionRefused("Before submitting, add " + ", ".join(missing) + ".")
    now = timezone.now()
    late = report.due_at is not None and now > report.due_at
    if late and not late_reason.strip():
        raise TransitionRefused("This report is late: say why it is submitted after its due time.")
    name = "submit" if report.kind == Report.Kind.IAD else "file"
    with transaction.atomic():
        changes = {"submitted_at": now, "late_reason": late_reason.strip() if late else ""}
        REPORT_WORKFLOW.apply(report, name, by=by, request=request, changes=changes)
        notify_next(report, name)


def act_on_report(
    report: Report, transition: str, *, by: User, reason: str = "",
    request: HttpRequest | None = None,
) -> None:  # fmt: skip
    """Approve, return, resubmit, start review or request information."""
    if transition not in {"approve", "return", "resubmit", "start_review", "request_info"}:
        raise TransitionRefused("That is not something you can do to this report.")
    with transaction.atomic():
        REPORT_WORKFLOW.apply(report, transition, by=by, reason=reason, request=request)
        notify_next(report, transition)


def respond_to_request(
    report: Report, text: str, *, by: User, request: HttpRequest | None = None
) -> Addendum:
    """The reporter's answer to a request for information: an addendum, back to review."""
    with transaction.atomic():
        REPORT_WORKFLOW.apply(report, "respond", by=by, reason=text, request=request)
        addendum = Addendum.objects.create(report=report, author=by, text=text.strip())
        notify_next(report, "respond")
    return addendum


def close_report(
    report: Report, outcome: str, *, by: User, note: str = "", request: HttpRequest | None = None
) -> None:
    """End the review with an outcome; a referral to Quality of Care is recorded for the QOC
    application to pick up."""
    if outcome not in Report.Outcome.values:
        raise TransitionRefused("Choose the outcome of the review.")
    with transaction.atomic():
        changes = {"outcome": outcome, "referral_note": note.strip()}
        REPORT_WORKFLOW.apply(report, "close", by=by, reason=note, request=request, changes=changes)
        notify_next(report, "close")


def _check_filer(report: Report, by: User) -> None:
    if not may_edit(by, report):
        raise PermissionDenied


def _deadline(report: Report) -> datetime | None:
    starts = [moment for moment in (report.occurred_at, report.aware_at) if moment]
    if not starts:
        return None
    return due_at(max(starts), 1 if report.sentinel else 2)


def take_transition(
    report: Report, name: str, *, by: User, reason: str = "", outcome: str = "",
    request: HttpRequest | None = None,
) -> None:  # fmt: skip
    """The service behind each transition button, with what its form collected."""
    if name in {"submit", "file"}:
        submit_report(report, by=by, late_reason=reason, request=request)
    elif name == "respond":
        respond_to_request(report, reason, by=by, request=request)
    elif name == "close":
        close_report(report, outcome, by=by, note=reason, request=request)
    else:
        act_on_report(report, name, by=by, reason=reason, request=request)


def add_to_draft(
    report: Report, item: Any, *, by: User, request: HttpRequest | None = None
) -> None:
    """Add a person involved or a notification (`item`, unsaved) to a draft."""
    _change_list(report, by, request, item._meta.model_name, lambda: _save(item, report))


def remove_from_draft(
    report: Report, item: Any, *, by: User, request: HttpRequest | None = None
) -> None:
    """Remove a person involved or a notification of this draft."""
    if item.report_id != report.pk:
        raise PermissionDenied
    _change_list(report, by, request, item._meta.model_name, item.delete)


def _save(item: Any, report: Report) -> None:
    item.report = report
    item.save()


def _change_list(report: Report, by: User, request: HttpRequest | None, name: str,
                 change: Any) -> None:  # fmt: skip
    _check_filer(report, by)
    with transaction.atomic():
        stored = Report.objects.select_for_update().get(pk=report.pk)
        if stored.status not in EDITABLE:
            raise TransitionRefused("This report was submitted: it can no longer be changed.")
        change()
        audit.record("iad.changed", actor=by, organization=by.organization, target=stored,
                     request=request, data={"fields": [name]})  # fmt: skip


# --- Redacted copies for the oversight committees (SPEC §3.4) ---------------------------------


def start_redaction(report: Report, *, by: User, request: HttpRequest | None = None
                    ) -> RedactedCopy:  # fmt: skip
    """The report's redacted copy, made now with every suggested phrase marked for removal
    (the redactor then rejects what should stay); the existing copy if there is one."""
    if not may_redact(by, report):
        raise PermissionDenied
    with transaction.atomic():
        # Locking the report makes two clicks at once find one copy, not make two.
        stored = Report.objects.select_for_update(of=("self",)).get(pk=report.pk)
        existing = RedactedCopy.objects.filter(report=stored).first()
        if existing:
            return existing
        phrases = [suggestion.phrase for suggestion in suggestions_for(stored)]
        copy = RedactedCopy.objects.create(
            report=stored, created_by=by, removed_phrases=phrases,
            content=redacted_content(stored, phrases),
        )  # fmt: skip
        audit.record("iad.copy_started", actor=by, target=copy, request=request,
                     data={"report": str(stored.code), "suggested": len(phrases)})  # fmt: skip
    return copy


def save_redaction(copy: RedactedCopy, phrases: Iterable[str], *, by: User,
                   request: HttpRequest | None = None) -> None:  # fmt: skip
    """Keep the phrases to remove and the text as it now reads; a released copy is fixed."""
    if not may_redact(by, copy.report):
        raise PermissionDenied
    chosen = sorted({" ".join(p.split()) for p in phrases if p.strip()}, key=str.casefold)
    with transaction.atomic():
        stored = RedactedCopy.objects.select_for_update().get(pk=copy.pk)
        if stored.status != RedactedCopy.Status.DRAFT:
            raise TransitionRefused("This copy was released: it can no longer be changed.")
        stored.removed_phrases = chosen
        stored.content = redacted_content(copy.report, chosen)
        stored.updated_at = timezone.now()
        stored.save(update_fields=["removed_phrases", "content", "updated_at"])
        audit.record("iad.copy_redacted", actor=by, target=stored, request=request,
                     data={"phrases": len(chosen)})  # fmt: skip
    copy.refresh_from_db()


def committees_for(report: Report) -> QuerySet[Organization]:
    """The active committees of the region of the provider the report is about (the member's
    region, as the registry knows it); every active committee when that region is unknown."""
    committees = Organization.objects.filter(kind="ioc", status=Organization.Status.ACTIVE)
    provider = report.provider or report.organization
    region = provider.region or (report.health_plan.region if report.health_plan else "")
    in_region = committees.filter(region=region) if region else committees.none()
    return in_region if in_region.exists() else committees


def release_copy(copy: RedactedCopy, committee: Organization, *, by: User,
                 request: HttpRequest | None = None) -> None:  # fmt: skip
    """Release the copy, exactly as last saved and previewed, to a committee; its members hear
    of it by e-mail (a link, no detail)."""
    if not may_redact(by, copy.report):
        raise PermissionDenied
    if not committees_for(copy.report).filter(pk=committee.pk).exists():
        raise TransitionRefused("Choose the oversight committee of the member's region.")
    now = timezone.now()
    with transaction.atomic():
        released = RedactedCopy.objects.filter(
            pk=copy.pk, status=RedactedCopy.Status.DRAFT
        ).update(status=RedactedCopy.Status.RELEASED, committee=committee, released_by=by,
                 released_at=now, updated_at=now)  # fmt: skip
        if released != 1:
            raise TransitionRefused("This copy was already released.")
        audit.record("iad.copy_released", actor=by, target=copy, request=request,
                     data={"committee": str(committee.code)})  # fmt: skip
        notify_committee(copy, committee)
    copy.refresh_from_db()


# --- Attachments (SPEC §3.1) -------------------------------------------------------------------
# Files are added and removed while the report is with its filer (a draft or returned). After
# submission the content is fixed: the reporter adds information through addenda only.


def add_attachment(report: Report, upload: UploadedFile, *, by: User,
                   request: HttpRequest | None = None) -> Attachment:  # fmt: skip
    """Check a file by its content (ValidationError naming the problem), store it outside the
    web root and list it on the draft; if that change is not saved, the stored file goes too."""
    _check_filer(report, by)
    if report.status not in EDITABLE:
        raise TransitionRefused("This report was submitted: it can no longer be changed.")
    checked = uploads.check_upload(upload)
    stored_name = ""
    try:
        with transaction.atomic():
            stored = _locked_editable(report)
            stored_name = uploads.store(checked.content)
            attachment = Attachment.objects.create(
                report=stored, name=checked.name, content_type=checked.content_type,
                size=checked.size, sha256=checked.sha256, stored_name=stored_name, uploaded_by=by,
            )  # fmt: skip
            audit.record("iad.attachment_added", actor=by, target=stored, request=request,
                         data=attachment.audit_facts)  # fmt: skip
    except BaseException:
        if stored_name:
            uploads.delete_stored(stored_name)
        raise
    return attachment


def remove_attachment(report: Report, attachment: Attachment, *, by: User,
                      request: HttpRequest | None = None) -> None:  # fmt: skip
    """Take a file off a draft; its bytes are deleted once the removal is committed."""
    if attachment.report_id != report.pk:
        raise PermissionDenied
    _check_filer(report, by)
    with transaction.atomic():
        stored = _locked_editable(report)
        deleted, _ = Attachment.objects.filter(pk=attachment.pk).delete()
        if not deleted:
            raise TransitionRefused("This file was already removed.")
        audit.record("iad.attachment_removed", actor=by, target=stored, request=request,
                     data=attachment.audit_facts)  # fmt: skip
        transaction.on_commit(partial(uploads.delete_stored, attachment.stored_name))


def _locked_editable(report: Report) -> Report:
    stored = Report.objects.select_for_update().get(pk=report.pk)
    if stored.status not in EDITABLE:
        raise TransitionRefused("This report was submitted: it can no longer be changed.")
    return stored
