"""The second factor (ADR 0025): passkeys, authenticator-app codes and recovery codes.

Each change is one transaction with its audit event. A wrong code or passkey at sign-in counts
toward the same lockout as a wrong password (services.lockout); a code works once.
"""

import json
import secrets
from dataclasses import dataclass
from typing import Any

import pyotp
import webauthn
from cryptography.fernet import InvalidToken
from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.http.request import split_domain_port
from django.utils import timezone
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url, options_to_json
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from portal.core import audit
from portal.registry.models import Organization

from ..access import manages_accounts_of
from ..emails import send_account_notice
from ..models import AuthenticatorApp, Passkey, SecondFactorRecoveryCode, User
from ..secret_box import seal, unseal
from .lockout import record_failure

# What the audit trail and the sign-in event call each kind of second factor.
PASSKEY, AUTHENTICATOR_APP, RECOVERY_CODE, IDENTITY_PROVIDER = (
    "passkey",
    "authenticator_app",
    "recovery_code",
    "identity_provider",
)
RECOVERY_CODE_COUNT = 10
# Crockford-like: no 0/O, 1/I/L or U, so a code read aloud or copied by hand stays right.
RECOVERY_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
RECOVERY_CODE_LENGTH = 12  # about 59 bits
TOTP_STEP_SECONDS = 30
TOTP_DIGITS = 6
# A code of the step before or after the current one is accepted (clocks drift; people type).
TOTP_DRIFT_STEPS = 1
CHALLENGE_KEY = "webauthn_challenge"
PENDING_APP_SESSION = "pending_authenticator_app"


class FactorRemovalRefused(Exception):
    """The second factor cannot be removed as asked; the message says why."""


@dataclass(frozen=True)
class FactorCheck:
    """What checking a second factor at sign-in found."""

    ok: bool
    kind: str
    reason: str = ""  # for the audit trail only
    remaining: int | None = None  # recovery codes left after this one
    locked: bool = False  # this failure locked the account


# --- who needs one --------------------------------------------------------------------------------
def has_second_factor(user: User) -> bool:
    return user.passkeys.exists() or user.authenticator_apps.exists()


def second_factor_required(user: User) -> bool:
    """The organization asks it of everyone, or the setting asks it of masters and the agency."""
    organization = user.organization
    if organization is not None and organization.second_factor_required:
        return True
    if not settings.SECOND_FACTOR_FOR_MASTERS_AND_AGENCY:
        return False
    return user.is_master or (organization is not None and organization.kind == "agency")


# --- authenticator apps (TOTP, RFC 6238) ----------------------------------------------------------
def new_totp_secret() -> str:
    return pyotp.random_base32(length=32)  # 160 bits, as RFC 4226 recommends


