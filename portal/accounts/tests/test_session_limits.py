"""Idle sign-out after 15 minutes, absolute limit of 12 hours, and the keep-alive."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.test import Client

from portal.accounts.tests.factories import PASSWORD, UserFactory
from portal.core.models import AuditEvent

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 5, 4, 8, 0, tzinfo=ZoneInfo("America/Phoenix"))


def at(minutes: float):
    return time_machine.travel(T0 + timedelta(minutes=minutes), tick=False)


@pytest.fixture
def signed_in(client: Client) -> Client:
    user = UserFactory()
    with at(0):
        assert client.post("/sign-in/", {"username": user.username, "password": PASSWORD})[
            "Location"] == "/"  # fmt: skip
    return client


def test_fifteen_idle_minutes_sign_the_user_out(signed_in: Client) -> None:
    with at(14.9):
        assert signed_in.get("/").status_code == 200
    with at(14.9 + 15.1):
        response = signed_in.get("/", follow=True)
    assert response.redirect_chain[0] == ("/sign-in/", 302)
    assert "signed out because the portal was not used" in response.content.decode()
    assert AuditEvent.objects.get(action="auth.logged_out").data == {"reason": "idle"}
    with at(31):
        assert signed_in.get("/")["Location"].startswith("/sign-in/")


def test_activity_keeps_the_session_but_not_past_twelve_hours(signed_in: Client) -> None:
    minute = 0.0
    while minute < 12 * 60 - 14:
        minute += 14
        with at(minute):
            assert signed_in.get("/").status_code == 200, minute
    with at(12 * 60 + 1):
        assert signed_in.get("/")["Location"] == "/sign-in/"
    assert AuditEvent.objects.get(action="auth.logged_out").data == {"reason": "absolute"}


def test_stay_signed_in_counts_as_activity(signed_in: Client) -> None:
    with at(13.5):
        assert signed_in.post("/session/keep-alive/").status_code == 204
    with at(13.5 + 14):
        assert signed_in.get("/").status_code == 200


def test_signed_in_pages_carry_the_idle_warning(signed_in: Client, settings) -> None:
    with at(1):
        page = signed_in.get("/").content.decode()
    assert f'data-idle-seconds="{settings.SESSION_IDLE_SECONDS}"' in page
    assert 'id="idle-warning"' in page and "Stay signed in" in page
