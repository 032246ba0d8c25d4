from datetime import date, timedelta

import factory
from django.utils import timezone

from portal.accounts.tests.factories import UserFactory
from portal.humanrights.models import Report
from portal.registry.tests.factories import HealthPlanFactory, OrganizationFactory


def days_ago(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)


class ReportFactory(factory.django.DjangoModelFactory):
    """A complete Part A about an SMI member of a health plan, as its provider would file it."""

    class Meta:
        model = Report

    kind = Report.Kind.OHR
    organization = factory.SubFactory(OrganizationFactory)
    provider = factory.SelfAttribute("organization")
    preparer = factory.SubFactory(UserFactory, organization=factory.SelfAttribute("..organization"))
    health_plan = factory.SubFactory(HealthPlanFactory)
    member_id = factory.Sequence(lambda n: f"C{10000000 + n}")
    member_last_name = "Holiday"
    member_first_name = "Lena"
    member_birth_date = date(1981, 2, 3)
    category = Report.Category.SMI
    determined_on = factory.LazyFunction(lambda: days_ago(1))
    needs_service_planning = True
    needs_grievance = True
    criterion = Report.Criterion.MEDICAL
    clinical_basis = "Lena has severe psychotic symptoms and cannot say what she wants."
    treatment_team = "Dr. Alma Reyes, psychiatrist"
    diagnoses = "Schizoaffective disorder"
    has_decision_maker = True
    decision_maker_name = "Elena Morales"
    decision_maker_relationship = Report.Relationship.DECISION_MAKER
    decision_maker_email = "elena.morales@example.com"
    member_aware = True


PART_B = {
    "confirmed_service_planning": True,
    "confirmed_discharge_planning": False,
    "confirmed_grievance": True,
    "confirmed_appeal": False,
    "representative_name": "Jordan Pike",
    "representative_organization": "Office of Human Rights",
    "representative_phone": "(602) 555-0147",
    "representative_email": "",
    "decision_notes": "",
}


def part_c() -> dict[str, object]:
    return {
        "ended_on": timezone.localdate(),
        "end_reason": "Guardian appointed.",
        "part_c_late_reason": "",
    }


def make(kind: str, status: str, **about: object) -> Report:
    """A notification in any status, with the facts its Parts B and C recorded to get there."""
    S = Report.Status
    facts: dict[str, object] = {}
    if status in {S.ACCEPTED, S.ENDED}:
        facts = {**PART_B, "assistance_started_on": days_ago(1)}
    if status == S.ENDED:
        facts |= part_c()
    if status == S.DECLINED:
        facts["decline_reason"] = "The member takes part with an interpreter."
    return ReportFactory(kind=kind, status=status, **(facts | about))
