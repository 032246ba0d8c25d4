"""Filing, deadlines and hand-offs of IAD and IRF reports (SPEC §3.1 to §3.3)."""

from datetime import datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from portal.core.business_days import PHOENIX
from portal.core.models import AuditEvent, OutboundEmail
from portal.core.workflow import TransitionRefused
from portal.iad.models import IncidentType, Report
from portal.reports import services

from .factories import ReportFactory

pytestmark = pytest.mark.django_db
S = Report.Status


@pytest.fixture
def fall() -> IncidentType:
    return IncidentType.objects.get_or_create(name="Injury needing emergency treatment")[0]


@pytest.fixture
def death() -> IncidentType:
    return IncidentType.objects.get_or_create(name="Death", defaults={"sentinel": True})[0]


def draft(actors, **fields) -> Report:
    return ReportFactory(organization=actors.personas.provider, health_plan=actors.plan,
                         preparer=actors.submitter, **fields)  # fmt: skip


def test_start_report_needs_the_filing_role(actors) -> None:
    report = services.start_report("iad", by=actors.submitter)
    assert (report.status, report.organization, report.provider) == (
        S.DRAFT,
        actors.personas.provider,
        actors.personas.provider,
    )
    assert AuditEvent.objects.filter(action="iad.created", target_id=str(report.code)).exists()
    with pytest.raises(PermissionDenied):
        services.start_report("iad", by=actors.plan_reviewer)
    with pytest.raises(PermissionDenied):
        services.start_report("irf", by=actors.submitter)


def test_the_deadline_follows_the_later_time_and_the_sentinel_flag(actors, fall, death) -> None:
    report = draft(actors)
    services.update_draft(
        report,
        {"occurred_at": datetime(2026, 11, 18, 8, tzinfo=PHOENIX),
         "aware_at": datetime(2026, 11, 20, 16, tzinfo=PHOENIX),  # a Friday
         "incident_types": [fall]},
        by=actors.submitter,
    )  # fmt: skip
    report.refresh_from_db()
    assert not report.sentinel
    assert report.due_at == datetime(2026, 11, 24, 23, 59, 59, tzinfo=PHOENIX)  # Tuesday

    services.update_draft(report, {"incident_types": [fall, death]}, by=actors.submitter)
    report.refresh_from_db()
    assert report.sentinel
    assert report.due_at == datetime(2026, 11, 23, 23, 59, 59, tzinfo=PHOENIX)  # Monday


def test_a_filed_report_cannot_be_edited(actors, fall) -> None:
    report = draft(actors, status=S.SUBMITTED)
    with pytest.raises(TransitionRefused, match="can no longer be changed"):
        services.update_draft(report, {"narrative": "Changed"}, by=actors.submitter)
    assert Report.objects.get(pk=report.pk).narrative != "Changed"


def test_only_the_filing_organization_edits_a_draft(actors) -> None:
    report = draft(actors)
    with pytest.raises(PermissionDenied):
        services.update_draft(report, {"narrative": "Changed"}, by=actors.outsider)


def test_submit_names_every_missing_item_and_changes_nothing(actors) -> None:
    report = draft(actors, member_id="", narrative="")
    with pytest.raises(TransitionRefused) as refusal:
        services.submit_report(report, by=actors.submitter)
    message = str(refusal.value)
    for words in ("AHCCCS ID", "what happened", "at least one incident type"):
        assert words in message
    assert Report.objects.get(pk=report.pk).status == S.DRAFT


@time_machine.travel(datetime(2026, 11, 17, 9, tzinfo=PHOENIX), tick=False)
def test_submit_on_time_goes_to_the_clinical_director(actors, fall) -> None:
    report = draft(actors)
    services.update_draft(report, {"incident_types": [fall]}, by=actors.submitter)

    services.submit_report(report, by=actors.submitter)

    report.refresh_from_db()
    assert report.status == S.AWAITING_APPROVAL and not report.is_late
    assert list(OutboundEmail.objects.values_list("to", flat=True)) == [actors.director.email]
    body = OutboundEmail.objects.get().text_body
    assert f"/iad/reports/{report.code}/" in body
    assert "Quintero" not in body and report.member_id not in body  # no PHI in e-mail


