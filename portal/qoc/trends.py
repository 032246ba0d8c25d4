"""Tracking and trending (SPEC §4): how many cases were received, by provider, category,
severity, determination and month, over a period and for one plan or all. The counts come from
two grouped queries that read only the `qoc_case_trending` index."""

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django import forms
from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.dateformat import format as date_format

from portal.core.exports import Cell
from portal.core.roles import has_role
from portal.registry.models import Organization
from portal.reports.fields import PlanChoiceField, date_field

from .models import Case, Category

TOP_PROVIDERS = 15  # the providers with the most cases; the rest are counted together


def may_see_trends(user: Any) -> bool:
    return has_role(user, "qoc.manager")


def _year_ago(today: date) -> date:
    """The first day of the month eleven months before this one: twelve months in all."""
    month = today.month - 11
    year = today.year + (month - 1) // 12
    return date(year, (month - 1) % 12 + 1, 1)


class TrendFilterForm(forms.Form):
    received_from = date_field("Received from")
    received_to = date_field("Received to")
    health_plan = PlanChoiceField(
        label="Health plan",
        required=False,
        empty_label="Every health plan",
        queryset=Organization.objects.filter(kind__in=["health_plan", "trbha"]).order_by("name"),
        error_messages={"invalid_choice": "Choose a health plan from the list"},
    )

    def __init__(self, data: Any) -> None:
        today = timezone.localdate()
        given = data.copy() if data else {}
        given.setdefault("received_from", _year_ago(today).isoformat())
        given.setdefault("received_to", today.isoformat())
        super().__init__(given)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("received_from"), data.get("received_to")
        if start is None and "received_from" not in self.errors:
            self.add_error("received_from", "Enter the first day of the period")
        if end is None and "received_to" not in self.errors:
            self.add_error("received_to", "Enter the last day of the period")
        if start and end and end < start:
            self.add_error("received_to", "The last day must be the same as or after the first")
        return data

    def trends(self) -> "Counted":
        """The counts for these filters: kept for `QOC_TRENDS_SECONDS` after they are counted
        (counting a statewide year reads some 200,000 cases five times at a million)."""
        data = self.cleaned_data
        plan = data.get("health_plan")
        key = f"qoc:trends:{data['received_from']}:{data['received_to']}:{plan.pk if plan else ''}"
        kept: Counted | None = cache.get(key)
        if kept is None:
            counts = trends(self.cases(), data["received_from"], data["received_to"])
            kept = Counted(timezone.now(), counts)
            cache.set(key, kept, settings.QOC_TRENDS_SECONDS)
        return kept

    def cases(self) -> QuerySet[Case]:
        """The recorded cases received in the period (and of the plan), unordered."""
        data = self.cleaned_data
        chosen = Case.objects.exclude(status=Case.Status.DRAFT).filter(
            received_on__gte=data["received_from"], received_on__lte=data["received_to"]
        )
        if data.get("health_plan"):
            chosen = chosen.filter(health_plan=data["health_plan"])
        return chosen.order_by()

    def chosen(self) -> dict[str, Any]:
        """The filters, as dates and ids (for the audit trail)."""
        data = self.cleaned_data
        plan = data.get("health_plan")
        return {
            "received_from": data["received_from"],
            "received_to": data["received_to"],
            **({"health_plan": plan.pk} if plan else {}),
        }


@dataclass(frozen=True)
class Trend:
    """One count: its name, what its rows are, and (label, count) rows."""

    key: str
    title: str
    heading: str
    rows: list[tuple[str, int]]

    @property
    def total(self) -> int:
        return sum(count for _, count in self.rows)


@dataclass(frozen=True)
class Counted:
    """The trends and when they were counted."""

    at: datetime
    trends: list[Trend]


def trends(cases: QuerySet[Case], first: date, last: date) -> list[Trend]:
    """Every count of the cases received from `first` to `last`, from two grouped reads of the
    cases (one by month, severity and determination; one by provider and category), each a
    scan of the trending index, summed here."""
    when = _grouped(
        cases.annotate(month=TruncMonth("received_on")),
        "month",
        "severity",
        "determination",
    )
    who = _grouped(cases, "provider", "topic")
    return [
        Trend("month", "Cases by month received", "Month", by_month(_sum(when, 0), first, last)),
        Trend("provider", "Cases by provider", "Provider", by_provider(_sum(who, 0))),
        Trend("category", "Cases by category", "Category", by_category(_sum(who, 1))),
        Trend("severity", "Cases by severity", "Severity", by_severity(_sum(when, 1))),
        Trend(
            "determination",
            "Cases by determination",
            "Determination",
            by_determination(_sum(when, 2)),
        ),
    ]


def _grouped(cases: QuerySet[Case], *fields: str) -> Counter[tuple[Any, ...]]:
    """How many cases share each combination of the fields' values."""
    rows = cases.values_list(*fields).annotate(count=Count("pk")).order_by()
    return Counter({tuple(row[:-1]): row[-1] for row in rows})


def _sum(counts: Counter[tuple[Any, ...]], position: int) -> Counter[Any]:
    """The counts of one of the grouped values, the others summed away."""
    summed: Counter[Any] = Counter()
    for key, count in counts.items():
        summed[key[position]] += count
    return summed


def _most_first(counts: Counter[Any]) -> list[tuple[Any, int]]:
    """The most cases first; equal counts in the order of their values (ids)."""
    return sorted(counts.items(), key=lambda item: (-item[1], item[0] is None, item[0] or 0))


def by_month(counts: Counter[Any], first: date, last: date) -> list[tuple[str, int]]:
    """Every month of the period, those without a case too (a gap is a finding)."""
    months, month = [], first.replace(day=1)
    while month <= last:
        months.append((date_format(month, "F Y"), counts.get(month, 0)))
        month = (month + timedelta(days=31)).replace(day=1)
    return months


def by_provider(counts: Counter[Any]) -> list[tuple[str, int]]:
    ranked = _most_first(counts)
    top, rest = ranked[:TOP_PROVIDERS], ranked[TOP_PROVIDERS:]
    names = dict(
        Organization.objects.filter(pk__in=[pk for pk, _ in top if pk]).values_list("pk", "name")
    )
    rows = [(names.get(pk, "No provider named"), count) for pk, count in top]
    if rest:
        rows.append((f"{len(rest)} other providers", sum(count for _, count in rest)))
    return rows


def by_category(counts: Counter[Any]) -> list[tuple[str, int]]:
    names = dict(Category.objects.values_list("pk", "name"))
    return [(names.get(pk, "Not yet triaged"), count) for pk, count in _most_first(counts)]


def by_severity(counts: Counter[Any]) -> list[tuple[str, int]]:
    labels = dict(Case.Severity.choices)
    rows = [(str(labels[level]), counts[level]) for level in Case.Severity.values if counts[level]]
    if counts[None]:
        rows.append(("Not yet triaged", counts[None]))
    return rows


def by_determination(counts: Counter[Any]) -> list[tuple[str, int]]:
    labels = dict(Case.Determination.choices)
    rows = [(str(labels[d]), counts[d]) for d in Case.Determination.values if counts[d]]
    if counts[""]:
        rows.append(("Not determined yet", counts[""]))
    return rows


EXPORT_HEADERS = ("Count", "Value", "Cases")


def export_rows(shown: list[Trend]) -> Iterator[tuple[Cell, ...]]:
    for trend in shown:
        for label, count in trend.rows:
            yield (trend.heading, label, count)
