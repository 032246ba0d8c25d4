"""Account lockout and the per-address throttle (SPEC §2.2, DESIGN §11).

An account locks after LOCKOUT_THRESHOLD failures within LOCKOUT_WINDOW_MINUTES; only password
recovery opens it again. A client address with more than SIGN_IN_IP_LIMIT failures in the
window is refused before any password is checked, which locks nobody: hospitals share
addresses, and a stranger must not be able to lock everyone out.
"""

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from portal.core import audit
from portal.core.audit import client_ip

from ..emails import send_account_notice
from ..models import SignInFailure, User


def _window_start() -> datetime:
    return timezone.now() - timedelta(minutes=settings.LOCKOUT_WINDOW_MINUTES)


def address_is_throttled(request: HttpRequest) -> bool:
    # An unknown address (empty: no CLIENT_IP_HEADER behind a unix socket, or the proxy did not
    # send it) counts as one address: it fails closed, never lets a flood through unthrottled.
    recent = SignInFailure.objects.filter(ip=client_ip(request), at__gt=_window_start())
    return recent.count() >= settings.SIGN_IN_IP_LIMIT


def record_failure(user: User | None, request: HttpRequest) -> bool:
    """Count one failure; lock the account when it reaches the threshold. True if it locked."""
    SignInFailure.objects.create(user=user, ip=client_ip(request))
    # An account without a local password cannot be guessed into: typing its username must not
    # let a stranger lock a staff member out.
    if user is None or user.status != User.Status.ACTIVE or not user.has_usable_password():
        return False
    failures = SignInFailure.objects.filter(user=user, at__gt=_window_start()).count()
    return failures >= settings.LOCKOUT_THRESHOLD and lock_account(
        user, reason="failed_sign_ins", request=request
    )


def lock_account(user: User, *, reason: str, request: HttpRequest | None = None) -> bool:
    """Lock an active account (once, whatever the race) and tell its holder."""
    with transaction.atomic():
        locked = User.objects.filter(pk=user.pk, status=User.Status.ACTIVE).update(
            status=User.Status.LOCKED
        )
        if locked:
            user.status = User.Status.LOCKED
            audit.record("account.locked", organization=user.organization, target=user,
                         request=request, data={"reason": reason})  # fmt: skip
            notice = "locked" if reason == "failed_sign_ins" else "locked_inactive"
            send_account_notice(user, notice, by=None)
    return bool(locked)


def clear_failures(user: User) -> None:
    """A successful sign-in or recovery starts the count again."""
    SignInFailure.objects.filter(user=user).delete()
