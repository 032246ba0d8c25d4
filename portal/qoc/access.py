"""Fetch and authorize in one call for Quality of Care's own pages (DESIGN §3): a provider
reaches only what was asked of it; outsiders get 404; every read of PHI is audited."""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from portal.core import audit
from portal.core.roles import has_role
from portal.reports.types import get
from portal.reports.visibility import visible_reports

from .models import Case, RecordFile, RecordRequest
from .requests import may_request


def answers_for(user: Any) -> bool:
    """A provider's people holding `qoc.submitter` answer what Quality of Care asks."""
    organization = getattr(user, "organization", None)
    return (
        organization is not None
        and organization.kind == "provider"
        and has_role(user, "qoc.submitter")
    )


def requests_to(user: Any) -> QuerySet[RecordRequest]:
    """The record requests sent to this person's provider; none for anyone else."""
    if not answers_for(user):
        return RecordRequest.objects.none()
    return RecordRequest.objects.filter(provider=user.organization)


def open_requests_to(user: Any) -> QuerySet[RecordRequest]:
    """The requests this person's provider still has to answer (their case still open)."""
    waiting = requests_to(user).filter(answered_at=None)
    return waiting.exclude(case__status=Case.Status.CLOSED).select_related("case")


def past_requests_to(user: Any) -> QuerySet[RecordRequest]:
    """Its requests answered, or whose case closed first: the latest first."""
    done = Q(answered_at__isnull=False) | Q(case__status=Case.Status.CLOSED)
    return requests_to(user).filter(done).select_related("case").order_by("-requested_at", "-pk")


def plans_asked_of(user: Any) -> QuerySet[Case]:
    """The cases whose corrective action plan this person's provider was asked for."""
    if not answers_for(user):
        return Case.objects.none()
    return Case.objects.filter(cap_provider=user.organization).exclude(cap_due_on=None)


def get_request_for_provider(
    user: Any, code: str, *, request: HttpRequest | None = None
) -> RecordRequest:
    """A record request sent to this person's provider (404 otherwise); the read is audited."""
    asked = requests_to(user).select_related("case", "case__health_plan").filter(code=code).first()
    if asked is None:
        raise Http404
    audit.record(
        "qoc.record_request_viewed",
        actor=user,
        target=asked.case,
        request=request,
        data={"request": str(asked.code)},
    )
    return asked


def get_plan_for_provider(user: Any, code: str, *, request: HttpRequest | None = None) -> Case:
    """A case's corrective action plan, for the provider asked for it (404 otherwise); the
    read is audited."""
    case = plans_asked_of(user).select_related("health_plan").filter(code=code).first()
    if case is None:
        raise Http404
    audit.record("qoc.cap_viewed", actor=user, target=case, request=request)
    return case


def get_case_to_request(user: Any, code: str, *, request: HttpRequest | None = None) -> Case:
    """A case this person may see and send record requests on (404 otherwise); audited."""
    case = visible_reports(get("qoc"), user).select_related("provider").filter(code=code).first()
    if case is None or not may_request(case, user):
        raise Http404
    audit.record("qoc.viewed", actor=user, target=case, request=request)
    return case  # type: ignore[no-any-return]


def get_file_for_user(
    user: Any, code: str, file_code: str, *, request: HttpRequest | None = None
) -> RecordFile:
    """A file sent with a record request's answer: for its provider, and for whoever may see
    the case (404 otherwise). The download is the one audited read."""
    files = RecordFile.objects.select_related("request__case").filter(
        request__code=code, code=file_code
    )
    sent = files.filter(request__in=requests_to(user)).first()
    if sent is None:
        sent = files.filter(request__case__in=visible_reports(get("qoc"), user)).first()
    if sent is None:
        raise Http404
    audit.record(
        "qoc.record_file_downloaded",
        actor=user,
        target=sent.request.case,
        request=request,
        data={"request": str(sent.request.code), **sent.audit_facts},
    )
    return sent
