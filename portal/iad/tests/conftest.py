"""The people of the IAD-IRF tests: the shared personas with the roles of this application."""

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
    submitter: User  # provider_user, iad.submitter
    director: User  # clinical_director, iad.clinical_director
    plan_reviewer: User  # iad.reviewer at the member's plan
    plan_filer: User  # irf.submitter at the member's plan
    agency_reviewer: User  # iad.reviewer at the agency
    other_reviewer: User  # iad.reviewer at a plan the member is not enrolled in
    outsider: User  # iad.submitter and clinical director of another provider

    @property
    def plan(self) -> Organization:
        assert self.plan_reviewer.organization is not None
        return self.plan_reviewer.organization


@pytest.fixture
def actors(personas: Personas) -> Actors:
    plan = personas.plan_reviewer.organization
    agency = personas.agency_admin.organization
    return Actors(
        personas=personas,
        submitter=with_roles(personas.provider_user, "iad.submitter"),
        director=with_roles(personas.clinical_director, "iad.clinical_director"),
        plan_reviewer=with_roles(personas.plan_reviewer, "iad.reviewer"),
        plan_filer=with_roles(UserFactory(organization=plan), "irf.submitter"),
        agency_reviewer=with_roles(UserFactory(organization=agency, account_type="staff"),
                              "iad.reviewer"),
        other_reviewer=with_roles(UserFactory(organization=HealthPlanFactory()), "iad.reviewer"),
        outsider=with_roles(personas.outsider, "iad.submitter", "iad.clinical_director"),
    )  # fmt: skip
