"""Tabs and columns most report lists have, ready to declare (`ReportType.tabs`, `.columns`)."""

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from .types import Column, Tab


def everything() -> Tab:
    return Tab("all", "All I may see", (), lambda user: Q())


def my_drafts(roles: tuple[str, ...], statuses: Iterable[str]) -> Tab:
    """The person's own reports still with them."""
    editable = list(statuses)
    return Tab("drafts", "My drafts", roles, lambda user: Q(preparer=user, status__in=editable))


def awaiting_review(roles: tuple[str, ...], statuses: Iterable[str]) -> Tab:
    """Filed reports this reviewer may work (the kit's `may_act`): their plan's members', or any
    for agency staff; reports a plan only sees through a contracted provider are another plan's
    to review."""
    waiting = Q(status__in=list(statuses))

    def rows(user: Any) -> Q:
        organization = user.organization
        if organization is None or organization.kind == "agency":
            return waiting
        return waiting & Q(health_plan=organization)

    return Tab("review", "Awaiting review", roles, rows)


def created() -> Column:
    """The report's own link, newest first by default."""
    return Column(
        "created",
        "Report",
        "date created",
        (F("created_at"),),
        str,
        descending_first=True,
        reads=("kind", "code"),
    )


def status(model: Any) -> Column:
    """Statuses sort in the order a report moves through them, not alphabetically."""
    labels = dict(model._meta.get_field("status").choices)
    order = Case(*(When(status=s, then=Value(n)) for n, s in enumerate(labels)))
    return Column(
        "status", "Status", "status", (order,), lambda r: labels[r.status], reads=("status",)
    )


def member_name(report: Any) -> str:
    """ "Last, First", as lists and exports show a member."""
    return ", ".join(filter(None, [report.member_last_name, report.member_first_name]))


def local(moment: Any) -> Any:
    """A moment in Arizona time for an export (which shows it as it is), or None."""
    return timezone.localtime(moment) if moment else None


def member() -> Column:
    return Column(
        "member",
        "Member",
        "member name",
        (F("member_last_name"), F("member_first_name")),
        member_name,
    )


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def short_day(value: date | None) -> str:
    """A day as the lists show it, "Dec 5, 2026" (Django's "M j, Y" at a tenth of its cost: a
    list writes fifty of them)."""
    return f"{MONTHS[value.month - 1]} {value.day}, {value.year}" if value else ""


def day(key: str, heading: str, by: str, field: str, *, descending_first: bool = False) -> Column:
    """A date-and-time field shown as its Arizona day."""

    def cell(report: Any) -> str:
        moment = getattr(report, field)
        return short_day(timezone.localtime(moment)) if moment else ""

    return Column(
        key, heading, by, (F(field),), cell, nullable=True, descending_first=descending_first
    )
