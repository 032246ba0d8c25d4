"""The people of the OHR tests: the shared personas with this application's roles."""

from dataclasses import dataclass

import pytest

from portal.accounts.models import User
from portal.accounts.services import grant_role
from portal.accounts.tests.factories import UserFactory
from portal.core.testing import Personas
from portal.registry.models import Organization
from portal.registry.tests.factories import HealthPlanFactory


@dataclass(frozen=True)
class Actors:
    personas: Personas
    filer: User  # provider_user, ohr.submitter at the provider
    plan_filer: User  # ohr.submitter at the member's plan
    staff: User  # ohr.staff at the agency
    other_plan: User  # ohr.submitter at another plan
    outsider: User  # ohr.submitter at another provider

    @property
    def provider(self) -> Organization:
        return self.personas.provider

    @property
    def plan(self) -> Organization:
        assert self.plan_filer.organization is not None
        return self.plan_filer.organization


def _with(user: User, *roles: str) -> User:
    for role in roles:
        grant_role(user, role, by=None)
    return User.objects.get(pk=user.pk)


@pytest.fixture
def actors(personas: Personas) -> Actors:
    agency = personas.agency_admin.organization
    return Actors(
        personas=personas,
        filer=_with(personas.provider_user, "ohr.submitter"),
        plan_filer=_with(personas.plan_reviewer, "ohr.submitter"),
        staff=_with(UserFactory(organization=agency, account_type="staff"), "ohr.staff"),
        other_plan=_with(UserFactory(organization=HealthPlanFactory()), "ohr.submitter"),
        outsider=_with(personas.outsider, "ohr.submitter"),
    )
