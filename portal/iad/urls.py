from django.urls import path

from . import views

app_name = "iad"

urlpatterns = [
    path("reports/", views.reports, name="reports"),
    path("reports/new/", views.start, name="start"),
    path("reports/<uuid:code>/draft/", views.draft, name="draft"),
    path("reports/<uuid:code>/draft/list/<slug:part>/", views.edit_items, name="edit_items"),
    path("reports/<uuid:code>/draft/<slug:section>/", views.edit_section, name="edit_section"),
    path("reports/<uuid:code>/", views.report, name="report"),
    path("reports/<uuid:code>/<slug:transition>/", views.act, name="act"),
]
