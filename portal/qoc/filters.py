"""The Quality of Care list's own filters (category, severity, determination), beside the kit's
status, provider, health plan and date range (on the day received)."""

import django_filters
from django import forms

from portal.reports.filters import ListedChoiceFilter, ReportFilter, choice_errors

from .models import Case, Category


class CaseFilter(ReportFilter):
    date_field = "received_on"

    topic = ListedChoiceFilter(
        label="Category",
        queryset=Category.objects.all(),
        empty_label="Any category",
        error_messages=choice_errors("a category"),
    )
    severity = django_filters.TypedMultipleChoiceFilter(
        label="Severity",
        choices=Case.Severity.choices,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages=choice_errors("a severity level"),
        distinct=False,
    )
    determination = django_filters.ChoiceFilter(
        label="Determination",
        choices=Case.Determination.choices,
        empty_label="Any determination",
        error_messages=choice_errors("a determination"),
    )

    overdue = None  # a case has no filing deadline

    class Meta(ReportFilter.Meta):
        model = Case
