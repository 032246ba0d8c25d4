"""Agency single sign-on against a real OpenID provider on loopback (SPEC §2.9, ADR 0011)."""

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from django.test import Client

from portal.accounts.models import SingleSignOnIdentity, User
from portal.accounts.services import sign_in
from portal.accounts.services.inactivity import SweepCounts, delete_inactive_account
from portal.accounts.services.terms import publish_terms
from portal.core.audit import AuditEvent

from .identity_provider import (
    CLIENT_ID,
    IdentityProvider,
    TokenTamperer,
    callback_path,
    new_private_key,
    unsigned,
    unverified_claims,
)

CALLBACK = "http://testserver/sign-in/agency/callback/"
PASSWORD = "idp-password"
STAFF = {
    "sub": "a1b2c3-staff",
    "password": PASSWORD,
    "email": "jordan.lee@azahcccs.invalid",
    "given_name": "Jordan",
    "family_name": "Lee",
    "groups": ["qm-portal-admins", "all-staff"],
}
# A subject that equals a provider's portal username must not reach that account.
COLLIDING = {**STAFF, "sub": "provider.master", "email": "other@azahcccs.invalid", "groups": []}


@pytest.fixture(scope="module")
def idp(tmp_path_factory: pytest.TempPathFactory) -> Iterator[IdentityProvider]:
    workdir: Path = tmp_path_factory.mktemp("idp")
    provider = IdentityProvider.start(workdir, [CALLBACK], [STAFF, COLLIDING])
    yield provider
    provider.stop()


@pytest.fixture
def tamperer(idp: IdentityProvider) -> Iterator[TokenTamperer]:
    proxy = TokenTamperer(f"{idp.issuer}/token")
    yield proxy
    proxy.stop()


@pytest.fixture
def sso(settings, personas, idp: IdentityProvider, tamperer: TokenTamperer) -> TokenTamperer:
    """The portal pointed at the provider, its token endpoint behind the tamperer."""
    for name, value in idp.settings(token_endpoint=tamperer.url).items():
        setattr(settings, name, value)
    settings.SSO_GROUP_ROLES = {"qm-portal-admins": frozenset({"agency.admin"})}
    return tamperer


def sign_on(client: Client, idp: IdentityProvider, username: str = STAFF["sub"]):
    start = client.get("/sign-in/agency/")
    assert start.status_code == 302 and start["Location"].startswith(f"{idp.issuer}/auth?")
    assert "code_challenge_method=S256" in start["Location"]  # PKCE
    back = idp.authorize(start["Location"], username, PASSWORD)
    return client.get(callback_path(back))


def signed_in_user(client: Client) -> User | None:
    response = client.get("/account/")
    return response.wsgi_request.user if response.status_code == 200 else None


def test_first_sign_in_creates_a_staff_account_keyed_on_issuer_and_subject(
    sso, idp, client
) -> None:
    response = sign_on(client, idp)

    assert response.status_code == 302 and response["Location"] == "/"
    assert signed_in_user(client).username == STAFF["sub"]
    identity = SingleSignOnIdentity.objects.select_related("user").get(subject=STAFF["sub"])
    user = identity.user
    assert identity.issuer == idp.issuer
    assert (user.first_name, user.last_name, user.email) == ("Jordan", "Lee", STAFF["email"])
    assert user.account_type == User.AccountType.STAFF and user.organization.kind == "agency"
    assert not user.has_usable_password()
    assert user.role_names == {"agency.admin"}
    assert AuditEvent.objects.filter(action="account.created_by_sso", target_id=str(user.code))


def test_staff_pass_the_terms_gate_then_have_a_session(sso, idp, client) -> None:
    publish_terms("Terms", "Be careful with member data.", by=None)

    response = sign_on(client, idp)

    assert response["Location"] == "/sign-in/terms/" and signed_in_user(client) is None
    client.post("/sign-in/terms/", {"agree": "on"})

    user = signed_in_user(client)
    assert user is not None and user.username == STAFF["sub"]
    assert AuditEvent.objects.filter(action="auth.login_succeeded", target_id=str(user.code))


