"""Password recovery (SPEC §2.5): security questions, then an e-mailed single-use code.

Every step answers the same whether or not the account exists. The questions never count as a
factor on their own: the code sent to the address on file is always needed too.
"""

import enum
import hashlib
import hmac
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from portal.core import audit
from portal.core.emails import queue_email

from ..emails import send_account_notice
from ..models import RecoveryCode, SecurityAnswer, SecurityQuestion, User
from .lockout import clear_failures, record_failure
from .profile import store_new_password
from .registration import normalize_answer

RECOVERABLE = (User.Status.ACTIVE, User.Status.LOCKED)
CODE_DIGITS = 8


def find_recoverable(username: str) -> User | None:
    return (
        User.objects.filter(username__iexact=username, status__in=RECOVERABLE)
        .select_related("organization")
        .first()
    )


def questions_for(username: str) -> list[str]:
    """The account's three questions; for no such account, three that look as real.

    The stand-ins are derived from the username with the secret key, so asking twice shows
    the same ones, and nobody can tell which usernames exist.
    """
    user = find_recoverable(username)
    if user is not None:
        chosen = list(user.security_answers.values_list("question", flat=True))
        if len(chosen) == 3:
            return chosen
    digest = hmac.new(settings.SECRET_KEY.encode(), username.lower().encode(), hashlib.sha256)
    pool = list(SecurityQuestion.values)
    picked: list[str] = []
    for byte in digest.digest():
        candidate = pool[byte % len(pool)]
        if candidate not in picked:
            picked.append(candidate)
        if len(picked) == 3:
            break
    return picked


def answers_match(user: User, answers: dict[str, str]) -> bool:
    stored = {a.question: a.answer_hash for a in SecurityAnswer.objects.filter(user=user)}
    if set(stored) != set(answers):
        return False
    # Check all three, always, so timing does not tell which one was wrong.
    results = [check_password(normalize_answer(answers[q]), h) for q, h in stored.items()]
    return all(results)


def start_recovery(username: str, answers: dict[str, str], *, request: HttpRequest) -> None:
    """Right answers: e-mail a code. Wrong ones count toward the lockout. No sign either way."""
    user = find_recoverable(username)
    if user is None or not answers_match(user, answers):
        if user is not None:
            audit.record("account.recovery_failed", organization=user.organization, target=user,
                         request=request, data={"step": "questions"})  # fmt: skip
        record_failure(user, request)
        make_password("equalize the time spent when there is nothing to check")
        return
    send_recovery_code(user, by=None, request=request)


def send_recovery_code(user: User, *, by: User | None, request: HttpRequest | None) -> None:
    """A new single-use code (the old one dies), e-mailed with the link to use it."""
    code = "".join(secrets.choice("0123456789") for _ in range(CODE_DIGITS))
    now = timezone.now()
    expires = now + timedelta(minutes=settings.RECOVERY_CODE_MINUTES)
    with transaction.atomic():
        RecoveryCode.objects.filter(user=user).delete()
        RecoveryCode.objects.create(user=user, code_hash=make_password(code),
                                    created_at=now, expires_at=expires)  # fmt: skip
        audit.record("account.recovery_code_sent", actor=by, organization=user.organization,
                     target=user, request=request)  # fmt: skip
        if user.email:
            queue_email("recovery_code", user.email, {
                "person": user, "code": code, "minutes": settings.RECOVERY_CODE_MINUTES,
                "started_by": by,
            })  # fmt: skip


class Reset(enum.Enum):
    DONE = "done"
    REFUSED = "refused"  # wrong username or code, expired, used, too many tries: never which
    SAME_PASSWORD = "same_password"  # noqa: S105 (an outcome, not a secret)


def reset_password(username: str, code: str, new_password: str, *, request: HttpRequest) -> Reset:
    """Check the code; set the new password, unlock the account, end every session."""
    user = find_recoverable(username)
    with transaction.atomic():
        held = (RecoveryCode.objects.select_for_update().filter(user=user).first()
                if user else None)  # fmt: skip
        if user is None or held is None or not _usable(held):
            make_password("equalize the time spent when there is nothing to check")
            return Reset.REFUSED
        if not check_password(code.strip(), held.code_hash):
            held.failed_attempts += 1
            held.save(update_fields=["failed_attempts"])
            audit.record("account.recovery_failed", organization=user.organization, target=user,
                         request=request, data={"step": "code"})  # fmt: skip
            return Reset.REFUSED
        if user.check_password(new_password):
            return Reset.SAME_PASSWORD
        _complete(user, held, new_password, request)
    return Reset.DONE


def _usable(held: RecoveryCode) -> bool:
    return (held.used_at is None and held.expires_at > timezone.now()
            and held.failed_attempts < settings.RECOVERY_CODE_TRIES)  # fmt: skip


def _complete(user: User, held: RecoveryCode, new_password: str, request: HttpRequest) -> None:
    held.used_at = timezone.now()
    held.save(update_fields=["used_at"])
    was_locked = user.status == User.Status.LOCKED
    user.status = User.Status.ACTIVE
    store_new_password(user, new_password, extra_fields=("status",))  # ends every session
    clear_failures(user)
    audit.record("account.recovered", organization=user.organization, target=user,
                 request=request, data={"unlocked": was_locked})  # fmt: skip
    send_account_notice(user, "password_changed", by=None)
