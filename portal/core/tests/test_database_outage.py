"""While the database cannot be reached every page answers 503 with the portal's own page, no
traceback reaches the person or the log, and the portal serves again once the database is back."""

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import ProgrammingError, connections
from django.test import Client

from portal.core.testing import Personas

pytestmark = pytest.mark.django_db(transaction=True)


@contextmanager
def database_down() -> Iterator[None]:
    """The next connection attempt really fails: a file in a missing folder, or a database no
    server has (as a restart or fail-over looks to the portal)."""
    connection = connections["default"]
    connection.ensure_connection()
    saved_connection, saved_name = connection.connection, connection.settings_dict["NAME"]
    unreachable = "/nonexistent/folder/db.sqlite3" if connection.vendor == "sqlite" else "qm_gone"
    connection.connection, connection.settings_dict["NAME"] = None, unreachable
    try:
        yield
    finally:
        connection.connection, connection.settings_dict["NAME"] = saved_connection, saved_name


def assert_unavailable_page(response) -> None:
    page = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "<title>The portal is briefly unavailable \N{EN DASH} QM Portal</title>" in page
    assert "check before you send it a second time" in page
    assert "Skip to main content" in page  # the portal's own look
    assert "Traceback" not in page and "SELECT" not in page and "qm_gone" not in page


def test_a_signed_in_page_answers_503_when_the_session_cannot_be_read(
    personas: Personas, caplog
) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(personas.provider_user)
    caplog.set_level(logging.INFO)
    with database_down():
        response = client.get("/iad/reports/?member=A12345678")
    assert_unavailable_page(response)
    warnings = [r for r in caplog.records if r.name == "portal.core.views"]
    assert [r.levelname for r in warnings] == ["WARNING"]
    assert warnings[0].getMessage().startswith("Database unavailable (OperationalError, SQLSTATE")
    assert warnings[0].getMessage().endswith(": GET /iad/reports/")  # no query string
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def test_a_form_sent_during_the_outage_answers_503(caplog) -> None:
    client = Client(raise_request_exception=False)
    with database_down():
        response = client.post("/sign-in/", {"username": "someone", "password": "x" * 20})
    assert_unavailable_page(response)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def test_a_session_that_cannot_be_saved_at_the_end_answers_503(
    personas: Personas, monkeypatch, caplog
) -> None:
    # The database goes away after the page was made, while the session is being saved:
    # Django reports that as a "session interrupted" (400) with a traceback in its log.
    from django.contrib.sessions.backends.db import SessionStore

    save = SessionStore.save

    def save_during_an_outage(self, must_create: bool = False) -> None:
        with database_down():
            save(self, must_create)

    client = Client(raise_request_exception=False)
    client.force_login(personas.provider_user)
    monkeypatch.setattr(SessionStore, "save", save_during_an_outage)
    response = client.get("/")
    assert_unavailable_page(response)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def test_the_portal_serves_again_as_soon_as_the_database_answers(personas: Personas) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(personas.provider_user)
    with database_down():
        assert client.get("/").status_code == 503
    assert client.get("/").status_code == 200


def test_other_errors_still_get_the_500_page(rf) -> None:
    from portal.core.views import server_error

    try:
        raise ProgrammingError("a bug in a query, not an outage")
    except ProgrammingError:
        response = server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Retry-After" not in response
