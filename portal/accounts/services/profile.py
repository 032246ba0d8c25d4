"""What every person may change on their own account (SPEC §2.7)."""

from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest

from portal.core import audit

from ..emails import send_account_notice
from ..models import SecurityAnswer, User

OWN_FIELDS = ("first_name", "last_name", "phone")  # e-mail changes go through a master


def update_my_details(user: User, details: dict[str, str], *, request: HttpRequest) -> list[str]:
    """Change one's own name and phone; returns the fields that changed."""
    if set(details) - set(OWN_FIELDS):
        raise PermissionDenied
    changed = [name for name, value in details.items() if getattr(user, name) != value]
    if changed:
        with transaction.atomic():
            User.objects.filter(pk=user.pk).update(**details)
            audit.record("account.details_changed", actor=user, target=user, request=request,
                         data={"fields": changed})  # fmt: skip
    return changed


def replace_security_answers(
    user: User, answers: list[tuple[str, str]], *, request: HttpRequest
) -> None:
    """Replace the three (question, answer hash) pairs."""
    with transaction.atomic():
        SecurityAnswer.objects.filter(user=user).delete()
        SecurityAnswer.objects.bulk_create(
            SecurityAnswer(user=user, question=q, answer_hash=h) for q, h in answers
        )
        audit.record("account.security_questions_changed", actor=user, target=user,
                     request=request)  # fmt: skip


def store_new_password(
    user: User, new_password: str, *, extra_fields: tuple[str, ...] = ()
) -> None:
    """Save a new password hash (which ends every session made with the old one) and lift any
    requirement to change it. Callers hold the transaction and write the audit event."""
    user.set_password(new_password)
    user.password_change_required = False
    user.save(update_fields=["password", "password_change_required", *extra_fields])


def change_password(user: User, new_password: str, *, request: HttpRequest) -> None:
    """Set a new password; this session stays, every other one of the account ends."""
    with transaction.atomic():
        store_new_password(user, new_password)
        update_session_auth_hash(request, user)
        audit.record("account.password_changed", actor=user, target=user, request=request)
        send_account_notice(user, "password_changed", by=None)


def replace_required_password(user: User, new_password: str, *, request: HttpRequest) -> None:
    """The sign-in gate's new password, for an account that must change it (SPEC §2.4)."""
    with transaction.atomic():
        store_new_password(user, new_password)
        audit.record("account.password_changed", actor=user, target=user, request=request,
                     data={"required": True})  # fmt: skip
        send_account_notice(user, "password_changed", by=None)
