"""Fetch and authorize in one call, for every report type (DESIGN §3): outsiders get 404,
and every read of PHI is audited."""

import uuid
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from portal.core import audit
from portal.core.roles import has_role

from .types import ReportType, type_of
from .visibility import report_by_code, uses, visible_reports


def check_user(rtype: ReportType, user: Any) -> None:
    """An application exists only for holders of one of its roles: 404 for everyone else."""
    if not uses(rtype, user):
        raise Http404


def get_report_for_user(
    rtype: ReportType,
    user: Any,
    code: uuid.UUID,
    *,
    request: HttpRequest | None = None,
    action: str = "viewed",
) -> Any:
    """The report, if this person may see it (404 otherwise); the read is audited (PHI) as
    `<type>.<action>` (viewed, printed...)."""
    return _audited(rtype, _visible_report(rtype, user, code), user, request, action)


def _visible_report(rtype: ReportType, user: Any, code: uuid.UUID) -> Any:
    found = report_by_code(rtype, user, code)
    if found is None:
        raise Http404
    return found


def _audited(
    rtype: ReportType, report: Any, user: Any, request: HttpRequest | None, action: str
) -> Any:
    audit.record(f"{rtype.slug}.{action}", actor=user, target=report, request=request)
    return report


def may_edit(user: Any, report: Any) -> bool:
    """Drafts and returned reports are edited by their filing organization's filers only."""
    role = type_of(report).kind(report.kind).filer_role
    return report.organization_id == user.organization_id and has_role(user, role)


def get_draft_for_user(
    rtype: ReportType, user: Any, code: uuid.UUID, *, request: HttpRequest | None = None
) -> Any:
    """A report its filer may edit; 404 for anyone else, including those who may only read it."""
    report = _visible_report(rtype, user, code)
    if not may_edit(user, report):
        raise Http404
    return _audited(rtype, report, user, request, "viewed")


def get_attachment_for_user(
    rtype: ReportType,
    user: Any,
    code: uuid.UUID,
    attachment_code: str,
    *,
    request: HttpRequest | None = None,
) -> Any:
    """A file of a report this person may see (404 otherwise); the download is the one audited
    read (its code, type and size; never its name, which may hold PHI)."""
    model: Any = rtype.attachment_model
    attachment = (
        model.objects.select_related("report")
        .filter(report__in=visible_reports(rtype, user), report__code=code, code=attachment_code)
        .first()
    )
    if attachment is None:
        raise Http404
    audit.record(
        f"{rtype.slug}.attachment_downloaded",
        actor=user,
        target=attachment.report,
        request=request,
        data=attachment.audit_facts,
    )
    return attachment


def may_redact(user: Any, report: Any) -> bool:
    """Redactors who may see a report make its copy once it has been filed."""
    rtype = type_of(report)
    return bool(rtype.redactor_role) and has_role(user, rtype.redactor_role) and rtype.filed(report)


def get_report_to_redact(
    rtype: ReportType, user: Any, code: uuid.UUID, *, request: HttpRequest | None = None
) -> Any:
    """A filed report this redactor may see (404 otherwise); the read is audited."""
    if rtype.redaction is None:
        raise Http404
    report = _visible_report(rtype, user, code)
    if not may_redact(user, report):
        raise Http404
    return _audited(rtype, report, user, request, "viewed")


def is_committee_member(user: Any) -> bool:
    organization = getattr(user, "organization", None)
    return organization is not None and organization.kind == "ioc" and has_role(user, "ioc.member")


def released_copies(rtype: ReportType, user: Any) -> QuerySet[Any]:
    """Copies of this type released to this committee member's committee: all an IOC member
    sees of them."""
    model: Any = rtype.copy_model
    if not is_committee_member(user):
        return model.objects.none()
    return model.objects.filter(status=model.Status.RELEASED, committee=user.organization)


def visible_copies(rtype: ReportType, user: Any) -> QuerySet[Any]:
    """Committee members see what was released to them; redactors see the copies of the
    reports they may see (released or not)."""
    model: Any = rtype.copy_model
    if has_role(user, "ioc.member"):
        return released_copies(rtype, user)
    if rtype.redactor_role and has_role(user, rtype.redactor_role):
        return model.objects.filter(report__in=visible_reports(rtype, user))
    return model.objects.none()


def get_copy_for_user(
    rtype: ReportType,
    user: Any,
    code: uuid.UUID,
    *,
    request: HttpRequest | None = None,
    action: str = "copy_viewed",
) -> Any:
    """A redacted copy this person may read (404 otherwise), loaded for the type's document;
    the read is audited as `<type>.<action>`."""
    if rtype.redaction is None:
        raise Http404
    copy = (
        visible_copies(rtype, user)
        .select_related("committee", "report", *rtype.redaction.copy_related)
        .prefetch_related(*rtype.redaction.copy_prefetch)
        .filter(code=code)
        .first()
    )
    if copy is None:
        raise Http404
    audit.record(f"{rtype.slug}.{action}", actor=user, target=copy, request=request)
    return copy
