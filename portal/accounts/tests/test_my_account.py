import pytest
from django.contrib.auth.hashers import check_password
from django.test import Client

from portal.accounts.models import SecurityAnswer, TermsAcceptance
from portal.accounts.services.terms import publish_terms
from portal.accounts.tests.factories import PASSWORD, UserFactory
from portal.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_my_account_shows_details_roles_terms_and_recent_sign_ins(client: Client) -> None:
    user = UserFactory(phone="602-555-0111")
    TermsAcceptance.objects.create(user=user, terms=publish_terms("T", "B", by=None))
    client.post("/sign-in/", {"username": user.username, "password": PASSWORD})
    page = client.get("/account/").content.decode()
    assert "602-555-0111" in page and "Version 1" in page
    assert "127.0.0.1" in page  # the sign-in just made


def test_i_can_change_my_name_and_phone_but_not_my_email(client: Client) -> None:
    user = UserFactory()
    client.force_login(user)
    response = client.post("/account/details/", {"first_name": "", "last_name": "New",
                                                 "phone": "1"})  # fmt: skip
    assert (
        response.status_code == 400 and "Enter your legal first name" in response.content.decode()
    )
    client.post("/account/details/", {"first_name": "Ana", "last_name": "New", "phone": "1",
                                      "email": "hijack@example.org"})  # fmt: skip
    user.refresh_from_db()
    assert (user.first_name, user.last_name) == ("Ana", "New")
    assert user.email != "hijack@example.org"
    assert AuditEvent.objects.get(action="account.details_changed").data == {
        "fields": ["first_name", "last_name", "phone"]
    }


def test_changing_security_questions_needs_the_current_password(client: Client) -> None:
    user = UserFactory()
    client.force_login(user)
    data = {"question_1": "first_car", "answer_1": "Ford", "question_2": "birth_city",
            "answer_2": "Yuma", "question_3": "first_job", "answer_3": "Diner"}  # fmt: skip
    response = client.post("/account/security-questions/", {**data, "current_password": "nope"})
    assert "not your current password" in response.content.decode()
    assert not SecurityAnswer.objects.exists()
    client.post("/account/security-questions/", {**data, "current_password": PASSWORD})
    answers = {a.question: a.answer_hash for a in SecurityAnswer.objects.filter(user=user)}
    assert set(answers) == {"first_car", "birth_city", "first_job"}
    assert check_password("yuma", answers["birth_city"])
    assert AuditEvent.objects.filter(action="account.security_questions_changed").count() == 1


def test_changing_my_password_keeps_this_session_and_ends_the_others(client: Client) -> None:
    from portal.core.models import OutboundEmail

    user = UserFactory()
    other = Client()
    other.post("/sign-in/", {"username": user.username, "password": PASSWORD})
    client.post("/sign-in/", {"username": user.username, "password": PASSWORD})
    new = "my brand new long passphrase"
    bad = client.post("/account/password/", {"current_password": "nope", "new_password1": new,
                                             "new_password2": new})  # fmt: skip
    assert bad.status_code == 400 and "not your current password" in bad.content.decode()
    same = client.post("/account/password/", {"current_password": PASSWORD,
                                              "new_password1": PASSWORD,
                                              "new_password2": PASSWORD})  # fmt: skip
    assert "different from your old one" in same.content.decode()
    good = {"current_password": PASSWORD, "new_password1": new, "new_password2": new}
    response = client.post("/account/password/", good)
    assert response["Location"] == "/account/"
    assert client.get("/").status_code == 200
    assert other.get("/")["Location"].startswith("/sign-in/")
    user.refresh_from_db()
    assert user.check_password(new)
    assert AuditEvent.objects.filter(action="account.password_changed").count() == 1
    assert OutboundEmail.objects.filter(to=user.email, template="account_notice").count() == 1