@time_machine.travel(datetime(2026, 11, 25, 9, tzinfo=PHOENIX), tick=False)
def test_a_late_submission_needs_a_reason(actors, fall) -> None:
    report = draft(actors)  # happened on the 16th: due the 18th
    services.update_draft(report, {"incident_types": [fall]}, by=actors.submitter)

    with pytest.raises(TransitionRefused, match="late"):
        services.submit_report(report, by=actors.submitter)
    services.submit_report(report, by=actors.submitter, late_reason="Learned of it late.")

    report.refresh_from_db()
    assert report.is_late and report.late_reason == "Learned of it late."


def test_the_whole_review_path_notifies_whoever_acts_next(actors, fall) -> None:
    report = draft(actors)
    services.update_draft(report, {"incident_types": [fall]}, by=actors.submitter)
    services.submit_report(report, by=actors.submitter, late_reason="Test.")
    services.take_transition(report, "return", by=actors.director, reason="Add the time.")
    services.take_transition(report, "resubmit", by=actors.submitter)
    services.take_transition(report, "approve", by=actors.director)
    services.take_transition(report, "start_review", by=actors.plan_reviewer)
    services.take_transition(report, "request_info", by=actors.plan_reviewer, reason="Who saw it?")
    services.take_transition(report, "respond", by=actors.submitter, reason="A nurse saw it.")
    outcome = Report.Outcome.REFERRED_QOC
    services.take_transition(
        report, "close", by=actors.plan_reviewer, choice=outcome, reason="Pattern of falls."
    )

    report.refresh_from_db()
    assert (report.status, report.outcome) == (S.CLOSED, Report.Outcome.REFERRED_QOC)
    assert [a.text for a in report.addenda.all()] == ["A nurse saw it."]
    assert list(report.history.values_list("transition", flat=True)) == [
        "submit", "return", "resubmit", "approve", "start_review", "request_info", "respond",
        "close",
    ]  # fmt: skip
    sent = list(OutboundEmail.objects.order_by("pk").values_list("to", flat=True))
    submitter, director, reviewer = (actors.submitter.email, actors.director.email,
                                     actors.plan_reviewer.email)  # fmt: skip
    assert sent == [director, submitter, director, reviewer, submitter, reviewer, submitter]


def test_close_needs_an_outcome(actors) -> None:
    report = draft(actors, status=S.IN_REVIEW)
    with pytest.raises(TransitionRefused, match="outcome"):
        services.take_transition(report, "close", by=actors.plan_reviewer)
    assert Report.objects.get(pk=report.pk).status == S.IN_REVIEW


def test_an_irf_goes_straight_to_review_and_agency_reviewers_hear_when_no_plan_reviewer(
    actors, fall
) -> None:
    from portal.accounts.models import RoleGrant

    RoleGrant.objects.filter(user=actors.plan_reviewer).delete()
    report = ReportFactory(kind="irf", organization=actors.plan, preparer=actors.plan_filer,
                           provider=actors.personas.provider, health_plan=actors.plan)  # fmt: skip
    services.update_draft(report, {"incident_types": [fall]}, by=actors.plan_filer)

    services.submit_report(report, by=actors.plan_filer, late_reason="Test.")

    assert Report.objects.get(pk=report.pk).status == S.SUBMITTED
    assert list(OutboundEmail.objects.values_list("to", flat=True)) == [
        actors.agency_reviewer.email
    ]


@time_machine.travel(datetime(2026, 11, 20, 12, tzinfo=PHOENIX))
def test_the_service_checks_the_dates_the_forms_check(actors) -> None:
    """An API calls the services, not the forms: the same rules hold, and nothing is saved."""
    report = draft(actors, status=S.DRAFT)
    before = (report.occurred_at, report.aware_at, report.member_birth_date)
    bad = [
        ({"occurred_at": datetime(2026, 11, 21, 9, tzinfo=PHOENIX)}, "occurred_at"),
        ({"aware_at": datetime(2026, 11, 15, 9, tzinfo=PHOENIX)}, "aware_at"),
        ({"member_birth_date": datetime(2027, 1, 1, tzinfo=PHOENIX).date()}, "member_birth_date"),
    ]
    for changes, field in bad:
        with pytest.raises(ValidationError) as refused:
            services.update_draft(report, changes, by=actors.submitter)
        assert field in refused.value.error_dict
    stored = Report.objects.get(pk=report.pk)
    assert (stored.occurred_at, stored.aware_at, stored.member_birth_date) == before
