"""The report list: tabs by role, only visible rows, constant queries, one audited read."""

import csv
import html
import io
import json
import re
from datetime import date, datetime, timedelta
from urllib.parse import parse_qs, quote

import pytest
import time_machine
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import F
from django.shortcuts import resolve_url
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from portal.core.business_days import PHOENIX
from portal.core.models import AuditEvent
from portal.iad.lists import EXPORT_HEADERS, _IncidentTypeNames
from portal.iad.models import IncidentType, Report
from portal.iad.report_types import IAD
from portal.reports.listing import checked_sort, ordering

from .factories import ReportFactory

pytestmark = pytest.mark.django_db
SORTS = [column.key for column in IAD.columns]
S = Report.Status


def reports_of(actors, count: int, **fields) -> list[Report]:
    return [ReportFactory(organization=actors.personas.provider, health_plan=actors.plan,
                          preparer=actors.submitter, **fields) for _ in range(count)]  # fmt: skip


def test_people_without_an_iad_role_find_no_application(client, personas) -> None:
    for person in (personas.provider_master, personas.ioc_member, personas.agency_admin):
        client.force_login(person)
        assert client.get("/iad/reports/").status_code == 404


def test_each_person_gets_the_tabs_of_their_roles(client, actors) -> None:
    expected = {
        "submitter": ["All I may see", "My drafts"],
        "director": ["All I may see", "Awaiting my approval"],
        "plan_reviewer": ["All I may see", "Awaiting review"],
    }
    for who, tabs in expected.items():
        client.force_login(getattr(actors, who))
        page = client.get("/iad/reports/").content.decode()
        for label in ["All I may see", "My drafts", "Awaiting my approval", "Awaiting review"]:
            assert (label in page) == (label in tabs), (who, label)


def test_the_tabs_narrow_the_list(client, actors) -> None:
    draft, waiting, filed = (reports_of(actors, 1, status=s)[0]
                             for s in (S.DRAFT, S.AWAITING_APPROVAL, S.SUBMITTED))  # fmt: skip
    client.force_login(actors.director)

    page = client.get("/iad/reports/?show=approval").content.decode()

    assert str(waiting.code)[:8] in page
    assert str(draft.code)[:8] not in page and str(filed.code)[:8] not in page
    assert "1 report." in page


def test_the_list_holds_only_what_the_person_may_see(client, actors) -> None:
    ours = reports_of(actors, 1, status=S.SUBMITTED)[0]
    theirs = ReportFactory(status=S.SUBMITTED)  # another provider, another plan
    client.force_login(actors.plan_reviewer)

    page = client.get("/iad/reports/").content.decode()

    assert str(ours.code)[:8] in page and str(theirs.code)[:8] not in page


def test_queries_stay_constant_as_rows_grow_and_each_page_is_one_audit_event(
    client, actors
) -> None:
    client.force_login(actors.plan_reviewer)
    client.get("/iad/reports/")  # the session's first request

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/iad/reports/").status_code == 200
        return len(captured)

    reports_of(actors, 2, status=S.SUBMITTED)
    few = queries()
    reports_of(actors, 30, status=S.SUBMITTED)
    assert queries() == few
    assert AuditEvent.objects.filter(action="iad.listed").count() == 3


def test_the_list_pages_by_fifty(client, actors) -> None:
    reports_of(actors, 51, status=S.SUBMITTED)
    client.force_login(actors.plan_reviewer)

    first = client.get("/iad/reports/").content.decode()
    second = client.get("/iad/reports/?page=2").content.decode()

    assert "51 reports, page 1 of 2" in first and "Next page" in first
    assert "page 2 of 2" in second and second.count('data-label="Status"') == 1


# --- Filters, sort and export (SPEC §11) ---------------------------------------------------


def report_of(actors, **fields) -> Report:
    return reports_of(actors, 1, **fields)[0]


def listed(client, query: str = "") -> list[Report]:
    response = client.get(f"/iad/reports/?{query}")
    assert response.status_code == 200, response.content.decode()[:2000]
    return list(response.context["page"].object_list)


