"""Idle and absolute session limits (HIPAA 164.312(a)(2)(iii) automatic logoff; DESIGN §11)."""

from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone

from .models import User
from .services import sign_out
from .session_limits import SEEN, STARTED, mark, read

# Writing the session on every request costs a query; a minute's precision is plenty.
SEEN_PRECISION = timedelta(seconds=60)
ACTIVITY_PRECISION = timedelta(hours=1)


class SessionTimeoutMiddleware:
    """Ends a session idle for SESSION_IDLE_SECONDS or older than SESSION_ABSOLUTE_SECONDS."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            expired = self._expired(request)
            if expired:
                sign_out(request, reason=expired)
                messages.info(request, EXPIRED_MESSAGES[expired])
                return redirect(settings.LOGIN_URL)
            self._touch(request, user)  # type: ignore[arg-type]
        return self.get_response(request)

    def _expired(self, request: HttpRequest) -> str | None:
        now = timezone.now()
        started = read(request, STARTED) or now
        seen = read(request, SEEN) or now
        if now - started > timedelta(seconds=settings.SESSION_ABSOLUTE_SECONDS):
            return "absolute"
        if now - seen > timedelta(seconds=settings.SESSION_IDLE_SECONDS):
            return "idle"
        return None

    def _touch(self, request: HttpRequest, user: User) -> None:
        now = timezone.now()
        if STARTED not in request.session:
            mark(request, STARTED)
        seen = read(request, SEEN)
        if seen is None or now - seen >= SEEN_PRECISION:
            mark(request, SEEN)
        if user.last_activity_at is None or now - user.last_activity_at >= ACTIVITY_PRECISION:
            User.objects.filter(pk=user.pk).update(last_activity_at=now)


EXPIRED_MESSAGES = {
    "idle": "You were signed out because the portal was not used for a while. Your saved work "
    "is kept. Sign in again to go on.",
    "absolute": "You were signed out because you had been signed in for the longest time "
    "allowed. Sign in again to go on.",
}
