"""The OHR list's own filters (the criterion, late filings), beside the kit's status, provider,
health plan, date range (on the determination) and overdue drafts."""

from typing import Any

import django_filters
from django import forms
from django.db.models import F, Q, QuerySet

from portal.reports.filters import ReportFilter, choice_errors

from .models import Report


class NotificationFilter(ReportFilter):
    date_field = "determined_on"

    criterion = django_filters.ChoiceFilter(
        label="Criterion",
        choices=Report.Criterion.choices,
        empty_label="Any criterion",
        error_messages=choice_errors("a criterion"),
    )
    late = django_filters.BooleanFilter(
        label="Only late filings (Part A or Part C filed after its due day)",
        widget=forms.CheckboxInput,
        method="filter_late",
        template_name="uswds/checkbox_field.html",
    )

    class Meta(ReportFilter.Meta):
        model = Report

    def filter_late(self, queryset: QuerySet[Report], name: str, value: bool) -> Any:
        if not value:
            return queryset
        part_a = Q(submitted_at__gt=F("due_at"))
        part_c = Q(status=Report.Status.ENDED, status_changed_at__gt=F("part_c_due_at"))
        return queryset.filter(part_a | part_c)