def test_the_status_filter_takes_several_statuses(client, actors) -> None:
    draft, returned, waiting = (reports_of(actors, 1, status=s)[0]
                                for s in (S.DRAFT, S.RETURNED, S.AWAITING_APPROVAL))  # fmt: skip
    client.force_login(actors.submitter)

    assert set(listed(client, "status=draft&status=returned")) == {draft, returned}
    assert listed(client, "status=awaiting_approval") == [waiting]


def test_the_incident_type_filter(client, actors) -> None:
    fall, death = (IncidentType.objects.create(name=name) for name in ("Test fall", "Test death"))
    falls = reports_of(actors, 2, status=S.SUBMITTED)
    for report in falls:
        report.incident_types.add(fall, death)  # two types: the row still shows once
    reports_of(actors, 1, status=S.SUBMITTED)[0].incident_types.add(death)
    client.force_login(actors.plan_reviewer)

    assert sorted(listed(client, f"incident_type={fall.pk}"), key=lambda r: r.pk) == falls


def test_the_sentinel_filter(client, actors) -> None:
    sentinel = reports_of(actors, 1, status=S.SUBMITTED, sentinel=True)
    plain = reports_of(actors, 2, status=S.SUBMITTED, sentinel=False)
    client.force_login(actors.plan_reviewer)

    assert listed(client, "sentinel=yes") == sentinel
    assert set(listed(client, "sentinel=no")) == set(plain)
    assert len(listed(client, "sentinel=")) == 3


def test_the_date_range_counts_days_in_phoenix_time(client, actors) -> None:
    evening, morning = (datetime(2026, 11, 16, 23, 30, tzinfo=PHOENIX),
                        datetime(2026, 11, 17, 0, 30, tzinfo=PHOENIX))  # fmt: skip
    late_evening = report_of(actors, status=S.SUBMITTED, occurred_at=evening)
    next_morning = report_of(actors, status=S.SUBMITTED, occurred_at=morning)
    report_of(actors, status=S.SUBMITTED, occurred_at=None)
    client.force_login(actors.plan_reviewer)

    # 23:30 in Phoenix is already the 17th in UTC: the filter must not count it there.
    assert listed(client, "occurred_to=2026-11-16") == [late_evening]
    assert listed(client, "occurred_from=2026-11-17") == [next_morning]
    both = "occurred_from=2026-11-16&occurred_to=2026-11-17"
    assert set(listed(client, both)) == {late_evening, next_morning}


def test_the_provider_and_plan_filters(client, actors) -> None:
    ours = reports_of(actors, 1, status=S.SUBMITTED)[0]
    elsewhere = ReportFactory(status=S.SUBMITTED)  # another provider and plan
    client.force_login(actors.agency_reviewer)

    assert listed(client, f"provider={elsewhere.provider_id}") == [elsewhere]
    assert listed(client, f"health_plan={actors.plan.pk}") == [ours]
    both = f"provider={ours.provider_id}&health_plan={elsewhere.health_plan_id}"
    assert listed(client, both) == []


def test_overdue_means_past_due_and_not_yet_submitted(client, actors) -> None:
    past, future = timezone.now() - timedelta(hours=1), timezone.now() + timedelta(hours=1)
    overdue = [reports_of(actors, 1, status=s, due_at=past)[0]
               for s in (S.DRAFT, S.AWAITING_APPROVAL, S.RETURNED)]  # fmt: skip
    reports_of(actors, 1, status=S.SUBMITTED, due_at=past)
    reports_of(actors, 1, status=S.DRAFT, due_at=future)
    reports_of(actors, 1, status=S.DRAFT, due_at=None)
    client.force_login(actors.submitter)

    assert set(listed(client, "overdue=on")) == set(overdue)
    assert len(listed(client)) == 6


