"""The people of the S&R tests: the shared personas with this application's roles."""

from dataclasses import dataclass
from datetime import datetime

import pytest

from portal.accounts.models import RoleGrant, User
from portal.accounts.tests.factories import UserFactory
from portal.core.business_days import PHOENIX
from portal.core.testing import Personas, with_roles
from portal.registry.models import Organization
from portal.registry.tests.factories import HealthPlanFactory


@dataclass(frozen=True)
class Actors:
    personas: Personas
    filer: User  # provider_user, sr.submitter at the facility
    plan_reviewer: User  # sr.reviewer at the member's plan, which contracts with the facility
    agency_reviewer: User
    other_reviewer: User  # sr.reviewer at a plan the facility has no contract with
    outsider: User  # sr.submitter at another facility

    @property
    def facility(self) -> Organization:
        return self.personas.provider

    @property
    def plan(self) -> Organization:
        assert self.plan_reviewer.organization is not None
        return self.plan_reviewer.organization


# When the test people got their roles: a facility is asked for the months since then.
FILING_SINCE = datetime(2025, 1, 2, 9, tzinfo=PHOENIX)


def _with(user: User, *roles: str) -> User:
    """The roles granted as of `FILING_SINCE`, when the facility's monthly summaries begin."""
    with_roles(user, *roles)
    RoleGrant.objects.filter(user=user, role__in=roles).update(granted_at=FILING_SINCE)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def actors(personas: Personas) -> Actors:
    agency = personas.agency_admin.organization
    return Actors(
        personas=personas,
        filer=_with(personas.provider_user, "sr.submitter"),
        plan_reviewer=_with(personas.plan_reviewer, "sr.reviewer"),
        agency_reviewer=_with(
            UserFactory(organization=agency, account_type="staff"), "sr.reviewer"
        ),
        other_reviewer=_with(UserFactory(organization=HealthPlanFactory()), "sr.reviewer"),
        outsider=_with(personas.outsider, "sr.submitter"),
    )
