"""Which reports a person may see (SPEC §1.4), one rule for every report type: the person's own
organization's; once filed, a health plan's members' and its contracted providers'; every
filed one for agency staff. Committees see only released redacted copies, never these."""

from typing import Any

from django.db.models import Q, QuerySet

from portal.core.roles import has_role
from portal.registry.models import Organization

from .types import ReportType


def visible_reports(rtype: ReportType, user: Any) -> QuerySet[Any]:
    """Originals of this type the person may see; none without one of the type's roles. The
    covering index `<app>_report_status_seen` holds every column tested here."""
    model: Any = rtype.model
    organization = getattr(user, "organization", None)
    if organization is None or not uses(rtype, user):
        return model.objects.none()
    own = Q(organization=organization)
    filed = ~Q(status__in=rtype.private)
    if organization.kind == "agency":
        return model.objects.filter(own | filed)
    if organization.kind in {"health_plan", "trbha"}:
        # A subquery, not a join through the contracts: a join needs DISTINCT, which makes
        # PostgreSQL read every visible row before it can page or count them.
        contracted = Organization.contracted_plans.through.objects.filter(
            to_organization=organization
        ).values("from_organization")
        about_ours = Q(health_plan=organization) | Q(provider__in=contracted)
        return model.objects.filter(own | (filed & about_ours))
    return model.objects.filter(own)


def uses(rtype: ReportType, user: Any) -> bool:
    """Whether the person holds any role of the type's application."""
    return any(has_role(user, role) for role in rtype.roles)
