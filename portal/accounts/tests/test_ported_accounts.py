"""Accounts moved from the previous portal: the import, then the first sign-in (SPEC §2.4)."""

from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.core.management import CommandError, call_command
from django.test import Client

from portal.accounts.models import SecurityAnswer, User
from portal.accounts.services.porting import COLUMNS
from portal.core.models import AuditEvent
from portal.registry.tests.factories import OrganizationFactory

pytestmark = pytest.mark.django_db
OLD = "the password from the old portal"
NEW = "a new password for the new portal"


@pytest.fixture
def csv_file(tmp_path: Path, settings):
    # The suite hashes with MD5 for speed; imported hashes are checked by the PBKDF2 hasher.
    settings.PASSWORD_HASHERS = [*settings.PASSWORD_HASHERS,
                                 "django.contrib.auth.hashers.PBKDF2PasswordHasher"]  # fmt: skip
    clinic = OrganizationFactory(identifier="400001")
    old_hash = PBKDF2PasswordHasher().encode(OLD, "legacysalt", iterations=1000)

    def write(*rows: str) -> Path:
        path = tmp_path / "legacy.csv"
        path.write_text("\n".join([",".join(COLUMNS), *rows]) + "\n", encoding="utf-8")
        return path

    row = f"old.user,Olga,Old,olga@clinic.example,,provider,{clinic.identifier},master,{old_hash},"
    return write, row


def test_import_is_all_or_nothing_and_idempotent(csv_file) -> None:
    write, row = csv_file
    bad = row.replace("old.user", "other.user").replace("olga@", "other@")
    bad = bad.replace("400001", "999999")
    with pytest.raises(CommandError, match="line 3: no such organization"):
        call_command("import_legacy_accounts", str(write(row, bad)))
    assert not User.objects.exists()
    out = StringIO()
    call_command("import_legacy_accounts", str(write(row)), stdout=out)
    call_command("import_legacy_accounts", str(write(row)), stdout=out)
    assert "1 created, 0 already here" in out.getvalue()
    assert "0 created, 1 already here" in out.getvalue()
    user = User.objects.get(username="old.user")
    assert user.ported and user.is_master and user.status == "active"


def test_first_sign_in_confirms_the_email_then_collects_what_is_missing(csv_file) -> None:
    write, row = csv_file
    call_command("import_legacy_accounts", str(write(row)), stdout=StringIO())
    client = Client()
    response = client.post("/sign-in/", {"username": "old.user", "password": OLD})
    assert response["Location"] == "/sign-in/confirm-email/"
    wrong = client.post("/sign-in/confirm-email/", {"email": "someone@else.example"})
    assert wrong.status_code == 400 and "not the e-mail address" in wrong.content.decode()
    assert client.get("/sign-in/moved-account/")["Location"] == "/sign-in/"  # not yet
    response = client.post("/sign-in/confirm-email/", {"email": "OLGA@clinic.example"})
    assert response["Location"] == "/sign-in/moved-account/"
    form = {"phone": "602-555-0142", "new_password1": NEW, "new_password2": NEW,
            "question_1": "first_car", "answer_1": "Ford", "question_2": "birth_city",
            "answer_2": "Yuma", "question_3": "first_job", "answer_3": "Diner"}  # fmt: skip
    same = client.post("/sign-in/moved-account/", {**form, "new_password1": OLD,
                                                   "new_password2": OLD})  # fmt: skip
    assert "different from your old one" in same.content.decode()
    assert client.post("/sign-in/moved-account/", form)["Location"] == "/"
    user = User.objects.get(username="old.user")
    assert not user.ported and user.phone == "602-555-0142" and user.check_password(NEW)
    assert SecurityAnswer.objects.filter(user=user).count() == 3
    assert AuditEvent.objects.filter(action="account.ported").count() == 1
    client.logout()
    assert client.post("/sign-in/", {"username": "old.user", "password": NEW})["Location"] == "/"


def test_wrong_email_guesses_count_toward_the_lock(csv_file, settings) -> None:
    write, row = csv_file
    call_command("import_legacy_accounts", str(write(row)), stdout=StringIO())
    client = Client()
    client.post("/sign-in/", {"username": "old.user", "password": OLD})
    for _ in range(settings.LOCKOUT_THRESHOLD):
        client.post("/sign-in/confirm-email/", {"email": "guess@example.org"})
    assert User.objects.get(username="old.user").status == User.Status.LOCKED
