"""The scan profile's URLconf: the portal's own, plus the planted endpoints under /planted/."""

from django.urls import path

from config.urls import handler400, handler403, handler404, handler500
from config.urls import urlpatterns as portal

from . import reset, views

PREFIX = "planted/"

urlpatterns = [
    path(f"{PREFIX}organizations/", views.organizations, name="planted_organizations"),
    path(f"{PREFIX}echo/", views.echo, name="planted_echo"),
    path(
        "scan-fixture/<slug:slug>/reports/<uuid:code>/<slug:transition>/",
        reset.reset_for_transition,
        name="scan_reset_for_transition",
    ),
    *portal,
]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
