from datetime import datetime

import factory

from portal.accounts.tests.factories import UserFactory
from portal.core.business_days import PHOENIX
from portal.iad.models import Report
from portal.registry.tests.factories import HealthPlanFactory, OrganizationFactory


class ReportFactory(factory.django.DjangoModelFactory):
    """A complete IAD about a member of a health plan, as its preparer would file it."""

    class Meta:
        model = Report

    kind = Report.Kind.IAD
    organization = factory.SubFactory(OrganizationFactory)
    provider = factory.SelfAttribute("organization")
    preparer = factory.SubFactory(UserFactory, organization=factory.SelfAttribute("..organization"))
    health_plan = factory.SubFactory(HealthPlanFactory)
    site_name = "Main clinic"
    site_address = "100 W. Washington Street, Phoenix, AZ 85003"
    contact_phone = "602-555-0100"
    member_id = factory.Sequence(lambda n: f"A{10000000 + n}")
    member_last_name = "Quintero"
    member_first_name = "Rosa"
    member_birth_date = datetime(1980, 4, 2, tzinfo=PHOENIX).date()
    member_sex = Report.Sex.FEMALE
    category = Report.Category.SMI
    occurred_at = datetime(2026, 11, 16, 9, 30, tzinfo=PHOENIX)
    aware_at = datetime(2026, 11, 16, 10, 0, tzinfo=PHOENIX)
    location_type = "Residential facility"
    narrative = "The member slipped in the hallway and hurt her wrist."
    injuries = True
