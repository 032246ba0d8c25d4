"""Starting a report once per start page (ADR 0016): the page's key makes a second POST, a
double click or a retry, open the draft the first one made, for its own preparer only."""

import re
import threading
import time
import uuid

import pytest
from django.db import connection, transaction

from portal.accounts.services import grant_role
from portal.accounts.tests.factories import UserFactory
from portal.core.models import AuditEvent
from portal.iad.models import Report
from portal.reports import services

pytestmark = pytest.mark.django_db


def post_start(client, key: str | None, kind: str = "iad"):
    data = {"kind": kind} if key is None else {"kind": kind, "client_key": key}
    return client.post("/iad/reports/new/", data)


def created_events() -> int:
    return AuditEvent.objects.filter(action="iad.created").count()


def test_each_showing_of_the_start_page_has_a_fresh_key(client, actors) -> None:
    client.force_login(actors.submitter)

    pages = [client.get("/iad/reports/new/").content.decode() for _ in range(2)]

    keys = [re.findall(r'name="client_key" value="([0-9a-f-]{36})"', page) for page in pages]
    assert [len(found) for found in keys] == [1, 1]
    assert keys[0] != keys[1]


def test_the_same_page_sent_twice_opens_one_draft(client, actors) -> None:
    client.force_login(actors.submitter)
    key = str(uuid.uuid4())

    first, second = post_start(client, key), post_start(client, key)

    report = Report.objects.get()
    assert first["Location"] == second["Location"] == f"/iad/reports/{report.code}/draft/"
    assert report.client_key == uuid.UUID(key)
    assert created_events() == 1


def test_two_pages_open_two_drafts(client, actors) -> None:
    client.force_login(actors.submitter)

    first, second = post_start(client, str(uuid.uuid4())), post_start(client, str(uuid.uuid4()))

    assert first["Location"] != second["Location"]
    assert Report.objects.filter(preparer=actors.submitter).count() == 2
    assert created_events() == 2


@pytest.mark.parametrize("who", ["colleague", "outsider"])
def test_a_key_sent_by_someone_else_never_opens_the_first_persons_draft(
    client, actors, who
) -> None:
    key = str(uuid.uuid4())
    client.force_login(actors.submitter)
    theirs = post_start(client, key)
    colleague = UserFactory(organization=actors.personas.provider)
    grant_role(colleague, "iad.submitter", by=None)
    other = colleague if who == "colleague" else actors.outsider
    client.force_login(other)

    mine = post_start(client, key)

    assert mine.status_code == 302 and mine["Location"] != theirs["Location"]
    assert Report.objects.filter(client_key=key).count() == 2
    own = Report.objects.get(preparer=other)
    assert own.organization == other.organization
    assert mine["Location"] == f"/iad/reports/{own.code}/draft/"
    assert created_events() == 2


@pytest.mark.parametrize("key", [None, "", "not-a-key", "12345"])
def test_a_page_without_a_good_key_starts_nothing_and_says_so(client, actors, key) -> None:
    client.force_login(actors.submitter)

    response = post_start(client, key)

    assert response.status_code == 400
    page = response.content.decode()
    assert "no report was started" in page
    assert re.search(r'name="client_key" value="[0-9a-f-]{36}"', page)
    assert not Report.objects.exists()
    assert created_events() == 0


def test_the_service_without_a_key_makes_a_draft_each_time(actors) -> None:
    # The demo data and other code inside the portal start drafts without a page.
    services.start_report("iad", by=actors.submitter)
    services.start_report("iad", by=actors.submitter)

    assert Report.objects.count() == 2


# --- Two connections at once -------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("racers", [2, 6])
def test_the_same_page_sent_at_once_on_many_connections_opens_one_draft(actors, racers) -> None:
    key, start = uuid.uuid4(), threading.Barrier(racers)
    codes: list[uuid.UUID] = []
    errors: list[BaseException] = []

    def race() -> None:
        try:
            start.wait()
            codes.append(services.start_report("iad", by=actors.submitter, client_key=key).code)
        except Exception as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=race) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len(codes) == racers and len(set(codes)) == 1
    assert Report.objects.filter(client_key=key).count() == 1
    assert created_events() == 1


@pytest.mark.django_db(transaction=True)
def test_a_second_post_waiting_on_the_first_uncommitted_one_gets_its_draft(actors) -> None:
    """The second POST finds no draft, then its insert waits on the first one's uncommitted row;
    once that commits, it must answer with the first draft, not an error or a second row."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's view of which connection waits on a lock")
    key = uuid.uuid4()
    inserted, commit = threading.Event(), threading.Event()
    second: dict[str, object] = {}

    def first_post() -> None:
        try:
            with transaction.atomic():
                second["first"] = services.start_report("iad", by=actors.submitter,
                                                        client_key=key).code  # fmt: skip
                inserted.set()
                commit.wait(timeout=30)
        finally:
            connection.close()

    def second_post() -> None:
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                second["pid"] = cursor.fetchone()[0]
            second["code"] = services.start_report("iad", by=actors.submitter,
                                                   client_key=key).code  # fmt: skip
        except Exception as error:
            second["error"] = error
        finally:
            connection.close()

    one = threading.Thread(target=first_post)
    one.start()
    assert inserted.wait(timeout=30)
    two = threading.Thread(target=second_post)
    two.start()
    try:
        assert _waits_on_a_lock(lambda: second.get("pid")), "the second insert never waited"
    finally:
        commit.set()
        one.join(timeout=30)
        two.join(timeout=30)

    assert "error" not in second, second.get("error")
    assert second["code"] == second["first"]
    assert Report.objects.filter(client_key=key).count() == 1
    assert created_events() == 1


def _waits_on_a_lock(pid, seconds: float = 20) -> bool:
    """Whether the backend `pid()` comes to wait on a lock within `seconds` (polled: PostgreSQL
    gives no notice of it)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if pid() is not None:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", [pid()]
                )
                row = cursor.fetchone()
            if row and row[0] == "Lock":
                return True
        threading.Event().wait(0.02)
    return False
