"""State changes of the accounts app: one atomic function per change, each with its audit event.

Split by topic; import from here (`from portal.accounts import services`).
"""

from .auth import (
    GENERIC_FAILURE,
    THROTTLED,
    CredentialCheck,
    SignInResult,
    check_credentials,
    grant_role,
    next_gate,
    sign_in,
    sign_out,
    start_session,
)
from .terms import accept_terms

__all__ = [
    "GENERIC_FAILURE",
    "THROTTLED",
    "CredentialCheck",
    "SignInResult",
    "accept_terms",
    "check_credentials",
    "grant_role",
    "next_gate",
    "sign_in",
    "sign_out",
    "start_session",
]
