"""The report list: tabs by role, only visible rows, constant queries, one audited read."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.core.models import AuditEvent
from portal.iad.models import Report

from .factories import ReportFactory

pytestmark = pytest.mark.django_db
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
