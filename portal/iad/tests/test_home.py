"""The home page lists what waits for each person, with overdue and due-soon counts."""

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.iad.models import Report

from .factories import ReportFactory

pytestmark = pytest.mark.django_db
S = Report.Status


def report(actors, status: str, due_in: timedelta) -> Report:
    return ReportFactory(organization=actors.personas.provider, health_plan=actors.plan,
                         preparer=actors.submitter, status=status,
                         due_at=timezone.now() + due_in)  # fmt: skip


def test_each_person_sees_their_own_queue_with_urgency(client, actors) -> None:
    report(actors, S.DRAFT, timedelta(hours=-3))  # overdue
    report(actors, S.DRAFT, timedelta(hours=5))  # due within a day
    report(actors, S.RETURNED, timedelta(days=3))
    report(actors, S.AWAITING_APPROVAL, timedelta(days=1))
    report(actors, S.SUBMITTED, timedelta(days=-1))

    client.force_login(actors.submitter)
    page = client.get("/").content.decode()
    assert "Your draft reports</a>: <strong>3</strong>" in page
    assert "1 overdue" in page and "1 due within a day" in page

    client.force_login(actors.director)
    page = client.get("/").content.decode()
    assert "Reports awaiting your approval</a>: <strong>1</strong>" in page
    assert "drafts due soon or overdue</a>: <strong>2</strong>" in page

    client.force_login(actors.plan_reviewer)
    page = client.get("/").content.decode()
    assert "Reports awaiting review</a>: <strong>1</strong>" in page
    assert "Your draft reports" not in page


def test_the_home_page_makes_the_same_queries_however_many_reports(
    client, actors, settings
) -> None:
    settings.HOME_COUNTS_SECONDS = 0  # counted on every view, as a first view of the minute is
    client.force_login(actors.director)
    client.get("/")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            client.get("/")
        return len(captured)

    report(actors, S.DRAFT, timedelta(hours=1))
    few = queries()
    for _ in range(20):
        report(actors, S.AWAITING_APPROVAL, timedelta(days=1))
    assert queries() == few


def test_awaiting_review_counts_only_the_reports_the_reviewer_may_review(client, actors) -> None:
    ours = report(actors, S.SUBMITTED, timedelta(days=1))
    # A contracted provider's report about another plan's member: seen, but not ours to review.
    actors.personas.provider.contracted_plans.add(actors.plan)
    theirs = ReportFactory(organization=actors.personas.provider, status=S.IN_REVIEW,
                           health_plan=actors.other_reviewer.organization)  # fmt: skip
    client.force_login(actors.plan_reviewer)

    page = client.get("/").content.decode()
    review = client.get("/iad/reports/?show=review").content.decode()
    everything = client.get("/iad/reports/").content.decode()

    assert "Reports awaiting review</a>: <strong>1</strong>" in page
    assert str(ours.code)[:8] in review and str(theirs.code)[:8] not in review
    assert str(theirs.code)[:8] in everything
    client.force_login(actors.agency_reviewer)
    assert "Reports awaiting review</a>: <strong>2</strong>" in client.get("/").content.decode()


def test_the_visibility_built_once_per_account_is_handed_out_fresh(actors) -> None:
    """`visible_reports` keeps the condition it built on the account object; every caller gets
    its own unevaluated copy, so rows made after an earlier caller read are still found."""
    from portal.reports.types import get
    from portal.reports.visibility import visible_reports

    reviewer, iad = actors.plan_reviewer, get("iad")
    first = visible_reports(iad, reviewer)
    assert list(first.filter(status=S.SUBMITTED)) == []
    filed = report(actors, S.SUBMITTED, timedelta(days=1))
    second = visible_reports(iad, reviewer)
    assert second is not first and second._result_cache is None
    assert list(second.filter(status=S.SUBMITTED)) == [filed]
    assert list(first) == [filed]


APPROVAL = "Reports awaiting your approval</a>: <strong>%d</strong>"


def test_counts_are_kept_for_a_while_then_counted_again(client, actors, settings) -> None:
    """Others' changes show within HOME_COUNTS_SECONDS; the page says when it counted."""
    settings.HOME_COUNTS_SECONDS = 60
    client.force_login(actors.director)
    assert APPROVAL % 0 in client.get("/").content.decode()
    report(actors, S.AWAITING_APPROVAL, timedelta(days=1))  # the submitter's change

    with CaptureQueriesContext(connection) as kept:
        page = client.get("/").content.decode()
    assert APPROVAL % 0 in page
    assert "Counted at <time" in page and "may take up to 1\xa0minute to show" in page
    assert "m.." not in page  # "a.m." or "p.m." ends no sentence twice
    assert not [q for q in kept.captured_queries if "COUNT(" in q["sql"].upper()]

    with time_machine.travel(timezone.now() + timedelta(seconds=61)):
        assert APPROVAL % 1 in client.get("/").content.decode()


def test_a_change_of_ones_own_is_counted_at_once(client, actors, settings) -> None:
    settings.HOME_COUNTS_SECONDS = 600
    waiting = report(actors, S.AWAITING_APPROVAL, timedelta(days=1))
    client.force_login(actors.director)
    assert APPROVAL % 1 in client.get("/").content.decode()

    client.post(f"/iad/reports/{waiting.code}/return/", {"reason": "Add the time of the fall."})
    assert APPROVAL % 0 in client.get("/").content.decode()


def test_counts_follow_a_change_of_roles_at_once(client, actors, settings) -> None:
    from portal.accounts.models import RoleGrant

    settings.HOME_COUNTS_SECONDS = 600
    client.force_login(actors.director)
    assert APPROVAL % 0 in client.get("/").content.decode()

    # Taken away by a master account of the organization, in a request of their own.
    RoleGrant.objects.filter(user=actors.director, role="iad.clinical_director").delete()
    assert "awaiting your approval" not in client.get("/").content.decode()


def test_a_count_of_zero_seconds_counts_every_time(client, actors, settings) -> None:
    settings.HOME_COUNTS_SECONDS = 0
    client.force_login(actors.director)
    assert APPROVAL % 0 in client.get("/").content.decode()
    report(actors, S.AWAITING_APPROVAL, timedelta(days=1))
    page = client.get("/").content.decode()
    assert APPROVAL % 1 in page and "Counted at" not in page  # always counted: nothing to say


def test_counts_kept_in_another_shape_are_counted_again(client, actors, settings) -> None:
    """An entry an earlier release kept, or a damaged one, is never shown and never a 500."""
    from portal.core.home import KEPT

    settings.HOME_COUNTS_SECONDS = 600
    client.force_login(actors.director)
    report(actors, S.AWAITING_APPROVAL, timedelta(days=1))
    holder = [actors.director.pk, actors.director.organization_id, ["iad.clinical_director"]]
    for damaged in (
        {"for": holder, "at": timezone.now().timestamp(), "items": [["Old", 5, "/", 0, 0, 9]]},
        {"for": holder, "at": "yesterday", "items": []},
        {"for": holder, "items": []},
        ["not", "a", "dict"],
    ):
        session = client.session
        session[KEPT] = damaged
        session.save()
        answer = client.get("/")
        assert answer.status_code == 200 and APPROVAL % 1 in answer.content.decode()
