from django.urls import path

from . import views

app_name = "iad"

urlpatterns = [
    path("reports/", views.reports, name="reports"),
    path("reports/<uuid:code>/", views.report, name="report"),
    path("reports/<uuid:code>/<slug:transition>/", views.act, name="act"),
]