def test_filters_combine_with_the_tab(client, actors) -> None:
    waiting_sentinel = reports_of(actors, 1, status=S.AWAITING_APPROVAL, sentinel=True)
    reports_of(actors, 1, status=S.AWAITING_APPROVAL, sentinel=False)
    reports_of(actors, 1, status=S.SUBMITTED, sentinel=True)
    client.force_login(actors.director)

    assert listed(client, "show=approval&sentinel=yes") == waiting_sentinel
    assert len(listed(client, "show=all&sentinel=yes")) == 2


BAD_FILTERS = [
    ("status=lost", "Choose a status from the list"),
    ("incident_type=fall", "Choose an incident type from the list"),
    ("incident_type=999999", "Choose an incident type from the list"),
    ("sentinel=maybe", "Choose an option for sentinel from the list"),
    ("occurred_from=2026-13-45", "Enter the &#x27;from&#x27; date as a real date"),
    ("occurred_to=yesterday", "Enter the &#x27;to&#x27; date as a real date"),
    ("occurred_from=2026-11-17&occurred_to=2026-11-16",
     "The &#x27;to&#x27; date must be the same as or after the &#x27;from&#x27; date"),
    ("provider=x", "Choose a provider from the list"),
    ("health_plan=99999999999999999999", "Choose a health plan from the list"),
    ("provider=" + "9" * 5000, "Choose a provider from the list"),  # past int()'s digit limit
]  # fmt: skip


@pytest.mark.parametrize(("query", "problem"), BAD_FILTERS)
def test_bad_filters_are_named_and_list_nothing(client, actors, query, problem) -> None:
    reports_of(actors, 1, status=S.SUBMITTED)
    client.force_login(actors.plan_reviewer)

    response = client.get(f"/iad/reports/?{query}")
    page = response.content.decode()

    assert response.status_code == 400
    assert "<title>Error: " in page and "There is a problem" in page and problem in page
    assert response.context["page"] is None and 'data-label="Status"' not in page
    assert not AuditEvent.objects.filter(action="iad.listed").exists()
    assert client.get(f"/iad/reports/export/csv/?{query}").status_code == 400


def test_what_was_typed_stays_in_the_form(client, actors) -> None:
    client.force_login(actors.plan_reviewer)

    page = client.get("/iad/reports/?occurred_from=2026-13-45&sentinel=yes").content.decode()

    assert 'value="2026-13-45"' in page
    assert '<option value="yes" selected>' in page


def test_the_provider_choices_name_only_organizations_the_person_sees(client, actors) -> None:
    ours = reports_of(actors, 1, status=S.SUBMITTED)[0]
    hidden = ReportFactory(status=S.SUBMITTED, provider__name="Hidden Provider Inc")
    client.force_login(actors.plan_reviewer)

    page = client.get("/iad/reports/").content.decode()
    asked = client.get(f"/iad/reports/?provider={hidden.provider_id}")

    assert ours.provider.name in page and "Hidden Provider Inc" not in page
    assert asked.status_code == 400 and "Hidden Provider Inc" not in asked.content.decode()


def test_a_provider_named_after_the_choices_were_kept_can_still_be_chosen(client, actors) -> None:
    client.force_login(actors.plan_reviewer)
    reports_of(actors, 1, status=S.SUBMITTED)
    client.get("/iad/reports/")  # the provider choices are kept now
    newcomer = ReportFactory(status=S.SUBMITTED, health_plan=actors.plan,
                             organization__name="Newly Named Provider")  # fmt: skip
    hidden = ReportFactory(status=S.SUBMITTED, provider__name="Hidden Provider Inc")

    chosen = client.get(f"/iad/reports/?provider={newcomer.provider_id}")
    refused = client.get(f"/iad/reports/?provider={hidden.provider_id}")

    assert chosen.status_code == 200
    assert listed(client, f"provider={newcomer.provider_id}") == [newcomer]
    assert "Newly Named Provider" in client.get("/iad/reports/").content.decode()
    assert refused.status_code == 400


