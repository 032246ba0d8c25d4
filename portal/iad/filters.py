"""The IAD-IRF list's own filters (SPEC §11), beside the kit's status, provider, health plan,
date range and overdue filters."""

from typing import Any

import django_filters
from django.db.models import QuerySet

from portal.reports.filters import ListedChoiceFilter, ReportFilter, choice_errors

from .models import IncidentType, Report

SENTINEL_CHOICES = [("yes", "Sentinel only"), ("no", "Not sentinel")]


class IncidentReportFilter(ReportFilter):
    incident_type = ListedChoiceFilter(
        label="Incident type",
        field_name="incident_types",
        queryset=IncidentType.objects.all(),
        empty_label="Any type",
        error_messages=choice_errors("an incident type"),
    )
    sentinel = django_filters.ChoiceFilter(
        label="Sentinel",
        choices=SENTINEL_CHOICES,
        empty_label="Sentinel or not",
        method="filter_sentinel",
        error_messages=choice_errors("an option for sentinel"),
    )

    class Meta(ReportFilter.Meta):
        model = Report

    def filter_sentinel(self, queryset: QuerySet[Report], name: str, value: str) -> Any:
        return queryset.filter(sentinel=value == "yes")
