"""Accounts ported from the previous portal: the CSV import and the first sign-in (SPEC §2.4).

CSV (UTF-8, header row):
    username, first_name, last_name, email, phone, organization_kind, organization_identifier,
    account_type, password_hash, roles
- account_type: master or individual; roles: role names joined by ";" (allowed for the kind)
- password_hash: the previous portal's hash in a format Django checks (pbkdf2_sha256$…,
  bcrypt_sha256$…), so people sign in once with the password they know; or empty, and they use
  password recovery
All or nothing; an account whose username already exists is left alone, so a second run
changes nothing.
"""

import csv
from dataclasses import dataclass
from typing import TextIO

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.http import HttpRequest

from portal.core import audit
from portal.core.csv_import import ImportRefused
from portal.core.roles import roles_allowed_for
from portal.registry.models import Organization

from ..models import RoleGrant, SecurityAnswer, User
from .profile import store_new_password

COLUMNS = ["username", "first_name", "last_name", "email", "phone", "organization_kind",
           "organization_identifier", "account_type", "password_hash", "roles"]  # fmt: skip


class LegacyImportError(ImportRefused):
    """The legacy accounts file was refused; nothing was written."""


@dataclass
class PortCounts:
    created: int = 0
    skipped: int = 0


def import_legacy_accounts(stream: TextIO) -> PortCounts:
    reader = csv.DictReader(stream)
    if reader.fieldnames is None or [f.strip() for f in reader.fieldnames] != COLUMNS:
        raise LegacyImportError([f"line 1: the header must be exactly: {','.join(COLUMNS)}"])
    counts, problems, seen = PortCounts(), [], set[str]()
    with transaction.atomic():
        for line, raw in enumerate(reader, start=2):
            row = {k: (v or "").strip() for k, v in raw.items() if k is not None}
            try:
                created = _port(row, seen)
            except ValueError as error:
                problems.append(f"line {line}: {error}")
                continue
            counts.created += created
            counts.skipped += not created
        if problems:
            transaction.set_rollback(True)
            raise LegacyImportError(problems)
        audit.record("accounts.imported", data=counts.__dict__)
    return counts


def _port(row: dict[str, str], seen: set[str]) -> bool:
    username = row["username"]
    if not username or username.lower() in seen:
        raise ValueError("a username is required, once per file")
    seen.add(username.lower())
    if User.objects.filter(username__iexact=username).exists():
        return False
    organization = Organization.objects.filter(
        kind=row["organization_kind"], identifier__iexact=row["organization_identifier"]
    ).first()
    if organization is None:
        raise ValueError("no such organization in the registry")
    roles = {r.strip() for r in row["roles"].split(";") if r.strip()}
    allowed = {role.name for role in roles_allowed_for(organization.kind)}
    if not roles <= allowed:
        raise ValueError(f"roles not allowed for this kind: {', '.join(sorted(roles - allowed))}")
    _check_person(row)
    user = User.objects.create(
        username=username, first_name=row["first_name"], last_name=row["last_name"],
        email=row["email"], phone=row["phone"], organization=organization,
        account_type=row["account_type"], status=User.Status.ACTIVE, ported=True,
        password=row["password_hash"] or "!",
    )  # fmt: skip
    RoleGrant.objects.bulk_create(RoleGrant(user=user, role=role) for role in sorted(roles))
    return True


def _check_person(row: dict[str, str]) -> None:
    if not (row["first_name"] and row["last_name"]):
        raise ValueError("first_name and last_name are required")
    if row["account_type"] not in (User.AccountType.MASTER, User.AccountType.INDIVIDUAL):
        raise ValueError("account_type must be master or individual")
    try:
        validate_email(row["email"])
    except ValidationError as error:
        raise ValueError("email must be a valid e-mail address") from error
    if User.objects.filter(email__iexact=row["email"]).exists():
        raise ValueError("another account already uses this e-mail address")


def email_matches(user: User, typed: str) -> bool:
    return bool(user.email) and user.email.casefold() == typed.strip().casefold()


def complete_port(
    user: User, *, phone: str, answers: list[tuple[str, str]], password: str,
    request: HttpRequest,
) -> None:  # fmt: skip
    """Give what this portal needs that the previous one did not hold; porting is then done."""
    with transaction.atomic():
        SecurityAnswer.objects.filter(user=user).delete()
        SecurityAnswer.objects.bulk_create(
            SecurityAnswer(user=user, question=q, answer_hash=h) for q, h in answers
        )
        user.phone, user.ported = phone, False
        store_new_password(user, password, extra_fields=("phone", "ported"))
        audit.record("account.ported", actor=user, target=user, request=request)
