"""People involved and who was told: added and removed one at a time on a draft."""

import pytest

from portal.core.models import AuditEvent
from portal.iad.models import Notification, PersonInvolved, Report

from .factories import ReportFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(actors) -> Report:
    return ReportFactory(organization=actors.personas.provider, health_plan=actors.plan,
                         preparer=actors.submitter, status=Report.Status.DRAFT)  # fmt: skip


def test_add_and_remove_people(client, actors, draft) -> None:
    client.force_login(actors.submitter)
    url = f"/iad/reports/{draft.code}/draft/list/people/"

    client.post(url, {"add": "1", "role": "staff", "name": "Pat Moreno", "title": "Nurse"})
    person = PersonInvolved.objects.get()
    assert (person.report, person.name) == (draft, "Pat Moreno")
    assert "Pat Moreno" in client.get(f"/iad/reports/{draft.code}/").content.decode()

    client.post(url, {"remove": str(person.pk)})
    assert not PersonInvolved.objects.exists()
    assert (
        AuditEvent.objects.filter(action="iad.changed", data={"fields": ["personinvolved"]}).count()
        == 2
    )


def test_a_notification_needs_who_and_when_and_keeps_what_was_typed(client, actors, draft) -> None:
    client.force_login(actors.submitter)
    url = f"/iad/reports/{draft.code}/draft/list/notifications/"

    response = client.post(url, {"add": "1", "detail": "Phoenix PD", "notified_date": "2026-11-16"})

    page = response.content.decode()
    assert response.status_code == 400
    assert "Choose who was told" in page and "Enter the time they were told" in page
    assert 'value="Phoenix PD"' in page and not Notification.objects.exists()

    client.post(url, {"add": "1", "party": "police", "detail": "Phoenix PD",
                      "notified_date": "2026-11-16", "notified_time": "11:15"})  # fmt: skip
    assert Notification.objects.get().get_party_display() == "Police"
    assert "Police (Phoenix PD)" in client.get(f"/iad/reports/{draft.code}/").content.decode()


@pytest.mark.parametrize("bad", ["abc", "999999", ""])
def test_removing_something_that_is_not_there_is_404(client, actors, draft, bad) -> None:
    client.force_login(actors.submitter)
    response = client.post(f"/iad/reports/{draft.code}/draft/list/people/", {"remove": bad})
    assert response.status_code == 404


def test_another_reports_person_cannot_be_removed_through_this_one(client, actors, draft) -> None:
    other = ReportFactory(organization=actors.personas.provider, preparer=actors.submitter)
    person = PersonInvolved.objects.create(report=other, role="staff", name="Kim")
    client.force_login(actors.submitter)

    response = client.post(f"/iad/reports/{draft.code}/draft/list/people/",
                           {"remove": str(person.pk)})  # fmt: skip

    assert response.status_code == 404 and PersonInvolved.objects.filter(pk=person.pk).exists()


def test_outsiders_get_404(client, actors, draft) -> None:
    client.force_login(actors.outsider)
    url = f"/iad/reports/{draft.code}/draft/list/people/"
    assert client.post(url, {"add": "1", "role": "staff", "name": "X"}).status_code == 404
    assert not PersonInvolved.objects.exists()
