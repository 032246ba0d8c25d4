from django.urls import path

from . import views

app_name = "sr_monthly"

urlpatterns = [
    path("", views.summaries, name="summaries"),
    path("file/", views.file_summary, name="file"),
]
