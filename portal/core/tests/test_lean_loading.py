"""Objects made from rows without `__init__` (portal.core.loading): they hold what Django's
would, behave as saved, load an unread column on use, and a model with init receivers is made
the usual way."""

from typing import Any

import pytest
from django.db import connection
from django.db.models import signals
from django.test.utils import CaptureQueriesContext

from portal.core.tests.test_compiled import fields
from portal.iad.models import Report
from portal.iad.tests.factories import ReportFactory
from portal.registry.models import Organization

pytestmark = pytest.mark.django_db


def made_by_init(query: Any) -> list[dict[str, Any]]:
    """The rows as Django's own `from_db` makes them: a post_init receiver makes the model
    take that path."""
    calls = []

    def receiver(**kwargs: Any) -> None:
        calls.append(kwargs["instance"])

    for model in (Report, Organization):
        signals.post_init.connect(receiver, sender=model)
    try:
        made = list(query.all())
    finally:
        for model in (Report, Organization):
            signals.post_init.disconnect(receiver, sender=model)
    assert len(calls) == len(made) + sum(1 for r in made if "provider" in r._state.fields_cache)
    return [_with_related(report) for report in made]


def _with_related(report: Report) -> dict[str, Any]:
    related = report._state.fields_cache.get("provider")
    return {**fields(report), "provider": fields(related) if related else None}


def test_objects_hold_what_djangos_own_would_whole_in_part_and_with_related_rows() -> None:
    ReportFactory.create_batch(3)
    for query in (
        Report.objects.order_by("pk"),
        Report.objects.only("code", "status").order_by("pk"),
        Report.objects.only("code", "provider__name").select_related("provider").order_by("pk"),
    ):
        lean = [_with_related(report) for report in query.all()]
        assert lean == made_by_init(query)
        assert all(row["code"] for row in lean)


def test_a_column_not_read_loads_on_first_use_with_one_query() -> None:
    report = ReportFactory(member_last_name="Whitmore")
    read = Report.objects.only("code").get(pk=report.pk)
    assert "member_last_name" not in vars(read)
    with CaptureQueriesContext(connection) as queries:
        assert read.member_last_name == "Whitmore"
        assert read.member_last_name == "Whitmore"
    assert len(queries) == 1


def test_an_object_read_is_saved_in_its_database_and_checks_unique_fields_against_others() -> None:
    report = ReportFactory()
    read = Report.objects.get(pk=report.pk)
    assert (read._state.adding, read._state.db) == (False, "default")
    read.validate_unique()  # its own code is not taken by another report
    read.member_last_name = "Sandoval"
    read.save()
    assert Report.objects.count() == 1
    assert Report.objects.get(pk=report.pk).member_last_name == "Sandoval"