def test_kept_filter_choices_are_not_read_again(client, actors) -> None:
    provider = reports_of(actors, 2, status=S.SUBMITTED)[0].provider
    client.force_login(actors.plan_reviewer)
    client.get("/iad/reports/")  # keeps the provider and plan choices, labels included

    with CaptureQueriesContext(connection) as captured:
        page = client.get("/iad/reports/").content.decode()

    label = html.escape(str(provider), quote=False)
    assert f'<option value="{provider.pk}">{label}</option>' in page
    assert not [q for q in captured if q["sql"].startswith('SELECT "registry_organization"')]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_export_reads_no_filter_choices_it_does_not_check(client, actors, file_format) -> None:
    """Finding the choices reads every report a plan sees: an export shows no form."""
    reports_of(actors, 2, status=S.SUBMITTED)
    client.force_login(actors.plan_reviewer)
    client.get("/iad/reports/")  # the session's first request
    cache.clear()  # the choices that page kept

    with CaptureQueriesContext(connection) as captured:
        body = client.get(f"/iad/reports/export/{file_format}/?status=submitted")
        assert len(read_back(file_format, b"".join(body.streaming_content))) == 3
    assert not [q for q in captured if q["sql"].startswith('SELECT "registry_organization"')]

    provider = Report.objects.filter(health_plan=actors.plan).first().provider_id
    chosen = client.get(f"/iad/reports/export/{file_format}/?provider={provider}")
    assert len(read_back(file_format, b"".join(chosen.streaming_content))) == 3


def test_the_filter_fields_are_written_once_per_organization_and_filters(client, actors) -> None:
    client.force_login(actors.plan_reviewer)
    closed = client.get("/iad/reports/?status=closed").content.decode()
    with CaptureQueriesContext(connection) as captured:
        again = client.get("/iad/reports/?status=closed&sort=status&page=1").content.decode()
    drafts = client.get("/iad/reports/?status=draft").content.decode()

    assert not [q for q in captured if "iad_incidenttype" in q["sql"]]  # the catalogue's choices
    fields = re.compile(r'<fieldset class="usa-fieldset">.*?Apply filters', re.S)
    assert fields.search(closed)[0] == fields.search(again)[0]
    assert re.search(r'value="closed"[^>]*checked', closed)
    assert re.search(r'value="draft"[^>]*checked', drafts)
    assert not re.search(r'value="closed"[^>]*checked', drafts)

    refused = client.get("/iad/reports/?status=closed&occurred_from=2025-02-30").content.decode()
    assert "Enter the &#x27;from&#x27; date as a real date" in refused
    assert 'value="2025-02-30"' in refused  # what was typed stays
    assert re.search(r'value="closed"[^>]*checked', refused)


def test_a_long_list_of_filters_is_kept_under_a_key_a_cache_accepts(client, actors) -> None:
    import warnings

    from django.core.cache import CacheKeyWarning

    client.force_login(actors.plan_reviewer)
    asked = "&".join(["status=closed"] * 300)  # valid, and some four kilobytes long
    with warnings.catch_warnings():
        warnings.simplefilter("error", CacheKeyWarning)
        assert client.get(f"/iad/reports/?{asked}").status_code == 200
        assert client.get(f"/iad/reports/?{asked}").status_code == 200


def test_past_the_count_limit_the_list_says_more_than_and_still_pages(
    client, actors, settings
) -> None:
    settings.LIST_COUNT_LIMIT = 4
    reports = reports_of(actors, 6, status=S.SUBMITTED)
    client.force_login(actors.plan_reviewer)

    page = client.get("/iad/reports/").content.decode()

    assert "More than 4 reports, page 1." in page
    assert sorted(listed(client), key=lambda r: r.pk) == sorted(reports, key=lambda r: r.pk)
    settings.LIST_COUNT_LIMIT = 6
    assert "6 reports." in client.get("/iad/reports/").content.decode()


def count_queries(client, query: str = "") -> int:
    with CaptureQueriesContext(connection) as captured:
        client.get(f"/iad/reports/?{query}")
    return sum(1 for q in captured if q["sql"].startswith("SELECT COUNT(*)"))


