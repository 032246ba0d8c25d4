"""Record requests (SPEC §4): an investigator asks a provider involved in the case for records,
by a due day; the provider answers once, with files. One atomic function per change, with its
audit event and its e-mail (no PHI: a link)."""

from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from portal.accounts.models import User
from portal.core import audit, uploads
from portal.core.roles import has_role
from portal.core.workflow import TransitionRefused
from portal.registry.models import Organization
from portal.reports.notifications import tell

from .models import Case, RecordFile, RecordRequest
from .people import assigned, investigates, provider_people
from .roles import INVESTIGATORS


def may_request(case: Case, user: Any) -> bool:
    """Record requests are sent during the investigation, by whoever investigates it."""
    return (
        case.status == Case.Status.INVESTIGATING
        and any(has_role(user, role) for role in INVESTIGATORS)
        and investigates(case, user)
    )


def send_record_request(
    case: Case,
    *,
    provider: Organization,
    asked: str,
    due_on: date,
    by: User,
    request: HttpRequest | None = None,
) -> RecordRequest:
    """Ask a provider involved in the case for records; its people are told by e-mail."""
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if not may_request(locked, by):
            raise TransitionRefused(
                "Record requests are sent during the investigation, by its investigator. "
                "Nothing was sent."
            )
        _check_request(locked, provider, asked, due_on)
        made = RecordRequest.objects.create(
            case=locked, provider=provider, asked=asked.strip(), due_on=due_on, requested_by=by
        )
        audit.record(
            "qoc.record_requested",
            actor=by,
            target=locked,
            request=request,
            data={"request": str(made.code), "provider": provider.pk, "due_on": due_on},
        )
        tell(
            provider_people(provider.pk),
            "Quality of Care asks your organization for records about a member.",
            reverse("qoc_work:request", kwargs={"code": made.code}),
        )
    return made


def _check_request(case: Case, provider: Organization, asked: str, due_on: date) -> None:
    errors = {}
    if provider.pk not in {p.pk for p in case.providers}:
        errors["provider"] = "Choose one of the providers involved in the case"
    if not asked.strip():
        errors["asked"] = "Say what records you need"
    if due_on <= timezone.localdate():
        errors["due_on"] = "The due day must be after today"
    if errors:
        raise ValidationError(errors)


def answer_record_request(
    asked: RecordRequest,
    *,
    answer: str,
    files: list[UploadedFile],
    by: User,
    request: HttpRequest | None = None,
) -> RecordRequest:
    """The provider's answer, once, with its files checked by content and stored outside the
    web root; refused once the case is closed. If the answer is not saved, no file stays."""
    if by.organization_id != asked.provider_id or not has_role(by, "qoc.submitter"):
        raise PermissionDenied
    if not answer.strip():
        raise ValidationError({"answer": "Type your answer"})
    checked = [uploads.check_upload(upload) for upload in files]
    stored: list[str] = []
    try:
        with transaction.atomic():
            locked = (
                RecordRequest.objects.select_for_update().select_related("case").get(pk=asked.pk)
            )
            _check_answerable(locked)
            for item in checked:
                stored.append(uploads.store(item.content))
                RecordFile.objects.create(
                    request=locked,
                    name=item.name,
                    content_type=item.content_type,
                    size=item.size,
                    sha256=item.sha256,
                    stored_name=stored[-1],
                    uploaded_by=by,
                )
            locked.answer, locked.answered_by = answer.strip(), by
            locked.answered_at = timezone.now()
            locked.save(update_fields=["answer", "answered_by", "answered_at"])
            audit.record(
                "qoc.record_request_answered",
                actor=by,
                target=locked.case,
                request=request,
                data={"request": str(locked.code), "files": len(checked)},
            )
            tell(
                assigned(locked.case),
                "A provider answered your record request on a quality-of-care case.",
                reverse("qoc:report", kwargs={"code": locked.case.code}),
            )
    except BaseException:
        for name in stored:
            uploads.delete_stored(name)
        raise
    return locked


def _check_answerable(asked: RecordRequest) -> None:
    if asked.answered_at is not None:
        day = date_format(timezone.localtime(asked.answered_at), "F j, Y")
        raise TransitionRefused(f"This request was already answered on {day}. Nothing was changed.")
    case = asked.case
    if case.status == Case.Status.CLOSED:
        day = date_format(timezone.localtime(case.status_changed_at), "F j, Y")
        raise TransitionRefused(
            f"The case this request belongs to was closed on {day}, so the request no longer "
            "takes answers. Nothing was sent. If you still need to send something, contact the "
            "investigator."
        )
