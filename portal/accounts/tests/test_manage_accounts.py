"""The master's administration page: own organization only, every action confirmed and audited."""

import pytest

from portal.accounts.models import RoleGrant, User
from portal.accounts.tests.factories import UserFactory
from portal.core.models import AuditEvent, OutboundEmail
from portal.core.testing import Personas

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(personas: Personas) -> User:
    return UserFactory(organization=personas.provider, status="awaiting_approval",
                       first_name="Nia", last_name="Kee")  # fmt: skip


def test_the_list_shows_the_organizations_accounts_by_status(client, personas, pending) -> None:
    UserFactory(first_name="Elsewhere")  # another organization
    client.force_login(personas.provider_master)
    page = client.get("/organization/accounts/").content.decode()
    assert "Waiting for your approval" in page and "Nia Kee" in page
    assert personas.provider_user.get_full_name() in page
    assert "Elsewhere" not in page
    assert 'href="/organization/accounts/"' in page  # in the menu, for masters


def test_approve_needs_a_confirmation_and_happens_once(client, personas, pending) -> None:
    client.force_login(personas.provider_master)
    url = f"/organization/accounts/{pending.code}/approve/"
    assert "Approve the account of Nia Kee?" in client.get(url).content.decode()
    pending.refresh_from_db()
    assert pending.status == "awaiting_approval"  # a GET changes nothing
    client.post(url)
    client.post(url)  # the double click
    pending.refresh_from_db()
    assert pending.status == "active"
    assert AuditEvent.objects.filter(action="account.approved").count() == 1
    assert OutboundEmail.objects.filter(to=pending.email).count() == 1
    page = client.get(f"/organization/accounts/{pending.code}/", follow=True).content.decode()
    assert "Nia Kee" in page


def test_remove_set_as_master_and_recovery_are_audited_and_emailed(client, personas) -> None:
    client.force_login(personas.provider_master)
    other = personas.provider_user
    client.post(f"/organization/accounts/{other.code}/make-master/")
    client.post(f"/organization/accounts/{other.code}/send-recovery/")
    client.post(f"/organization/accounts/{other.code}/remove/")
    other.refresh_from_db()
    assert (other.account_type, other.status) == ("master", "removed")
    personas.provider_master.refresh_from_db()
    assert personas.provider_master.is_master  # the acting master stays one
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"account.made_master", "account.recovery_requested", "account.removed"} <= actions
    templates = OutboundEmail.objects.filter(to=other.email).values_list("template", flat=True)
    assert sorted(templates) == ["account_notice", "account_notice", "recovery_code"]
    client.logout()
    assert (
        client.post(
            "/sign-in/", {"username": other.username, "password": "correct horse battery staple"}
        ).status_code
        == 400
    )


def test_a_master_cannot_remove_their_own_account(client, personas) -> None:
    me = personas.provider_master
    client.force_login(me)
    response = client.post(f"/organization/accounts/{me.code}/remove/", follow=True)
    assert "cannot remove your own account" in response.content.decode()
    me.refresh_from_db()
    assert me.status == "active"


def test_details_change_keeps_email_unique_and_tells_both_addresses(client, personas) -> None:
    client.force_login(personas.provider_master)
    account = personas.provider_user
    url = f"/organization/accounts/{account.code}/details/"
    data = {"first_name": "Luisa", "last_name": "Ortega", "phone": "602-555-0199",
            "email": personas.outsider.email.upper()}  # fmt: skip
    response = client.post(url, data)
    assert (
        response.status_code == 400 and "Another account already uses" in response.content.decode()
    )
    assert 'value="Luisa"' in response.content.decode()
    old = account.email
    client.post(url, {**data, "email": "luisa@example.org"})
    account.refresh_from_db()
    assert (account.first_name, account.email) == ("Luisa", "luisa@example.org")
    assert set(OutboundEmail.objects.values_list("to", flat=True)) == {old, "luisa@example.org"}
    event = AuditEvent.objects.get(action="account.details_changed")
    assert event.data == {"fields": ["first_name", "last_name", "phone", "email"]}
    assert "Luisa" not in str(event.data)


def test_privileges_are_limited_to_the_roles_allowed_for_the_kind(client, personas) -> None:
    client.force_login(personas.provider_master)
    account = personas.provider_user
    response = client.post(f"/organization/accounts/{account.code}/privileges/",
                           {"roles": ["agency.admin"]})  # fmt: skip
    assert (
        response.status_code == 400 and "Choose only privileges listed" in response.content.decode()
    )
    assert not RoleGrant.objects.filter(user=account).exists()


def test_agency_admin_privileges_are_granted_and_revoked_with_audit(client, personas) -> None:
    colleague = UserFactory(organization=personas.agency_admin.organization, account_type="staff")
    User.objects.filter(pk=personas.agency_admin.pk).update(account_type="master")
    client.force_login(User.objects.get(pk=personas.agency_admin.pk))
    url = f"/organization/accounts/{colleague.code}/privileges/"
    client.post(url, {"roles": ["agency.admin"]})
    assert set(colleague.role_grants.values_list("role", flat=True)) == {"agency.admin"}
    client.post(url, {})
    assert not colleague.role_grants.exists()
    assert list(AuditEvent.objects.filter(action__startswith="role.").values_list(
        "action", flat=True)) == ["role.granted", "role.granted", "role.revoked"]  # fmt: skip


@pytest.mark.parametrize("path", ["", "approve/", "remove/", "details/", "privileges/"])
def test_other_organizations_accounts_do_not_exist_for_a_master(client, personas, path) -> None:
    client.force_login(personas.outsider)
    target = personas.provider_user
    assert client.get(f"/organization/accounts/{target.code}/{path}").status_code == 404
    if path:  # the account page itself answers GET only
        assert client.post(f"/organization/accounts/{target.code}/{path}").status_code == 404
    target.refresh_from_db()
    assert target.status == "active"


@pytest.mark.parametrize("who", ["provider_user", "plan_reviewer", "ioc_member"])
def test_individual_accounts_have_no_administration_page(client, personas, who) -> None:
    client.force_login(getattr(personas, who))
    assert client.get("/organization/accounts/").status_code == 404
    assert client.get(f"/organization/accounts/{personas.provider_user.code}/").status_code == 404
    assert 'href="/organization/accounts/"' not in client.get("/").content.decode()


def test_unknown_actions_do_not_exist(client, personas) -> None:
    client.force_login(personas.provider_master)
    code = personas.provider_user.code
    assert client.post(f"/organization/accounts/{code}/delete-everything/").status_code == 404
