from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from portal.accounts.demo import PERSONAS
from portal.accounts.models import User
from portal.core.roles import has_role

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_every_persona_and_is_safe_to_run_twice(settings) -> None:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    call_command("seed_demo", stdout=StringIO())
    assert User.objects.count() == len(PERSONAS) == 6
    for persona in PERSONAS:
        assert persona.username in out.getvalue()
        user = User.objects.get(username=persona.username)
        assert user.check_password(settings.DEMO_PASSWORD) and user.is_active
    assert has_role(User.objects.get(username="agency.admin"), "agency.admin")
    assert User.objects.get(username="provider.master").is_master


def test_a_demo_account_can_sign_in(client: Client, settings) -> None:
    call_command("seed_demo", stdout=StringIO())
    response = client.post(
        "/sign-in/", {"username": "provider.master", "password": settings.DEMO_PASSWORD}
    )
    assert response["Location"] == "/"


def test_agency_admin_gets_no_local_password_when_the_setting_is_off(settings) -> None:
    settings.ALLOW_AGENCY_LOCAL_PASSWORD = False
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert not User.objects.get(username="agency.admin").has_usable_password()
    assert "single sign-on only" in out.getvalue()


def test_seed_demo_refuses_without_a_demo_password(settings) -> None:
    settings.DEMO_PASSWORD = ""
    with pytest.raises(CommandError, match="development only"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_a_second_run_puts_changed_personas_back() -> None:
    call_command("seed_demo", stdout=StringIO())
    User.objects.filter(username="provider.user").update(status="removed", account_type="master")
    call_command("seed_demo", stdout=StringIO())
    user = User.objects.get(username="provider.user")
    assert (user.status, user.account_type) == ("active", "individual")