def test_a_count_past_the_limit_is_kept_a_while_and_one_under_it_never(
    client, actors, settings
) -> None:
    settings.LIST_COUNT_LIMIT, settings.LIST_CAPPED_SECONDS = 4, 60
    reports_of(actors, 6, status=S.SUBMITTED)
    client.force_login(actors.plan_reviewer)

    assert count_queries(client) == 1
    assert count_queries(client, "sort=status") == count_queries(client, "page=2") == 0
    assert "More than 4 reports" in client.get("/iad/reports/?sort=status").content.decode()
    assert count_queries(client, "status=closed") == 1  # other filters: other matches
    assert count_queries(client, "status=closed") == 1  # under the limit: counted every time
    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        assert count_queries(client) == 1

    client.force_login(actors.agency_reviewer)  # another person sees other reports
    assert count_queries(client) == 1


def test_sorting_by_each_column_both_ways(client, actors) -> None:
    now, day = timezone.now(), timedelta(days=1)
    first = report_of(actors, status=S.IN_REVIEW, member_last_name="Baca", due_at=now + 2 * day,
                      created_at=now - 3 * day)  # fmt: skip
    second = report_of(actors, status=S.SUBMITTED, member_last_name="Avila", due_at=None,
                       created_at=now - day)  # fmt: skip
    third = report_of(actors, status=S.CLOSED, outcome="no_further_action",
                      member_last_name="Cruz", due_at=now + day,
                      created_at=now - 2 * day)  # fmt: skip
    client.force_login(actors.plan_reviewer)

    assert listed(client) == [second, third, first]  # newest first
    assert listed(client, "sort=created") == [first, third, second]
    assert listed(client, "sort=status") == [second, first, third]  # in workflow order
    assert listed(client, "sort=-status") == [third, first, second]
    assert listed(client, "sort=member") == [second, first, third]
    assert listed(client, "sort=-member") == [third, first, second]
    assert listed(client, "sort=due") == [third, first, second]  # no due time: last
    assert listed(client, "sort=-due") == [first, third, second]


def test_sorting_by_provider(client, actors) -> None:
    zeta = ReportFactory(status=S.SUBMITTED, health_plan=actors.plan, organization__name="Zeta")
    alpha = ReportFactory(status=S.SUBMITTED, health_plan=actors.plan, organization__name="Alpha")
    client.force_login(actors.plan_reviewer)

    assert listed(client, "sort=provider") == [alpha, zeta]
    assert listed(client, "sort=-provider") == [zeta, alpha]


@pytest.mark.parametrize("sort", ["nonsense", "--created", "member_id", "-"])
def test_an_unknown_sort_falls_back_to_newest_first(client, actors, sort) -> None:
    old = reports_of(actors, 1, status=S.SUBMITTED, created_at=timezone.now() - timedelta(days=1))
    new = reports_of(actors, 1, status=S.SUBMITTED)
    client.force_login(actors.plan_reviewer)

    response = client.get(f"/iad/reports/?sort={sort}")

    assert list(response.context["page"].object_list) == new + old
    assert 'aria-sort="descending"><a href="?show=all&amp;sort=created">Report</a>' in (
        response.content.decode()
    )


@pytest.mark.parametrize("sort", [*SORTS, *(f"-{key}" for key in SORTS), "junk"])
def test_every_order_ends_with_the_primary_key_in_the_same_direction(sort) -> None:
    first, *_, last = ordering(IAD, sort)

    assert last.expression == F("pk") and last.descending == first.descending
    assert first.descending == (checked_sort(IAD, sort).startswith("-"))


def headings_of(page: str) -> dict[str, tuple[str, dict[str, list[str]]]]:
    """Each column heading: its aria-sort (or "") and the query of its link."""
    found = re.findall(r'<th scope="col"(?: aria-sort="(\w+)")?><a href="\?([^"]*)">(\w+)</a>',
                       page)  # fmt: skip
    return {label: (aria, parse_qs(html.unescape(query))) for aria, query, label in found}


