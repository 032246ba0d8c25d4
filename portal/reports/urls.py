"""The URLs of a report type, made from its declaration: `path("iad/", include(report_urls(
get("iad"))))` mounts them under the type's namespace."""

from typing import Any

from django.urls import URLPattern, path

from . import views
from .types import ReportType


def report_urls(rtype: ReportType) -> tuple[list[URLPattern], str]:
    """The type's pages, namespaced by its slug (`iad:report`); redaction pages only for a
    type that declares redaction."""
    given: dict[str, Any] = {"rtype": rtype}
    pages = [
        path("reports/", views.reports, given, name="reports"),
        path("reports/export/<slug:file_format>/", views.export_reports, given, name="export"),
        path("reports/new/", views.start, given, name="start"),
        path("reports/<uuid:code>/draft/", views.draft, given, name="draft"),
        path(
            "reports/<uuid:code>/draft/attachments/", views.attachments, given, name="attachments"
        ),
        path(
            "reports/<uuid:code>/draft/<slug:section>/",
            views.edit_section,
            given,
            name="edit_section",
        ),
        path("reports/<uuid:code>/", views.report, given, name="report"),
        path("reports/<uuid:code>/pdf/", views.report_pdf, given, name="report_pdf"),
        path(
            "reports/<uuid:code>/attachments/<uuid:attachment_code>/",
            views.attachment,
            given,
            name="attachment",
        ),
    ]
    if rtype.item_lists:
        items = "reports/<uuid:code>/draft/list/<slug:part>/"
        pages.append(path(items, views.edit_items, given, name="edit_items"))
    if rtype.redaction is not None:
        pages += [
            path("reports/<uuid:code>/redaction/", views.redact, given, name="redact"),
            path(
                "reports/<uuid:code>/redaction/start/",
                views.start_redaction,
                given,
                name="start_redaction",
            ),
            path("reports/<uuid:code>/redaction/release/", views.release, given, name="release"),
            path("copies/<uuid:code>/", views.copy, given, name="copy"),
            path("copies/<uuid:code>/pdf/", views.copy_pdf, given, name="copy_pdf"),
        ]
    pages.append(path("reports/<uuid:code>/<slug:transition>/", views.act, given, name="act"))
    return pages, rtype.slug
