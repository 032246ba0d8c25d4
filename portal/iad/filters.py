"""The filters of the report list (SPEC §11): what people may narrow the list by, checked."""

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

import django_filters
from django import forms
from django.conf import settings
from django.core.cache import cache
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from portal.core.business_days import PHOENIX
from portal.core.roles import has_role
from portal.registry.models import Organization

from .access import IAD_ROLES, UNFILED, visible_reports
from .models import IncidentType, Report

MAX_ID = 2**63 - 1  # the largest primary key the databases hold
SENTINEL_CHOICES = [("yes", "Sentinel only"), ("no", "Not sentinel")]


def _choice_errors(what: str) -> dict[str, str]:
    message = f"Choose {what} from the list"
    return dict.fromkeys(("invalid_choice", "invalid_pk_value", "invalid_list"), message)


def _date_errors(what: str) -> dict[str, str]:
    return {"invalid": f"Enter the {what} date as a real date"}


def _named_on_visible_reports(request: HttpRequest | None, field: str) -> list[tuple[int, str]]:
    """The organizations named as `field` on reports this person may already see, as (id, label)
    choices in name order: a select tells no more than the list.

    Finding them reads every report the organization sees (a plan sees hundreds of thousands),
    so the choices are kept for a few minutes per organization (everyone there sees the same
    reports). A chosen organization missing from the kept choices (newly named) is checked on its
    own, so a filter is never refused for being newer than the kept choices.
    """
    user = getattr(request, "user", None)
    organization_id = getattr(user, "organization_id", None)
    if organization_id is None or not any(has_role(user, role) for role in IAD_ROLES):
        return []
    key = f"iad:choices-{field}:{organization_id}"
    named: list[tuple[int, str]] | None = cache.get(key)
    if named is None:
        named = _labelled(visible_reports(user).order_by().values(field))
        cache.set(key, named, settings.FILTER_CHOICES_SECONDS)
    chosen = request.GET.get(field, "") if request is not None else ""
    if (
        chosen.isdigit()
        and int(chosen) <= MAX_ID  # anything larger is no id; the form names the mistake
        and int(chosen) not in dict(named)
        and visible_reports(user).filter(**{field: int(chosen)}).exists()
    ):
        named = _labelled([*dict(named), int(chosen)])
        cache.set(key, named, settings.FILTER_CHOICES_SECONDS)
    return named


def _labelled(ids: Any) -> list[tuple[int, str]]:
    organizations = Organization.objects.filter(pk__in=ids).order_by("name", "pk")
    return [(organization.pk, str(organization)) for organization in organizations]


def _start_of(day: date) -> datetime:
    """Midnight at the start of a Phoenix calendar day (people read dates in Phoenix time)."""
    return datetime.combine(day, time.min, tzinfo=PHOENIX)


class _ListedChoices(django_filters.fields.ModelChoiceIterator):
    """Choices read with one plain query: Django reads them through a server-side cursor
    (three round trips to PostgreSQL), made for long results, not for a select's options."""

    def __iter__(self) -> Iterator[Any]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for item in list(self.queryset):
            yield self.choice(item)


class _ChoiceField(django_filters.fields.ModelChoiceField):
    iterator = _ListedChoices


class _ChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = _ChoiceField


class ReportFilterForm(forms.Form):
    """Checks what no single field can: a date range must not run backwards."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("occurred_from"), cleaned.get("occurred_to")
        if start and end and end < start:
            self.add_error("occurred_to", "The 'to' date must be the same as or after the "
                                          "'from' date")  # fmt: skip
        return cleaned


class ReportFilter(django_filters.FilterSet):
    """Each filter narrows the rows already visible; an empty one leaves them all."""

    status = django_filters.MultipleChoiceFilter(
        label="Status", choices=Report.Status.choices, widget=forms.CheckboxSelectMultiple,
        error_messages=_choice_errors("a status"),
        distinct=False,  # one column of the report itself: no duplicates to remove
    )  # fmt: skip
    incident_type = _ChoiceFilter(
        label="Incident type", field_name="incident_types", queryset=IncidentType.objects.all(),
        empty_label="Any type", error_messages=_choice_errors("an incident type"),
    )  # fmt: skip
    sentinel = django_filters.ChoiceFilter(
        label="Sentinel", choices=SENTINEL_CHOICES, empty_label="Sentinel or not",
        method="filter_sentinel", error_messages=_choice_errors("an option for sentinel"),
    )  # fmt: skip
    occurred_from = django_filters.DateFilter(
        label="From", method="filter_occurred_from",
        widget=forms.DateInput(attrs={"type": "date"}), error_messages=_date_errors("'from'"),
    )  # fmt: skip
    occurred_to = django_filters.DateFilter(
        label="To", method="filter_occurred_to",
        widget=forms.DateInput(attrs={"type": "date"}), error_messages=_date_errors("'to'"),
    )  # fmt: skip
    # Choices set per person in __init__; the value is the organization's id.
    provider = django_filters.TypedChoiceFilter(
        label="Provider", coerce=int, error_messages=_choice_errors("a provider")
    )
    health_plan = django_filters.TypedChoiceFilter(
        label="Health plan", coerce=int, error_messages=_choice_errors("a health plan")
    )
    overdue = django_filters.BooleanFilter(
        label="Only overdue reports (past due and not yet submitted)",
        widget=forms.CheckboxInput, method="filter_overdue",
        template_name="uswds/checkbox_field.html",
    )  # fmt: skip

    class Meta:
        model = Report
        fields: list[str] = []
        form = ReportFilterForm

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, anything in (("provider", "Any provider"), ("health_plan", "Any health plan")):
            named = _named_on_visible_reports(self.request, name)
            self.filters[name].extra["choices"] = [("", anything), *named]

    def filter_sentinel(self, queryset: QuerySet[Report], name: str, value: str) -> Any:
        return queryset.filter(sentinel=value == "yes")

    def filter_occurred_from(self, queryset: QuerySet[Report], name: str, value: date) -> Any:
        return queryset.filter(occurred_at__gte=_start_of(value))

    def filter_occurred_to(self, queryset: QuerySet[Report], name: str, value: date) -> Any:
        if value == date.max:  # no day follows it to count up to
            return queryset.filter(occurred_at__isnull=False)
        return queryset.filter(occurred_at__lt=_start_of(value + timedelta(days=1)))

    def filter_overdue(self, queryset: QuerySet[Report], name: str, value: bool) -> Any:
        if not value:
            return queryset
        return queryset.filter(status__in=UNFILED, due_at__lt=timezone.now())

    def chosen(self) -> dict[str, Any]:
        """The filters in use, as ids, dates and codes (for the audit trail: never PHI)."""
        chosen: dict[str, Any] = {}
        for name, value in self.form.cleaned_data.items():
            if value in (None, "", [], False):
                continue
            chosen[name] = getattr(value, "pk", value)
        return chosen
