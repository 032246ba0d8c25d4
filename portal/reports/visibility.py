"""Which reports a person may see (SPEC §1.4), one rule for every report type: the person's own
organization's; once filed, a health plan's members' and its contracted providers'; every
filed one for agency staff. Committees see only released redacted copies, never these."""

import uuid
from typing import Any

from django.db.models import Q, QuerySet

from portal.core.compiled import CompiledQuery
from portal.core.roles import has_role
from portal.registry.models import Organization

from .types import ReportType


def visible_reports(rtype: ReportType, user: Any) -> QuerySet[Any]:
    """Originals of this type the person may see; none without one of the type's roles. The
    covering index `<app>_report_status_seen` holds every column tested here.

    Built once per account object (a request's, like its `role_names`) and handed out as a
    fresh copy: a home page asks for it a dozen times, and building the condition costs more
    than copying it. It holds only SQL, so what it finds is always read afresh."""
    built = user.__dict__.setdefault("_visible_reports", {})
    if rtype.slug not in built:
        built[rtype.slug] = _visible(rtype, user)
    return built[rtype.slug].all()  # type: ignore[no-any-return]


def report_by_code(rtype: ReportType, user: Any, code: uuid.UUID) -> Any | None:
    """The report with this code if the person may see it, with the type's `report_related`
    followed: `visible_reports(...).filter(code=code)`, its query compiled once per type and
    kind of organization and run with the organization's id and the code (ADR 0030)."""
    organization = getattr(user, "organization", None)
    if organization is None or not uses(rtype, user):
        return None
    kept = rtype.__dict__.setdefault("_by_code", {})
    if organization.kind not in kept:
        kept[organization.kind] = _by_code(rtype, organization.kind)
    found = kept[organization.kind].objects(organization.pk, code)
    return found[0] if found else None


def _by_code(rtype: ReportType, kind: str) -> CompiledQuery:
    def build(organization_pk: int, code: uuid.UUID) -> QuerySet[Any]:
        # What _visible_to reads of an organization: its id and its kind, nothing else.
        shown = _visible_to(rtype, Organization(pk=organization_pk, kind=kind))
        return shown.select_related(*rtype.report_related).filter(code=code).order_by()[:1]

    return CompiledQuery(build, types=(int, uuid.UUID))


def _visible(rtype: ReportType, user: Any) -> QuerySet[Any]:
    organization = getattr(user, "organization", None)
    if organization is None or not uses(rtype, user):
        return rtype.model.objects.none()  # type: ignore[attr-defined,no-any-return]
    return _visible_to(rtype, organization)


def _visible_to(rtype: ReportType, organization: Organization) -> QuerySet[Any]:
    """What a holder of the type's roles in this organization sees. It reads the
    organization's id and kind only (and `seen_by` must too), so that `report_by_code` can
    compile it once for each kind."""
    model: Any = rtype.model
    own = Q(organization=organization)
    filed = ~Q(status__in=rtype.private)
    if organization.kind == "agency":
        return model.objects.filter(own | filed)
    about_ours = (rtype.seen_by or members_and_contracts)(organization)
    if about_ours is None:
        return model.objects.filter(own)
    return model.objects.filter(own | (filed & about_ours))


def members_and_contracts(organization: Organization) -> Q | None:
    """A health plan's (or TRBHA's) share of filed reports: its members' and its contracted
    providers'; a provider sees only its own filings."""
    if organization.kind not in {"health_plan", "trbha"}:
        return None
    # A subquery, not a join through the contracts: a join needs DISTINCT, which makes
    # PostgreSQL read every visible row before it can page or count them.
    contracted = Organization.contracted_plans.through.objects.filter(
        to_organization=organization
    ).values("from_organization")
    return Q(health_plan=organization) | Q(provider__in=contracted)


def uses(rtype: ReportType, user: Any) -> bool:
    """Whether the person holds any role of the type's application, in an organization of a
    kind that uses its pages."""
    return rtype.used_by(user) and any(has_role(user, role) for role in rtype.roles)
