"""What a master does to the accounts of their own organization (SPEC §2.6).

Each change is one transaction: a conditional update (so a double click changes nothing twice),
its audit event, and the e-mail to the account concerned.
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest

from portal.core import audit
from portal.core.roles import roles_allowed_for

from ..access import manages_accounts_of
from ..emails import send_account_notice
from ..models import RoleGrant, User
from .auth import require_password_change
from .recovery import send_recovery_code


class AccountActionRefused(Exception):
    """The change cannot be made as asked; the message says why. Nothing was changed."""


def _check_manager(account: User, by: User | None) -> None:
    """Services check permission too: a master acts only within their own organization."""
    if by is not None and not manages_accounts_of(by, account.organization):
        raise PermissionDenied


def _move(account: User, sources: tuple[str, ...], changes: dict[str, str], refusal: str) -> None:
    """Apply `changes` only if the account is still in one of `sources` (one row, or refuse)."""
    updated = User.objects.filter(pk=account.pk, status__in=sources).update(**changes)
    if updated != 1:
        raise AccountActionRefused(refusal)
    for name, value in changes.items():
        setattr(account, name, value)


def approve_account(account: User, *, by: User, request: HttpRequest | None = None) -> None:
    _check_manager(account, by)
    with transaction.atomic():
        _move(account, (User.Status.AWAITING_APPROVAL,), {"status": User.Status.ACTIVE},
              "This account is no longer waiting for approval.")  # fmt: skip
        audit.record("account.approved", actor=by, target=account, request=request)
        send_account_notice(account, "approved", by=by)


def remove_account(account: User, *, by: User, request: HttpRequest | None = None) -> None:
    """The account can no longer sign in; its name, reports and history stay."""
    _check_manager(account, by)
    if account.pk == by.pk:
        raise AccountActionRefused("You cannot remove your own account. Ask another master.")
    live = (User.Status.AWAITING_APPROVAL, User.Status.ACTIVE, User.Status.LOCKED)
    with transaction.atomic():
        _move(account, live, {"status": User.Status.REMOVED}, "This account is already removed.")
        audit.record("account.removed", actor=by, target=account, request=request)
        send_account_notice(account, "removed", by=by)


def make_master(account: User, *, by: User, request: HttpRequest | None = None) -> None:
    """Another master for the organization; the acting master stays one."""
    _check_manager(account, by)
    with transaction.atomic():
        updated = User.objects.filter(
            pk=account.pk, status=User.Status.ACTIVE, account_type=User.AccountType.INDIVIDUAL
        ).update(account_type=User.AccountType.MASTER)
        if updated != 1:
            raise AccountActionRefused("Only an active individual account can become a master.")
        account.account_type = User.AccountType.MASTER
        audit.record("account.made_master", actor=by, target=account, request=request)
        send_account_notice(account, "made_master", by=by)


def request_recovery(account: User, *, by: User, request: HttpRequest | None = None) -> None:
    """E-mail the account a recovery code, without its security questions (SPEC §2.5)."""
    _check_manager(account, by)
    if account.status not in (User.Status.ACTIVE, User.Status.LOCKED):
        raise AccountActionRefused("Password recovery is for active or locked accounts.")
    if not account.email:
        raise AccountActionRefused("This account has no e-mail address to send the code to.")
    with transaction.atomic():
        audit.record("account.recovery_requested", actor=by, target=account, request=request)
        send_recovery_code(account, by=by, request=request)


def require_new_password(account: User, *, by: User, request: HttpRequest | None = None) -> None:
    """At their next sign-in the holder must choose a new password (one that may have been seen
    by someone else, for example). Sessions already open go on until they end."""
    _check_manager(account, by)
    if account.status not in (User.Status.ACTIVE, User.Status.LOCKED):
        raise AccountActionRefused("Only an active or locked account can be asked for a password.")
    if not account.has_usable_password():
        raise AccountActionRefused("This account signs in through the agency, not a password.")
    with transaction.atomic():
        if not require_password_change(account, reason="asked", by=by, request=request):
            raise AccountActionRefused("This account must already choose a new password.")
        send_account_notice(account, "password_change_required", by=by)


def update_account_details(
    account: User, *, by: User, details: dict[str, str], request: HttpRequest | None = None
) -> list[str]:
    """Change name, phone or e-mail; returns the names of the fields that changed."""
    _check_manager(account, by)
    changed = [name for name, value in details.items() if getattr(account, name) != value]
    if not changed:
        return []
    old_email = account.email
    with transaction.atomic():
        User.objects.filter(pk=account.pk).update(**details)
        for name, value in details.items():
            setattr(account, name, value)
        audit.record("account.details_changed", actor=by, target=account, request=request,
                     data={"fields": changed})  # fmt: skip
        send_account_notice(account, "details_changed", by=by)
        if "email" in changed and old_email:  # the old address hears of it too
            send_account_notice(account, "details_changed", by=by, to=old_email)
    return changed


def set_roles(
    account: User, roles: set[str], *, by: User | None, request: HttpRequest | None = None
) -> tuple[set[str], set[str]]:
    """Make the account's site privileges exactly `roles`; returns (granted, revoked)."""
    _check_manager(account, by)
    if account.organization is None:
        raise AccountActionRefused("This account belongs to no organization.")
    allowed = {role.name for role in roles_allowed_for(account.organization.kind)}
    if not roles <= allowed:
        raise AccountActionRefused("Some of these privileges are not for this organization.")
    with transaction.atomic():
        held = set(RoleGrant.objects.select_for_update().filter(user=account)
                   .values_list("role", flat=True))  # fmt: skip
        granted, revoked = roles - held, (held & allowed) - roles
        RoleGrant.objects.bulk_create(
            RoleGrant(user=account, role=r, granted_by=by) for r in granted
        )
        RoleGrant.objects.filter(user=account, role__in=revoked).delete()
        for action, names in (("role.granted", granted), ("role.revoked", revoked)):
            for role in sorted(names):
                audit.record(action, actor=by, organization=account.organization,
                             target=account, request=request, data={"role": role})  # fmt: skip
        if granted or revoked:
            send_account_notice(account, "privileges_changed", by=by)
    return granted, revoked
