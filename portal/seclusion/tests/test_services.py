"""S&R reports through the kit's services: the event's rules, the physician's order, the
deadline, and the review with its e-mails (SPEC §5)."""

from datetime import datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.core.business_days import PHOENIX
from portal.core.models import OutboundEmail
from portal.core.tests.sample_files import pdf
from portal.core.workflow import TransitionRefused
from portal.reports import attachments, services
from portal.seclusion.models import Report

from .factories import ReportFactory

pytestmark = pytest.mark.django_db
S = Report.Status
START = datetime(2026, 9, 15, 9, 30, tzinfo=PHOENIX)  # a Tuesday, no holiday that week


def draft(actors, **fields) -> Report:
    about = {
        "organization": actors.facility,
        "preparer": actors.filer,
        "health_plan": actors.plan,
        "status": S.DRAFT,
    }
    return ReportFactory(**(about | fields))


def order(report: Report, actors) -> None:
    upload = SimpleUploadedFile("order.pdf", pdf(), "application/pdf")
    attachments.add_attachment(report, upload, by=actors.filer)


def test_the_deadline_is_five_business_days_after_the_start(actors) -> None:
    report = draft(actors)
    services.update_draft(
        report, {"started_at": START, "ended_at": START + timedelta(minutes=20)}, by=actors.filer
    )
    assert report.due_at == datetime(2026, 9, 22, 23, 59, 59, tzinfo=PHOENIX)
    assert report.minutes == 20


def test_an_event_that_ends_before_it_starts_is_refused_and_nothing_saved(actors) -> None:
    report = draft(actors, started_at=None, ended_at=None)
    with pytest.raises(ValidationError) as refused:
        services.update_draft(
            report, {"started_at": START, "ended_at": START - timedelta(hours=1)}, by=actors.filer
        )
    assert "ended_at" in refused.value.error_dict
    stored = Report.objects.get(pk=report.pk)
    assert (stored.started_at, stored.ended_at) == (None, None)


def test_more_than_a_day_needs_a_confirmation(actors) -> None:
    report = draft(actors)
    long = {"started_at": START, "ended_at": START + timedelta(hours=25)}
    with pytest.raises(ValidationError, match="24 hours"):
        services.update_draft(report, long, by=actors.filer)
    services.update_draft(report, long | {"long_duration_confirmed": True}, by=actors.filer)
    assert Report.objects.get(pk=report.pk).minutes == 25 * 60


def test_submitting_needs_the_physicians_order_then_the_plan_hears_of_it(actors) -> None:
    report = draft(actors)
    with pytest.raises(TransitionRefused, match="physician's order"):
        services.submit_report(report, by=actors.filer)
    assert Report.objects.get(pk=report.pk).status == S.DRAFT
    order(report, actors)
    services.submit_report(report, by=actors.filer)
    assert Report.objects.get(pk=report.pk).status == S.SUBMITTED
    assert list(OutboundEmail.objects.values_list("to", flat=True)) == [actors.plan_reviewer.email]


def test_return_resubmit_and_accept(actors) -> None:
    report = draft(actors)
    order(report, actors)
    services.submit_report(report, by=actors.filer)
    with pytest.raises(TransitionRefused, match="reason"):
        services.take_transition(report, "return", by=actors.plan_reviewer)
    services.take_transition(report, "return", by=actors.plan_reviewer, reason="Add the RN.")
    services.update_draft(report, {"face_to_face_by": "Dana Whitfield, RN"}, by=actors.filer)
    services.take_transition(report, "resubmit", by=actors.filer)
    services.take_transition(report, "accept", by=actors.agency_reviewer)
    report.refresh_from_db()
    assert report.status == S.ACCEPTED
    assert list(report.history.values_list("transition", flat=True)) == [
        "submit",
        "return",
        "resubmit",
        "accept",
    ]
    told = list(OutboundEmail.objects.order_by("pk").values_list("to", flat=True))
    reviewer, filer = actors.plan_reviewer.email, actors.filer.email
    assert told == [reviewer, filer, reviewer, filer]


def test_a_resubmission_must_still_be_complete(actors) -> None:
    report = draft(actors)
    order(report, actors)
    services.submit_report(report, by=actors.filer)
    services.take_transition(report, "return", by=actors.plan_reviewer, reason="Check it.")
    services.update_draft(report, {"emergency_situation": ""}, by=actors.filer)
    with pytest.raises(TransitionRefused, match="emergency safety situation"):
        services.take_transition(report, "resubmit", by=actors.filer)
    assert Report.objects.get(pk=report.pk).status == S.RETURNED


def test_another_plan_cannot_review_a_facilitys_report(actors) -> None:
    report = draft(actors, status=S.SUBMITTED)
    with pytest.raises(TransitionRefused):
        services.take_transition(report, "accept", by=actors.other_reviewer)
    assert Report.objects.get(pk=report.pk).status == S.SUBMITTED
