"""Monthly summaries (SPEC §5): which facilities must file, who sees whose, filing one, and the
comparison of each count with the individual reports of that month."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Min, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from portal.accounts.models import RoleGrant, User
from portal.core.business_days import PHOENIX
from portal.core.roles import has_role
from portal.core.workflow import TransitionRefused
from portal.registry.models import Organization
from portal.reports.periodic import Schedule, file_period

from .models import MonthlySummary, Report

ROLES = ("sr.submitter", "sr.reviewer")


def facilities(among: QuerySet[Organization]) -> dict[int, datetime]:
    """Of the organizations given, the facilities that must file (active providers with an
    active account that files S&R reports), each with when its first such account got the role:
    no month before it is asked of the facility. One query over the role's grants."""
    grants = RoleGrant.objects.filter(
        role="sr.submitter",
        user__status=User.Status.ACTIVE,
        user__organization__in=among.filter(kind="provider", status=Organization.Status.ACTIVE),
    )
    rows = grants.values("user__organization").annotate(since=Min("granted_at")).order_by()
    return {row["user__organization"]: row["since"] for row in rows}


SCHEDULE = Schedule(
    model=MonthlySummary,
    audit_action="sr.summary_filed",
    months=1,
    due_day=5,
    filers=facilities,
    recent_count=lambda: settings.SR_SUMMARY_MONTHS,
)


def now() -> datetime:
    return timezone.now()


def check_user(user: Any) -> None:
    """The monthly pages exist only for holders of an S&R role: 404 for everyone else."""
    if not any(has_role(user, role) for role in ROLES):
        raise Http404


def is_facility(user: Any) -> bool:
    return has_role(user, "sr.submitter")


def facilities_seen_by(user: Any) -> QuerySet[Organization]:
    """A facility sees itself; a plan its contracted providers; the agency every provider."""
    organization = user.organization
    providers = Organization.objects.filter(kind="provider")
    if is_facility(user):
        return providers.filter(pk=organization.pk)
    if organization.kind == "agency":
        return providers
    return providers.filter(contracted_plans=organization)


def _month_bounds(period: date) -> tuple[datetime, datetime]:
    start = datetime.combine(period, time.min, tzinfo=PHOENIX)
    end = datetime.combine(SCHEDULE.end_of(period), time.max, tzinfo=PHOENIX)
    return start, end


def filed_reports(organizations: QuerySet[Organization], period: date) -> dict[int, int]:
    """Individual reports each organization filed about events of the month (drafts aside)."""
    start, end = _month_bounds(period)
    rows = (
        Report.objects.filter(organization__in=organizations, started_at__range=(start, end))
        .exclude(status=Report.Status.DRAFT)
        .values("organization")
        .annotate(count=Count("pk"))
        .order_by()
    )
    return {row["organization"]: row["count"] for row in rows}


@dataclass(frozen=True)
class Line:
    """One facility and one month: its summary if filed, and the reports filed for it."""

    facility: Organization
    period: date
    summary: MonthlySummary | None
    reports: int
    due: datetime

    @property
    def mismatch(self) -> bool:
        return self.summary is not None and self.summary.event_count != self.reports

    @property
    def label(self) -> str:
        return SCHEDULE.label(self.period)


def filers_seen_by(user: Any) -> dict[int, datetime]:
    """The facilities this person sees that must file, with since when. Kept a few minutes per
    organization (every reviewer's home page shows who has not filed, and finding them reads
    every grant of the role): a facility given the role appears within FILTER_CHOICES_SECONDS;
    filings themselves are never kept."""
    key = f"sr:filers:{user.organization_id}:{int(is_facility(user))}"
    kept: dict[int, datetime] | None = cache.get(key)
    if kept is None:
        kept = facilities(facilities_seen_by(user))
        cache.set(key, kept, settings.FILTER_CHOICES_SECONDS)
    return kept


def missing_count(user: Any, period: date) -> int:
    """How many facilities this person sees have not filed the month: one query (who must file
    is kept, `filers_seen_by`)."""
    owing = {pk for pk, since in filers_seen_by(user).items() if SCHEDULE.asked(since, period)}
    summaries = MonthlySummary.objects.filter(organization__in=owing, period=period)
    filed = set(summaries.values_list("organization", flat=True))
    return len(owing - filed)


def month_lines(user: Any, period: date) -> list[Line]:
    """Every facility this person sees that must file, for one month: three queries at most."""
    seen = facilities_seen_by(user)
    status = SCHEDULE.period_status(seen, period, since=filers_seen_by(user))
    counts = filed_reports(Organization.objects.filter(pk__in=[f.pk for f, _ in status]), period)
    due = SCHEDULE.due(period)
    return [Line(f, period, filed, counts.get(f.pk, 0), due) for f, filed in status]


def facility_lines(facility: Organization, today: date | None = None) -> list[Line]:
    """One facility's recent months since it began filing, newest first: three queries."""
    history = SCHEDULE.history(facility, today)
    if not history:
        return []
    start, _ = _month_bounds(history[-1][0])
    _, end = _month_bounds(history[0][0])
    started = (
        Report.objects.filter(organization=facility, started_at__range=(start, end))
        .exclude(status=Report.Status.DRAFT)
        .values_list("started_at", flat=True)
    )
    counts = Counter(SCHEDULE.period_of(timezone.localtime(moment).date()) for moment in started)
    dues = SCHEDULE.dues([period for period, _ in history])
    return [
        Line(facility, period, filed, counts[period], dues[period]) for period, filed in history
    ]


def unfiled_months(facility: Organization) -> list[date]:
    """The months the facility is asked about and has not filed, newest first."""
    return [line.period for line in facility_lines(facility) if line.summary is None]


def file_summary(
    *, by: Any, period: date, event_count: int, notes: str = "", request: HttpRequest | None = None
) -> MonthlySummary:
    """The facility's summary for a month that has ended; a count below the individual
    reports already filed for that month is refused (the reports are the floor)."""
    if not is_facility(by) or by.organization is None or by.organization.kind != "provider":
        raise PermissionDenied
    facility = by.organization
    filed = filed_reports(Organization.objects.filter(pk=facility.pk), period).get(facility.pk, 0)
    if event_count < filed:
        raise TransitionRefused(
            f"Your facility filed {filed} individual report{'s' if filed != 1 else ''} about "
            f"events in {SCHEDULE.label(period)}: the count cannot be lower."
        )
    values = {"event_count": event_count, "notes": notes.strip()}
    summary: MonthlySummary = file_period(
        SCHEDULE, organization=facility, period=period, by=by, values=values, request=request
    )
    return summary