def totp_uri(user: User, secret: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return _totp(secret).provisioning_uri(name=user.username, issuer_name=settings.TOTP_ISSUER)


def _totp(secret: str) -> pyotp.TOTP:
    return pyotp.TOTP(secret, digits=TOTP_DIGITS, interval=TOTP_STEP_SECONDS)


def _current_step() -> int:
    return int(timezone.now().timestamp()) // TOTP_STEP_SECONDS


def _digits(code: str) -> str:
    return "".join(code.split()).replace("-", "")


def _matching_step(secret: str, code: str) -> int | None:
    """The time step whose code this is, within the drift allowed; None if none matches."""
    code = _digits(code)
    if len(code) != TOTP_DIGITS or not code.isdigit():
        return None
    totp, now = _totp(secret), _current_step()
    found = None
    for step in range(now - TOTP_DRIFT_STEPS, now + TOTP_DRIFT_STEPS + 1):
        # Every step is compared, in constant time, so timing tells nothing about which matched.
        if pyotp.utils.strings_equal(totp.generate_otp(step), code):
            found = step
    return found


def add_authenticator_app(
    user: User, *, name: str, secret: str, code: str, request: HttpRequest | None = None
) -> tuple[AuthenticatorApp | None, list[str]]:
    """Keep the app if `code` proves it holds `secret`; with the first second factor, the ten
    recovery codes (shown once). (None, []) when the code is not right."""
    step = _matching_step(secret, code)
    if step is None:
        return None, []
    with transaction.atomic():
        app = AuthenticatorApp.objects.create(
            user=user, name=name, secret=seal(secret), last_step=step
        )
        codes = _enrolled(user, AUTHENTICATOR_APP, request)
    return app, codes


def verify_totp(user: User, code: str, request: HttpRequest) -> FactorCheck:
    """A code of one of the account's apps, never accepted twice (RFC 6238 §5.2)."""
    with transaction.atomic():
        for app in user.authenticator_apps.all():
            try:
                step = _matching_step(unseal(app.secret), code)
            except InvalidToken:  # sealed under a key no longer configured
                continue
            if step is None:
                continue
            # Conditional: of two requests with the same code, one wins.
            used = AuthenticatorApp.objects.filter(pk=app.pk, last_step__lt=step).update(
                last_step=step, last_used_at=timezone.now()
            )
            if used:
                return _used(user, AUTHENTICATOR_APP, request)
            return _failed(user, AUTHENTICATOR_APP, "replayed", request)
    return _failed(user, AUTHENTICATOR_APP, "wrong_code", request)


def hold_pending_secret(request: HttpRequest, user: User) -> str:
    """The secret being enrolled in this session: the same one until it is kept, so the page
    can be shown again without the QR code already scanned going stale."""
    held = request.session.get(PENDING_APP_SESSION) or {}
    if held.get("user") == user.pk:
        return unseal(held["secret"])
    secret = new_totp_secret()
    request.session[PENDING_APP_SESSION] = {"user": user.pk, "secret": seal(secret)}
    return secret


def drop_pending_secret(request: HttpRequest) -> None:
    request.session.pop(PENDING_APP_SESSION, None)


# --- passkeys (WebAuthn Level 3) ------------------------------------------------------------------
def _rp_id(request: HttpRequest) -> str:
    return settings.WEBAUTHN_RP_ID or split_domain_port(request.get_host())[0]


def _origin(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def _descriptor(passkey: Passkey) -> PublicKeyCredentialDescriptor:
    transports = []
    for name in passkey.transports:
        try:
            transports.append(AuthenticatorTransport(name))
        except ValueError:
            continue
    return PublicKeyCredentialDescriptor(
        id=base64url_to_bytes(passkey.credential_id), transports=transports or None
    )


def _hold_challenge(request: HttpRequest, user: User, purpose: str, challenge: bytes) -> None:
    request.session[CHALLENGE_KEY] = {
        "user": user.pk,
        "purpose": purpose,
        "challenge": bytes_to_base64url(challenge),
    }


def _take_challenge(request: HttpRequest, user: User, purpose: str) -> bytes | None:
    """The challenge this session was given for `purpose`; it works once."""
    held = request.session.pop(CHALLENGE_KEY, None) or {}
    if held.get("user") != user.pk or held.get("purpose") != purpose:
        return None
    return base64url_to_bytes(held["challenge"])


def registration_options(user: User, request: HttpRequest) -> dict[str, Any]:
    """What the browser needs to create a passkey for this account (its challenge is kept)."""
    options = webauthn.generate_registration_options(
        rp_id=_rp_id(request),
        rp_name=settings.WEBAUTHN_RP_NAME,
        user_name=user.username,
        user_id=user.code.bytes,  # a random handle, never the username or e-mail
        user_display_name=user.get_full_name() or user.username,
        exclude_credentials=[_descriptor(p) for p in user.passkeys.all()],
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
    )
    _hold_challenge(request, user, "register", options.challenge)
    return json.loads(options_to_json(options))  # type: ignore[no-any-return]


def add_passkey(
    user: User, *, name: str, credential: str, request: HttpRequest
) -> tuple[Passkey | None, list[str]]:
    """Keep the passkey the browser created for this session's challenge; with the first
    second factor, the ten recovery codes. (None, []) when the answer does not verify."""
    challenge = _take_challenge(request, user, "register")
    if challenge is None:
        return None, []
    try:
        verified = webauthn.verify_registration_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=_rp_id(request),
            expected_origin=_origin(request),
        )
    except (WebAuthnException, ValueError, KeyError, TypeError):
        return None, []
    credential_id = bytes_to_base64url(verified.credential_id)
    with transaction.atomic():
        if Passkey.objects.filter(credential_id=credential_id).exists():
            return None, []
        passkey = Passkey.objects.create(
            user=user,
            name=name,
            credential_id=credential_id,
            public_key=verified.credential_public_key,
            sign_count=verified.sign_count,
            transports=_transports(credential),
        )
        codes = _enrolled(user, PASSKEY, request)
    return passkey, codes


def _transports(credential: str) -> list[str]:
    try:
        listed = json.loads(credential)["response"].get("transports") or []
    except (ValueError, KeyError, TypeError, AttributeError):
        return []
    return [str(name)[:20] for name in listed if isinstance(name, str)][:8]


def authentication_options(user: User, request: HttpRequest) -> dict[str, Any] | None:
    """What the browser needs to sign with one of this account's passkeys; None without any."""
    passkeys = list(user.passkeys.all())
    if not passkeys:
        return None
    options = webauthn.generate_authentication_options(
        rp_id=_rp_id(request),
        allow_credentials=[_descriptor(p) for p in passkeys],
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    _hold_challenge(request, user, "authenticate", options.challenge)
    return json.loads(options_to_json(options))  # type: ignore[no-any-return]


def verify_passkey(user: User, credential: str, request: HttpRequest) -> FactorCheck:
    """A signature by one of the account's passkeys over this session's challenge."""
    challenge = _take_challenge(request, user, "authenticate")
    if challenge is None:
        return _failed(user, PASSKEY, "no_challenge", request)
    try:
        credential_id = str(json.loads(credential)["id"])
    except (ValueError, KeyError, TypeError):
        return _failed(user, PASSKEY, "malformed", request)
    passkey = user.passkeys.filter(credential_id=credential_id).first()
    if passkey is None:
        return _failed(user, PASSKEY, "unknown_passkey", request)
    try:
        verified = webauthn.verify_authentication_response(
            credential=credential,
            expected_challenge=challenge,
            expected_rp_id=_rp_id(request),
            expected_origin=_origin(request),
            credential_public_key=bytes(passkey.public_key),
            credential_current_sign_count=passkey.sign_count,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError):
        return _failed(user, PASSKEY, "not_verified", request)
    with transaction.atomic():
        Passkey.objects.filter(pk=passkey.pk).update(
            sign_count=verified.new_sign_count, last_used_at=timezone.now()
        )
        return _used(user, PASSKEY, request)


# --- recovery codes -------------------------------------------------------------------------------
def _normalized_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").upper()


def _formatted(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def new_recovery_codes(user: User, request: HttpRequest | None = None) -> list[str]:
    """Ten new single-use codes, replacing any left; only their hashes are kept."""
    codes = [
        "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
        for _ in range(RECOVERY_CODE_COUNT)
    ]
    with transaction.atomic():
        SecondFactorRecoveryCode.objects.filter(user=user).delete()
        SecondFactorRecoveryCode.objects.bulk_create(
            SecondFactorRecoveryCode(user=user, code_hash=make_password(code)) for code in codes
        )
        audit.record(
            "second_factor.recovery_codes_made",
            actor=user,
            target=user,
            request=request,
            data={"count": RECOVERY_CODE_COUNT},
        )
    return [_formatted(code) for code in codes]


def recovery_codes_left(user: User) -> int:
    return user.second_factor_recovery_codes.filter(used_at__isnull=True).count()


def use_recovery_code(user: User, code: str, request: HttpRequest) -> FactorCheck:
    """One of the account's unused recovery codes, used up by this."""
    code = _normalized_code(code)
    if len(code) == RECOVERY_CODE_LENGTH and has_second_factor(user):
        with transaction.atomic():
            for row in user.second_factor_recovery_codes.filter(used_at__isnull=True):
                if not check_password(code, row.code_hash):
                    continue
                used = SecondFactorRecoveryCode.objects.filter(
                    pk=row.pk, used_at__isnull=True
                ).update(used_at=timezone.now())
                if used:
                    return _used(user, RECOVERY_CODE, request, remaining=recovery_codes_left(user))
                break  # used by a request running at the same time
    return _failed(user, RECOVERY_CODE, "wrong_code", request)


# --- what happens at sign-in ----------------------------------------------------------------------
def _used(
    user: User, kind: str, request: HttpRequest, *, remaining: int | None = None
) -> FactorCheck:
    data: dict[str, Any] = {"kind": kind}
    if remaining is not None:
        data["remaining"] = remaining
    audit.record("second_factor.used", actor=user, target=user, request=request, data=data)
    return FactorCheck(True, kind, remaining=remaining)


def _failed(user: User, kind: str, reason: str, request: HttpRequest) -> FactorCheck:
    """Audited, and counted toward the account's lockout like a wrong password."""
    with transaction.atomic():
        audit.record(
            "second_factor.failed",
            organization=user.organization,
            target=user,
            request=request,
            data={"kind": kind, "reason": reason},
        )
        locked = record_failure(user, request)
    return FactorCheck(False, kind, reason=reason, locked=locked)


# --- enrolment, removal, reset --------------------------------------------------------------------
def _enrolled(user: User, kind: str, request: HttpRequest | None) -> list[str]:
    """Audit and tell the holder; the first second factor comes with its recovery codes."""
    audit.record(
        "second_factor.enrolled", actor=user, target=user, request=request, data={"kind": kind}
    )
    send_account_notice(user, "second_factor_added", by=None)
    if user.second_factor_recovery_codes.filter(used_at__isnull=True).exists():
        return []
    return new_recovery_codes(user, request)


FACTOR_MODELS: dict[str, type[Passkey] | type[AuthenticatorApp]] = {
    "passkey": Passkey,
    "authenticator-app": AuthenticatorApp,
}


def remove_factor(user: User, kind: str, pk: int, *, request: HttpRequest) -> str:
    """Remove one of the person's own passkeys or apps; returns its name.

    The last one cannot go while a second factor is required of the account; when the last one
    goes, so do the recovery codes, which stand in for it only.
    """
    model = FACTOR_MODELS[kind]
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # one removal at a time
        factor = model.objects.filter(user=user, pk=pk).first()
        if factor is None:
            raise FactorRemovalRefused("This second factor was already removed.")
        total = user.passkeys.count() + user.authenticator_apps.count()
        if total == 1 and second_factor_required(user):
            raise FactorRemovalRefused(
                "Your account needs a second factor: add another one before removing this one."
            )
        factor.delete()
        if total == 1:
            user.second_factor_recovery_codes.all().delete()
        kind_name = PASSKEY if model is Passkey else AUTHENTICATOR_APP
        audit.record(
            "second_factor.removed",
            actor=user,
            target=user,
            request=request,
            data={"kind": kind_name},
        )
        send_account_notice(user, "second_factor_removed", by=None)
    return factor.name


def reset_second_factor(account: User, *, by: User, request: HttpRequest | None = None) -> None:
    """A master (their organization's accounts) or an agency admin (any) removes every second
    factor and recovery code of an account that lost them. Audited; the holder is e-mailed and
    sets up a new one at their next sign-in if one is required of them."""
    from .administration import AccountActionRefused

    if not manages_accounts_of(by, account.organization):
        raise PermissionDenied
    if account.pk == by.pk:
        raise AccountActionRefused(
            "You cannot reset your own second factor. Ask another master or the agency."
        )
    with transaction.atomic():
        passkeys, _ = Passkey.objects.filter(user=account).delete()
        apps, _ = AuthenticatorApp.objects.filter(user=account).delete()
        SecondFactorRecoveryCode.objects.filter(user=account).delete()
        if not passkeys and not apps:
            raise AccountActionRefused("This account has no second factor to reset.")
        audit.record(
            "second_factor.reset",
            actor=by,
            organization=account.organization,
            target=account,
            request=request,
            data={"passkeys": passkeys, "authenticator_apps": apps},
        )
        send_account_notice(account, "second_factor_reset", by=by)


def set_organization_requirement(
    organization: Organization, required: bool, *, by: User, request: HttpRequest | None = None
) -> bool:
    """A master asks every account of their organization for a second factor (or stops).
    People without one set it up at their next sign-in. True if it changed."""
    if not manages_accounts_of(by, organization):
        raise PermissionDenied
    with transaction.atomic():
        changed = Organization.objects.filter(
            pk=organization.pk, second_factor_required=not required
        ).update(second_factor_required=required)
        if changed:
            organization.second_factor_required = required
            audit.record(
                "second_factor.requirement_changed",
                actor=by,
                organization=organization,
                target=organization,
                request=request,
                data={"required": required},
            )
    return bool(changed)