def test_the_sorted_column_says_so_and_its_link_turns_the_order_round(client, actors) -> None:
    reports_of(actors, 1, status=S.SUBMITTED, sentinel=True)
    client.force_login(actors.plan_reviewer)

    page = client.get("/iad/reports/?sort=member&sentinel=yes&show=all").content.decode()
    headings = headings_of(page)

    assert [label for label in headings] == ["Report", "Status", "Member", "Provider", "Due"]
    assert [aria for aria, _ in headings.values()] == ["", "", "ascending", "", ""]
    assert headings["Member"][1] == {"show": ["all"], "sentinel": ["yes"], "sort": ["-member"]}
    assert headings["Report"][1]["sort"] == ["-created"]  # newest first on the first click
    assert headings["Due"][1]["sort"] == ["due"]
    assert all(query["sentinel"] == ["yes"] for _, query in headings.values())
    assert "sorted by member name, ascending" in page


def test_pages_are_stable_and_their_links_keep_filters_and_sort(client, actors) -> None:
    same_moment = timezone.now()
    matching = reports_of(actors, 52, status=S.SUBMITTED, sentinel=True, created_at=same_moment)
    reports_of(actors, 3, status=S.SUBMITTED, sentinel=False, created_at=same_moment)
    client.force_login(actors.plan_reviewer)

    first = client.get("/iad/reports/?sentinel=yes&sort=status")
    next_link = re.search(r'href="\?([^"]*)"><span class="usa-pagination__link-text">Next',
                          first.content.decode())  # fmt: skip
    assert next_link is not None
    query = parse_qs(html.unescape(next_link.group(1)))
    assert query == {"show": ["all"], "sentinel": ["yes"], "sort": ["status"], "page": ["2"]}
    second = client.get(f"/iad/reports/?{html.unescape(next_link.group(1))}")

    rows = list(first.context["page"].object_list) + list(second.context["page"].object_list)
    assert len(rows) == 52 and set(rows) == set(matching)  # no row twice, none lost
    assert "Previous page" in second.content.decode()


def test_the_tabs_and_downloads_keep_the_filters(client, actors) -> None:
    reports_of(actors, 1, status=S.AWAITING_APPROVAL)
    client.force_login(actors.director)

    page = client.get("/iad/reports/?show=approval&status=awaiting_approval&sort=due")
    text = html.unescape(page.content.decode())

    assert '"?show=all&status=awaiting_approval&sort=due"' in text
    assert '"/iad/reports/export/csv/?show=approval&status=awaiting_approval&sort=due"' in text
    assert '"/iad/reports/export/xlsx/?show=approval&status=awaiting_approval&sort=due"' in text


# --- Export ---------------------------------------------------------------------------------


def export(client, file_format: str, query: str = "") -> list[tuple]:
    """The exported rows read back (header first), values as text or dates."""
    response = client.get(f"/iad/reports/export/{file_format}/?{query}")
    assert response.status_code == 200
    return read_back(file_format, b"".join(response.streaming_content))


def read_back(file_format: str, body: bytes) -> list[tuple]:
    if file_format == "csv":
        text = body.decode("utf-8").removeprefix("\ufeff")
        return [tuple(row) for row in csv.reader(io.StringIO(text, newline=""))]
    return list(load_workbook(io.BytesIO(body)).active.iter_rows(values_only=True))


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_the_export_holds_exactly_the_filtered_list_on_every_page(
    client, actors, file_format
) -> None:
    matching = reports_of(actors, 52, status=S.SUBMITTED, sentinel=True)
    reports_of(actors, 3, status=S.SUBMITTED, sentinel=False)
    reports_of(actors, 2, status=S.DRAFT, sentinel=True)  # the plan may not see drafts
    client.force_login(actors.plan_reviewer)

    rows = export(client, file_format, "sentinel=yes&sort=member&page=2")

    assert rows[0] == EXPORT_HEADERS
    member_ids = [row[3] for row in rows[1:]]
    assert sorted(member_ids) == sorted(report.member_id for report in matching)
    expected = Report.objects.filter(pk__in=[r.pk for r in matching]).order_by(
        "member_last_name", "member_first_name", "pk"
    )
    assert member_ids == [report.member_id for report in expected]


