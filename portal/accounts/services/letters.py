"""Activation letters: printing (which makes the codes), mailing, asking again, and activating."""

import enum
import secrets
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import check_password, make_password
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from portal.core import audit
from portal.core.pdf import render_pdf

from ..models import ActivationLetter, LetterBatch, User

# No 0/O, 1/I/L: the code is read off paper and typed by hand.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12  # 31^12 ≈ 2^59
LIVE = (ActivationLetter.Status.PENDING, ActivationLetter.Status.PRINTED,
        ActivationLetter.Status.MAILED)  # fmt: skip


def new_code() -> str:
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, CODE_LENGTH, 4))


def normalize_code(typed: str) -> str:
    """Letters in any case, with or without the hyphens and spaces of the printed form."""
    return "".join(c for c in typed.upper() if c.isalnum())


def print_letters(letters: list[ActivationLetter], *, by: User) -> tuple[LetterBatch, bytes]:
    """Make a fresh code for each letter (voiding any earlier one) and render them as one PDF.

    The PDF is the only place the codes exist; rendering happens inside the transaction, so a
    failure leaves every letter as it was.
    """
    now = timezone.now()
    with transaction.atomic():
        batch = LetterBatch.objects.create(printed_by=by, printed_at=now)
        pages: list[dict[str, Any]] = []
        # of=("self",): PostgreSQL cannot lock the nullable side of the organization join.
        for letter in (
            ActivationLetter.objects.select_for_update(of=("self",))
            .filter(pk__in=[letter.pk for letter in letters], status__in=LIVE)
            .select_related("user__organization", "address")
        ):
            code = new_code()
            letter.code_hash = make_password(normalize_code(code))
            letter.expires_at = now + timedelta(days=settings.ACTIVATION_CODE_DAYS)
            letter.status, letter.batch = ActivationLetter.Status.PRINTED, batch
            letter.failed_attempts, letter.first_failed_at = 0, None
            letter.save()
            pages.append({"letter": letter, "code": code})
        pdf = render_letters(pages, printed_at=now)
        audit.record(
            "letters.printed", actor=by, target=batch,
            data={"letters": [str(page["letter"].code) for page in pages]},
        )  # fmt: skip
    return batch, pdf


def render_letters(pages: list[dict[str, Any]], *, printed_at: datetime) -> bytes:
    context = {
        "pages": pages,
        "printed_at": printed_at,
        "site_url": settings.SITE_URL,
        "agency_address": settings.AGENCY_ADDRESS,
        "support_phone": settings.SUPPORT_PHONE,
    }
    return render_pdf("accounts/letters.html", context)


def mark_batch_mailed(batch: LetterBatch, *, by: User) -> int:
    """Record that a printed batch went to the post; returns how many letters it held."""
    with transaction.atomic():
        count = batch.letters.filter(status=ActivationLetter.Status.PRINTED).update(
            status=ActivationLetter.Status.MAILED
        )
        LetterBatch.objects.filter(pk=batch.pk, mailed_at__isnull=True).update(
            mailed_at=timezone.now(), mailed_by=by
        )
        audit.record("letters.mailed", actor=by, target=batch, data={"letters": count})
    return count


def request_new_letter(user: User, *, request: HttpRequest | None = None) -> ActivationLetter:
    """A master waiting for activation asks for another letter; the old code stops working."""
    with transaction.atomic():
        old = ActivationLetter.objects.select_for_update().filter(user=user, status__in=LIVE)
        address = old.values_list("address", flat=True).first()
        old.update(status=ActivationLetter.Status.VOID)
        if address is None:  # the first letter was used or voided by staff: use the last one's
            address = user.activation_letters.values_list("address", flat=True).last()
        letter = ActivationLetter.objects.create(user=user, address_id=address or 0)
        audit.record("letter.requested", actor=None, organization=user.organization,
                     target=letter, request=request)  # fmt: skip
    return letter


class Activation(enum.Enum):
    ACTIVATED = "activated"
    WRONG = "wrong"
    EXPIRED = "expired"
    TOO_MANY = "too_many"
    NOT_YET = "not_yet"  # no printed letter yet


def activate_account(
    user: User, typed_code: str, *, request: HttpRequest | None = None
) -> Activation:
    """Check the code from the letter; on success the master account becomes active."""
    now = timezone.now()
    window = timedelta(minutes=settings.ACTIVATION_TRY_WINDOW_MINUTES)
    with transaction.atomic():
        letter = (
            ActivationLetter.objects.select_for_update()
            .filter(
                user=user,
                status__in=[ActivationLetter.Status.PRINTED, ActivationLetter.Status.MAILED],
            )
            .first()
        )
        if letter is None:
            return Activation.NOT_YET
        if letter.first_failed_at and now - letter.first_failed_at > window:
            letter.failed_attempts, letter.first_failed_at = 0, None
        if letter.failed_attempts >= settings.ACTIVATION_MAX_TRIES:
            return Activation.TOO_MANY
        if letter.expires_at is not None and letter.expires_at <= now:
            return Activation.EXPIRED
        if not check_password(normalize_code(typed_code), letter.code_hash):
            letter.failed_attempts += 1
            letter.first_failed_at = letter.first_failed_at or now
            letter.save(update_fields=["failed_attempts", "first_failed_at"])
            audit.record("account.activation_failed", organization=user.organization,
                         target=user, request=request)  # fmt: skip
            return Activation.WRONG
        letter.status = ActivationLetter.Status.USED
        letter.save(update_fields=["status"])
        User.objects.filter(pk=user.pk).update(status=User.Status.ACTIVE)
        user.status = User.Status.ACTIVE
        audit.record("account.activated", actor=user, target=user, request=request)
    return Activation.ACTIVATED
