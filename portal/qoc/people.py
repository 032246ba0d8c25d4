"""Who works a case and who hears of it: the owner's investigators, the one assigned, the
providers asked for something. E-mails say only that something waits, with a link (no PHI)."""

from collections.abc import Iterable
from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse

from portal.accounts.models import User
from portal.core.roles import has_role
from portal.reports.notifications import holding

from .roles import INVESTIGATORS


def owns(report: Any, user: Any) -> bool:
    """The case's owner: the member's plan, or the agency (which sees every case)."""
    organization = user.organization
    return organization is not None and (
        organization.kind == "agency" or organization.pk == report.health_plan_id
    )


def investigates(report: Any, user: Any) -> bool:
    """The investigation's steps are the assigned investigator's, and any manager's; a case
    with nobody assigned is every owner investigator's."""
    if not owns(report, user):
        return False
    assigned = report.investigator_id
    return assigned is None or assigned == user.pk or has_role(user, "qoc.manager")


def asked_provider(report: Any, user: Any) -> bool:
    """The provider asked for a corrective action plan answers it."""
    return report.cap_provider_id is not None and report.cap_provider_id == user.organization_id


def investigators(report: Any) -> QuerySet[User]:
    """The people who may be assigned the case: the member's plan's investigators and every
    agency investigator or manager."""
    agency = Q(organization__kind="agency", role_grants__role__in=INVESTIGATORS)
    plan = Q(organization_id=report.health_plan_id, role_grants__role="qoc.investigator")
    return (
        User.objects.filter(agency | plan, status=User.Status.ACTIVE)
        .select_related("organization")
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


def triagers(report: Any) -> Iterable[User]:
    """Who hears of a new case: the member's plan's investigators, else the agency's managers."""
    plan = list(holding("qoc.investigator", report.health_plan_id))
    return plan or User.objects.filter(
        organization__kind="agency", status=User.Status.ACTIVE, role_grants__role="qoc.manager"
    ).exclude(email="")


def assigned(report: Any) -> Iterable[User]:
    """The investigator of the case (or its triagers while nobody is assigned)."""
    if report.investigator_id is None:
        return triagers(report)
    person = report.investigator
    return [person] if person.email and person.status == User.Status.ACTIVE else []


def provider_people(organization_id: int | None) -> Iterable[User]:
    """The people of a provider who answer Quality of Care's requests."""
    return holding("qoc.submitter", organization_id)


def cap_provider(report: Any) -> Iterable[User]:
    return provider_people(report.cap_provider_id)


def cap_page(report: Any) -> str:
    """Where the provider reads and answers the corrective action plan."""
    return reverse("qoc_work:cap", kwargs={"code": report.code})
