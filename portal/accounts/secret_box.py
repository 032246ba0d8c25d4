"""Secrets the portal must read back (authenticator-app keys), encrypted at rest (ADR 0025).

Fernet (AES-128-CBC with HMAC-SHA256) under a key derived from SECRET_KEY with HKDF; the keys of
SECRET_KEY_FALLBACKS still open what they sealed, so a key rotation that keeps the old key as a
fallback loses nothing. A database copy alone does not give anyone the codes.
"""

import base64
from functools import cache

from cryptography.fernet import Fernet, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_PURPOSE = b"qm-portal second-factor secrets v1"


def _key(secret_key: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_PURPOSE).derive(
        secret_key.encode("utf-8")
    )
    return Fernet(base64.urlsafe_b64encode(derived))


@cache
def _box(secret_key: str, fallbacks: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([_key(secret_key), *(_key(key) for key in fallbacks)])


def _current() -> MultiFernet:
    return _box(settings.SECRET_KEY, tuple(settings.SECRET_KEY_FALLBACKS))


def seal(text: str) -> str:
    return _current().encrypt(text.encode("utf-8")).decode("ascii")


def unseal(token: str) -> str:
    """The text `seal` sealed; raises cryptography.fernet.InvalidToken if no key opens it."""
    return _current().decrypt(token.encode("ascii")).decode("utf-8")


def reseal(token: str) -> str:
    """The same text sealed under the current key (after a rotation kept the old one as a
    fallback); raises InvalidToken if no configured key opens it."""
    return _current().rotate(token.encode("ascii")).decode("ascii")
