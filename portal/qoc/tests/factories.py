from datetime import date, timedelta

import factory
from django.utils import timezone

from portal.accounts.tests.factories import UserFactory
from portal.qoc.models import Case, Category
from portal.registry.tests.factories import HealthPlanFactory, OrganizationFactory


def days_from_today(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


class CaseFactory(factory.django.DjangoModelFactory):
    """A complete intake about a plan's member and a provider, as the plan would record it."""

    class Meta:
        model = Case

    kind = Case.Kind.QOC
    health_plan = factory.SubFactory(HealthPlanFactory)
    organization = factory.SelfAttribute("health_plan")
    provider = factory.SubFactory(OrganizationFactory)
    preparer = factory.SubFactory(UserFactory, organization=factory.SelfAttribute("..organization"))
    member_id = factory.Sequence(lambda n: f"D{10000000 + n}")
    member_last_name = "Whitfield"
    member_first_name = "Clara"
    member_birth_date = date(1975, 6, 7)
    source = Case.Source.MEMBER_COMPLAINT
    complainant_name = "Rosa Benally"
    complainant_contact = "(928) 555-0110"
    received_on = factory.LazyFunction(lambda: days_from_today(-2))
    topic = factory.LazyFunction(lambda: Category.objects.order_by("pk").first())
    severity = Case.Severity.MODERATE
    description = "Clara's evening medication was missed twice last week."


CAP = {
    "cap_actions": "Retrain the evening staff on the medication schedule.",
}


def cap_facts(case: Case) -> dict[str, object]:
    return {"cap_provider": case.provider, **CAP, "cap_due_on": days_from_today(14)}


def make(kind: str, status: str, **about: object) -> Case:
    """A case in any status, with the facts its steps recorded to get there."""
    S = Case.Status
    if about.get("provider") is None:  # a plan's case is about a provider all the same
        about.pop("provider", None)
    facts: dict[str, object] = {}
    if status in {S.DETERMINED, S.CORRECTIVE_ACTION, S.CAP_REVIEW}:
        facts |= {
            "determination": Case.Determination.SUBSTANTIATED,
            "determination_rationale": "The records show two missed doses.",
        }
    case = CaseFactory(kind=kind, status=status, **(facts | about))
    if status in {S.CORRECTIVE_ACTION, S.CAP_REVIEW}:
        Case.objects.filter(pk=case.pk).update(**cap_facts(case))
        case.refresh_from_db()
    return case
