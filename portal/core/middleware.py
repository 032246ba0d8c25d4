"""Cross-cutting HTTP behaviour."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from .home import KEPT as KEPT_HOME_COUNTS


class NoStoreMiddleware:
    """Portal pages may hold PHI or personal data: browsers and proxies must not keep a copy.

    Static files never reach this point (WhiteNoise answers them first), so they stay cacheable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Cache-Control", "no-store")
        return response


class FreshHomeCountsMiddleware:
    """A person's own change is on their next home page: any request that may change something
    (not GET, HEAD or OPTIONS) drops the home counts kept in their session (ADR 0027)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in ("GET", "HEAD", "OPTIONS"):
            request.session.pop(KEPT_HOME_COUNTS, None)
        return self.get_response(request)
