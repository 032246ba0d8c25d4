import pytest
from django.db import connections


@pytest.mark.django_db
def test_healthz_answers_ok_when_the_database_answers(client) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db(transaction=True)
def test_healthz_answers_503_when_the_database_does_not(client) -> None:
    connection = connections["default"]
    connection.ensure_connection()
    saved_connection, saved_name = connection.connection, connection.settings_dict["NAME"]
    # The next connect really fails: a file in a missing folder, or a database no server has.
    unreachable = "/nonexistent/folder/db.sqlite3" if connection.vendor == "sqlite" else "qm_gone"
    connection.connection, connection.settings_dict["NAME"] = None, unreachable
    try:
        response = client.get("/healthz")
    finally:
        connection.connection, connection.settings_dict["NAME"] = saved_connection, saved_name
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unavailable"}
