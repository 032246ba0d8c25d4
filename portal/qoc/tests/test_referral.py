"""An IAD or IRF closed as referred to Quality of Care opens its case in the same transaction
(SPEC §3.3, issue #16 item 2): the member and provider carried over, a link both ways."""

import pytest
from django.db import IntegrityError

from portal.core.models import AuditEvent, OutboundEmail
from portal.iad.models import Report
from portal.iad.tests.factories import ReportFactory
from portal.qoc.models import Case
from portal.reports import services

from .conftest import with_roles

pytestmark = pytest.mark.django_db


def in_review(actors) -> Report:
    return ReportFactory(
        status=Report.Status.IN_REVIEW,
        organization=actors.provider,
        provider=actors.provider,
        preparer=actors.personas.provider_user,
        health_plan=actors.plan,
    )


@pytest.fixture
def reviewer(actors):
    return with_roles(actors.investigator, "iad.reviewer")


def test_closing_as_referred_opens_the_linked_case_for_triage(client, actors, reviewer) -> None:
    report = in_review(actors)
    services.take_transition(
        report, "close", by=reviewer, choice=Report.Outcome.REFERRED_QOC, reason="Missed doses."
    )
    case = Case.objects.get(referred_from=report)
    assert case.status == Case.Status.RECEIVED and case.source == Case.Source.REFERRAL
    carried = ("member_id", "member_last_name", "member_first_name", "member_birth_date")
    assert all(getattr(case, name) == getattr(report, name) for name in carried)
    assert (case.provider, case.health_plan, case.organization) == (
        actors.provider,
        actors.plan,
        actors.plan,
    )
    assert AuditEvent.objects.filter(action="qoc.referred", target_id=str(case.code)).count() == 1
    told = OutboundEmail.objects.filter(to__in=[actors.investigator.email, actors.colleague.email])
    assert told.filter(text_body__contains=f"/qoc/reports/{case.code}/").count() == 2
    client.force_login(reviewer)
    iad_page = client.get(f"/iad/reports/{report.code}/").content.decode()
    assert f"/qoc/reports/{case.code}/" in iad_page
    case_page = client.get(f"/qoc/reports/{case.code}/").content.decode()
    assert f"/iad/reports/{report.code}/" in case_page


def test_other_outcomes_open_no_case(actors, reviewer) -> None:
    report = in_review(actors)
    services.take_transition(report, "close", by=reviewer, choice=Report.Outcome.NO_FURTHER_ACTION)
    assert not Case.objects.exists()


def test_a_case_that_cannot_be_made_leaves_the_report_in_review(actors, reviewer) -> None:
    report = in_review(actors)
    first = Case.objects.create(
        status=Case.Status.RECEIVED,
        organization=actors.plan,
        preparer=reviewer,
        referred_from=report,
    )
    with pytest.raises(IntegrityError):
        services.take_transition(report, "close", by=reviewer, choice=Report.Outcome.REFERRED_QOC)
    report.refresh_from_db()
    assert report.status == Report.Status.IN_REVIEW and report.outcome == ""
    assert list(Case.objects.all()) == [first]
    assert not report.history.filter(transition="close").exists()
