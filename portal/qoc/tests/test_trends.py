"""Tracking and trending (issue #16 item 6): the counts of cases received over a period, by
month, provider, category, severity and determination, for managers only; as tables (the
charts are drawn from them), and the same numbers exported."""

import csv
import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.core.models import AuditEvent
from portal.qoc.models import Case, Category
from portal.registry.tests.factories import OrganizationFactory

from .factories import CaseFactory

pytestmark = pytest.mark.django_db
S = Case.Status


def this_month(day: int) -> date:
    return timezone.localdate().replace(day=day)


def received(actors, day: date, **fields) -> Case:
    about = {"health_plan": actors.plan, "provider": actors.provider, "status": S.CLOSED}
    return CaseFactory(received_on=day, **(about | fields))


def test_the_trends_count_cases_by_each_measure(client, actors) -> None:
    medication, access = Category.objects.filter(name__in=["Medication", "Other"]).order_by("name")
    other = OrganizationFactory(name="Zuni Clinic")
    received(actors, this_month(1), topic=medication, severity=3, determination="substantiated")
    received(actors, this_month(1), topic=medication, severity=1, determination="unable")
    received(actors, this_month(1), topic=access, severity=1, provider=other)
    received(actors, this_month(1), status=S.DRAFT)  # not recorded yet: not counted
    received(actors, date(2001, 1, 1))  # outside the period
    client.force_login(actors.manager)
    response = client.get("/qoc/trends/")
    assert response.status_code == 200
    trends = {trend.key: trend.rows for trend in response.context["trends"]}
    month = timezone.localdate().strftime("%B %Y")
    assert len(trends["month"]) == 12 and trends["month"][-1] == (month, 3)
    assert sum(count for _, count in trends["month"]) == 3  # the empty months are shown too
    assert trends["provider"] == [(actors.provider.name, 2), ("Zuni Clinic", 1)]
    assert trends["category"] == [("Medication", 2), ("Other", 1)]
    assert trends["severity"] == [
        ("Level 1: minimal", 2),
        ("Level 3: immediate or life-threatening", 1),
    ]
    assert trends["determination"] == [
        ("Substantiated", 1),
        ("Unable to substantiate", 1),
        ("Not determined yet", 1),
    ]
    page = response.content.decode()
    assert '<table class="usa-table usa-table--borderless" id="table-provider"' in page
    assert 'Zuni Clinic</th><td class="text-right" data-value="1">1</td>' in page
    assert '<script src="/static/js/trends.js" defer></script>' in page
    assert AuditEvent.objects.filter(action="qoc.trends_viewed").count() == 1


def test_the_trends_narrow_to_a_plan_and_a_period(client, actors) -> None:
    other_plan = actors.other_plan.organization
    received(actors, this_month(1))
    received(actors, this_month(1), health_plan=other_plan)
    received(actors, date(2020, 5, 1))
    client.force_login(actors.manager)
    plan_only = client.get("/qoc/trends/", {"health_plan": other_plan.pk})
    assert plan_only.context["trends"][0].total == 1
    older = client.get("/qoc/trends/", {"received_from": "2020-01-01", "received_to": "2020-12-31"})
    months = older.context["trends"][0].rows
    assert months[0] == ("January 2020", 0) and months[4] == ("May 2020", 1)
    assert len(months) == 12 and older.context["trends"][0].total == 1


def test_a_backwards_period_is_named_and_shows_no_numbers(client, actors) -> None:
    client.force_login(actors.manager)
    response = client.get(
        "/qoc/trends/", {"received_from": "2026-05-01", "received_to": "2026-01-01"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The last day must be the same as or after the first" in page
    assert 'value="2026-05-01"' in page and response.context["trends"] is None
    assert not AuditEvent.objects.filter(action="qoc.trends_viewed").exists()


def test_only_managers_see_the_trends(client, actors) -> None:
    for person in (actors.investigator, actors.recorder, actors.provider_user):
        client.force_login(person)
        assert client.get("/qoc/trends/").status_code == 404
        assert client.get("/qoc/trends/export/csv/").status_code == 404


def test_the_export_holds_the_numbers_of_the_page(client, actors) -> None:
    received(actors, this_month(1), severity=2)
    received(actors, this_month(1), severity=2)
    client.force_login(actors.manager)
    shown = client.get("/qoc/trends/").context["trends"]
    exported = client.get("/qoc/trends/export/csv/")
    rows = list(csv.reader(io.StringIO(b"".join(exported.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["Count", "Value", "Cases"]
    expected = [[t.heading, label, str(count)] for t in shown for label, count in t.rows]
    assert rows[1:] == expected and ["Severity", "Level 2: moderate", "2"] in rows
    assert AuditEvent.objects.get(action="qoc.trends_exported").data["format"] == "csv"
    assert client.get("/qoc/trends/export/xlsx/").status_code == 200


def test_the_trends_keep_their_query_count_as_cases_grow(client, actors, settings) -> None:
    settings.QOC_TRENDS_SECONDS = 0  # counted on every view
    client.force_login(actors.manager)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/qoc/trends/").status_code == 200
        return len(captured)

    received(actors, this_month(1))
    client.get("/qoc/trends/")
    few = count()
    for n in range(20):
        received(actors, this_month(1), provider=OrganizationFactory(), severity=n % 3 + 1)
    assert count() == few


def test_counted_trends_are_kept_for_a_while_then_counted_anew(client, actors, settings) -> None:
    settings.QOC_TRENDS_SECONDS = 300
    received(actors, this_month(1))
    client.force_login(actors.manager)
    first = client.get("/qoc/trends/")
    received(actors, this_month(1))
    with CaptureQueriesContext(connection) as kept:
        again = client.get("/qoc/trends/")
    assert again.context["counted_at"] == first.context["counted_at"]
    assert again.context["trends"][0].total == 1  # as counted a moment ago
    assert not any("qoc_case" in query["sql"] for query in kept.captured_queries)
    assert "the same counts are shown for a few minutes" in again.content.decode()
    other_plan = client.get("/qoc/trends/", {"health_plan": actors.plan.pk})
    assert other_plan.context["trends"][0].total == 2  # other filters: counted now
