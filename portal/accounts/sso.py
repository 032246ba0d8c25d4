"""The OpenID Connect relying party for agency staff (SPEC §2.9, ADR 0011).

mozilla-django-oidc runs the authorization-code flow with PKCE, state and nonce. This backend
adds what it leaves out: the ID token's issuer, audience, authorized party, expiry and issue
time are checked, not only its signature; the userinfo answer must be about the same subject;
and accounts are found by issuer + subject alone, never by e-mail.
"""

from typing import Any

import jwt
import requests
from django.conf import settings
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from .models import User
from .services.sso import SingleSignOnRefused, staff_account_for

REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub"]


def authentication_methods(amr: object) -> list[str] | None:
    """The `amr` claim as short codes (RFC 8176: "pwd", "otp", "hwk", "mfa"...), or None."""
    if not isinstance(amr, list):
        return None
    return [str(method)[:32] for method in amr if isinstance(method, str)][:10] or None


def sso_enabled() -> bool:
    return bool(settings.SSO_ISSUER and settings.OIDC_RP_CLIENT_ID)


class StaffSingleSignOnBackend(OIDCAuthenticationBackend):  # type: ignore[misc]
    """Signs staff in from the identity provider's answer; `authenticate` raises
    SingleSignOnRefused (or SuspiciousOperation, from the library) for any answer it refuses."""

    def authenticate(self, request: HttpRequest | None, **kwargs: Any) -> User | None:
        if request is None or not sso_enabled():
            return None
        try:
            return super().authenticate(request, **kwargs)  # type: ignore[no-any-return]
        except jwt.PyJWTError as error:
            raise SingleSignOnRefused("bad_token") from error
        except requests.RequestException as error:
            raise SingleSignOnRefused("provider_unreachable") from error

    def _verify_jws(self, payload: bytes, key: Any) -> dict[str, Any]:
        algorithm = jwt.get_unverified_header(payload).get("alg")
        if algorithm != self.OIDC_RP_SIGN_ALGO:  # refuses "none" and algorithm swaps
            raise SingleSignOnRefused("wrong_algorithm")
        claims: dict[str, Any] = jwt.decode(
            payload,
            key,
            algorithms=[self.OIDC_RP_SIGN_ALGO],
            audience=self.OIDC_RP_CLIENT_ID,
            issuer=settings.SSO_ISSUER,
            leeway=settings.SSO_CLOCK_LEEWAY_SECONDS,
            options={"require": REQUIRED_CLAIMS},
        )
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SingleSignOnRefused("wrong_authorized_party")
        return claims

    def verify_token(self, token: str, **kwargs: Any) -> dict[str, Any]:
        try:
            return super().verify_token(token, **kwargs)  # type: ignore[no-any-return]
        except SuspiciousOperation as error:  # the library's nonce and key checks
            raise SingleSignOnRefused("nonce_or_key") from error

    def get_userinfo(self, access_token: str, id_token: str, payload: dict[str, Any]) -> Any:
        userinfo = super().get_userinfo(access_token, id_token, payload)
        if not isinstance(userinfo, dict) or userinfo.get("sub") != payload["sub"]:
            raise SingleSignOnRefused("userinfo_subject_mismatch")  # OIDC Core §5.3.2
        # The identity provider is the second factor of staff (ADR 0025): how it authenticated
        # them (the ID token's `amr`, OIDC Core §2) goes into the sign-in's audit event.
        self.request.sso_amr = authentication_methods(payload.get("amr"))
        return userinfo

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        return bool(claims.get("sub"))

    def filter_users_by_claims(self, claims: dict[str, Any]) -> Any:
        # Not by e-mail, as the library would: only issuer + subject name a staff account.
        return User.objects.filter(
            sso_identity__issuer=settings.SSO_ISSUER, sso_identity__subject=claims["sub"]
        )

    def create_user(self, claims: dict[str, Any]) -> User:
        return staff_account_for(settings.SSO_ISSUER, claims)

    def update_user(self, user: User, claims: dict[str, Any]) -> User:
        return staff_account_for(settings.SSO_ISSUER, claims)
