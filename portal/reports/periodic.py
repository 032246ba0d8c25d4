"""Periodic filings: one filing per organization per period (a month, a quarter), due some
calendar days after the period ends (rolled forward to a business day), and who has not filed.
S&R's monthly summaries use it; OIFA's quarterly inventories will.

An application's model inherits `PeriodicFiling` and adds what a filing holds; its `Schedule`
says how long a period is, when it is due and which organizations must file.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import QuerySet
from django.utils import timezone

from portal.core import audit
from portal.core.business_days import END_OF_DAY, PHOENIX, Calendar
from portal.core.workflow import TransitionRefused
from portal.registry.models import Organization


class PeriodicFiling(models.Model):
    """One organization's filing for one period (its first day), filed once."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    period = models.DateField(help_text="The first day of the period.")
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True
        ordering = ["-period", "organization__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "period"], name="%(app_label)s_%(class)s_one_per_period"
            )
        ]


def _add_months(day: date, months: int) -> date:
    total = day.year * 12 + day.month - 1 + months
    return date(total // 12, total % 12 + 1, 1)


@dataclass(frozen=True)
class Schedule:
    """How often a filing is due and who must file it."""

    model: type[PeriodicFiling]
    audit_action: str  # written when a filing is made: "sr.summary_filed"
    months: int  # 1: monthly, 3: quarterly
    due_day: int  # the calendar day of the month after the period ends
    # Of the organizations given, those that must file, each with the moment it began to file
    # (no period ended before it is asked of it): {organization id: since}, one query.
    filers: Callable[[QuerySet[Organization]], dict[int, datetime]]
    recent_count: Callable[[], int]  # how many ended periods are asked about

    def period_of(self, day: date) -> date:
        """The first day of the period `day` falls in (quarters start in January)."""
        month = (day.month - 1) // self.months * self.months + 1
        return date(day.year, month, 1)

    def end_of(self, period: date) -> date:
        """The last day of the period."""
        return _add_months(period, self.months) - timedelta(days=1)

    def due(self, period: date) -> datetime:
        """The end of the due day, Phoenix time: the `due_day`-th calendar day after the
        period ends, or the next business day when that day is not one."""
        return self.dues([period])[period]

    def dues(self, periods: list[date]) -> dict[date, datetime]:
        """The due moment of each period, with one read of the closure days for them all."""
        if not periods:
            return {}
        days = {p: _add_months(p, self.months) + timedelta(days=self.due_day - 1) for p in periods}
        first = min(days.values())
        calendar = Calendar(first, days=(max(days.values()) - first).days + 31)
        return {
            p: datetime.combine(calendar.on_or_after(day), END_OF_DAY, tzinfo=PHOENIX)
            for p, day in days.items()
        }

    def last_closed(self, today: date | None = None) -> date:
        """The latest period that has ended (the one due next, or just due)."""
        today = today or timezone.localdate()
        return _add_months(self.period_of(today), -self.months)

    def recent(self, today: date | None = None) -> list[date]:
        """The ended periods asked about, newest first."""
        last = self.last_closed(today)
        return [_add_months(last, -self.months * n) for n in range(self.recent_count())]

    def label(self, period: date) -> str:
        if self.months == 1:
            return f"{period:%B %Y}"
        return f"Quarter {(period.month - 1) // 3 + 1}, {period.year}"

    def asked(self, since: datetime | None, period: date) -> bool:
        """Whether an organization filing since `since` owes a filing for the period."""
        return since is not None and self.period_of(timezone.localtime(since).date()) <= period

    def period_status(
        self,
        among: QuerySet[Organization],
        period: date,
        since: dict[int, datetime] | None = None,
    ) -> list[tuple[Any, Any]]:
        """Each organization among `among` asked about the period, by name, with its filing or
        None when it has not filed: three queries, two when `since` (`filers(among)`, kept by
        the caller) is given."""
        since = self.filers(among) if since is None else since
        model: Any = self.model
        filed = {
            f.organization_id: f
            for f in model.objects.filter(organization__in=among, period=period)
        }
        wanted = {pk for pk, began in since.items() if self.asked(began, period)} | set(filed)
        organizations = Organization.objects.filter(pk__in=wanted).order_by("name", "pk")
        return [(org, filed.get(org.pk)) for org in organizations]

    def history(
        self, organization: Organization, today: date | None = None
    ) -> list[tuple[date, Any]]:
        """The recent periods an organization is asked about, newest first, with its filing or
        None: two queries."""
        since = self.filers(Organization.objects.filter(pk=organization.pk)).get(organization.pk)
        periods = [period for period in self.recent(today) if self.asked(since, period)]
        model: Any = self.model
        filed = {
            f.period: f for f in model.objects.filter(organization=organization, period__in=periods)
        }
        return [(period, filed.get(period)) for period in periods]


def file_period(
    schedule: Schedule,
    *,
    organization: Organization,
    period: date,
    by: Any,
    values: dict[str, Any],
    check: Callable[[Any], None] = lambda filing: None,
    request: Any = None,
) -> Any:
    """Record the organization's filing for a period that has ended. Of two filings for the
    same period the first wins; the second is refused with who filed it and when."""
    if period != schedule.period_of(period) or period > schedule.last_closed():
        raise TransitionRefused("Choose a period that has ended.")
    model: Any = schedule.model
    filing = model(organization=organization, period=period, filed_by=by, **values)
    check(filing)
    try:
        with transaction.atomic():
            filing.save()
            audit.record(
                schedule.audit_action,
                actor=by,
                target=filing,
                request=request,
                data={"period": period.isoformat()},
            )
    except IntegrityError:
        raise TransitionRefused(_already(schedule, organization, period)) from None
    return filing


def _already(schedule: Schedule, organization: Organization, period: date) -> str:
    model: Any = schedule.model
    first = (
        model.objects.select_related("filed_by")
        .filter(organization=organization, period=period)
        .first()
    )
    if first is None:  # the filing that won was rolled back since
        return "This period was filed at the same moment by someone else. Check the list."
    when = timezone.localtime(first.filed_at)
    return (
        f"{schedule.label(period)} was already filed by {first.filed_by.get_full_name()} "
        f"on {when:%B} {when.day}, {when.year}. Nothing was changed."
    )
