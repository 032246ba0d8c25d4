import factory

from portal.accounts.models import User
from portal.registry.tests.factories import OrganizationFactory

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Alex"
    last_name = factory.Sequence(lambda n: f"Tester{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    organization = factory.SubFactory(OrganizationFactory)
    account_type = User.AccountType.INDIVIDUAL
    status = User.Status.ACTIVE
    password = factory.django.Password(PASSWORD)
