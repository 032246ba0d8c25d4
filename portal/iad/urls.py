from django.urls import path

from . import views

app_name = "iad"

urlpatterns = [
    path("reports/", views.reports, name="reports"),
    path("reports/export/<slug:file_format>/", views.export_reports, name="export"),
    path("reports/new/", views.start, name="start"),
    path("reports/<uuid:code>/draft/", views.draft, name="draft"),
    path("reports/<uuid:code>/draft/list/<slug:part>/", views.edit_items, name="edit_items"),
    path("reports/<uuid:code>/draft/attachments/", views.attachments, name="attachments"),
    path("reports/<uuid:code>/draft/<slug:section>/", views.edit_section, name="edit_section"),
    path("reports/<uuid:code>/", views.report, name="report"),
    path("reports/<uuid:code>/pdf/", views.report_pdf, name="report_pdf"),
    path(
        "reports/<uuid:code>/attachments/<uuid:attachment_code>/",
        views.attachment,
        name="attachment",
    ),
    path("reports/<uuid:code>/redaction/", views.redact, name="redact"),
    path("reports/<uuid:code>/redaction/start/", views.start_redaction, name="start_redaction"),
    path("reports/<uuid:code>/redaction/release/", views.release, name="release"),
    path("copies/<uuid:code>/", views.copy, name="copy"),
    path("copies/<uuid:code>/pdf/", views.copy_pdf, name="copy_pdf"),
    path("reports/<uuid:code>/<slug:transition>/", views.act, name="act"),
]
