"""Test personas (DESIGN §10): one account per kind of person the portal serves.

Every view test checks at least that the outsider gets 404 and anonymous goes to sign-in.
"""

from dataclasses import dataclass
from typing import Any, cast

from portal.accounts.models import User
from portal.accounts.services import grant_role
from portal.accounts.tests.factories import PASSWORD, UserFactory
from portal.registry.models import Organization
from portal.registry.tests.factories import HealthPlanFactory, OrganizationFactory

__all__ = ["PASSWORD", "Personas", "make_personas", "seal_audit_events", "with_roles"]


def seal_audit_events() -> int:
    """Run the audit sealer once, as the qmportal-sealer service would a moment after a request
    (ADR 0024): events `record()` wrote get their seals (`seq`, `prev_hash`, `hash`). For tests that
    check the chain right after writing; returns how many events it sealed."""
    from portal.core.audit import seal_pending

    return seal_pending().events


@dataclass(frozen=True)
class Personas:
    provider_master: User
    provider_user: User
    clinical_director: User
    plan_reviewer: User
    agency_admin: User
    ioc_member: User
    outsider: User  # master of another provider, with no tie to the first one

    @property
    def provider(self) -> Organization:
        return self.provider_master.organization  # type: ignore[return-value]


def with_roles(user: User, *roles: str) -> User:
    """The account with these roles granted, read again (its roles are cached on the row)."""
    for role in roles:
        grant_role(user, role, by=None)
    return User.objects.get(pk=user.pk)


def _user(**fields: Any) -> User:
    return cast(User, UserFactory(**fields))


def _org(**fields: Any) -> Organization:
    return cast(Organization, OrganizationFactory(**fields))


def make_personas() -> Personas:
    plan = cast(Organization, HealthPlanFactory(name="Persona Health Plan"))
    provider = _org(name="Persona Provider")
    provider.contracted_plans.add(plan)
    agency = _org(kind="agency", name="AHCCCS", identifier="AHCCCS", npi="")
    ioc = _org(kind="ioc", name="Persona IOC", identifier="IOC-P", npi="")
    master, staff = User.AccountType.MASTER, User.AccountType.STAFF
    admin = _user(username="agency.admin", organization=agency, account_type=staff)
    grant_role(admin, "agency.admin", by=None)
    return Personas(
        provider_master=_user(username="provider.master", organization=provider,
                                    account_type=master),
        provider_user=_user(username="provider.user", organization=provider),
        clinical_director=_user(username="clinical.director", organization=provider),
        plan_reviewer=_user(username="plan.reviewer", organization=plan),
        agency_admin=admin,
        ioc_member=_user(username="ioc.member", organization=ioc),
        outsider=_user(username="outsider", organization=_org(),
                             account_type=master),
    )  # fmt: skip
