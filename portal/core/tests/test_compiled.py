"""Queries compiled once (ADR 0030): each run finds the rows of its own values, as the queryset
would give them, with one query and without building the query again."""

import uuid
from typing import Any

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.test.utils import CaptureQueriesContext

from portal.accounts.tests.factories import UserFactory
from portal.core.compiled import CompiledQuery, related_objects
from portal.iad.models import IncidentType, RedactedCopy, Report, ReportEvent
from portal.iad.tests.factories import ReportFactory

pytestmark = pytest.mark.django_db


def fields(made: Any) -> dict[str, Any]:
    """A model object's own values, without Django's state or what it has cached."""
    return {name: value for name, value in vars(made).items() if not name.startswith("_")}


def with_history(steps: int) -> Any:
    report = ReportFactory()
    for n in range(steps):
        actor = UserFactory(first_name=f"Actor {n}")
        ReportEvent.objects.create(
            report=report, actor=actor, transition="submit", from_status="draft", to_status=str(n)
        )
    return report


def test_each_run_finds_the_rows_of_its_own_values_as_the_queryset_gives_them() -> None:
    first, second = with_history(2), with_history(3)
    history = CompiledQuery(lambda pk: ReportEvent.objects.filter(report_id=pk))
    for report in (first, second, first):
        expected = [fields(event) for event in ReportEvent.objects.filter(report=report)]
        assert [fields(event) for event in history.objects(report.pk)] == expected
    assert history.objects(-1) == []


def test_the_query_is_built_once_and_each_run_is_one_query() -> None:
    report = with_history(2)
    built: list[int] = []

    def build(pk: int) -> QuerySet[Any]:
        built.append(pk)
        return ReportEvent.objects.filter(report_id=pk).select_related("actor")

    history = CompiledQuery(build)
    for _ in range(3):
        with CaptureQueriesContext(connection) as ran:
            names = [event.actor.first_name for event in history.objects(report.pk)]
        assert names == ["Actor 0", "Actor 1"]
        assert len(ran) == 1  # the followed accounts came with the events
    assert len(built) == 1


def test_a_uuid_value_is_bound_in_the_form_the_database_keeps() -> None:
    """PostgreSQL binds a UUID as itself, SQLite as its hex digits; a code given as text is
    read as the UUID it spells."""
    wanted, other = ReportFactory(), ReportFactory()
    by_code = CompiledQuery(lambda code: Report.objects.filter(code=code), types=(uuid.UUID,))
    assert [r.pk for r in by_code.objects(wanted.code)] == [wanted.pk]
    assert [r.pk for r in by_code.objects(str(other.code))] == [other.pk]
    assert by_code.objects(uuid.uuid4()) == []


def test_a_value_the_query_does_not_bind_is_refused() -> None:
    """A stand-in that never reaches the parameters would leave every run with the same rows."""
    everything = CompiledQuery(lambda pk: ReportEvent.objects.all())
    with pytest.raises(ValueError, match="not a parameter"):
        everything.objects(1)


def test_related_objects_point_back_at_their_report_without_a_query() -> None:
    report = with_history(2)
    found = related_objects(report, "history", "actor")
    assert [event.pk for event in found] == [e.pk for e in report.history.all()]
    with CaptureQueriesContext(connection) as ran:
        assert {event.report.code for event in found} == {report.code}
        assert [event.actor.first_name for event in found] == ["Actor 0", "Actor 1"]
    assert len(ran) == 0


def test_related_objects_of_a_many_to_many_relation_keep_its_order() -> None:
    report = ReportFactory()
    falls, choking = IncidentType.objects.order_by("order")[:2]
    report.incident_types.set([choking, falls])
    assert related_objects(report, "incident_types") == list(report.incident_types.all())
    assert related_objects(ReportFactory(), "incident_types") == []


def test_a_reverse_one_to_one_gives_its_object_or_nothing() -> None:
    report = ReportFactory()
    assert related_objects(report, "redacted_copy") == []
    copy = RedactedCopy.objects.create(report=report, created_by=report.preparer)
    assert [(c.pk, c.report is report) for c in related_objects(report, "redacted_copy")] == [
        (copy.pk, True)
    ]
