"""Deadlines in business days: weekends, Arizona holidays, closure days, year ends."""

from datetime import date, datetime

import pytest

from portal.core.business_days import PHOENIX, due_at
from portal.core.models import AuditEvent, ClosureDay

pytestmark = pytest.mark.django_db


def at(y: int, m: int, d: int, hour: int = 10) -> datetime:
    return datetime(y, m, d, hour, tzinfo=PHOENIX)


def end_of(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 23, 59, 59, tzinfo=PHOENIX)


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (at(2026, 11, 17), 1, end_of(2026, 11, 18)),  # Tuesday → Wednesday
        (at(2026, 11, 17), 2, end_of(2026, 11, 19)),
        (at(2026, 11, 20), 1, end_of(2026, 11, 23)),  # Friday → Monday
        (at(2026, 11, 21), 1, end_of(2026, 11, 23)),  # Saturday → Monday
        (at(2026, 11, 22), 2, end_of(2026, 11, 24)),  # Sunday → Tuesday
        (at(2026, 11, 25), 1, end_of(2026, 11, 27)),  # Thanksgiving skipped
        (at(2026, 11, 10), 1, end_of(2026, 11, 12)),  # Veterans Day skipped
        (at(2027, 1, 15), 1, end_of(2027, 1, 19)),  # weekend, then Civil Rights Day
        (at(2026, 12, 31), 1, end_of(2027, 1, 4)),  # year end: New Year, then a weekend
        (at(2027, 12, 23), 1, end_of(2027, 12, 27)),  # Christmas observed on Friday the 24th
        (at(2027, 12, 30), 2, end_of(2028, 1, 4)),  # New Year observed on Friday Dec 31
        (at(2026, 7, 2), 1, end_of(2026, 7, 6)),  # July 4 observed on Friday the 3rd
    ],
)
def test_due_at_the_end_of_the_nth_business_day(start, days, due) -> None:
    assert due_at(start, days) == due


def test_a_time_late_in_utc_counts_from_the_phoenix_day() -> None:
    # 2026-11-18 05:00 UTC is still Tuesday the 17th in Phoenix (UTC-7).
    start = datetime.fromisoformat("2026-11-18T05:00:00+00:00")
    assert due_at(start, 1) == end_of(2026, 11, 18)


def test_closure_days_added_in_the_back_office_are_skipped() -> None:
    ClosureDay.objects.create(date=date(2026, 11, 27), name="Day after Thanksgiving")
    assert due_at(at(2026, 11, 25), 1) == end_of(2026, 11, 30)


def test_agency_admins_add_closure_days_in_the_back_office_with_an_audit_event(
    client, personas
) -> None:
    client.force_login(personas.agency_admin)

    response = client.post(
        "/back-office/core/closureday/add/",
        {"date": "2026-11-27", "name": "Day after Thanksgiving"},
    )

    assert response.status_code == 302
    day = ClosureDay.objects.get()
    assert AuditEvent.objects.filter(action="closure_day.created", target_id=str(day.pk)).exists()
    assert due_at(at(2026, 11, 25), 1) == end_of(2026, 11, 30)
