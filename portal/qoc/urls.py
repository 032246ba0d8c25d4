from django.urls import path

from . import views

app_name = "qoc_work"

urlpatterns = [
    path("cases/<uuid:code>/record-requests/new/", views.new_request, name="new_request"),
    path("requests/", views.inbox, name="inbox"),
    path("requests/<uuid:code>/", views.record_request, name="request"),
    path("requests/<uuid:code>/files/<uuid:file_code>/", views.record_file, name="request_file"),
    path("corrective-action/<uuid:code>/", views.corrective_plan, name="cap"),
    path("trends/", views.trends, name="trends"),
    path("trends/export/<slug:file_format>/", views.trends_export, name="trends_export"),
]
