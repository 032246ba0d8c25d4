"""The portal's URLs plus the benchmark's reference: a bare view behind the same middleware."""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def reference(request: HttpRequest) -> HttpResponse:
    """What every page's speed is divided by: Django's and the portal's middleware, no work."""
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("_bench/reference/", reference),
    path("", include("config.urls")),
]

# Error pages as the portal has them (Django looks for these in the root URLconf).
from config.urls import handler400, handler403, handler404, handler500  # noqa: E402, F401
