"""Lockout per account, throttle per address: counted in a 15-minute window (time-machine)."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from portal.accounts.models import User
from portal.accounts.tests.factories import PASSWORD, UserFactory
from portal.core.models import AuditEvent, OutboundEmail

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("America/Phoenix"))


def attempt(client: Client, username: str, password: str = "wrong password", ip: str = "10.0.0.1"):
    return client.post("/sign-in/", {"username": username, "password": password},
                       REMOTE_ADDR=ip)  # fmt: skip


def fail_at(client: Client, user: User, *offsets: timedelta) -> None:
    for offset in offsets:
        with time_machine.travel(T0 + offset, tick=False):
            attempt(client, user.username)


def test_the_third_failure_within_fifteen_minutes_locks(client: Client) -> None:
    user = UserFactory()
    fail_at(client, user, timedelta(0), timedelta(minutes=7), timedelta(minutes=14, seconds=59))
    user.refresh_from_db()
    assert user.status == User.Status.LOCKED
    assert AuditEvent.objects.get(action="account.locked").data == {"reason": "failed_sign_ins"}
    notice = OutboundEmail.objects.get(to=user.email)
    assert "locked" in notice.text_body and "Forgot your password" in notice.text_body


def test_failures_spread_over_more_than_fifteen_minutes_do_not_lock(client: Client) -> None:
    user = UserFactory()
    fail_at(client, user, timedelta(0), timedelta(minutes=7), timedelta(minutes=15, seconds=1))
    user.refresh_from_db()
    assert user.status == User.Status.ACTIVE


def test_a_successful_sign_in_starts_the_count_again(client: Client) -> None:
    user = UserFactory()
    fail_at(client, user, timedelta(0), timedelta(minutes=1))
    with time_machine.travel(T0 + timedelta(minutes=2), tick=False):
        assert attempt(client, user.username, PASSWORD).status_code == 302
    client.logout()
    fail_at(client, user, timedelta(minutes=3), timedelta(minutes=4))
    user.refresh_from_db()
    assert user.status == User.Status.ACTIVE


def test_a_locked_account_answers_exactly_like_a_wrong_password(client: Client) -> None:
    user = UserFactory()
    fail_at(client, user, timedelta(0), timedelta(minutes=1), timedelta(minutes=2))
    with time_machine.travel(T0 + timedelta(minutes=3), tick=False):
        locked = attempt(client, user.username, PASSWORD)  # the right password
        wrong = attempt(client, user.username, "another wrong one")
        unknown = attempt(client, "nobody-at-all", PASSWORD)
    assert locked.status_code == wrong.status_code == unknown.status_code == 400
    assert "_auth_user_id" not in client.session

    def message(response) -> str:  # the page minus what was typed and the CSRF token
        page = response.content.decode()
        page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)
        return page.replace(user.username, "").replace("nobody-at-all", "")

    assert message(locked) == message(wrong) == message(unknown)
    assert OutboundEmail.objects.filter(to=user.email).count() == 1  # told once


def test_one_address_trying_many_usernames_is_throttled_without_locking_them(client, settings):
    settings.SIGN_IN_IP_LIMIT = 5
    victims = UserFactory.create_batch(6)
    with time_machine.travel(T0, tick=False):
        for victim in victims[:5]:
            attempt(client, victim.username, ip="203.0.113.9")
        throttled = attempt(client, victims[5].username, PASSWORD, ip="203.0.113.9")
        elsewhere = attempt(client, victims[5].username, PASSWORD, ip="198.51.100.2")
    assert throttled.status_code == 429
    assert "too many failed sign-ins from your network" in throttled.content.decode()
    assert elsewhere.status_code == 302  # other addresses are not affected
    assert User.objects.filter(status=User.Status.LOCKED).count() == 0
    assert AuditEvent.objects.filter(action="auth.login_throttled").count() == 1
    with time_machine.travel(T0 + timedelta(minutes=16), tick=False):
        client.logout()
        assert attempt(client, victims[0].username, PASSWORD, ip="203.0.113.9").status_code == 302


@pytest.mark.parametrize("header", ["", "HTTP_X_REAL_IP"])
def test_failures_from_an_unknown_address_are_throttled_as_one_address(client, settings, header):
    # Behind a unix socket without the proxy's header the address is empty: one shared address,
    # limited like any other, rather than no limit at all.
    settings.SIGN_IN_IP_LIMIT, settings.CLIENT_IP_HEADER = 5, header
    victims = UserFactory.create_batch(6)
    with time_machine.travel(T0, tick=False):
        for victim in victims[:5]:
            assert attempt(client, victim.username, ip="").status_code == 400
        throttled = attempt(client, victims[5].username, PASSWORD, ip="")
    assert throttled.status_code == 429
    assert User.objects.filter(status=User.Status.LOCKED).count() == 0


def test_old_failures_are_pruned_and_recent_ones_kept(client: Client) -> None:
    from io import StringIO

    from django.core.management import call_command

    from portal.accounts.models import SignInFailure

    user = UserFactory()
    fail_at(client, user, timedelta(0), timedelta(minutes=20))
    out = StringIO()
    with time_machine.travel(T0 + timedelta(minutes=21), tick=False):
        call_command("prune_sign_in_failures", "--dry-run", stdout=out)
        assert SignInFailure.objects.count() == 2
        call_command("prune_sign_in_failures", stdout=out)
    assert "Would delete 1 old failures." in out.getvalue()
    assert SignInFailure.objects.count() == 1
