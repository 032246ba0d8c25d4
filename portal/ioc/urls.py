from django.urls import path

from . import views

app_name = "ioc"

urlpatterns = [
    path("", views.inbox, name="inbox"),
]
