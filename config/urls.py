"""Top-level URLs. Every app keeps its own namespaced urls.py."""

from django.urls import include, path

from portal.core.admin_site import back_office

urlpatterns = [
    path("", include("portal.core.urls")),
    path("", include("portal.accounts.urls")),
    path("iad/", include("portal.iad.urls")),
    path("ioc/", include("portal.ioc.urls")),
    path("back-office/", back_office.urls),
]

handler400 = "portal.core.views.bad_request"
handler403 = "portal.core.views.permission_denied"
handler404 = "portal.core.views.page_not_found"
handler500 = "portal.core.views.server_error"
