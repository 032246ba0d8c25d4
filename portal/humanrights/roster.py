"""The roster of members under special assistance (SPEC §6): the accepted notifications, each
with its designated representative, per plan and statewide; and how many members each plan had
under special assistance at the end of each recent month."""

from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

from django import forms
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from portal.core.exports import Cell
from portal.core.roles import has_role
from portal.registry.models import Organization
from portal.reports import columns
from portal.reports.fields import PlanChoiceField

from .models import Area, Report

S = Report.Status
MONTHS = 6  # month ends in the count over time, the latest first after today


def _scope(user: Any) -> Q | None:
    """Whose members this person's roster holds: statewide for OHR staff, the plan's own
    members for a plan, the notifications it filed for a provider; None for anyone else."""
    organization = getattr(user, "organization", None)
    if organization is None:
        return None
    if organization.kind == "agency" and has_role(user, "ohr.staff"):
        return Q()
    if not has_role(user, "ohr.submitter"):
        return None
    if organization.kind in {"health_plan", "trbha"}:
        return Q(health_plan=organization)
    return Q(organization=organization)


def may_see_roster(user: Any) -> bool:
    return _scope(user) is not None


def statewide(user: Any) -> bool:
    return _scope(user) == Q()


def on_roster(user: Any) -> QuerySet[Report]:
    """The members under special assistance this person may see, by name."""
    scope = _scope(user)
    if scope is None:
        return Report.objects.none()
    return (
        Report.objects.filter(scope, status=S.ACCEPTED)
        .select_related("health_plan", "organization")
        .order_by("member_last_name", "member_first_name", "pk")
    )


class RosterFilterForm(forms.Form):
    health_plan = PlanChoiceField(
        label="Health plan",
        required=False,
        empty_label="Any health plan",
        queryset=Organization.objects.filter(kind__in=["health_plan", "trbha"]).order_by("name"),
        error_messages={"invalid_choice": "Choose a health plan from the list"},
    )
    area = forms.ChoiceField(
        label="Area confirmed",
        required=False,
        choices=[("", "Any area"), *Area.choices],
        error_messages={"invalid_choice": "Choose an area from the list"},
    )

    def __init__(self, data: Any, *, user: Any) -> None:
        super().__init__(data)
        if not statewide(user):
            del self.fields["health_plan"]  # a plan's roster is its own members only

    def narrowed(self, rows: QuerySet[Report]) -> QuerySet[Report]:
        data = self.cleaned_data
        if data.get("health_plan"):
            rows = rows.filter(health_plan=data["health_plan"])
        if data["area"]:
            rows = rows.filter(**{f"confirmed_{data['area']}": True})
        return rows

    def chosen(self) -> dict[str, Any]:
        """The filters in use, as ids and codes (for the audit trail). The roster is not
        searched by AHCCCS ID: a GET would carry the ID into addresses, logs and history."""
        data = self.cleaned_data
        chosen = {"health_plan": getattr(data.get("health_plan"), "pk", None), "area": data["area"]}
        return {name: value for name, value in chosen.items() if value}


def month_ends(today: date, count: int = MONTHS) -> list[date]:
    """Today, then the last day of each of the months before it, latest first."""
    ends, day = [today], today.replace(day=1) - timedelta(days=1)
    while len(ends) < count:
        ends.append(day)
        day = day.replace(day=1) - timedelta(days=1)
    return ends


def counts_over_time(user: Any, days: list[date]) -> list[tuple[str, list[int]]]:
    """Per plan, the members under special assistance on each day: one grouped query."""
    scope = _scope(user)
    if scope is None:
        return []
    under = {
        f"on_{n}": Count(
            "pk",
            filter=Q(assistance_started_on__lte=day)
            & (Q(ended_on__isnull=True) | Q(ended_on__gt=day)),
        )
        for n, day in enumerate(days)
    }
    rows = (
        Report.objects.filter(
            scope, status__in=[S.ACCEPTED, S.ENDED], assistance_started_on__isnull=False
        )
        .values_list("health_plan__name")
        .annotate(**under)
        .order_by("health_plan__name")
    )
    return [(plan or "", list(counts)) for plan, *counts in rows]


EXPORT_HEADERS = (
    "Member ID",
    "Member name",
    "Date of birth",
    "Health plan",
    "Filed by",
    "Notification",
    "Special assistance since",
    "Areas confirmed",
    "Designated representative",
    "Representative's agency or relationship",
    "Representative's phone",
    "Representative's e-mail",
)


def export_rows(rows: QuerySet[Report]) -> Iterator[tuple[Cell, ...]]:
    for report in rows.iterator(chunk_size=2000):
        yield (
            report.member_id,
            columns.member_name(report),
            report.member_birth_date,
            report.health_plan.name if report.health_plan else "",
            report.organization.name,
            str(report),
            report.assistance_started_on,
            "; ".join(report.confirmed_areas),
            report.representative_name,
            report.representative_organization,
            report.representative_phone,
            report.representative_email,
        )


def today() -> date:
    return timezone.localdate()
