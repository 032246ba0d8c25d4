"""The kit's pages as people read them: the task list's states, the history's words, the
deadline's sentence, and the committee inbox of every type (shown with IAD and S&R reports)."""

from datetime import datetime

import pytest

from portal.accounts.services import grant_role
from portal.core.business_days import PHOENIX
from portal.iad.models import RedactedCopy, Report
from portal.iad.tests.factories import ReportFactory
from portal.reports import services
from portal.seclusion.models import RedactedCopy as SeclusionCopy
from portal.seclusion.tests.factories import ReportFactory as SeclusionFactory

pytestmark = pytest.mark.django_db
S = Report.Status


@pytest.fixture
def people(personas):
    for user, role in (
        (personas.provider_user, "iad.submitter"),
        (personas.clinical_director, "iad.clinical_director"),
        (personas.ioc_member, "ioc.member"),
    ):
        grant_role(user, role, by=None)
    return personas


def test_a_section_nothing_was_entered_in_is_not_started_not_completed(client, people) -> None:
    report = ReportFactory(
        organization=people.provider, preparer=people.provider_user, status=S.DRAFT, injuries=None
    )
    client.force_login(people.provider_user)
    page = client.get(f"/iad/reports/{report.code}/draft/").content.decode()
    injuries = page[page.index("Injuries and actions") :]
    assert injuries.index("Not started") < injuries.index("</li>")
    member = page[page.index(">Member<") :]
    assert member.index("Completed") < member.index("</li>")


def test_the_history_says_what_was_done_and_by_whom(client, people) -> None:
    report = ReportFactory(
        organization=people.provider, preparer=people.provider_user, status=S.AWAITING_APPROVAL
    )
    director = people.clinical_director
    services.take_transition(report, "approve", by=director)
    client.force_login(director)
    page = client.get(f"/iad/reports/{report.code}/").content.decode()
    assert f"Approved by {director.get_full_name()}" in page
    assert f"Submitted by {director.get_full_name()}" not in page


def test_a_time_ending_in_p_m_is_not_followed_by_a_second_full_stop(client, people) -> None:
    submitted = datetime(2026, 12, 4, 23, 7, tzinfo=PHOENIX)
    due = datetime(2026, 12, 4, 23, 59, 59, tzinfo=PHOENIX)
    report = ReportFactory(
        organization=people.provider,
        preparer=people.provider_user,
        status=S.SUBMITTED,
        submitted_at=submitted,
        due_at=due,
    )
    client.force_login(people.provider_user)
    page = client.get(f"/iad/reports/{report.code}/").content.decode()
    assert "11:07 p.m." in page and "p.m.." not in page


def test_the_committee_inbox_lists_released_copies_of_every_type(client, people) -> None:
    committee = people.ioc_member.organization
    iad = ReportFactory(status=S.CLOSED, outcome="no_further_action")
    seclusion = SeclusionFactory(status="accepted")
    for report, model in ((iad, RedactedCopy), (seclusion, SeclusionCopy)):
        model.objects.create(
            report=report,
            status="released",
            committee=committee,
            created_by=people.provider_user,
            released_at=report.created_at,
        )
    client.force_login(people.ioc_member)
    page = client.get("/ioc/")
    assert "2 reports." in page.content.decode()
    labels = {row.label.split()[0] for row in page.context["rows"]}
    assert labels == {"IAD", "S&R"}
