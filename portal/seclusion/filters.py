"""The S&R list's own filter (the type), beside the kit's status, provider, health plan, date
range (on the start of the event) and overdue filters."""

import django_filters

from portal.reports.filters import ReportFilter, choice_errors

from .models import Report


class SeclusionReportFilter(ReportFilter):
    date_field = "started_at"

    restraint_type = django_filters.ChoiceFilter(
        label="Type",
        choices=Report.Type.choices,
        empty_label="Any type",
        error_messages=choice_errors("a type"),
    )

    class Meta(ReportFilter.Meta):
        model = Report