def test_the_same_person_gets_the_same_account_and_roles_follow_groups(
    sso, idp, client, settings
) -> None:
    sign_on(client, idp)
    first = SingleSignOnIdentity.objects.get(subject=STAFF["sub"]).user
    settings.SSO_GROUP_ROLES = {}  # the person has left every mapped group

    sign_on(Client(), idp)

    assert SingleSignOnIdentity.objects.filter(subject=STAFF["sub"]).count() == 1
    again = User.objects.get(pk=first.pk)
    assert again.role_names == frozenset()
    assert AuditEvent.objects.filter(action="role.revoked", target_id=str(first.code)).count() == 1


def test_a_subject_equal_to_a_provider_username_makes_a_separate_staff_account(
    sso, idp, client, personas
) -> None:
    sign_on(client, idp, username=COLLIDING["sub"])

    staff = SingleSignOnIdentity.objects.get(subject="provider.master").user
    assert staff.pk != personas.provider_master.pk
    assert staff.account_type == User.AccountType.STAFF
    assert staff.username != personas.provider_master.username


def test_staff_cannot_use_the_password_door_and_cannot_be_locked_through_it(
    sso, idp, client, rf
) -> None:
    sign_on(client, idp)
    user = SingleSignOnIdentity.objects.get(subject=STAFF["sub"]).user
    for _ in range(5):
        request = rf.post("/sign-in/")
        request.session = Client().session
        assert sign_in(request, user.username, "").user is None

    assert User.objects.get(pk=user.pk).status == User.Status.ACTIVE


def test_a_staff_account_locked_for_inactivity_opens_at_its_next_single_sign_on(
    sso, idp, client
) -> None:
    sign_on(client, idp)
    user = SingleSignOnIdentity.objects.get(subject=STAFF["sub"]).user
    User.objects.filter(pk=user.pk).update(status=User.Status.LOCKED)

    sign_on(Client(), idp)

    assert User.objects.get(pk=user.pk).status == User.Status.ACTIVE


def test_a_staff_account_deleted_for_inactivity_is_made_anew_at_the_next_sign_on(
    sso, idp, client
) -> None:
    sign_on(client, idp)
    old = SingleSignOnIdentity.objects.get(subject=STAFF["sub"]).user
    delete_inactive_account(old, SweepCounts())

    sign_on(Client(), idp)

    new = SingleSignOnIdentity.objects.get(subject=STAFF["sub"]).user
    assert new.pk != old.pk and new.status == User.Status.ACTIVE
    assert User.objects.get(pk=old.pk).status == User.Status.DELETED


def test_a_removed_staff_account_stays_shut(sso, idp, client) -> None:
    sign_on(client, idp)
    user = SingleSignOnIdentity.objects.get(subject=STAFF["sub"]).user
    User.objects.filter(pk=user.pk).update(status=User.Status.REMOVED)

    response = sign_on(Client(), idp)

    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="auth.sso_refused", data={"reason": "status_removed"})


def _forged(idp: IdentityProvider, **changes):
    def rewrite(token: str) -> str:
        return idp.sign({**unverified_claims(token), **changes})

    return rewrite


REFUSALS = {
    "unsigned (alg none)": lambda idp: lambda token: unsigned(unverified_claims(token)),
    "signed with another key": lambda idp: (
        lambda token: idp.sign(unverified_claims(token), key=new_private_key())
    ),
    "signed with an unknown key id": lambda idp: (
        lambda token: idp.sign(unverified_claims(token), kid="someone-else")
    ),
    "HS256 with the public key as secret": lambda idp: (
        lambda token: idp.sign(
            unverified_claims(token), key=CLIENT_ID.encode() * 4, algorithm="HS256"
        )
    ),
    "another issuer": lambda idp: _forged(idp, iss="https://evil.example"),
    "another audience": lambda idp: _forged(idp, aud="another-client"),
    "two audiences, no authorized party": lambda idp: _forged(idp, aud=[CLIENT_ID, "other"]),
    "expired": lambda idp: _forged(idp, exp=int(time.time()) - 3600, iat=int(time.time()) - 7200),
    "no expiry": lambda idp: (
        lambda token: idp.sign({k: v for k, v in unverified_claims(token).items() if k != "exp"})
    ),
    "another subject than userinfo": lambda idp: _forged(idp, sub="someone-else"),
    "garbage": lambda idp: lambda token: "not-a-token",
}


