"""The member's health plan on every type's member page (issue #18 item 6, ADR 0022): the
filer's own plans first, another plan only with a confirmation that names who will see the
report, and that choice in the audit trail."""

import re
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from portal.accounts.models import User
from portal.accounts.tests.factories import UserFactory
from portal.core.models import AuditEvent
from portal.core.testing import Personas, with_roles
from portal.registry.models import Organization
from portal.registry.tests.factories import HealthPlanFactory
from portal.reports import services
from portal.reports.testing import contract_for
from portal.reports.types import ReportType, get, registered

pytestmark = pytest.mark.django_db
# The types providers file (a type only plans file, QoC, meets the plan's own rules below).
TYPES = [rtype.slug for rtype in registered() if contract_for(rtype).filer_side == "provider"]
CONTRACTED = "Plans your organization is contracted with"


@dataclass(frozen=True)
class Filing:
    rtype: ReportType
    filer: User
    report: Any
    contracted: Organization  # the persona plan: the persona provider's contract
    other: Organization  # a plan it has no contract with, first in the alphabet

    @property
    def url(self) -> str:
        return f"/{self.rtype.slug}/reports/{self.report.code}/draft/member/"

    @property
    def action(self) -> str:
        return f"{self.rtype.slug}.uncontracted_plan_chosen"

    def stored(self) -> Any:
        return type(self.report).objects.get(pk=self.report.pk)

    def events(self) -> list[AuditEvent]:
        return list(AuditEvent.objects.filter(action=self.action))


@pytest.fixture(params=TYPES)
def filing(request: pytest.FixtureRequest, personas: Personas) -> Filing:
    """A provider's draft of each type about a member of the plan it is contracted with."""
    rtype = get(request.param)
    contract = contract_for(rtype)
    filer = with_roles(personas.provider_user, *contract.holds("filer"))
    plan = personas.plan_reviewer.organization
    assert plan is not None
    report = contract.make(
        contract.provider_kind,
        rtype.editable[0],
        organization=personas.provider,
        provider=personas.provider,
        preparer=filer,
        health_plan=plan,
    )
    other = HealthPlanFactory(name="Aardvark Care")
    return Filing(rtype, filer, report, plan, other)


def member(plan: Organization, **more: str) -> dict[str, str]:
    return {
        "member_id": "c12345678",
        "member_last_name": "Okafor",
        "member_first_name": "Jada",
        "member_birth_date": "2001-02-03",
        "health_plan": str(plan.pk),
        "category": "smi",
        **more,
    }


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def groups(page: str) -> list[tuple[str, list[str]]]:
    """The plan select's groups and the names in each, in order."""
    select = re.search(r'<select name="health_plan".*?</select>', page, re.S)
    assert select is not None
    found = re.findall(r'<optgroup label="([^"]*)">(.*?)</optgroup>', select.group(0), re.S)
    return [(label, re.findall(r">([^<]+)</option>", options)) for label, options in found]


# --- A provider ----------------------------------------------------------------------------------


def test_the_contracted_plans_come_first_and_no_confirmation_is_asked(filing: Filing) -> None:
    page = signed_in(filing.filer).get(filing.url).content.decode()

    assert groups(page) == [
        (CONTRACTED, [filing.contracted.name]),
        ("Other health plans", [filing.other.name]),
    ]
    assert 'name="plan_confirmed"' not in page
    assert "The plans your organization is contracted with come first" in page


def test_an_uncontracted_plan_without_confirmation_is_refused_naming_who_would_see_it(
    filing: Filing,
) -> None:
    response = signed_in(filing.filer).post(filing.url, member(filing.other))

    assert response.status_code == 400
    page = response.content.decode()
    noun = filing.rtype.short_noun
    seen = (
        f"Aardvark Care will see this {noun} once it is submitted, and your organization has no "
        "contract with it"
    )
    assert (
        "Your organization has no contract with Aardvark Care: tick the box to send this "
        f"{noun} to it, or choose a plan your organization is contracted with"
    ) in page  # the error
    assert f"Yes, send it to Aardvark Care: {seen}" in page  # the box's label
    assert f'name="plan_confirmed" value="{filing.other.pk}"' in page
    assert "checked" not in re.search(r'<input type="checkbox"[^>]*>', page).group(0)  # type: ignore[union-attr]
    assert 'value="Okafor"' in page  # what was typed is kept, the plan chosen too
    assert f'<option value="{filing.other.pk}" selected>' in page
    stored = filing.stored()
    assert stored.health_plan == filing.contracted and stored.member_last_name != "Okafor"
    assert filing.events() == []


