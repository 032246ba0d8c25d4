"""Account enumeration (issue #7 item 7; reference E-1, E-3, L-3, L-4).

Sign-in, registration, password recovery and activation must answer the same for an existing
and an unknown username of equal length: the same status, the same header names and the same
page once the CSRF token and what was typed are taken out. Each comparison uses a fresh browser
(client) that walks the same steps, so nothing but the username differs.
"""

import re
from dataclasses import dataclass

import pytest
from django.test import Client

from portal.accounts.models import RecoveryCode, SecurityAnswer, User
from portal.accounts.services.recovery import questions_for
from portal.accounts.services.registration import hash_answer
from portal.accounts.tests.factories import PASSWORD, UserFactory
from portal.core.models import AuditEvent, OutboundEmail

pytestmark = pytest.mark.django_db

UNKNOWN = "nobody.here.x"  # every username below has these 13 characters
NEW_PASSWORD = "a brand new and long passphrase"
_TOKEN = re.compile(r"\b[A-Za-z0-9]{64}\b")  # a masked CSRF token


@dataclass(frozen=True)
class Answer:
    """What a person can observe of one response, with the volatile parts taken out."""

    status: int
    location: str
    header_names: tuple[str, ...]
    cookie_names: tuple[str, ...]
    body: str


def observe(response, *typed: str) -> Answer:
    body = _TOKEN.sub("TOKEN", response.content.decode())
    for value in sorted(typed, key=len, reverse=True):
        body = body.replace(value, "TYPED")
    return Answer(
        status=response.status_code,
        location=response.headers.get("Location", ""),
        header_names=tuple(sorted(name.lower() for name in response.headers)),
        cookie_names=tuple(sorted(response.cookies)),
        body=body,
    )


def differences(answers: dict[str, Answer]) -> dict[str, list[str]]:
    """{case: [fields that differ from the first case]}: empty when all answer alike."""
    (first_case, first), *others = answers.items()
    found = {}
    for case, answer in others:
        fields = [f for f in Answer.__dataclass_fields__ if getattr(answer, f) != getattr(first, f)]
        if fields:
            found[f"{case} vs {first_case}"] = fields
    return found


def fresh(ip: str = "10.1.2.3") -> Client:
    return Client(REMOTE_ADDR=ip)


def test_the_comparison_notices_a_different_answer() -> None:
    """The tool the tests below rely on can fail."""
    one = Answer(400, "", ("content-type",), (), "The username is not right")
    other = Answer(400, "", ("content-type",), (), "That account is locked")
    assert differences({"a": one, "b": one}) == {}
    assert differences({"a": one, "b": other}) == {"b vs a": ["body"]}


# --- Sign-in --------------------------------------------------------------------------------


def sign_in(username: str, password: str) -> Answer:
    client = fresh()
    page = client.get("/sign-in/")
    assert page.status_code == 200
    form = {"username": username, "password": password,
            "csrfmiddlewaretoken": page.context["csrf_token"]}  # fmt: skip
    response = client.post("/sign-in/", form)
    assert "_auth_user_id" not in client.session
    # A failed sign-in leaves no half-signed-in state behind, for any kind of account.
    gate = client.get("/sign-in/activate/")
    assert (gate.status_code, gate["Location"]) == (302, "/sign-in/"), username
    return observe(response, username, password)


def account(username: str, **fields: object) -> User:
    assert len(username) == len(UNKNOWN)
    user: User = UserFactory(username=username, **fields)
    return user


def test_sign_in_answers_alike_for_unknown_wrong_locked_and_inactive_accounts(settings) -> None:
    """One answer for a wrong password, an unknown user and a locked account (ASVS 6.3.8)."""
    settings.ALLOW_AGENCY_LOCAL_PASSWORD = False  # as in production
    account("active.user.a")
    account("locked.user.a", status=User.Status.LOCKED)
    account("removed.usr.a", status=User.Status.REMOVED)
    account("deleted.usr.a", status=User.Status.DELETED)
    account("waiting.act.a", status=User.Status.AWAITING_ACTIVATION,
            account_type=User.AccountType.MASTER)  # fmt: skip
    account("waiting.apr.a", status=User.Status.AWAITING_APPROVAL)
    account("agency.user.a", organization__kind="agency", organization__npi="")
    account("single.sign.a", password=None)  # a staff account that signs in through the IdP
    answers = {
        "unknown user": sign_in(UNKNOWN, PASSWORD),
        "wrong password": sign_in("active.user.a", "wrong password"),
        "locked, right password": sign_in("locked.user.a", PASSWORD),
        "locked, wrong password": sign_in("locked.user.a", "wrong password"),
        "removed, right password": sign_in("removed.usr.a", PASSWORD),
        "deleted, right password": sign_in("deleted.usr.a", PASSWORD),
        "awaiting activation, wrong password": sign_in("waiting.act.a", "wrong password"),
        "awaiting approval, wrong password": sign_in("waiting.apr.a", "wrong password"),
        "agency local password": sign_in("agency.user.a", PASSWORD),
        "no local password": sign_in("single.sign.a", PASSWORD),
    }
    assert differences(answers) == {}
    assert answers["unknown user"].status == 400


