"""The last sign-in gate (SPEC §2.4): an account that must change its password does so first."""

import pytest
from django.test import Client

from portal.accounts.models import User
from portal.accounts.services.administration import AccountActionRefused, require_new_password
from portal.accounts.services.terms import publish_terms
from portal.accounts.tests.factories import PASSWORD, UserFactory
from portal.core.models import AuditEvent, OutboundEmail

pytestmark = pytest.mark.django_db
NEW = "a brand new passphrase for the portal"


def sign_in(client: Client, username: str, password: str = PASSWORD):
    return client.post("/sign-in/", {"username": username, "password": password})


def require(client: Client, personas, account: User):
    client.force_login(personas.provider_master)
    response = client.post(f"/organization/accounts/{account.code}/require-new-password/")
    client.logout()
    return response


def test_a_master_requires_a_new_password_and_the_next_sign_in_asks_for_it(personas) -> None:
    user = personas.provider_user
    master = Client()
    master.force_login(personas.provider_master)
    page = master.get(f"/organization/accounts/{user.code}/require-new-password/")
    assert "choose a new password at their next sign-in" in page.content.decode()
    master.post(f"/organization/accounts/{user.code}/require-new-password/")

    assert User.objects.get(pk=user.pk).password_change_required
    assert OutboundEmail.objects.filter(to=user.email, template="account_notice").count() == 1
    event = AuditEvent.objects.get(action="account.password_change_required")
    assert event.data == {"reason": "asked"} and event.actor_id == personas.provider_master.pk

    client = Client()
    assert sign_in(client, user.username)["Location"] == "/sign-in/new-password/"
    assert "_auth_user_id" not in client.session
    assert (
        client.post("/sign-in/new-password/", {"new_password1": NEW, "new_password2": NEW})[
            "Location"
        ]
        == "/"
    )
    assert client.get("/account/").status_code == 200

    user.refresh_from_db()
    assert not user.password_change_required and user.check_password(NEW)
    assert sign_in(Client(), user.username).status_code == 400  # the old password is gone
    assert sign_in(Client(), user.username, NEW)["Location"] == "/"


@pytest.mark.parametrize(
    ("first", "second", "message"),
    [
        (PASSWORD, PASSWORD, "different from your old one"),
        (NEW, NEW + "x", "not the same"),
        ("short pass", "short pass", "too short"),
        ("", "", "Choose a new password"),
    ],
)
def test_the_gate_refuses_a_bad_new_password_and_changes_nothing(
    personas, first, second, message
) -> None:
    user = personas.provider_user
    require(Client(), personas, user)
    client = Client()
    sign_in(client, user.username)

    response = client.post(
        "/sign-in/new-password/", {"new_password1": first, "new_password2": second}
    )

    assert response.status_code == 400 and message in response.content.decode()
    user.refresh_from_db()
    assert user.password_change_required and user.check_password(PASSWORD)
    assert "_auth_user_id" not in client.session


def test_a_right_password_below_the_policy_must_be_replaced_at_sign_in(personas) -> None:
    user = personas.provider_user
    user.set_password("short1")  # set before the policy was raised
    user.save()

    response = sign_in(Client(), user.username, "short1")

    assert response["Location"] == "/sign-in/new-password/"
    assert AuditEvent.objects.get(action="account.password_change_required").data == {
        "reason": "below_policy"
    }
    assert sign_in(Client(), user.username, "wrong").status_code == 400  # only the right one


def test_the_terms_gate_comes_before_the_new_password(personas) -> None:
    user = personas.provider_user
    require(Client(), personas, user)
    publish_terms("Terms", "New terms.", by=None)
    client = Client()

    assert sign_in(client, user.username)["Location"] == "/sign-in/terms/"
    assert client.post("/sign-in/terms/", {"agree": "on"})["Location"] == "/sign-in/new-password/"


def test_password_recovery_also_lifts_the_requirement(personas) -> None:
    from portal.accounts.services.profile import store_new_password

    user = personas.provider_user
    require(Client(), personas, user)
    user.refresh_from_db()
    store_new_password(user, NEW)

    assert not User.objects.get(pk=user.pk).password_change_required


def test_the_gate_page_is_only_for_an_account_sent_there(personas, client) -> None:
    assert client.get("/sign-in/new-password/")["Location"] == "/sign-in/"
    sign_in(client, personas.provider_user.username)  # no requirement: signed straight in
    assert client.get("/sign-in/new-password/")["Location"] == "/sign-in/"


def test_asking_twice_is_refused_and_tells_once(personas) -> None:
    user = personas.provider_user
    require(Client(), personas, user)
    response = require(Client(), personas, user)

    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="account.password_change_required").count() == 1
    assert OutboundEmail.objects.filter(to=user.email).count() == 1


def test_a_master_cannot_require_it_of_another_organization(personas) -> None:
    client = Client()
    client.force_login(personas.provider_master)
    outsider = personas.outsider
    response = client.post(f"/organization/accounts/{outsider.code}/require-new-password/")

    assert response.status_code == 404
    assert not User.objects.get(pk=outsider.pk).password_change_required


def test_accounts_without_a_portal_password_cannot_be_asked(personas) -> None:
    staff = UserFactory(organization=personas.agency_admin.organization, account_type="staff")
    staff.set_unusable_password()
    staff.save()

    with pytest.raises(AccountActionRefused, match="signs in through the agency"):
        require_new_password(staff, by=personas.agency_admin)

    assert not User.objects.get(pk=staff.pk).password_change_required
