import json
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
    assert User.objects.count() == len(PERSONAS) == 10
    for persona in PERSONAS:
        assert persona.username in out.getvalue()
        user = User.objects.get(username=persona.username)
        assert user.check_password(settings.DEMO_PASSWORD) and user.is_active
    assert has_role(User.objects.get(username="agency.admin"), "agency.admin")
    assert User.objects.get(username="provider.master").is_master


def test_seed_demo_ends_with_each_persona_and_its_organization(settings) -> None:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    lines = out.getvalue().splitlines()
    sign_ins = lines[-len(PERSONAS) :]
    assert "Demo sign-ins" in lines[-len(PERSONAS) - 1]
    assert settings.DEMO_PASSWORD in lines[-len(PERSONAS) - 1]
    expected = {
        "provider.master": "Desert Bloom Behavioral Health",
        "provider.user": "Desert Bloom Behavioral Health",
        "clinical.director": "Desert Bloom Behavioral Health",
        "plan.reviewer": "Saguaro Health Plan",
        "agency.admin": "Arizona Health Care Cost Containment System",
        "ohr.staff": "Arizona Health Care Cost Containment System",
        "qoc.manager": "Arizona Health Care Cost Containment System",
        "ioc.member": "Central Region Independent Oversight Committee",
        "quality.lead": "Desert Bloom Behavioral Health",
        "facility.user": "Mesa Verde Residential Services",
    }
    assert [line.split()[0] for line in sign_ins] == [p.username for p in PERSONAS]
    for line in sign_ins:
        username = line.split()[0]
        assert expected[username] in line
        assert User.objects.get(username=username).organization.name == expected[username]


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


def test_with_single_sign_on_staff_personas_lose_local_passwords_and_get_idp_accounts(
    settings, tmp_path
) -> None:
    settings.SSO_ISSUER = "http://127.0.0.1:8001"
    settings.SSO_GROUP_ROLES = {
        "qm-portal-admins": frozenset({"agency.admin"}),
        "qm-portal-ohr": frozenset({"ohr.staff"}),
        "qm-portal-qoc": frozenset({"qoc.manager", "qoc.investigator", "qoc.submitter"}),
    }
    accounts_file = tmp_path / "accounts.json"

    call_command("seed_demo", identity_provider_accounts=accounts_file, stdout=StringIO())

    admin = User.objects.get(username="agency.admin")
    assert not admin.has_usable_password()
    assert (admin.sso_identity.issuer, admin.sso_identity.subject) == (
        "http://127.0.0.1:8001",
        "agency.admin",
    )
    assert User.objects.get(username="provider.master").check_password(settings.DEMO_PASSWORD)
    assert json.loads(accounts_file.read_text()) == [
        {
            "sub": "agency.admin",
            "password": settings.DEMO_PASSWORD,
            "email": "agency.admin@demo.qmportal.invalid",
            "given_name": "Morgan",
            "family_name": "Ellis",
            "groups": ["qm-portal-admins"],
        },
        {
            "sub": "ohr.staff",
            "password": settings.DEMO_PASSWORD,
            "email": "ohr.staff@demo.qmportal.invalid",
            "given_name": "Alicia",
            "family_name": "Lucero",
            "groups": ["qm-portal-ohr"],
        },
        {
            "sub": "qoc.manager",
            "password": settings.DEMO_PASSWORD,
            "email": "qoc.manager@demo.qmportal.invalid",
            "given_name": "Teresa",
            "family_name": "Bahe",
            "groups": ["qm-portal-qoc"],
        },
    ]


def test_seed_demo_files_one_incident_report_in_every_state_once() -> None:
    from portal.iad.models import Report

    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())

    assert sorted(Report.objects.values_list("status", flat=True)) == sorted(Report.Status.values)
    closed = Report.objects.get(status=Report.Status.CLOSED)
    assert list(closed.history.values_list("transition", flat=True)) == [
        "submit",
        "approve",
        "start_review",
        "close",
    ]


def test_seed_demo_files_s_and_r_reports_in_every_state_and_two_monthly_summaries() -> None:
    from portal.seclusion import monthly
    from portal.seclusion.models import MonthlySummary, RedactedCopy, Report

    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())

    assert sorted(Report.objects.values_list("status", flat=True)) == sorted(Report.Status.values)
    accepted = Report.objects.get(status=Report.Status.ACCEPTED)
    assert RedactedCopy.objects.get(report=accepted).status == RedactedCopy.Status.RELEASED
    assert all(report.attachments.exists() for report in Report.objects.all())
    assert MonthlySummary.objects.count() == 2
    reviewer = User.objects.get(username="plan.reviewer")
    last = monthly.SCHEDULE.last_closed()
    missing = [
        line.facility.name for line in monthly.month_lines(reviewer, last) if line.summary is None
    ]
    assert missing == ["Mesa Verde Residential Services"]


def test_one_persona_signs_in_with_an_authenticator_app_whose_key_is_printed(settings) -> None:
    """Issue #19: `make run` prints the setup key, so the second factor can be tried by hand."""
    import re

    import pyotp

    from portal.accounts.models import AuthenticatorApp

    out = StringIO()
    call_command("seed_demo", stdout=out)
    line = next(line for line in out.getvalue().splitlines() if "quality.lead" in line)
    key = re.search(r"setup key ([A-Z2-7]{32})", line).group(1)
    user = User.objects.get(username="quality.lead")
    assert not user.passkeys.exists() and AuthenticatorApp.objects.filter(user=user).count() == 1
    call_command("seed_demo", stdout=(again := StringIO()))
    assert key in again.getvalue()  # kept from run to run

    client = Client()
    response = client.post(
        "/sign-in/", {"username": "quality.lead", "password": settings.DEMO_PASSWORD}
    )
    assert response["Location"] == "/sign-in/second-factor/"
    done = client.post("/sign-in/second-factor/", {"method": "code", "code": pyotp.TOTP(key).now()})
    assert done["Location"] == "/"
