"""The authorization matrix, walked for every person (issue #7 items 1, 3 and 6): each URL answers
each person as `access_matrix.toml` says; no GET adds or removes a row; each allowed read of a
PHI page writes exactly its one audit event, and each refusal of a signed-in person one denial.
"""

import re
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client

from portal.core.models import AuditEvent
from portal.core.tests.security.urls import ALL_URLS

from .matrix import METHODS, load_matrix, outcome_of
from .world import PERSONAS, World, build_world

pytestmark = pytest.mark.django_db
MATRIX = load_matrix()
PHI_READS = {entry.reads for entry in MATRIX.values() if entry.reads}
# Rows a GET may add: its own audit events, and the session it refreshes.
NOT_STATE = {"core.auditevent", "sessions.session"}
# The portal signs out pending and locked accounts at their next request.
SIGNED_OUT = {"anonymous", "pending", "locked"}


def matrix_key(name: str, sample: str) -> str:
    """Named patterns by name; unnamed ones (the back office's redirects) by name and path."""
    same = [path for other, path in ALL_URLS if other == name]
    return name if len(same) == 1 else f"{name} {sample}"


def test_every_url_pattern_has_its_row_and_every_row_its_pattern() -> None:
    patterns = {matrix_key(name, sample) for name, sample in ALL_URLS}
    assert sorted(patterns - MATRIX.keys()) == [], "URL patterns missing from the matrix"
    assert sorted(MATRIX.keys() - patterns) == [], "matrix rows naming no URL pattern"


@pytest.fixture
def world(settings, tmp_path) -> World:
    settings.ATTACHMENTS_ROOT = tmp_path
    return build_world()


def client_for(world: World, persona: str, **options: bool) -> Client:
    client = Client(**options)
    person = world.people[persona]
    if person is not None:
        client.force_login(person)
    return client


@dataclass
class Answer:
    response: HttpResponse
    events: list[AuditEvent]
    rows_changed: list[str] = field(default_factory=list)


def _row_counts() -> dict[str, int]:
    """Rows per table in one query (the models of every installed app)."""
    tables = {m._meta.label_lower: m._meta.db_table for m in apps.get_models()
              if m._meta.label_lower not in NOT_STATE and m._meta.managed}  # fmt: skip
    quote = connection.ops.quote_name
    # Table names come from the models, not from input.
    sql = " UNION ALL ".join(f"SELECT '{label}', COUNT(*) FROM {quote(table)}"  # noqa: S608
                             for label, table in tables.items())  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(cursor.fetchall())


def ask(client: Client, method: str, path: str, data: dict[str, str] | None = None) -> Answer:
    """One request whose every change is rolled back, cookies included, so the next request
    meets the same world (a sign-out would otherwise sign the client out for good)."""
    cookies = SimpleCookie(client.cookies)
    last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with transaction.atomic():
        before = _row_counts() if method == "GET" else {}
        if method == "POST":
            response = client.post(path, data or {})
        else:
            response = client.generic(method, path)
        after = _row_counts() if method == "GET" else {}
        events = list(AuditEvent.objects.filter(pk__gt=last).order_by("pk"))
        transaction.set_rollback(True)
    client.cookies = cookies
    changed = [table for table in before if before[table] != after[table]]
    return Answer(response, events, changed)


@pytest.mark.parametrize("persona", PERSONAS)
def test_each_person_gets_what_the_matrix_says(world, persona) -> None:
    client = client_for(world, persona)
    wrong = []
    for key, entry in MATRIX.items():
        path = world.path(entry.path)
        for method in METHODS:
            answer = ask(client, method, path)
            got, expected = outcome_of(answer.response, path), entry.expected[method][persona]
            if got != expected:
                wrong.append(f"{method} {key}: {got}, the matrix says {expected}")
            if answer.rows_changed:
                wrong.append(f"{method} {key} changed rows of {answer.rows_changed}")
            if method == "GET":
                wrong += _audit_problems(key, entry.reads, got, answer.events, persona)
    assert wrong == []


def _audit_problems(key: str, reads: str, got: str, events: list[AuditEvent],
                    persona: str) -> list[str]:  # fmt: skip
    """A PHI page read by someone allowed writes exactly its event; a page refused to a signed-in
    person writes one denial and no read."""
    actions = [event.action for event in events]
    phi = [action for action in actions if action in PHI_READS]
    if got == "not_found" and persona not in SIGNED_OUT:
        if phi or actions.count("access.denied") != 1:
            return [f"GET {key} refused with {actions}: one access.denied expected"]
    elif reads and got in {"ok", "redirect", "bad"} and phi != [reads]:
        return [f"GET {key} wrote {actions}: exactly one {reads} expected"]
    elif not reads and phi:
        return [f"GET {key} wrote {phi} though the matrix says it shows no PHI"]
    return []


# --- CSRF (item 3): every POST that does something refuses a missing, wrong or borrowed token.

CHANGING = {
    key: next(p for p in PERSONAS if entry.expected["POST"][p] not in {"method", "sign_in",
                                                                          "not_found"})
    for key, entry in MATRIX.items()
    if any(entry.expected["POST"][p] not in {"method", "sign_in", "not_found"} for p in PERSONAS)
}  # fmt: skip


def _token(client: Client, signed_in: bool) -> str:
    """The form token a page gives this client (and the CSRF cookie it pairs with)."""
    page = client.get("/" if signed_in else "/sign-in/").content.decode()
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert match, "the page carries no form token"
    return match.group(1)


def test_csrf_covers_every_post_that_does_something(world) -> None:
    assert len(CHANGING) > 20  # the walk below reaches the portal's forms, not a handful
    wrong = []
    pairs: dict[str, tuple[Client, Client, str, str]] = {}  # one victim and one other per person
    for key, persona in CHANGING.items():
        path = world.path(MATRIX[key].path)
        expected = MATRIX[key].expected["POST"][persona]
        if persona not in pairs:
            victim, other = (client_for(world, persona, enforce_csrf_checks=True)
                             for _ in range(2))  # fmt: skip
            signed_in = world.people[persona] is not None
            pairs[persona] = (victim, other, _token(victim, signed_in), _token(other, signed_in))
        victim, _, good, borrowed = pairs[persona]
        for label, token in [("no token", None), ("a wrong token", "x" * 64),
                             ("another session's token", borrowed)]:  # fmt: skip
            answer = ask(victim, "POST", path, {"csrfmiddlewaretoken": token} if token else None)
            if "403_csrf.html" not in [t.name for t in answer.response.templates]:
                wrong.append(f"POST {key} as {persona} with {label}: "
                             f"{answer.response.status_code}")  # fmt: skip
        control = ask(victim, "POST", path, {"csrfmiddlewaretoken": good})
        if outcome_of(control.response, path) != expected:
            wrong.append(f"POST {key} as {persona} with a good token: not {expected}")
    assert wrong == []
