from django.urls import path

from . import views

app_name = "ohr_roster"

urlpatterns = [
    path("", views.roster_page, name="roster"),
    path("export/<slug:file_format>/", views.roster_export, name="export"),
]
