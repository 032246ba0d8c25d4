"""Where a session keeps the times its limits are counted from."""

from datetime import datetime

from django.http import HttpRequest
from django.utils import timezone

STARTED, SEEN = "session_started_at", "session_seen_at"


def mark(request: HttpRequest, key: str) -> None:
    request.session[key] = timezone.now().isoformat()


def read(request: HttpRequest, key: str) -> datetime | None:
    value = request.session.get(key)
    return datetime.fromisoformat(value) if value else None
