"""State changes of the accounts app: one atomic function per change, each with its audit event."""

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import login, logout
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from portal.core import audit
from portal.core.roles import all_roles

from ..models import RoleGrant, TermsVersion, User
from ..session_limits import STARTED, mark
from .lockout import address_is_throttled, clear_failures, record_failure

GENERIC_FAILURE = (
    "The username or password is not right. Check them and try again; passwords are case-sensitive."
)


THROTTLED = (
    "There have been too many failed sign-ins from your network. Wait 15 minutes, then try again."
)
AWAITING_APPROVAL = (
    "Your account is waiting for a master account holder of your organization to approve it. "
    "You can sign in once they have."
)


@dataclass(frozen=True)
class SignInResult:
    user: User | None
    error: str | None
    gate: str | None = None  # the gate page (URL name) to pass before the first session


@dataclass(frozen=True)
class CredentialCheck:
    account: User | None  # the account the username names, whether or not it may sign in
    reason: str  # "ok", or why not: for the audit trail only, never shown

    @property
    def ok(self) -> bool:
        return self.reason == "ok"


def check_credentials(username: str, password: str) -> CredentialCheck:
    """Say whether these credentials may open a session.

    An unknown username still costs one password hash, so timing does not tell them apart. A
    right password that no longer meets the password policy (set before the policy was raised,
    or brought from the previous portal) must be replaced at this sign-in.
    """
    user = User.objects.select_related("organization").filter(username__iexact=username).first()
    if user is None or not user.has_usable_password():
        User().set_password(password)
        return CredentialCheck(user, "unknown_user" if user is None else "no_local_password")
    if not user.check_password(password):
        return CredentialCheck(user, "wrong_password")
    if not user.password_change_required and not meets_password_policy(password, user):
        require_password_change(user, reason="below_policy")
    # Before any gate: no gate, the second factor included, leads into a session it may not have.
    is_agency = user.organization is not None and user.organization.kind == "agency"
    if is_agency and not settings.ALLOW_AGENCY_LOCAL_PASSWORD:
        return CredentialCheck(user, "agency_local_password_disabled")
    gate = next_gate(user)
    if gate is not None:
        return CredentialCheck(user, f"gate_{gate}")
    if user.status != User.Status.ACTIVE:
        return CredentialCheck(user, f"status_{user.status}")
    return CredentialCheck(user, "ok")


def sign_in(request: HttpRequest, username: str, password: str) -> SignInResult:
    """Check the credentials; on success start a fresh session. Either way, audit the attempt.

    Failures count toward the account's lockout and the client address's throttle.
    """
    if address_is_throttled(request):
        audit.record("auth.login_throttled", request=request)
        return SignInResult(None, THROTTLED)
    check = check_credentials(username, password)
    user = check.account
    with transaction.atomic():
        if user is not None and check.reason.startswith("gate_"):
            gate = check.reason.removeprefix("gate_")
            audit.record("auth.login_gated", organization=user.organization, target=user,
                         request=request, data={"gate": gate})  # fmt: skip
            return SignInResult(user, None, gate=gate)
        if user is None or not check.ok:
            audit.record(
                "auth.login_failed",
                organization=user.organization if user else None,
                target=user,
                request=request,
                data={"reason": check.reason},
            )
            record_failure(user, request)
            waiting = check.reason == f"status_{User.Status.AWAITING_APPROVAL}"
            return SignInResult(None, AWAITING_APPROVAL if waiting else GENERIC_FAILURE)
        start_session(request, user)
    return SignInResult(user, None)


def next_gate(user: User, *, factor: str | None = None) -> str | None:
    """The next page (URL name) this account must pass before a session, in SPEC §2.4 order.

    The second factor comes first, right after the password (ADR 0025); `factor` says how this
    sign-in already gave it. An account that must have one but has none sets it up once the
    gates that prove who it is (activation letter, moved account) are passed.
    """
    from .second_factor import has_second_factor, second_factor_required

    if user.status == User.Status.ACTIVE and factor is None and has_second_factor(user):
        return "second_factor"
    if user.status == User.Status.AWAITING_ACTIVATION:
        return "activate"
    if user.status != User.Status.ACTIVE:
        return None
    if user.ported:
        return "confirm_email"
    if factor is None and second_factor_required(user):
        return "enrol_second_factor"
    organization = user.organization
    if organization is not None and organization.npi_deactivated:
        return "renew_npi"
    terms = TermsVersion.current()
    if terms is not None and not user.terms_acceptances.filter(terms=terms).exists():
        return "accept_terms"
    if user.password_change_required:
        return "new_password"
    return None


def meets_password_policy(password: str, user: User) -> bool:
    try:
        validate_password(password, user)
    except ValidationError:
        return False
    return True


def require_password_change(
    user: User, *, reason: str, by: User | None = None, request: HttpRequest | None = None
) -> bool:
    """Make the account choose a new password at its next sign-in (once; True if it changed)."""
    with transaction.atomic():
        updated = User.objects.filter(pk=user.pk, password_change_required=False).update(
            password_change_required=True
        )
        if updated:
            user.password_change_required = True
            audit.record("account.password_change_required", actor=by,
                         organization=user.organization, target=user, request=request,
                         data={"reason": reason})  # fmt: skip
    return bool(updated)


def start_session(
    request: HttpRequest, user: User, *, factor: str | None = None, amr: list[str] | None = None
) -> None:
    """Open a fresh session (new key) for an account that passed sign-in and its gates.

    The audit event says how: by password or single sign-on, the second factor given (if any)
    and, for single sign-on, the identity provider's authentication methods (`amr`) when sent.
    """
    data: dict[str, object] = {
        "method": "single_sign_on" if factor == "identity_provider" else "password"
    }
    if factor is not None and factor != "identity_provider":
        data["second_factor"] = factor
    if amr:
        data["amr"] = amr
    with transaction.atomic():
        login(request, user, backend="portal.accounts.backends.PortalBackend")
        mark(request, STARTED)
        User.objects.filter(pk=user.pk).update(last_activity_at=timezone.now())
        clear_failures(user)
        audit.record("auth.login_succeeded", actor=user, target=user, request=request, data=data)


def sign_out(request: HttpRequest, *, reason: str = "signed_out") -> None:
    """End this browser's session and audit it (`reason`: signed_out, idle or absolute)."""
    user = request.user
    with transaction.atomic():
        if user.is_authenticated:
            data = {} if reason == "signed_out" else {"reason": reason}
            audit.record("auth.logged_out", actor=user, target=user, request=request, data=data)
        logout(request)


def grant_role(user: User, role: str, *, by: User | None) -> RoleGrant:
    """Give `user` a site privilege allowed for its organization's kind.

    `by` is None for the system itself (demo data, single sign-on's group mapping).
    """
    from ..access import manages_accounts_of

    if by is not None and not manages_accounts_of(by, user.organization):
        raise PermissionDenied
    declared = all_roles().get(role)
    if declared is None or user.organization is None:
        raise PermissionDenied
    if user.organization.kind not in declared.kinds:
        raise PermissionDenied
    with transaction.atomic():
        grant, created = RoleGrant.objects.get_or_create(
            user=user, role=role, defaults={"granted_by": by}
        )
        if created:
            audit.record(
                "role.granted",
                actor=by,
                organization=user.organization,
                target=user,
                data={"role": role},
            )
    return grant
