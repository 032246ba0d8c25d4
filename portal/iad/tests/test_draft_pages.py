"""Filing a report page by page: the task list, question pages, bad input, who may edit."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from portal.core.models import AuditEvent
from portal.iad.models import IncidentType, Report

pytestmark = pytest.mark.django_db
S = Report.Status


def start(client, user, kind: str = "iad") -> Report:
    client.force_login(user)
    response = client.post("/iad/reports/new/", {"kind": kind, "client_key": str(uuid.uuid4())})
    report = Report.objects.get()
    assert response["Location"] == f"/iad/reports/{report.code}/draft/"
    return report


def test_a_submitter_files_an_iad_page_by_page(client, actors) -> None:
    report = start(client, actors.submitter)
    base = f"/iad/reports/{report.code}/draft"
    assert "Not finished" in client.get(f"{base}/").content.decode()
    pages = {
        "reporter": {"site_name": "North clinic", "site_address": "1 Main St",
                     "contact_phone": "602-555-0101"},
        "member": {"member_id": "a12345678", "member_last_name": "Quintero",
                   "member_first_name": "Rosa", "member_birth_date": "1980-04-02",
                   "member_sex": "female", "health_plan": actors.plan.pk, "category": "smi"},
        "event": {"occurred_date": "2026-11-16", "occurred_time": "09:30",
                  "aware_date": "2026-11-16", "aware_time": "10:00",
                  "location_type": "Clinic", "narrative": "She slipped in the hallway."},
        "types": {"incident_types": [IncidentType.objects.get(name="Death").pk]},
        "outcome": {"injuries": "no", "immediate_actions": "Called 911."},
    }  # fmt: skip
    for slug, data in pages.items():
        response = client.post(f"{base}/{slug}/", data)
        assert response["Location"] == f"{base}/", (slug, response.content.decode()[:3000])

    report.refresh_from_db()
    assert report.member_id == "A12345678" and report.sentinel and report.injuries is False
    assert "Not finished" not in client.get(f"{base}/").content.decode()
    assert AuditEvent.objects.filter(action="iad.changed").count() == 5

    submitted = client.post(f"/iad/reports/{report.code}/submit/", {"reason": "Found late."})
    assert submitted.status_code == 302
    assert Report.objects.get(pk=report.pk).status == S.AWAITING_APPROVAL


@pytest.mark.parametrize(
    ("slug", "data", "message"),
    [
        ("member", {"member_id": "12345678"}, "a letter and 8 digits"),
        ("member", {"member_birth_date": "2999-01-01"}, "cannot be in the future"),
        ("member", {"member_birth_date": "2026-02-30"}, "Enter a valid date"),
        ("event", {"occurred_date": "2999-01-01", "occurred_time": "10:00"},
         "cannot be in the future"),
        ("event", {"occurred_date": "2026-11-16"}, "Give both the date and the time"),
        ("event", {"occurred_date": "2026-11-16", "occurred_time": "10:00",
                   "aware_date": "2026-11-15", "aware_time": "10:00"}, "before it happened"),
    ],
)  # fmt: skip
def test_bad_input_is_named_kept_and_not_saved(client, actors, slug, data, message) -> None:
    report = start(client, actors.submitter)

    response = client.post(f"/iad/reports/{report.code}/draft/{slug}/", data)

    page = response.content.decode()
    assert response.status_code == 400 and message in page and "There is a problem" in page
    for value in data.values():
        assert f'value="{value}"' in page  # what was typed is still there
    fresh = Report.objects.get(pk=report.pk)
    assert (fresh.member_id, fresh.member_birth_date, fresh.occurred_at) == ("", None, None)


def test_a_submitted_report_cannot_be_edited_through_its_pages(client, actors) -> None:
    report = start(client, actors.submitter)
    Report.objects.filter(pk=report.pk).update(status=S.SUBMITTED)

    response = client.post(f"/iad/reports/{report.code}/draft/reporter/", {"site_name": "X"},
                           follow=True)  # fmt: skip

    assert "can no longer be changed" in response.content.decode()
    assert Report.objects.get(pk=report.pk).site_name == ""


@pytest.mark.parametrize("who", ["director", "plan_reviewer", "outsider"])
def test_only_the_filers_edit_a_draft(client, actors, who) -> None:
    report = start(client, actors.submitter)
    Report.objects.filter(pk=report.pk).update(status=S.SUBMITTED)  # visible to the plan too
    client.force_login(getattr(actors, who))

    response = client.post(f"/iad/reports/{report.code}/draft/reporter/", {"site_name": "X"})

    assert response.status_code == 404
    assert Report.objects.get(pk=report.pk).site_name == ""


def test_people_who_cannot_file_have_no_start_page(client, actors) -> None:
    client.force_login(actors.plan_reviewer)  # reviewer only
    assert client.get("/iad/reports/new/").status_code == 404
    client.force_login(actors.plan_filer)
    page = client.get("/iad/reports/new/").content.decode()
    assert "Start an IRF" in page and "Start an IAD" not in page


def test_awareness_time_in_the_future_is_refused(client, actors) -> None:
    report = start(client, actors.submitter)
    soon = timezone.localtime() + timedelta(days=2)
    data = {"aware_date": soon.date().isoformat(), "aware_time": "08:00"}

    response = client.post(f"/iad/reports/{report.code}/draft/event/", data)

    assert response.status_code == 400 and "cannot be in the future" in response.content.decode()


def test_an_irf_names_the_provider_involved_an_iad_does_not(client, actors) -> None:
    irf = start(client, actors.plan_filer, kind="irf")
    page = client.get(f"/iad/reports/{irf.code}/draft/reporter/").content.decode()
    assert "Provider involved" in page and actors.personas.provider.name in page

    client.post(f"/iad/reports/{irf.code}/draft/reporter/",
                {"provider": actors.personas.provider.pk, "site_name": "Clinic"})  # fmt: skip

    assert Report.objects.get(pk=irf.pk).provider == actors.personas.provider
    Report.objects.all().delete()
    iad = start(client, actors.submitter)
    assert (
        "Provider involved"
        not in client.get(f"/iad/reports/{iad.code}/draft/reporter/").content.decode()
    )


def test_saved_times_come_back_as_hours_and_minutes(client, actors) -> None:
    report = start(client, actors.submitter)
    url = f"/iad/reports/{report.code}/draft/event/"
    client.post(url, {"occurred_date": "2026-11-16", "occurred_time": "09:30"})

    assert 'value="09:30"' in client.get(url).content.decode()