def test_the_lock_itself_gives_no_sign(settings) -> None:
    """The failure that locks the account answers like the ones before it, and like nobody's."""
    account("about.to.lock")
    before = [sign_in("about.to.lock", "wrong password")
              for _ in range(settings.LOCKOUT_THRESHOLD - 1)]  # fmt: skip
    locking = sign_in("about.to.lock", "wrong password")
    assert User.objects.get(username="about.to.lock").status == User.Status.LOCKED
    after = sign_in("about.to.lock", PASSWORD)
    answers = {"unknown": sign_in(UNKNOWN, "wrong password"), "locking": locking, "after": after}
    answers |= {f"failure {n}": answer for n, answer in enumerate(before, start=1)}
    assert differences(answers) == {}


# --- Password recovery ----------------------------------------------------------------------


@dataclass(frozen=True)
class Recovery:
    start: Answer  # the username page's answer
    questions: Answer  # the questions page
    answered: Answer  # after the answers
    sent: Answer  # the "check your e-mail" page


def recover(username: str, answers: list[str]) -> Recovery:
    client = fresh()
    client.get("/forgot-password/")
    start = client.post("/forgot-password/", {"username": username})
    questions = client.get("/forgot-password/questions/")
    form = {f"answer_{n}": value for n, value in enumerate(answers, start=1)}
    answered = client.post("/forgot-password/questions/", form)
    sent = client.get("/forgot-password/sent/")
    typed = (username, *answers)
    return Recovery(*(observe(r, *typed) for r in (start, questions, answered, sent)))


@pytest.fixture
def recoverable() -> User:
    """An account whose questions are the very ones a stranger sees for UNKNOWN."""
    user = account("known.person1")
    for question in questions_for(UNKNOWN):
        SecurityAnswer.objects.create(user=user, question=question,
                                      answer_hash=hash_answer("Zzright"))  # fmt: skip
    return user


def test_every_recovery_step_answers_alike_for_existing_and_unknown_usernames(
    recoverable,
) -> None:
    """Recovery start, the questions, the answers and the resend: one answer (E-1, E-3)."""
    locked = account("locked.person", status=User.Status.LOCKED)
    for question in questions_for("nobody.else.x"):
        SecurityAnswer.objects.create(user=locked, question=question,
                                      answer_hash=hash_answer("Zzright"))  # fmt: skip
    cases = {
        "unknown": recover(UNKNOWN, ["Zzright"] * 3),
        "wrong answers": recover("known.person1", ["Zzwrong"] * 3),
        "right answers": recover("known.person1", ["Zzright"] * 3),
        "right answers again (resend)": recover("known.person1", ["Zzright"] * 3),
    }
    for step in Recovery.__dataclass_fields__:
        assert differences({case: getattr(r, step) for case, r in cases.items()}) == {}, step
    # A locked account's questions page reads like a stranger's (its questions differ: compare
    # it with the unknown name whose stand-ins it holds).
    locked_case = recover("locked.person", ["Zzwrong"] * 3)
    stranger = recover("nobody.else.x", ["Zzwrong"] * 3)
    assert differences({"stranger": stranger.questions, "locked": locked_case.questions}) == {}
    assert cases["unknown"].answered.location == "/forgot-password/sent/"
    # The right answers did send codes (the pages hid a real difference, they did not lack one).
    assert OutboundEmail.objects.filter(to=recoverable.email, template="recovery_code").count()\
        == 2  # fmt: skip


