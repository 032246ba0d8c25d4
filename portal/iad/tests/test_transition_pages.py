"""The transition buttons of a report page: forms, refusals that change nothing, 404s."""

import pytest

from portal.core.models import AuditEvent
from portal.iad.models import Report

from .factories import ReportFactory

pytestmark = pytest.mark.django_db
S = Report.Status


def iad(actors, status: str) -> Report:
    return ReportFactory(organization=actors.personas.provider, health_plan=actors.plan,
                         preparer=actors.submitter, status=status)  # fmt: skip


def test_the_report_page_offers_only_the_persons_actions(client, actors) -> None:
    report = iad(actors, S.AWAITING_APPROVAL)
    client.force_login(actors.director)
    page = client.get(f"/iad/reports/{report.code}/").content.decode()
    assert f"/iad/reports/{report.code}/approve/" in page
    assert f"/iad/reports/{report.code}/return/" in page

    client.force_login(actors.submitter)
    page = client.get(f"/iad/reports/{report.code}/").content.decode()
    assert "/approve/" not in page and "/return/" not in page


def test_return_needs_a_reason_and_keeps_what_was_typed_otherwise(client, actors) -> None:
    report = iad(actors, S.AWAITING_APPROVAL)
    client.force_login(actors.director)
    url = f"/iad/reports/{report.code}/return/"

    assert "Tell the preparer" not in client.get(url).content.decode()
    refused = client.post(url, {"reason": "  "})
    assert refused.status_code == 400
    assert "Tell the preparer what to correct" in refused.content.decode()
    assert Report.objects.get(pk=report.pk).status == S.AWAITING_APPROVAL

    done = client.post(url, {"reason": "Add the time of the fall."})
    assert done["Location"] == f"/iad/reports/{report.code}/"
    report.refresh_from_db()
    assert report.status == S.RETURNED
    assert report.history.get().reason == "Add the time of the fall."


def test_close_asks_for_the_outcome(client, actors) -> None:
    report = iad(actors, S.IN_REVIEW)
    client.force_login(actors.plan_reviewer)
    url = f"/iad/reports/{report.code}/close/"

    refused = client.post(url, {"reason": "Seen."})
    assert refused.status_code == 400 and "Choose the outcome" in refused.content.decode()
    assert "Seen." in refused.content.decode()  # what was typed stays

    client.post(url, {"outcome": "referred_agency", "reason": "Sent to licensing."})
    report.refresh_from_db()
    assert (report.status, report.outcome, report.referral_note) == (
        S.CLOSED, "referred_agency", "Sent to licensing."
    )  # fmt: skip


def test_the_reporters_answer_becomes_an_addendum(client, actors) -> None:
    report = iad(actors, S.INFO_REQUESTED)
    client.force_login(actors.submitter)

    client.post(f"/iad/reports/{report.code}/respond/", {"reason": "Two staff were present."})

    report.refresh_from_db()
    assert report.status == S.IN_REVIEW
    assert report.addenda.get().text == "Two staff were present."
    assert "Two staff were present." in client.get(f"/iad/reports/{report.code}/").content.decode()


def test_a_transition_not_open_now_is_refused_plainly_and_changes_nothing(client, actors) -> None:
    report = iad(actors, S.SUBMITTED)  # already approved by someone
    client.force_login(actors.director)

    response = client.post(f"/iad/reports/{report.code}/approve/", follow=True)

    assert "someone else may have acted on it since" in response.content.decode()
    assert Report.objects.get(pk=report.pk).status == S.SUBMITTED
    assert not AuditEvent.objects.filter(action="iad.approved").exists()


def test_a_person_without_the_role_is_told_and_nothing_changes(client, actors) -> None:
    report = iad(actors, S.AWAITING_APPROVAL)
    client.force_login(actors.submitter)

    response = client.post(f"/iad/reports/{report.code}/approve/", follow=True)

    assert "You cannot approve this report." in response.content.decode()
    assert Report.objects.get(pk=report.pk).status == S.AWAITING_APPROVAL


@pytest.mark.parametrize("who", ["outsider", "other_reviewer"])
def test_a_tampered_post_naming_another_organizations_report_is_404(client, actors, who) -> None:
    report = iad(actors, S.AWAITING_APPROVAL)
    client.force_login(getattr(actors, who))

    response = client.post(f"/iad/reports/{report.code}/approve/")

    assert response.status_code == 404
    assert Report.objects.get(pk=report.pk).status == S.AWAITING_APPROVAL
