"""Who sees which IAD and IRF reports (SPEC §1.4), fetched and authorized in one call."""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from portal.core import audit
from portal.core.roles import has_role
from portal.registry.models import Organization

from .models import Attachment, RedactedCopy, Report
from .roles import ROLES

IAD_ROLES = tuple(role.name for role in ROLES)
# Before approval a report belongs to its filer alone.
UNFILED = (Report.Status.DRAFT, Report.Status.AWAITING_APPROVAL, Report.Status.RETURNED)


def visible_reports(user: Any) -> QuerySet[Report]:
    """Originals this person may see: their organization's own; a plan's members' and its
    contracted providers' once filed; every filed one for agency staff. IOC members see only
    redacted copies, never these."""
    organization = getattr(user, "organization", None)
    if organization is None or not any(has_role(user, role) for role in IAD_ROLES):
        return Report.objects.none()
    own = Q(organization=organization)
    filed = ~Q(status__in=UNFILED)
    if organization.kind == "agency":
        return Report.objects.filter(own | filed)
    if organization.kind in {"health_plan", "trbha"}:
        # A subquery, not a join through the contracts: a join needs DISTINCT, which makes
        # PostgreSQL read every visible row before it can page or count them.
        contracted = Organization.contracted_plans.through.objects.filter(
            to_organization=organization
        ).values("from_organization")
        about_ours = Q(health_plan=organization) | Q(provider__in=contracted)
        return Report.objects.filter(own | (filed & about_ours))
    return Report.objects.filter(own)


def check_iad_user(user: Any) -> None:
    """The application exists only for holders of one of its roles: 404 for everyone else."""
    if not any(has_role(user, role) for role in IAD_ROLES):
        raise Http404


def get_report_for_user(user: Any, code: str, *, request: HttpRequest | None = None,
                        action: str = "iad.viewed") -> Report:  # fmt: skip
    """The report, if this person may see it (404 otherwise); the read is audited (PHI) as
    `action` (viewed, printed...)."""
    return _audited(_visible_report(user, code), user, request, action)


def _visible_report(user: Any, code: str) -> Report:
    report = (
        visible_reports(user)
        .select_related("organization", "provider", "health_plan", "preparer")
        .filter(code=code)
        .first()
    )
    if report is None:
        raise Http404
    return report


def _audited(report: Report, user: Any, request: HttpRequest | None, action: str) -> Report:
    audit.record(action, actor=user, target=report, request=request)
    return report


def get_attachment_for_user(user: Any, code: str, attachment_code: str, *,
                            request: HttpRequest | None = None) -> Attachment:  # fmt: skip
    """A file of a report this person may see (404 otherwise); the download is the one audited
    read (its code, type and size; never its name, which may hold PHI)."""
    attachment = (
        Attachment.objects.select_related("report")
        .filter(report__in=visible_reports(user), report__code=code, code=attachment_code)
        .first()
    )
    if attachment is None:
        raise Http404
    audit.record("iad.attachment_downloaded", actor=user, target=attachment.report,
                 request=request, data=attachment.audit_facts)  # fmt: skip
    return attachment


def may_edit(user: Any, report: Report) -> bool:
    """Drafts and returned reports are edited by their filing organization's filers only."""
    role = "iad.submitter" if report.kind == Report.Kind.IAD else "irf.submitter"
    return report.organization_id == user.organization_id and has_role(user, role)


def get_draft_for_user(user: Any, code: str, *, request: HttpRequest | None = None) -> Report:
    """A report its filer may edit; 404 for anyone else, including those who may only read it."""
    report = _visible_report(user, code)
    if not may_edit(user, report):
        raise Http404
    return _audited(report, user, request, "iad.viewed")


FILED = (Report.Status.SUBMITTED, Report.Status.IN_REVIEW, Report.Status.INFO_REQUESTED,
         Report.Status.CLOSED)  # fmt: skip


def may_redact(user: Any, report: Report) -> bool:
    """Redactors who may see a report make its copy once it has been filed."""
    return has_role(user, "iad.redactor") and report.status in FILED


def get_report_to_redact(user: Any, code: str, *, request: HttpRequest | None = None) -> Report:
    """A filed report this redactor may see (404 otherwise); the read is audited."""
    report = _visible_report(user, code)
    if not may_redact(user, report):
        raise Http404
    return _audited(report, user, request, "iad.viewed")


def released_copies(user: Any) -> QuerySet[RedactedCopy]:
    """Copies released to this committee member's committee: all an IOC member sees."""
    organization = getattr(user, "organization", None)
    if organization is None or organization.kind != "ioc" or not has_role(user, "ioc.member"):
        return RedactedCopy.objects.none()
    return RedactedCopy.objects.filter(status=RedactedCopy.Status.RELEASED,
                                       committee=organization)  # fmt: skip


def visible_copies(user: Any) -> QuerySet[RedactedCopy]:
    """Committee members see what was released to them; redactors see the copies of the
    reports they may see (released or not)."""
    if has_role(user, "ioc.member"):
        return released_copies(user)
    if has_role(user, "iad.redactor"):
        return RedactedCopy.objects.filter(report__in=visible_reports(user))
    return RedactedCopy.objects.none()


def get_copy_for_user(user: Any, code: str, *, request: HttpRequest | None = None,
                      action: str = "iad.copy_viewed") -> RedactedCopy:  # fmt: skip
    """A redacted copy this person may read (404 otherwise), loaded for `document_for`; the read
    is audited as `action`."""
    copy = (
        visible_copies(user)
        .select_related("committee", "report__provider", "report__health_plan")
        .prefetch_related("report__incident_types")
        .filter(code=code)
        .first()
    )
    if copy is None:
        raise Http404
    audit.record(action, actor=user, target=copy, request=request)
    return copy
