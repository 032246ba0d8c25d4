"""Monthly summaries (SPEC §5): due dates rolled to a business day, one filing per facility and
month, a count never below the reports filed, and who has not filed."""

from datetime import date, datetime

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.accounts.services import grant_role
from portal.accounts.tests.factories import UserFactory
from portal.core.business_days import PHOENIX
from portal.core.models import AuditEvent, ClosureDay
from portal.core.workflow import TransitionRefused
from portal.registry.tests.factories import OrganizationFactory
from portal.seclusion import monthly
from portal.seclusion.models import MonthlySummary, Report

from .conftest import _with
from .factories import ReportFactory

pytestmark = pytest.mark.django_db
TODAY = datetime(2026, 12, 5, 10, tzinfo=PHOENIX)


def end_of(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 23, 59, 59, tzinfo=PHOENIX)


@pytest.mark.parametrize(
    ("period", "due"),
    [
        (date(2026, 10, 1), end_of(2026, 11, 5)),  # a Thursday
        (date(2025, 9, 1), end_of(2025, 10, 6)),  # the 5th is a Sunday: Monday
        (date(2026, 6, 1), end_of(2026, 7, 6)),  # the 5th is a Sunday after Independence Day
        (date(2026, 12, 1), end_of(2027, 1, 5)),  # across the year
    ],
)
def test_a_summary_is_due_the_5th_or_the_next_business_day(period, due) -> None:
    assert monthly.SCHEDULE.due(period) == due


def test_a_closure_day_on_the_due_day_rolls_it_on() -> None:
    ClosureDay.objects.create(date=date(2025, 10, 6), name="Closed")
    assert monthly.SCHEDULE.due(date(2025, 9, 1)) == end_of(2025, 10, 7)


def filed_report(actors, day: int, status: str = Report.Status.SUBMITTED) -> Report:
    started = datetime(2026, 11, day, 9, tzinfo=PHOENIX)
    return ReportFactory(
        organization=actors.facility,
        preparer=actors.filer,
        status=status,
        health_plan=actors.plan,
        started_at=started,
        ended_at=started,
    )


@time_machine.travel(TODAY)
def test_a_month_with_none_is_filed_once_and_a_second_filing_is_told_who_won(actors) -> None:
    november = date(2026, 11, 1)
    summary = monthly.file_summary(by=actors.filer, period=november, event_count=0)
    assert (summary.organization, summary.event_count) == (actors.facility, 0)
    assert AuditEvent.objects.filter(action="sr.summary_filed").count() == 1
    with pytest.raises(TransitionRefused, match=r"already filed by .* on December 5, 2026"):
        monthly.file_summary(by=actors.filer, period=november, event_count=3)
    assert list(MonthlySummary.objects.values_list("event_count", flat=True)) == [0]


@time_machine.travel(TODAY)
def test_a_count_below_the_reports_filed_is_refused(actors) -> None:
    filed_report(actors, 3)
    filed_report(actors, 20)
    filed_report(actors, 21, status=Report.Status.DRAFT)  # drafts are not filed
    with pytest.raises(
        TransitionRefused, match="filed 2 individual reports about events in November 2026"
    ):
        monthly.file_summary(by=actors.filer, period=date(2026, 11, 1), event_count=1)
    assert not MonthlySummary.objects.exists()
    monthly.file_summary(by=actors.filer, period=date(2026, 11, 1), event_count=2)


@time_machine.travel(TODAY)
def test_only_ended_months_are_filed(actors) -> None:
    with pytest.raises(TransitionRefused, match="ended"):
        monthly.file_summary(by=actors.filer, period=date(2026, 12, 1), event_count=0)


@time_machine.travel(TODAY)
def test_reviewers_see_their_facilities_missing_and_mismatched(actors) -> None:
    november = date(2026, 11, 1)
    other = OrganizationFactory(name="Another facility")  # no contract with the plan
    _with(UserFactory(organization=other), "sr.submitter")
    contracted = OrganizationFactory(name="Aardvark House")
    contracted.contracted_plans.add(actors.plan)
    _with(UserFactory(organization=contracted), "sr.submitter")
    filed_report(actors, 4)
    monthly.file_summary(by=actors.filer, period=november, event_count=3)

    lines = {
        line.facility.name: line for line in monthly.month_lines(actors.plan_reviewer, november)
    }
    assert sorted(lines) == ["Aardvark House", actors.facility.name]
    assert lines["Aardvark House"].summary is None
    ours = lines[actors.facility.name]
    assert (ours.summary.event_count, ours.reports, ours.mismatch) == (3, 1, True)
    agency = {line.facility.name for line in monthly.month_lines(actors.agency_reviewer, november)}
    assert "Another facility" in agency


@time_machine.travel(TODAY)
def test_a_months_lines_take_the_same_queries_however_many_facilities(actors) -> None:
    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            monthly.month_lines(actors.agency_reviewer, date(2026, 11, 1))
        return len(captured)

    count()  # the first call reads the person's roles, kept on the account afterwards
    cache.clear()
    few = count()
    for n in range(4):
        facility = OrganizationFactory(name=f"Facility {n}")
        _with(UserFactory(organization=facility), "sr.submitter")
        filed_report(actors, n + 1)
    cache.clear()
    assert count() == few
    # Who must file is kept a few minutes per organization; the filings are read every time.
    assert count() == few - 1


@time_machine.travel(TODAY)
def test_a_facility_is_asked_only_for_the_months_since_it_began_filing(actors) -> None:
    newcomer = OrganizationFactory(name="New facility")
    newcomer.contracted_plans.add(actors.plan)
    filer = UserFactory(organization=newcomer)
    grant_role(filer, "sr.submitter", by=None)  # today, in December
    assert monthly.facility_lines(newcomer) == []
    names = {
        line.facility.name for line in monthly.month_lines(actors.plan_reviewer, date(2026, 11, 1))
    }
    assert names == {actors.facility.name}
    assert len(monthly.facility_lines(actors.facility)) == 12  # SR_SUMMARY_MONTHS


@time_machine.travel(TODAY)
def test_a_facilitys_months_take_four_queries_and_the_home_count_one(
    actors, django_assert_num_queries
) -> None:
    """Who must file, the filings, the reports of the months, the closure days for the due
    dates: not one query per month."""
    with django_assert_num_queries(4):
        assert len(monthly.facility_lines(actors.facility)) == 12
    monthly.filers_seen_by(actors.plan_reviewer)  # kept a few minutes
    with django_assert_num_queries(1):
        assert monthly.missing_count(actors.plan_reviewer, date(2026, 11, 1)) == 1
