import factory

from portal.registry.models import MailingAddress, Organization
from portal.registry.npi import check_digit


def _npi(n: int) -> str:
    first_nine = f"1{n:08d}"
    return f"{first_nine}{check_digit(first_nine)}"


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Provider {n}")
    kind = Organization.Kind.PROVIDER
    identifier = factory.Sequence(lambda n: f"{200000 + n}")
    npi = factory.Sequence(_npi)
    region = Organization.Region.CENTRAL


class HealthPlanFactory(OrganizationFactory):
    name = factory.Sequence(lambda n: f"Health plan {n}")
    kind = Organization.Kind.HEALTH_PLAN
    identifier = factory.Sequence(lambda n: f"HPX{n}")
    npi = ""


class MailingAddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MailingAddress

    organization = factory.SubFactory(OrganizationFactory)
    line1 = factory.Sequence(lambda n: f"{100 + n} W. Washington Street")
    city = "Phoenix"
    zip_code = "85003"