@pytest.mark.parametrize("case", REFUSALS)
def test_a_refused_id_token_opens_no_session_and_is_audited(sso, idp, client, case) -> None:
    sso.rewrite = REFUSALS[case](idp)

    response = sign_on(client, idp)

    assert response.status_code == 403
    assert "could not sign you in" in response.content.decode()
    assert signed_in_user(client) is None
    assert not SingleSignOnIdentity.objects.exists()
    assert AuditEvent.objects.filter(action="auth.sso_refused").count() == 1
    assert not AuditEvent.objects.filter(action="auth.login_succeeded").exists()


def test_a_replayed_id_token_is_refused_by_its_nonce(sso, idp, client) -> None:
    sign_on(client, idp)
    captured = sso.seen[-1]
    sso.rewrite = lambda token: captured  # a valid, signed token from an earlier sign-in

    other = Client()
    response = sign_on(other, idp)

    assert response.status_code == 403
    assert signed_in_user(other) is None
    assert AuditEvent.objects.filter(action="auth.sso_refused", data={"reason": "nonce_or_key"})


def test_a_replayed_callback_is_refused(sso, idp, client) -> None:
    start = client.get("/sign-in/agency/")
    back = callback_path(idp.authorize(start["Location"], STAFF["sub"], PASSWORD))
    client.get(back)
    client.post("/sign-out/")

    response = client.get(back)

    assert response.status_code == 403
    assert signed_in_user(client) is None


def test_an_expired_token_by_the_portal_clock_is_refused(sso, idp, client) -> None:
    start = client.get("/sign-in/agency/")
    back = callback_path(idp.authorize(start["Location"], STAFF["sub"], PASSWORD))
    with time_machine.travel(time.time() + 3 * 3600, tick=True):
        # The provider still answers (its clock is right); its 10-minute token is stale here.
        response = client.get(back)

    assert response.status_code == 403


def test_a_provider_error_in_the_callback_is_refused_plainly(sso, idp, client) -> None:
    client.get("/sign-in/agency/")
    state = next(iter(client.session["oidc_states"]))

    response = client.get(f"/sign-in/agency/callback/?error=access_denied&state={state}")

    assert response.status_code == 403
    assert AuditEvent.objects.filter(action="auth.sso_refused", data={"reason": "provider_error"})


def test_an_unreachable_provider_is_refused_plainly(sso, idp, client, settings) -> None:
    start = client.get("/sign-in/agency/")
    back = callback_path(idp.authorize(start["Location"], STAFF["sub"], PASSWORD))
    settings.OIDC_OP_TOKEN_ENDPOINT = "http://127.0.0.1:9/token"

    response = client.get(back)

    assert response.status_code == 403
    assert AuditEvent.objects.filter(
        action="auth.sso_refused", data={"reason": "provider_unreachable"}
    )


def test_without_an_issuer_the_staff_door_says_it_is_not_connected(db, client, settings) -> None:
    settings.SSO_ISSUER = ""

    response = client.get("/sign-in/agency/")

    assert response.status_code == 200
    assert "not available" in response.content.decode()
    assert client.get("/sign-in/agency/callback/?code=x&state=y").status_code == 200


def test_staff_are_not_asked_for_a_second_factor_and_the_providers_amr_is_kept(
    sso, idp, client, settings
) -> None:
    """The identity provider is the second factor of single sign-on (ADR 0025), whatever the
    setting or the organization asks of local passwords."""
    from portal.registry.models import Organization

    settings.SECOND_FACTOR_FOR_MASTERS_AND_AGENCY = True
    Organization.objects.filter(kind="agency").update(second_factor_required=True)
    sso.rewrite = _forged(idp, amr=["pwd", "hwk", 7])

    response = sign_on(client, idp)

    assert response["Location"] == "/" and signed_in_user(client) is not None
    event = AuditEvent.objects.filter(action="auth.login_succeeded").latest("id")
    assert event.data == {"method": "single_sign_on", "amr": ["pwd", "hwk"]}


def test_without_amr_the_sign_on_event_says_single_sign_on_only(sso, idp, client) -> None:
    sign_on(client, idp)
    event = AuditEvent.objects.filter(action="auth.login_succeeded").latest("id")
    assert event.data == {"method": "single_sign_on"}
