"""The people of the OHR tests: the shared personas with this application's roles."""

from dataclasses import dataclass

import pytest

from portal.accounts.models import User
from portal.accounts.tests.factories import UserFactory
from portal.core.testing import Personas, with_roles
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


@pytest.fixture
def actors(personas: Personas) -> Actors:
    agency = personas.agency_admin.organization
    return Actors(
        personas=personas,
        filer=with_roles(personas.provider_user, "ohr.submitter"),
        plan_filer=with_roles(personas.plan_reviewer, "ohr.submitter"),
        staff=with_roles(UserFactory(organization=agency, account_type="staff"), "ohr.staff"),
        other_plan=with_roles(UserFactory(organization=HealthPlanFactory()), "ohr.submitter"),
        outsider=with_roles(personas.outsider, "ohr.submitter"),
    )