def reset(username: str, code: str) -> Answer:
    client = fresh()
    client.get("/forgot-password/reset/")
    response = client.post("/forgot-password/reset/", {
        "username": username, "code": code,
        "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD,
    })  # fmt: skip
    return observe(response, username, code)


def test_the_reset_page_answers_alike_for_unknown_users_missing_and_wrong_codes(
    recoverable,
) -> None:
    account("no.code.user1")
    recover("known.person1", ["Zzright"] * 3)
    assert RecoveryCode.objects.filter(user=recoverable).exists()
    answers = {
        "unknown user": reset(UNKNOWN, "12345678"),
        "no code asked": reset("no.code.user1", "12345678"),
        "wrong code": reset("known.person1", "00000000"),
    }
    assert differences(answers) == {}
    assert answers["unknown user"].status == 400


# --- Registration ---------------------------------------------------------------------------


@pytest.fixture
def registering(db):
    from portal.accounts.services.terms import publish_terms
    from portal.registry.tests.factories import MailingAddressFactory, OrganizationFactory

    publish_terms("Terms", "Be good.", by=None)
    clinic = OrganizationFactory(identifier="123456", npi="1234567893")
    MailingAddressFactory(organization=clinic, line1="1 Main Street")
    return clinic


def register_person(clinic, username: str, email: str, ip: str = "10.1.2.3") -> Answer:
    client = fresh(ip)
    client.post("/register/terms/", {"agree": "on"})
    client.post("/register/organization/", {"kind": "provider"})
    client.post("/register/organization/identifiers/",
                {"identifier": clinic.identifier, "npi": clinic.npi})  # fmt: skip
    response = client.post("/register/about-you/", {
        "first_name": "Rosa", "last_name": "Delgado", "email": email, "phone": "602-555-0100",
        "username": username, "password1": "four unrelated words together",
        "password2": "four unrelated words together", "question_1": "first_street",
        "answer_1": "Elm", "question_2": "first_school", "answer_2": "Lincoln",
        "question_3": "birth_city", "answer_3": "Zzright",
    })  # fmt: skip
    return observe(response, username, email)


def test_registration_tells_only_that_a_username_or_address_is_taken(registering) -> None:
    """SPEC §2.3: registration reveals no more than the one field error a person needs to pick
    another username or address; the rate limit below stops anyone listing accounts with it."""
    account("taken.person1", email="taken@clinic.example")
    free = register_person(registering, UNKNOWN, "freee@clinic.example")
    taken_name = register_person(registering, "taken.person1", "other@clinic.example")
    taken_address = register_person(registering, "other.person1", "taken@clinic.example")
    assert free.status == 302
    for answer, field in [(taken_name, "id_username"), (taken_address, "id_email")]:
        assert answer.status == 400
        errors = re.findall(r'<a href="#(id_\w+)">', answer.body)  # the error summary's links
        assert errors == [field]
    assert differences({"name": taken_name, "address": taken_address}) == {
        "address vs name": ["body"]
    }


def test_registration_tries_are_limited_per_address_keeping_what_was_typed(
    registering, settings
) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "register": (2, 60)}
    for n in range(2):
        assert register_person(registering, f"new.person.{n}", f"p{n}@clinic.example").status == 302
    refused = register_person(registering, "new.person.x", "px@clinic.example")
    assert refused.status == 400
    assert "Too many registrations were tried from your network" in refused.body
    assert refused.body.count("TYPED") >= 2  # the username and address typed are still there
    elsewhere = register_person(registering, "new.person.y", "py@clinic.example", ip="10.9.9.9")
    assert elsewhere.status == 302  # the limit is the address's, not everyone's
    assert AuditEvent.objects.filter(action="rate.limited").count() == 1


# --- Activation -----------------------------------------------------------------------------


def test_activation_is_reached_only_with_the_right_password() -> None:
    """A master awaiting activation is told so only after the right password (E-4)."""
    account("waiting.act.b", status=User.Status.AWAITING_ACTIVATION,
            account_type=User.AccountType.MASTER)  # fmt: skip
    wrong = sign_in("waiting.act.b", "wrong password")  # also checks no gate is left behind
    assert differences({"unknown": sign_in(UNKNOWN, "wrong password"), "waiting": wrong}) == {}
    client = fresh()
    right = client.post("/sign-in/", {"username": "waiting.act.b", "password": PASSWORD})
    assert right["Location"] == "/sign-in/activate/"
    assert client.get("/sign-in/activate/").status_code == 200