def test_the_csv_columns(client, actors) -> None:
    kind = IncidentType.objects.create(name="Test fall", order=1)
    other = IncidentType.objects.create(name="Test bruise", order=2)
    report = reports_of(actors, 1, status=S.CLOSED, outcome="referred_qoc", sentinel=True,
                        due_at=datetime(2026, 11, 18, 23, 59, 59, tzinfo=PHOENIX),
                        submitted_at=datetime(2026, 11, 17, 8, 5, tzinfo=PHOENIX))[0]  # fmt: skip
    report.incident_types.add(other, kind)
    client.force_login(actors.plan_reviewer)

    assert export(client, "csv")[1] == (
        f"IAD {str(report.code)[:8]}", "Closed", "Yes", report.member_id, "Quintero, Rosa",
        "1980-04-02", "Persona Provider", "Persona Health Plan", "2026-11-16 09:30",
        "2026-11-18 23:59", "2026-11-17 08:05", "Test fall; Test bruise",
        "Referred to Quality of Care",
    )  # fmt: skip


def test_exported_incident_types_follow_the_catalogues_order_not_the_order_they_were_made(
    client, actors
) -> None:
    later = IncidentType.objects.create(name="Test zeta", order=5)
    same = IncidentType.objects.create(name="Test alpha", order=5)
    first = IncidentType.objects.create(name="Test first", order=1)
    for kinds in ([later, same, first], [later], []):
        reports_of(actors, 1, status=S.SUBMITTED)[0].incident_types.add(*kinds)
    client.force_login(actors.plan_reviewer)

    named = sorted(row[11] for row in export(client, "csv")[1:])

    assert named == ["", "Test first; Test alpha; Test zeta", "Test zeta"]


def test_a_type_added_or_deleted_during_an_export_is_named_as_the_catalogue_now_has_it() -> None:
    fall = IncidentType.objects.create(name="Test fall", order=1)
    named = _IncidentTypeNames()
    assert named[str(fall.pk)] == "Test fall"
    added = IncidentType.objects.create(name="Test added", order=0)

    assert named[f"{fall.pk},{added.pk}"] == "Test added; Test fall"
    assert named[None] == named[""] == ""
    gone = IncidentType.objects.create(name="Test gone")
    gone_pk = gone.pk
    gone.delete()  # after the export's rows were read
    assert named[f"{fall.pk},{gone_pk}"] == "Test fall"


def test_the_excel_columns_keep_times_in_phoenix(client, actors) -> None:
    reports_of(actors, 1, status=S.SUBMITTED)
    client.force_login(actors.plan_reviewer)

    row = export(client, "xlsx")[1]

    assert row[5].date() == date(1980, 4, 2)
    # Excel has no time zones: the time is written as read in Phoenix, not in UTC.
    assert row[8] == datetime(2026, 11, 16, 9, 30, tzinfo=PHOENIX).replace(tzinfo=None)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
