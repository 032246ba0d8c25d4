"""The daily inactivity sweep, simulated over 130 days (time-machine)."""

from collections import Counter
from datetime import datetime, timedelta
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command

from portal.accounts.models import SecurityAnswer, User
from portal.accounts.tests.factories import UserFactory
from portal.core.models import AuditEvent, OutboundEmail

pytestmark = pytest.mark.django_db
PHOENIX = ZoneInfo("America/Phoenix")
DAY0 = datetime(2026, 1, 5, 9, 0, tzinfo=PHOENIX)


def sweep(day: int, *args: str) -> str:
    out = StringIO()
    with time_machine.travel(DAY0.replace(hour=2, minute=15) + timedelta(days=day), tick=False):
        call_command("sweep_inactive_accounts", *args, stdout=out)
    return out.getvalue()


def warnings_to(email: str) -> Counter[str]:
    subjects = OutboundEmail.objects.filter(to=email, template="inactivity_warning")
    return Counter("deleted" if "deleted" in s else "locked" for s in subjects.values_list(
        "subject", flat=True))  # fmt: skip


def test_130_days_warn_exactly_five_times_before_each_threshold_and_spare_the_active() -> None:
    idle = UserFactory.create_batch(3, last_activity_at=DAY0)
    busy = UserFactory.create_batch(2, last_activity_at=DAY0)
    addresses = {user.pk: user.email for user in idle}
    for day in range(1, 131):
        for user in busy:  # they use the portal every week
            if day % 7 == 0:
                User.objects.filter(pk=user.pk).update(last_activity_at=DAY0 + timedelta(days=day))
        if day == 57:
            continue  # the sweep did not run that day
        sweep(day)
        if day % 10 == 0:
            sweep(day)  # and twice on some days
    for user in idle:
        user.refresh_from_db()
        assert user.status == User.Status.DELETED
        # Day 57 (3 days before the lock) was skipped: that warning is not sent late.
        assert warnings_to(addresses[user.pk]) == {"locked": 4, "deleted": 5}
    for user in busy:
        user.refresh_from_db()
        assert user.status == User.Status.ACTIVE and not warnings_to(user.email)
    assert AuditEvent.objects.filter(action="account.locked").count() == 3
    assert AuditEvent.objects.filter(action="account.deleted").count() == 3


def test_five_warnings_then_lock_on_day_60_when_no_day_is_skipped() -> None:
    user = UserFactory(last_activity_at=DAY0)
    for day in range(50, 61):
        sweep(day)
        sweep(day)
    user.refresh_from_db()
    assert user.status == User.Status.LOCKED
    assert warnings_to(user.email) == {"locked": 5}
    days_left = sorted(OutboundEmail.objects.filter(template="inactivity_warning").values_list(
        "subject", flat=True))  # fmt: skip
    assert [s.split(" in ")[1] for s in days_left] == ["1 day", "2 days", "3 days", "4 days",
                                                       "5 days"]  # fmt: skip
    assert AuditEvent.objects.get(action="account.locked").data == {"reason": "inactivity"}


def test_deletion_erases_credentials_and_contact_data_but_keeps_the_name() -> None:
    user = UserFactory(last_activity_at=DAY0, phone="602-555-0000", first_name="Kept")
    SecurityAnswer.objects.create(user=user, question="first_car", answer_hash="x")
    sweep(120)
    user.refresh_from_db()
    assert (user.status, user.email, user.phone, user.first_name) == ("deleted", "", "", "Kept")
    assert not user.has_usable_password() and user.username.startswith("deleted-")
    assert not SecurityAnswer.objects.filter(user=user).exists()


def test_losing_the_last_master_tells_the_agency_admins(personas) -> None:
    User.objects.filter(organization=personas.provider).exclude(
        pk=personas.provider_master.pk).delete()  # fmt: skip
    User.objects.filter(pk=personas.provider_master.pk).update(last_activity_at=DAY0)
    User.objects.exclude(pk=personas.provider_master.pk).update(
        last_activity_at=DAY0 + timedelta(days=119))  # fmt: skip
    out = sweep(121)
    assert "Persona Provider has no master account any more" in out
    mail = OutboundEmail.objects.get(template="organization_without_master")
    assert mail.to == personas.agency_admin.email and "Persona Provider" in mail.text_body


def test_dry_run_changes_nothing() -> None:
    user = UserFactory(last_activity_at=DAY0)
    assert "Would have: 0 warned, 1 locked, 0 deleted." in sweep(61, "--dry-run")
    user.refresh_from_db()
    assert user.status == User.Status.ACTIVE and not OutboundEmail.objects.exists()
