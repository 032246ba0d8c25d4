"""The people of the Quality of Care tests: the shared personas with this application's roles."""

from dataclasses import dataclass

import pytest

from portal.accounts.models import User
from portal.accounts.tests.factories import UserFactory
from portal.core.testing import Personas, with_roles
from portal.registry.models import Organization
from portal.registry.tests.factories import HealthPlanFactory, OrganizationFactory


@dataclass(frozen=True)
class Actors:
    personas: Personas
    recorder: User  # qoc.submitter at the member's plan
    investigator: User  # qoc.investigator at the member's plan
    colleague: User  # another qoc.investigator at the member's plan
    manager: User  # qoc.manager and qoc.investigator at the agency
    provider_user: User  # qoc.submitter at the provider the concern is about
    other_provider: User  # qoc.submitter at a provider not involved
    other_plan: User  # qoc.investigator at another plan

    @property
    def plan(self) -> Organization:
        assert self.investigator.organization is not None
        return self.investigator.organization

    @property
    def provider(self) -> Organization:
        return self.personas.provider


@pytest.fixture
def actors(personas: Personas) -> Actors:
    plan = personas.plan_reviewer.organization
    agency = personas.agency_admin.organization
    return Actors(
        personas=personas,
        recorder=with_roles(UserFactory(organization=plan), "qoc.submitter"),
        investigator=with_roles(personas.plan_reviewer, "qoc.investigator"),
        colleague=with_roles(UserFactory(organization=plan), "qoc.investigator"),
        manager=with_roles(
            UserFactory(organization=agency, account_type="staff"),
            "qoc.manager",
            "qoc.investigator",
        ),
        provider_user=with_roles(personas.provider_user, "qoc.submitter"),
        other_provider=with_roles(UserFactory(organization=OrganizationFactory()), "qoc.submitter"),
        other_plan=with_roles(UserFactory(organization=HealthPlanFactory()), "qoc.investigator"),
    )
