from datetime import datetime

import factory

from portal.accounts.tests.factories import UserFactory
from portal.core.business_days import PHOENIX
from portal.registry.tests.factories import HealthPlanFactory, OrganizationFactory
from portal.seclusion.models import Report


class ReportFactory(factory.django.DjangoModelFactory):
    """A complete S&R report about a member of a health plan, as its facility would file it
    (its physician's order aside: attach one to submit it through the services)."""

    class Meta:
        model = Report

    kind = Report.Kind.SR
    organization = factory.SubFactory(OrganizationFactory)
    provider = factory.SelfAttribute("organization")
    preparer = factory.SubFactory(UserFactory, organization=factory.SelfAttribute("..organization"))
    health_plan = factory.SubFactory(HealthPlanFactory)
    facility_name = "North unit"
    license_number = "BH-2024-0117"
    member_id = factory.Sequence(lambda n: f"B{10000000 + n}")
    member_last_name = "Tsosie"
    member_first_name = "Nora"
    member_birth_date = datetime(2009, 6, 1, tzinfo=PHOENIX).date()
    category = Report.Category.CHILD
    restraint_type = Report.Type.PERSONAL
    started_at = datetime(2026, 11, 16, 9, 30, tzinfo=PHOENIX)
    ended_at = datetime(2026, 11, 16, 9, 45, tzinfo=PHOENIX)
    emergency_situation = "Nora struck a peer and kept going at staff."
    less_restrictive_measures = "Verbal de-escalation; the quiet room was offered."
    authorized_by = "Dr. Alma Reyes"
    authorized_credentials = "MD"
    injuries = False
    face_to_face_at = datetime(2026, 11, 16, 10, 15, tzinfo=PHOENIX)
    face_to_face_by = "Dana Whitfield, RN"
    monitoring = "Continuous observation by two staff members."
    debriefing_date = datetime(2026, 11, 17, tzinfo=PHOENIX).date()
    debriefing_participants = "Nora Tsosie, Dana Whitfield"
