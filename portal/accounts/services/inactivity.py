"""The daily inactivity sweep (SPEC §2.2): warn, lock at 60 days, delete at 120.

Days count from the last activity (or the account's creation) in America/Phoenix. Each run is
idempotent: a warning is recorded per (period, threshold, days left), so running twice in a day
sends nothing twice; a skipped day's locks and deletions happen on the next run, and its missed
warning is not sent late on top of that day's.
"""

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from portal.core import audit
from portal.core.emails import queue_email
from portal.core.roles import has_role

from ..models import (
    InactivityWarning,
    RecoveryCode,
    RoleGrant,
    SecurityAnswer,
    SingleSignOnIdentity,
    User,
)
from .lockout import lock_account
from .registration import SEATED

SWEPT = (User.Status.ACTIVE, User.Status.LOCKED)


@dataclass
class SweepCounts:
    warned: int = 0
    locked: int = 0
    deleted: int = 0
    masterless: list[str] = field(default_factory=list)  # organizations left without a master


def sweep_inactive_accounts(*, dry_run: bool = False) -> SweepCounts:
    today = timezone.localdate()
    counts = SweepCounts()
    accounts = (
        User.objects.filter(status__in=SWEPT, organization__isnull=False)
        .exclude(account_type=User.AccountType.STAFF)  # staff follow the identity provider
        .annotate(since=Coalesce("last_activity_at", "created_at"))
        .select_related("organization")
    )
    for account in accounts.iterator(chunk_size=500):
        since = timezone.localtime(account.since).date()  # type: ignore[attr-defined]
        _sweep_one(account, since, (today - since).days, counts, dry_run=dry_run)
    return counts


def _sweep_one(
    account: User, since: date, idle: int, counts: SweepCounts, *, dry_run: bool
) -> None:
    lock_at, delete_at = settings.INACTIVITY_LOCK_DAYS, settings.INACTIVITY_DELETE_DAYS
    if idle >= delete_at:
        counts.deleted += 1
        if not dry_run:
            delete_inactive_account(account, counts)
        return
    if idle >= lock_at and account.status == User.Status.ACTIVE:
        counts.locked += 1
        if not dry_run:
            lock_account(account, reason="inactivity")
    for threshold, at in ((InactivityWarning.Threshold.LOCK, lock_at),
                          (InactivityWarning.Threshold.DELETE, delete_at)):  # fmt: skip
        days_left = at - idle
        if 1 <= days_left <= settings.INACTIVITY_WARNING_DAYS:
            if (
                threshold == InactivityWarning.Threshold.LOCK
                and account.status != User.Status.ACTIVE
            ):
                continue
            counts.warned += _warn(account, threshold, since, days_left, dry_run=dry_run)


def _warn(account: User, threshold: str, since: date, days_left: int, *, dry_run: bool) -> int:
    done = InactivityWarning.objects.filter(
        user=account, threshold=threshold, since=since, days_left=days_left
    )
    if done.exists() or not account.email:
        return 0
    if dry_run:
        return 1
    try:
        with transaction.atomic():
            InactivityWarning.objects.create(user=account, threshold=threshold, since=since,
                                             days_left=days_left)  # fmt: skip
            queue_email("inactivity_warning", account.email, {
                "person": account, "days_left": days_left, "deleting": threshold == "delete",
            })  # fmt: skip
    except IntegrityError:  # another run got there first
        return 0
    return 1


def delete_inactive_account(account: User, counts: SweepCounts) -> None:
    """Erase credentials and contact data; keep the name, the reports and the audit trail."""
    with transaction.atomic():
        organization = account.organization
        was_master = account.is_master
        User.objects.filter(pk=account.pk).update(
            status=User.Status.DELETED, email="", phone="", username=f"deleted-{account.code}",
            password=make_password(None),
        )  # fmt: skip
        for model in (
            SecurityAnswer,
            RecoveryCode,
            RoleGrant,
            InactivityWarning,
            SingleSignOnIdentity,
        ):
            model.objects.filter(user=account).delete()
        audit.record("account.deleted", organization=organization, target=account,
                     data={"reason": "inactivity"})  # fmt: skip
        if (
            was_master
            and organization is not None
            and not organization.accounts.filter(
                account_type=User.AccountType.MASTER, status__in=SEATED
            ).exists()
        ):
            counts.masterless.append(organization.name)
            _tell_agency_admins(organization)


def _tell_agency_admins(organization: object) -> None:
    admins = (
        User.objects.filter(Q(role_grants__role="agency.admin"), status=User.Status.ACTIVE)
        .exclude(email="")
        .select_related("organization")
    )
    for admin in admins:
        if has_role(admin, "agency.admin"):
            queue_email("organization_without_master", admin.email,
                        {"person": admin, "organization": organization})  # fmt: skip
