"""Who sees a report (SPEC §1.4): every persona, by status; each read is audited."""

import uuid
from io import BytesIO

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from portal.core.models import AuditEvent
from portal.iad.models import Attachment, Report, ReportEvent
from portal.iad.report_types import IAD
from portal.reports.visibility import visible_reports

from .factories import ReportFactory

pytestmark = pytest.mark.django_db
S = Report.Status


def iad(actors, status: str) -> Report:
    outcome = Report.Outcome.NO_FURTHER_ACTION if status == S.CLOSED else ""
    return ReportFactory(organization=actors.personas.provider, health_plan=actors.plan,
                         preparer=actors.submitter, status=status, outcome=outcome)  # fmt: skip


@pytest.mark.parametrize("status", S.values)
def test_visibility_of_an_iad_for_every_persona(actors, status) -> None:
    report = iad(actors, status)
    filed = status not in {S.DRAFT, S.AWAITING_APPROVAL, S.RETURNED}
    expected = {
        "submitter": True,
        "director": True,
        "plan_reviewer": filed,
        "plan_filer": filed,
        "agency_reviewer": filed,
        "other_reviewer": False,
        "outsider": False,
    }
    for who, sees in expected.items():
        assert visible_reports(IAD, getattr(actors, who)).filter(pk=report.pk).exists() == sees, who
    p = actors.personas
    for nobody in (p.provider_master, p.ioc_member, p.agency_admin):  # no IAD-IRF role
        assert not visible_reports(IAD, nobody).filter(pk=report.pk).exists()


def test_a_plan_sees_reports_of_its_contracted_providers_about_other_members(actors) -> None:
    report = ReportFactory(organization=actors.personas.provider, status=S.SUBMITTED)
    assert report.health_plan != actors.plan  # the member is in another plan
    assert visible_reports(IAD, actors.plan_reviewer).filter(pk=report.pk).exists()
    assert not visible_reports(IAD, actors.other_reviewer).filter(pk=report.pk).exists()


def test_the_report_page_shows_the_report_and_audits_the_read(client, actors) -> None:
    report = iad(actors, S.SUBMITTED)
    client.force_login(actors.plan_reviewer)

    response = client.get(f"/iad/reports/{report.code}/")

    assert response.status_code == 200
    assert "Quintero" in response.content.decode()
    assert AuditEvent.objects.filter(action="iad.viewed", target_id=str(report.code)).count() == 1


def test_a_sentinel_events_page_and_print_carry_its_tag(client, actors) -> None:
    provider, plan, filer = actors.personas.provider, actors.plan, actors.submitter
    sentinel = ReportFactory(
        organization=provider, health_plan=plan, preparer=filer, status=S.SUBMITTED, sentinel=True
    )
    plain = iad(actors, S.SUBMITTED)
    client.force_login(actors.plan_reviewer)
    tag = '<span class="usa-tag bg-secondary-dark">Sentinel</span>'
    assert tag in client.get(f"/iad/reports/{sentinel.code}/").content.decode()
    assert tag not in client.get(f"/iad/reports/{plain.code}/").content.decode()
    printed = client.get(f"/iad/reports/{sentinel.code}/pdf/")
    text = "".join(page.extract_text() for page in PdfReader(BytesIO(printed.content)).pages)
    assert "Submitted, sentinel." in text


@pytest.mark.parametrize("who", ["outsider", "other_reviewer"])
def test_outsiders_get_404_and_nothing_of_the_report(client, actors, who) -> None:
    report = iad(actors, S.SUBMITTED)
    client.force_login(getattr(actors, who))

    response = client.get(f"/iad/reports/{report.code}/")

    assert response.status_code == 404
    assert "Quintero" not in response.content.decode()
    assert not AuditEvent.objects.filter(action="iad.viewed").exists()


def test_the_page_makes_the_same_number_of_queries_however_long_the_history_or_many_the_files(
    client, actors
) -> None:
    report = iad(actors, S.IN_REVIEW)
    client.force_login(actors.plan_reviewer)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/iad/reports/{report.code}/").status_code == 200
        return len(captured)

    def add_history(count: int) -> None:
        for n in range(count):
            ReportEvent.objects.create(report=report, actor=actors.plan_reviewer, transition="x",
                                       from_status=S.SUBMITTED, to_status=S.IN_REVIEW,
                                       reason=f"Note {n}")  # fmt: skip
            Attachment.objects.create(
                report=report, name=f"page-{n}.pdf", size=100, content_type="application/pdf",
                sha256="0" * 64, stored_name=uuid.uuid4().hex, uploaded_by=actors.submitter,
            )  # fmt: skip

    add_history(1)
    queries()  # the first request of a session also touches the session
    few = queries()
    add_history(10)
    assert queries() == few
