"""Staff accounts made and kept up to date from the agency's identity provider (SPEC §2.9).

The identity provider is the source of truth for staff: each sign-in copies the person's name
and e-mail from its claims and makes their roles exactly what their groups map to, so someone
who leaves a group loses its role at the next sign-in.
"""

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal.core import audit
from portal.core.roles import roles_allowed_for
from portal.registry.models import Organization

from ..models import SingleSignOnIdentity, User
from .administration import set_roles


class SingleSignOnRefused(Exception):
    """The identity provider's answer cannot sign anyone in. `reason` is a short code for the
    audit trail and the log; it never holds token contents or personal data."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def staff_account_for(issuer: str, claims: Mapping[str, Any]) -> User:
    """The staff account for this identity: created at its first sign-in, refreshed at every one.

    Runs in one transaction with its audit events. A staff account locked for inactivity opens
    again (the identity provider has just vouched for the person); a removed one stays shut.
    """
    with transaction.atomic():
        identity = (
            SingleSignOnIdentity.objects.select_for_update(of=("self",))
            .select_related("user__organization")
            .filter(issuer=issuer, subject=claims["sub"])
            .first()
        )
        if identity is None:
            identity = _create(issuer, claims)
        user = identity.user
        if user.status == User.Status.LOCKED:
            _reopen(user)
        elif user.status != User.Status.ACTIVE:
            raise SingleSignOnRefused(f"status_{user.status}")
        _copy_claims(user, claims)
        SingleSignOnIdentity.objects.filter(pk=identity.pk).update(last_sign_in_at=timezone.now())
        set_roles(user, roles_for_groups(claims.get(settings.SSO_GROUPS_CLAIM)), by=None)
    return user


def roles_for_groups(groups: object) -> set[str]:
    """The agency roles SSO_GROUP_ROLES gives these groups; other groups are ignored."""
    if not isinstance(groups, list):
        return set()
    allowed = {role.name for role in roles_allowed_for("agency")}
    mapped: set[str] = set()
    for group in groups:
        mapped |= settings.SSO_GROUP_ROLES.get(group, frozenset())
    return mapped & allowed


def _create(issuer: str, claims: Mapping[str, Any]) -> SingleSignOnIdentity:
    organization = Organization.objects.filter(
        kind="agency", identifier=settings.SSO_AGENCY_IDENTIFIER
    ).first()
    if organization is None:
        raise SingleSignOnRefused("no_agency_organization")
    user = User(
        username=_free_username(str(claims.get("preferred_username") or claims["sub"])),
        organization=organization,
        account_type=User.AccountType.STAFF,
        status=User.Status.ACTIVE,
        last_activity_at=timezone.now(),
    )
    user.set_unusable_password()  # staff have no local password (ASVS 6.8.1)
    user.save()
    identity = SingleSignOnIdentity.objects.create(user=user, issuer=issuer, subject=claims["sub"])
    audit.record("account.created_by_sso", organization=organization, target=user)
    return identity


def _reopen(user: User) -> None:
    User.objects.filter(pk=user.pk).update(status=User.Status.ACTIVE)
    user.status = User.Status.ACTIVE
    audit.record("account.unlocked", organization=user.organization, target=user,
                 data={"via": "sso"})  # fmt: skip


def _copy_claims(user: User, claims: Mapping[str, Any]) -> None:
    """Names and e-mail as the identity provider has them now; an e-mail address already used
    by another account is left out rather than taken from it."""
    changes = {
        "first_name": str(claims.get("given_name") or "")[:100],
        "last_name": str(claims.get("family_name") or "")[:100],
        "email": str(claims.get("email") or "")[:254],
    }
    if (
        changes["email"]
        and User.objects.filter(email__iexact=changes["email"]).exclude(pk=user.pk).exists()
    ):
        changes["email"] = ""
    changed = sorted(name for name, value in changes.items() if getattr(user, name) != value)
    if changed:
        User.objects.filter(pk=user.pk).update(**{name: changes[name] for name in changed})
        for name in changed:
            setattr(user, name, changes[name])
        audit.record("account.details_changed", organization=user.organization, target=user,
                     data={"fields": changed, "source": "sso"})  # fmt: skip


def _free_username(wanted: str) -> str:
    """`wanted`, or `wanted-2`, `wanted-3`…: the first not taken (usernames are shown, not keys)."""
    base = wanted[:140] or "staff"
    candidate, n = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate
