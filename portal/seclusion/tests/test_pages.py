"""S&R pages: the event page's bad input, the monthly summary pages and the home page."""

import uuid
from datetime import date, datetime

import pytest
import time_machine

from portal.core.business_days import PHOENIX
from portal.seclusion import monthly
from portal.seclusion.models import MonthlySummary, Report

from .factories import ReportFactory

pytestmark = pytest.mark.django_db
TODAY = datetime(2026, 12, 5, 10, tzinfo=PHOENIX)


def start(client, actors) -> Report:
    client.force_login(actors.filer)
    client.post("/sr/reports/new/", {"kind": "sr", "client_key": str(uuid.uuid4())})
    return Report.objects.get()


EVENT = {
    "restraint_type": "personal",
    "started_date": "2026-11-16",
    "started_time": "09:30",
    "ended_date": "2026-11-16",
    "ended_time": "09:45",
    "emergency_situation": "Struck a peer.",
    "less_restrictive_measures": "Talked.",
}


@time_machine.travel(TODAY)
def test_an_end_before_the_start_is_named_and_what_was_typed_is_kept(client, actors) -> None:
    report = start(client, actors)
    page = client.post(f"/sr/reports/{report.code}/draft/event/", EVENT | {"ended_time": "09:00"})
    text = page.content.decode()
    assert page.status_code == 400
    assert "The end must be the same as or after the start" in text
    assert 'value="09:00"' in text and "Struck a peer." in text
    assert Report.objects.get(pk=report.pk).started_at is None


@time_machine.travel(TODAY)
def test_more_than_24_hours_asks_to_confirm_then_saves(client, actors) -> None:
    report = start(client, actors)
    url = f"/sr/reports/{report.code}/draft/event/"
    long = EVENT | {"ended_date": "2026-11-17", "ended_time": "10:00"}
    page = client.post(url, long)
    assert page.status_code == 400 and "tick the box to confirm" in page.content.decode()
    assert client.post(url, long | {"long_duration_confirmed": "on"}).status_code == 302
    assert Report.objects.get(pk=report.pk).minutes == 24 * 60 + 30


@time_machine.travel(TODAY)
def test_a_facility_files_a_none_month_and_cannot_file_it_twice(client, actors) -> None:
    client.force_login(actors.filer)
    page = client.get("/sr/monthly/file/").content.decode()
    assert "November 2026" in page
    bad = client.post("/sr/monthly/file/", {"period": "2026-11", "event_count": "-1", "notes": "x"})
    assert bad.status_code == 400 and "cannot be below 0" in bad.content.decode()
    assert "\nx</textarea>" in bad.content.decode()
    done = client.post("/sr/monthly/file/", {"period": "2026-11", "event_count": "0"})
    assert done["Location"] == "/sr/monthly/"
    assert MonthlySummary.objects.get().event_count == 0
    again = client.post("/sr/monthly/file/", {"period": "2026-11", "event_count": "0"})
    assert again.status_code == 400 and "Choose one of the months listed" in again.content.decode()
    listed = client.get("/sr/monthly/").content.decode()
    assert "November 2026" in listed and "(none)" in listed


@time_machine.travel(TODAY)
def test_a_reviewer_sees_the_facilities_that_have_not_filed(client, actors) -> None:
    monthly.file_summary(by=actors.filer, period=date(2026, 10, 1), event_count=0)
    client.force_login(actors.plan_reviewer)
    november = client.get("/sr/monthly/").content.decode()
    assert actors.facility.name in november and "Not filed" in november
    october = client.get("/sr/monthly/?month=2026-10").content.decode()
    assert "Not filed" not in october and "(none)" in october
    assert client.get("/sr/monthly/?month=1999-01").status_code == 200  # falls back


def test_the_monthly_pages_are_for_s_and_r_people_only(client, personas) -> None:
    assert client.get("/sr/monthly/")["Location"].startswith("/sign-in/")
    client.force_login(personas.provider_master)
    assert client.get("/sr/monthly/").status_code == 404
    assert client.post("/sr/monthly/file/").status_code == 404


@time_machine.travel(TODAY)
def test_home_shows_months_to_file_and_facilities_missing(client, actors) -> None:
    ReportFactory(
        organization=actors.facility,
        preparer=actors.filer,
        health_plan=actors.plan,
        status=Report.Status.SUBMITTED,
    )
    client.force_login(actors.filer)
    page = client.get("/").content.decode()
    assert "S&amp;R monthly summaries to file</a>: <strong>12</strong>" in page
    client.force_login(actors.plan_reviewer)
    page = client.get("/").content.decode()
    assert "S&amp;R reports awaiting review</a>: <strong>1</strong>" in page
    assert "Facilities without an S&amp;R summary for November 2026</a>: <strong>1</strong>" in page


@time_machine.travel(TODAY)
def test_values_no_page_offers_are_named_in_the_portals_words(client, actors) -> None:
    report = start(client, actors)
    base = f"/sr/reports/{report.code}/draft"
    event = client.post(f"{base}/event/", {"restraint_type": "bogus"}).content.decode()
    assert "Choose one of the types listed" in event
    member = client.post(f"{base}/member/", {"health_plan": "9" * 20, "category": "zz"})
    text = member.content.decode()
    assert "Choose the member&#x27;s health plan from the list" in text
    assert "Choose the behavioral-health category from the list" in text
    care = client.post(f"{base}/care/", {"injuries": "maybe"}).content.decode()
    assert "Answer yes or no" in care
