"""Password recovery: same answers whatever exists, a 30-minute single-use code, unlocking."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from portal.accounts.models import RecoveryCode, SecurityAnswer, User
from portal.accounts.services.registration import hash_answer
from portal.accounts.tests.factories import PASSWORD, UserFactory
from portal.core.models import AuditEvent, OutboundEmail

pytestmark = pytest.mark.django_db
NEW = "a brand new and long passphrase"
ANSWERS = {"first_street": "Elm", "first_school": "Lincoln", "birth_city": "Tucson"}


@pytest.fixture
def person() -> User:
    user = UserFactory(username="ana.r")
    for question, answer in ANSWERS.items():
        SecurityAnswer.objects.create(user=user, question=question, answer_hash=hash_answer(answer))
    return user


def answer(client: Client, username: str, answers: dict[str, str]):
    client.post("/forgot-password/", {"username": username})
    page = client.get("/forgot-password/questions/").content.decode()
    form = {f"answer_{n}": value for n, value in enumerate(answers.values(), start=1)}
    return page, client.post("/forgot-password/questions/", form)


def code_from_mail(user: User) -> str:
    body = OutboundEmail.objects.filter(to=user.email, template="recovery_code").first().text_body
    return re.search(r"\b(\d{8})\b", body).group(1)


def reset(client: Client, username: str, code: str, password: str = NEW):
    return client.post("/forgot-password/reset/", {"username": username, "code": code,
                                                   "new_password1": password,
                                                   "new_password2": password})  # fmt: skip


def test_right_answers_email_a_code_that_sets_a_new_password(client: Client, person: User) -> None:
    page, response = answer(client, "ANA.R", {q: f"  {a.upper()} " for q, a in ANSWERS.items()})
    assert "first street" in page and response["Location"] == "/forgot-password/sent/"
    code = code_from_mail(person)
    assert code not in RecoveryCode.objects.get().code_hash
    assert reset(client, "ana.r", code)["Location"] == "/sign-in/"
    person.refresh_from_db()
    assert person.check_password(NEW)
    assert client.post("/sign-in/", {"username": "ana.r", "password": NEW})["Location"] == "/"
    assert "password of your QM Portal account was changed" in OutboundEmail.objects.get(
        template="account_notice").text_body  # fmt: skip
    client.logout()
    assert reset(client, "ana.r", code, "yet another long passphrase").status_code == 400


def test_every_step_answers_the_same_whether_or_not_the_account_exists(client, person) -> None:
    real_page, real = answer(client, "ana.r", {q: "wrong" for q in ANSWERS})
    fake_page, fake = answer(client, "nobody.here", {q: "wrong" for q in range(3)})
    assert real["Location"] == fake["Location"] == "/forgot-password/sent/"
    assert fake_page.count("usa-label") == real_page.count("usa-label") == 3

    def questions(page: str) -> list[str]:
        return re.findall(r'<label class="usa-label[^"]*" for="[^"]+">([^<]+)</label>', page)

    assert len(questions(fake_page)) == 3
    assert questions(answer(client, "nobody.here", {})[0]) == questions(fake_page)  # stable
    assert not OutboundEmail.objects.exists()


def test_wrong_answers_count_toward_the_lock(client: Client, person: User, settings) -> None:
    for _ in range(settings.LOCKOUT_THRESHOLD):
        answer(client, "ana.r", {q: "wrong" for q in ANSWERS})
    person.refresh_from_db()
    assert person.status == User.Status.LOCKED


def test_a_locked_account_is_unlocked_by_recovery(client: Client, person: User) -> None:
    User.objects.filter(pk=person.pk).update(status=User.Status.LOCKED)
    answer(client, "ana.r", ANSWERS)
    reset(client, "ana.r", code_from_mail(person))
    person.refresh_from_db()
    assert person.status == User.Status.ACTIVE
    assert AuditEvent.objects.get(action="account.recovered").data == {"unlocked": True}


def test_the_code_works_at_29_59_and_not_at_30_01(client: Client, person: User) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        answer(client, "ana.r", ANSWERS)
    code = code_from_mail(person)
    with time_machine.travel(start + timedelta(minutes=30, seconds=1), tick=False):
        assert reset(client, "ana.r", code).status_code == 400
    with time_machine.travel(start + timedelta(minutes=29, seconds=59), tick=False):
        assert reset(client, "ana.r", code)["Location"] == "/sign-in/"


def test_a_new_code_voids_the_old_and_guesses_are_limited(client, person, settings) -> None:
    answer(client, "ana.r", ANSWERS)
    old = code_from_mail(person)
    OutboundEmail.objects.all().delete()
    answer(client, "ana.r", ANSWERS)
    new = code_from_mail(person)
    assert reset(client, "ana.r", old).status_code == 400 or old == new
    for _ in range(settings.RECOVERY_CODE_TRIES):
        reset(client, "ana.r", "00000000" if new != "00000000" else "11111111")
    response = reset(client, "ana.r", new)
    assert response.status_code == 400 and "not right" in response.content.decode()


def test_the_new_password_must_differ_and_follow_the_policy(client: Client, person: User) -> None:
    answer(client, "ana.r", ANSWERS)
    code = code_from_mail(person)
    response = reset(client, "ana.r", code, PASSWORD)
    assert "different from your old one" in response.content.decode()
    assert "too short" in reset(client, "ana.r", code, "short").content.decode()
    assert reset(client, "ana.r", code)["Location"] == "/sign-in/"  # the code was not used up


def test_recovery_ends_every_other_session(client: Client, person: User) -> None:
    elsewhere = Client()
    elsewhere.post("/sign-in/", {"username": "ana.r", "password": PASSWORD})
    assert elsewhere.get("/").status_code == 200
    answer(client, "ana.r", ANSWERS)
    reset(client, "ana.r", code_from_mail(person))
    assert elsewhere.get("/")["Location"].startswith("/sign-in/")


def test_a_master_sends_recovery_without_the_questions(client: Client, person: User) -> None:
    master = UserFactory(organization=person.organization, account_type="master")
    client.force_login(master)
    client.post(f"/organization/accounts/{person.code}/send-recovery/")
    body = OutboundEmail.objects.get(template="recovery_code").text_body
    assert master.get_full_name() in body
    client.logout()
    assert reset(client, "ana.r", code_from_mail(person))["Location"] == "/sign-in/"