def test_a_confirmed_uncontracted_plan_is_saved_and_audited_once(filing: Filing) -> None:
    client = signed_in(filing.filer)
    confirmed = member(filing.other, plan_confirmed=str(filing.other.pk))

    response = client.post(filing.url, confirmed)

    assert response.status_code == 302
    assert filing.stored().health_plan == filing.other
    [event] = filing.events()
    assert event.data == {"health_plan": filing.other.pk}  # an id, never the member
    assert event.actor == filing.filer and event.target_id == str(filing.report.code)
    # Kept on a later save, it is not asked about (nor recorded) again.
    assert client.post(filing.url, member(filing.other, member_last_name="Oka")).status_code == 302
    assert len(filing.events()) == 1


def test_a_confirmation_counts_only_for_the_plan_it_named(filing: Filing) -> None:
    third = HealthPlanFactory(name="Zephyr Health")
    named_another = member(third, plan_confirmed=str(filing.other.pk))

    response = signed_in(filing.filer).post(filing.url, named_another)

    assert response.status_code == 400
    assert "Yes, send it to Zephyr Health" in response.content.decode()
    assert filing.stored().health_plan == filing.contracted and filing.events() == []


def test_a_contracted_plan_needs_no_confirmation(filing: Filing) -> None:
    type(filing.report).objects.filter(pk=filing.report.pk).update(health_plan=None)

    response = signed_in(filing.filer).post(filing.url, member(filing.contracted))

    assert response.status_code == 302
    assert filing.stored().health_plan == filing.contracted and filing.events() == []


def test_the_service_refuses_an_unconfirmed_uncontracted_plan(filing: Filing) -> None:
    with pytest.raises(ValidationError) as refused:
        services.update_draft(filing.report, {"health_plan": filing.other}, by=filing.filer)

    assert "plan_confirmed" in refused.value.error_dict
    assert filing.stored().health_plan == filing.contracted and filing.events() == []
    services.update_draft(
        filing.report, {"health_plan": filing.other}, by=filing.filer, plan_confirmed=True
    )
    assert filing.stored().health_plan == filing.other and len(filing.events()) == 1


# --- A plan, an external agency, AHCCCS ----------------------------------------------------------


def test_a_plan_filing_an_irf_sees_itself_first_and_confirms_another_plan(personas) -> None:
    from portal.iad.tests.factories import ReportFactory

    plan = personas.plan_reviewer.organization
    filer = with_roles(UserFactory(organization=plan), "irf.submitter")
    about = {"organization": plan, "provider": personas.provider, "health_plan": plan}
    report = ReportFactory(kind="irf", preparer=filer, **about)
    other = HealthPlanFactory(name="Aardvark Care")
    url = f"/iad/reports/{report.code}/draft/member/"
    client = signed_in(filer)

    assert groups(client.get(url).content.decode()) == [
        ("Your organization", [plan.name]),
        ("Other health plans", [other.name]),
    ]
    refused = client.post(url, member(other))
    assert refused.status_code == 400
    page = refused.content.decode()
    assert (
        "Yes, send it to Aardvark Care: Aardvark Care will see this report once it is "
        "submitted, and it is not your organization"
    ) in page
    assert (
        "Aardvark Care is not your organization: tick the box to send this report to it, or "
        "choose your own organization"
    ) in page
    assert client.post(url, member(other, plan_confirmed=str(other.pk))).status_code == 302
    assert AuditEvent.objects.filter(action="iad.uncontracted_plan_chosen").count() == 1


def test_agency_staff_filing_an_irf_choose_from_one_list_unasked(personas) -> None:
    from portal.iad.tests.factories import ReportFactory

    agency = personas.agency_admin.organization
    filer = with_roles(UserFactory(organization=agency, account_type="staff"), "irf.submitter")
    about = {"organization": agency, "provider": personas.provider, "health_plan": None}
    report = ReportFactory(kind="irf", preparer=filer, **about)
    other = HealthPlanFactory(name="Aardvark Care")
    url = f"/iad/reports/{report.code}/draft/member/"
    client = signed_in(filer)

    page = client.get(url).content.decode()
    assert groups(page) == [] and "Aardvark Care</option>" in page
    assert client.post(url, member(other)).status_code == 302
    assert not AuditEvent.objects.filter(action="iad.uncontracted_plan_chosen").exists()


def test_a_provider_without_contracts_on_file_confirms_every_plan(personas) -> None:
    from portal.seclusion.tests.factories import ReportFactory

    provider = personas.provider
    provider.contracted_plans.clear()
    filer = with_roles(personas.provider_user, "sr.submitter")
    report = ReportFactory(organization=provider, preparer=filer, health_plan=None)
    plan = personas.plan_reviewer.organization
    url = f"/sr/reports/{report.code}/draft/member/"
    client = signed_in(filer)

    page = client.get(url).content.decode()
    assert groups(page) == [] and "no contracted plans on file" in page
    assert client.post(url, member(plan)).status_code == 400
