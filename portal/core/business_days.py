"""Business days for deadlines (SPEC §3.2, ADR 0012): America/Phoenix, no weekends, no Arizona
state holidays (the `holidays` package, observed days included), no closure days added in the
back office."""

from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from .models import ClosureDay

PHOENIX = ZoneInfo("America/Phoenix")
END_OF_DAY = time(23, 59, 59)


@lru_cache(maxsize=64)
def _state_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("US", subdiv="AZ", years=year))


class Calendar:
    """The non-working days around a period, loaded once (one query for closure days)."""

    def __init__(self, start: date, days: int) -> None:
        self.closures = frozenset(
            ClosureDay.objects.filter(
                date__gte=start, date__lte=start + timedelta(days=days)
            ).values_list("date", flat=True)
        )

    def is_business_day(self, day: date) -> bool:
        return (
            day.weekday() < 5 and day not in _state_holidays(day.year) and day not in self.closures
        )

    def on_or_after(self, day: date) -> date:
        """`day` itself when it is a business day, else the next one."""
        while not self.is_business_day(day):
            day += timedelta(days=1)
        return day

    def add_business_days(self, start: date, count: int) -> date:
        """The `count`-th business day after `start` (`start` itself never counts)."""
        day, left = start, count
        while left:
            day += timedelta(days=1)
            if self.is_business_day(day):
                left -= 1
        return day


def due_at(start: datetime, business_days: int) -> datetime:
    """The end (23:59:59, Phoenix time) of the `business_days`-th business day after the day
    `start` falls on in Phoenix."""
    local_start = start.astimezone(PHOENIX).date()
    # Weekends and holidays never add more than a week per business day, plus a long closure.
    calendar = Calendar(local_start, days=business_days * 7 + 31)
    day = calendar.add_business_days(local_start, business_days)
    return datetime.combine(day, END_OF_DAY, tzinfo=PHOENIX)


def due_after_days(day: date, days: int) -> datetime:
    """The end (23:59:59, Phoenix time) of the `days`-th calendar day after `day`, moved on to
    the next business day when it falls on a weekend, a holiday or a closure day."""
    due = day + timedelta(days=days)
    return datetime.combine(Calendar(due, days=31).on_or_after(due), END_OF_DAY, tzinfo=PHOENIX)
