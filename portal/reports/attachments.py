"""Files of a draft, for every report type. They are added and removed while the report is
with its filer (a draft or returned); after submission the content is fixed and the reporter
adds information through addenda only."""

from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest

from portal.accounts.models import User
from portal.core import audit, uploads
from portal.core.workflow import TransitionRefused

from .access import may_edit
from .services import check_editable, locked_editable
from .types import type_of


def add_attachment(
    report: Any, upload: UploadedFile, *, by: User, request: HttpRequest | None = None
) -> Any:
    """Check a file by its content (ValidationError naming the problem), store it outside the
    web root and list it on the draft; if that change is not saved, the stored file goes too."""
    rtype = type_of(report)
    if not may_edit(by, report):
        raise PermissionDenied
    check_editable(report)
    checked = uploads.check_upload(upload)
    stored_name = ""
    try:
        with transaction.atomic():
            stored = locked_editable(report)
            stored_name = uploads.store(checked.content)
            attachment = rtype.attachment_model.objects.create(  # type: ignore[attr-defined]
                report=stored,
                name=checked.name,
                content_type=checked.content_type,
                size=checked.size,
                sha256=checked.sha256,
                stored_name=stored_name,
                uploaded_by=by,
            )
            audit.record(
                f"{rtype.slug}.attachment_added",
                actor=by,
                target=stored,
                request=request,
                data=attachment.audit_facts,
            )
    except BaseException:
        if stored_name:
            uploads.delete_stored(stored_name)
        raise
    return attachment


def remove_attachment(
    report: Any, attachment: Any, *, by: User, request: HttpRequest | None = None
) -> None:
    """Take a file off a draft; its bytes are deleted once the removal is committed."""
    rtype = type_of(report)
    if attachment.report_id != report.pk or not may_edit(by, report):
        raise PermissionDenied
    with transaction.atomic():
        stored = locked_editable(report)
        deleted, _ = type(attachment).objects.filter(pk=attachment.pk).delete()
        if not deleted:
            raise TransitionRefused("This file was already removed.")
        audit.record(
            f"{rtype.slug}.attachment_removed",
            actor=by,
            target=stored,
            request=request,
            data=attachment.audit_facts,
        )
        transaction.on_commit(partial(uploads.delete_stored, attachment.stored_name))
