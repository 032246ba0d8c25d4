from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("help/", views.help_page, name="help"),
    path("help/guides/<slug:slug>/", views.guide, name="guide"),
    path("privacy/", views.notice, {"template": "privacy"}, name="privacy"),
    path("accessibility/", views.notice, {"template": "accessibility"}, name="accessibility"),
    path("hipaa/", views.notice, {"template": "hipaa"}, name="hipaa"),
    path("healthz", views.healthz, name="healthz"),
    path("healthz/audit", views.healthz_audit, name="healthz_audit"),
    path("dev/mailbox/", views.mailbox, name="mailbox"),
]
