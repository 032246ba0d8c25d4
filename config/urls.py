"""Top-level URLs. Every app keeps its own namespaced urls.py; report types get theirs from the
report kit."""

from django.urls import include, path

from portal.core.admin_site import back_office
from portal.reports.types import registered
from portal.reports.urls import report_urls

urlpatterns = [
    path("", include("portal.core.urls")),
    path("", include("portal.accounts.urls")),
    # Each report type's pages, under its slug: /iad/reports/…
    *[path(f"{rtype.slug}/", include(report_urls(rtype))) for rtype in registered()],
    path("sr/monthly/", include("portal.seclusion.urls")),
    path("ohr/roster/", include("portal.humanrights.urls")),
    path("qoc/", include("portal.qoc.urls")),
    path("ioc/", include("portal.ioc.urls")),
    path("back-office/", back_office.urls),
]

handler400 = "portal.core.views.bad_request"
handler403 = "portal.core.views.permission_denied"
handler404 = "portal.core.views.page_not_found"
handler500 = "portal.core.views.server_error"