@pytest.mark.parametrize("trigger", ["=", "+", "-", "@", "\t", "\r"])
def test_exported_names_never_run_as_formulas(client, actors, file_format, trigger) -> None:
    reports_of(actors, 1, status=S.SUBMITTED, member_last_name=f"{trigger}cmd|' /C calc'!A0")
    client.force_login(actors.plan_reviewer)

    name = export(client, file_format)[1][4]

    # XML reads a carriage return back as a line feed; the leading quote is what matters.
    assert name.replace("\n", "\r") == f"'{trigger}cmd|' /C calc'!A0, Rosa".replace("\n", "\r")


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_one_audit_event_per_export_without_phi(client, actors, file_format) -> None:
    reports = reports_of(actors, 3, status=S.SUBMITTED, sentinel=True)
    client.force_login(actors.plan_reviewer)

    export(client, file_format, f"sentinel=yes&provider={actors.personas.provider.pk}&sort=due")

    event = AuditEvent.objects.get(action="iad.exported")
    assert event.actor == actors.plan_reviewer
    assert event.data == {
        "format": file_format, "show": "all", "sort": "due", "rows": 3,
        "filters": {"sentinel": "yes", "provider": actors.personas.provider.pk},
    }  # fmt: skip
    stored = json.dumps(event.data)
    for report in reports:
        assert report.member_id not in stored and report.member_last_name not in stored
    assert not AuditEvent.objects.filter(action="iad.listed").exists()


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_outsider_never_gets_another_organizations_rows(client, actors, file_format) -> None:
    reports_of(actors, 2, status=S.SUBMITTED)
    reports_of(actors, 1, status=S.DRAFT)
    own = ReportFactory(organization=actors.outsider.organization, preparer=actors.outsider)
    client.force_login(actors.outsider)

    assert listed(client) == [own]
    assert [row[3] for row in export(client, file_format)[1:]] == [own.member_id]


@pytest.mark.parametrize("url", ["/iad/reports/", "/iad/reports/export/csv/",
                                 "/iad/reports/export/xlsx/"])  # fmt: skip
def test_anonymous_people_are_sent_to_sign_in(client, url) -> None:
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{resolve_url(settings.LOGIN_URL)}?next={quote(url)}"


@pytest.mark.parametrize("file_format", ["csv", "xlsx", "pdf"])
def test_people_without_an_iad_role_cannot_export(client, personas, file_format) -> None:
    for person in (personas.provider_master, personas.ioc_member, personas.agency_admin):
        client.force_login(person)
        assert client.get(f"/iad/reports/export/{file_format}/").status_code == 404
    assert not AuditEvent.objects.filter(action="iad.exported").exists()


def test_an_unknown_export_format_is_not_found(client, actors) -> None:
    client.force_login(actors.plan_reviewer)

    assert client.get("/iad/reports/export/pdf/").status_code == 404


FILTERED = "sentinel=yes&status=submitted&occurred_from=2026-01-01&sort=provider&overdue="


def test_filtered_and_sorted_pages_make_the_same_number_of_queries(client, actors) -> None:
    kind = IncidentType.objects.create(name="Test fall")
    client.force_login(actors.plan_reviewer)
    client.get("/iad/reports/")  # the session's first request
    url = f"/iad/reports/?{FILTERED}&incident_type={kind.pk}&provider={actors.personas.provider.pk}"

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    for report in reports_of(actors, 3, status=S.SUBMITTED, sentinel=True):
        report.incident_types.add(kind)
    queries()  # the first answer keeps the filter's provider choices (filters._named...)
    few = queries()
    for report in reports_of(actors, 30, status=S.SUBMITTED, sentinel=True):
        report.incident_types.add(kind)
    assert queries() == few


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_export_makes_the_same_number_of_queries_for_3_or_30_rows(
    client, actors, django_assert_num_queries, file_format
) -> None:
    kinds = [IncidentType.objects.create(name=f"Test kind {n}") for n in range(3)]
    client.force_login(actors.plan_reviewer)
    client.get("/iad/reports/")  # the session's first request
    url = f"/iad/reports/export/{file_format}/?{FILTERED}"

    def rows(count: int) -> None:
        for report in reports_of(actors, count, status=S.SUBMITTED, sentinel=True):
            report.incident_types.add(*kinds)

    rows(3)
    with CaptureQueriesContext(connection) as few:
        b"".join(client.get(url).streaming_content)
    rows(27)
    with django_assert_num_queries(len(few)):
        body = b"".join(client.get(url).streaming_content)
    rows = read_back(file_format, body)[1:]
    assert len(rows) == 30
    assert {row[11] for row in rows} == {"Test kind 0; Test kind 1; Test kind 2"}
