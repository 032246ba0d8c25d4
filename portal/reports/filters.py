"""The filters every report list shares (SPEC §11): status, provider, health plan, a date range
on the type's event date, and overdue drafts. A type subclasses `ReportFilter`, names its
`Meta.model` and `date_field`, and adds its own filters."""

import functools
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
from portal.registry.models import Organization

from .types import ReportType, type_of
from .visibility import uses, visible_reports

MAX_ID = 2**63 - 1  # the largest primary key the databases hold


def choice_errors(what: str) -> dict[str, str]:
    message = f"Choose {what} from the list"
    return dict.fromkeys(("invalid_choice", "invalid_pk_value", "invalid_list"), message)


def _date_errors(what: str) -> dict[str, str]:
    return {"invalid": f"Enter the {what} date as a real date"}


def _named_on_visible_reports(
    rtype: ReportType, request: HttpRequest | None, field: str
) -> list[tuple[int, str]]:
    """The organizations named as `field` on reports this person may already see, as (id, label)
    choices in name order: a select tells no more than the list.

    Finding them reads every report the organization sees (a plan sees hundreds of thousands),
    so the choices are kept for a few minutes per organization (everyone there sees the same
    reports). A chosen organization missing from the kept choices (newly named) is checked on its
    own, so a filter is never refused for being newer than the kept choices.
    """
    user = getattr(request, "user", None)
    organization_id = getattr(user, "organization_id", None)
    if organization_id is None or not uses(rtype, user):
        return []
    key = f"{rtype.slug}:choices-{field}:{organization_id}"
    named: list[tuple[int, str]] | None = cache.get(key)
    if named is None:
        named = _labelled(visible_reports(rtype, user).order_by().values(field))
        cache.set(key, named, settings.FILTER_CHOICES_SECONDS)
    chosen = request.GET.get(field, "") if request is not None else ""
    if (
        chosen.isdigit()
        and len(chosen) <= len(str(MAX_ID))  # Python refuses to read 4,301 digits or more
        and int(chosen) <= MAX_ID  # anything larger is no id; the form names the mistake
        and int(chosen) not in dict(named)
        and visible_reports(rtype, user).filter(**{field: int(chosen)}).exists()
    ):
        named = _labelled([*dict(named), int(chosen)])
        cache.set(key, named, settings.FILTER_CHOICES_SECONDS)
    return named


def _choices(
    rtype: ReportType, request: HttpRequest | None, field: str, anything: str
) -> list[tuple[int | str, str]]:
    return [("", anything), *_named_on_visible_reports(rtype, request, field)]


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


class ListedChoiceFilter(django_filters.ModelChoiceFilter):
    """A choice among records (a catalogue), read with one plain query."""

    field_class = _ChoiceField


class ReportFilterForm(forms.Form):
    """Checks what no single field can: a date range must not run backwards."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("occurred_from"), cleaned.get("occurred_to")
        if start and end and end < start:
            self.add_error(
                "occurred_to", "The 'to' date must be the same as or after the 'from' date"
            )
        return cleaned


class _MadeForOneForm(dict[str, forms.Field]):
    """Fields made for one form instance: Django's deep copy of them is a plain copy here."""

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, forms.Field]:
        return dict(self)


class ReportFilter(django_filters.FilterSet):
    """Each filter narrows the rows already visible; an empty one leaves them all."""

    date_field = "occurred_at"  # the event's moment, which the date range filters

    status = django_filters.MultipleChoiceFilter(
        label="Status",
        widget=forms.CheckboxSelectMultiple,
        error_messages=choice_errors("a status"),
        distinct=False,  # one column of the report itself: no duplicates to remove
    )
    occurred_from = django_filters.DateFilter(
        label="From",
        method="filter_occurred_from",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages=_date_errors("'from'"),
    )
    occurred_to = django_filters.DateFilter(
        label="To",
        method="filter_occurred_to",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages=_date_errors("'to'"),
    )
    # Choices set per person in __init__; the value is the organization's id.
    provider = django_filters.TypedChoiceFilter(
        label="Provider", coerce=int, error_messages=choice_errors("a provider")
    )
    health_plan = django_filters.TypedChoiceFilter(
        label="Health plan", coerce=int, error_messages=choice_errors("a health plan")
    )
    overdue = django_filters.BooleanFilter(
        label="Only overdue reports (past due and not yet submitted)",
        widget=forms.CheckboxInput,
        method="filter_overdue",
        template_name="uswds/checkbox_field.html",
    )

    class Meta:
        fields: list[str] = []
        form = ReportFilterForm

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rtype = type_of(self._meta.model)
        self.filters["status"].extra["choices"] = list(self.rtype.statuses.items())
        for name, anything in (("provider", "Any provider"), ("health_plan", "Any health plan")):
            # Read when shown or when a value is checked, not before: an export or a list whose
            # filter form is kept never needs them, and finding them can read every report the
            # organization sees (seconds for a plan, whenever the kept ones have expired).
            self.filters[name].extra["choices"] = functools.partial(
                _choices, self.rtype, self.request, name, anything
            )

    def get_form_class(self) -> type[forms.Form]:
        # django-filters makes the form class and its fields afresh for each filter set, which
        # makes one form: Django's deep copy of the fields for that form (every choice of every
        # select copied) was half the cost of reading a list's filters.
        form_class: type[forms.Form] = super().get_form_class()
        form_class.base_fields = _MadeForOneForm(form_class.base_fields)
        return form_class

    def filter_occurred_from(self, queryset: QuerySet[Any], name: str, value: date) -> Any:
        return queryset.filter(**{f"{self.date_field}__gte": _start_of(value)})

    def filter_occurred_to(self, queryset: QuerySet[Any], name: str, value: date) -> Any:
        if value == date.max:  # no day follows it to count up to
            return queryset.filter(**{f"{self.date_field}__isnull": False})
        return queryset.filter(**{f"{self.date_field}__lt": _start_of(value + timedelta(days=1))})

    def filter_overdue(self, queryset: QuerySet[Any], name: str, value: bool) -> Any:
        if not value:
            return queryset
        return queryset.filter(status__in=self.rtype.private, due_at__lt=timezone.now())

    def chosen(self) -> dict[str, Any]:
        """The filters in use, as ids, dates and codes (for the audit trail: never PHI)."""
        chosen: dict[str, Any] = {}
        for name, value in self.form.cleaned_data.items():
            if value in (None, "", [], False):
                continue
            chosen[name] = getattr(value, "pk", value)
        return chosen
