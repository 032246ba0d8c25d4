"""What waits for a person on their home page (SPEC §11), gathered from every application.

An app lists its items in `<app>/home.py` as `waiting_for(user) -> list[Waiting]`, a few
counting queries whatever the number of records. The page shows them through `kept_waiting`:
counted once, then kept in the person's session for HOME_COUNTS_SECONDS (ADR 0027).
"""

from dataclasses import astuple, dataclass
from datetime import UTC, datetime, timedelta
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone
from django.utils.timesince import timesince

# The session key of the kept counts; FreshHomeCountsMiddleware drops it on any change.
KEPT = "home_waiting"


@dataclass(frozen=True)
class Waiting:
    label: str  # "Reports awaiting your approval"
    count: int
    url: str
    overdue: int = 0  # of which past their due time
    due_soon: int = 0  # of which due within a day


def waiting_for(user: Any) -> list[Waiting]:
    items: list[Waiting] = []
    for config in apps.get_app_configs():
        if (
            config.name.startswith("portal.")
            and config.name != __package__
            and find_spec(f"{config.name}.home")
        ):
            items += import_module(f"{config.name}.home").waiting_for(user)
    return items


def kept_waiting(request: HttpRequest) -> tuple[list[Waiting], datetime]:
    """What waits for the signed-in person and when it was counted: the counts kept in their
    session while younger than HOME_COUNTS_SECONDS and counted for the same account,
    organization and roles, else counted now and kept. Eleven counts over a million reports
    cost a reviewer's home four times a bare page (docs/performance.md); shown again within a
    minute they cost nothing."""
    user: Any = request.user
    holder = [user.pk, user.organization_id, sorted(user.role_names)]
    now = timezone.now()
    shown = _still_kept(request.session.get(KEPT), holder, now)
    if shown is not None:
        return shown
    items = waiting_for(user)
    if settings.HOME_COUNTS_SECONDS > 0:
        kept = {"for": holder, "at": now.timestamp(), "items": [astuple(i) for i in items]}
        request.session[KEPT] = kept
    return items, now


def waiting_context(request: HttpRequest) -> dict[str, Any]:
    """The home page's items, when they were counted and, in words, how long others' changes
    may take to show there."""
    items, counted_at = kept_waiting(request)
    kept_for = timedelta(seconds=settings.HOME_COUNTS_SECONDS)
    return {
        "waiting": items,
        "counted_at": counted_at,
        "counts_kept_for": timesince(counted_at - kept_for, counted_at) if kept_for else "",
    }


def _still_kept(
    kept: Any, holder: list[Any], now: datetime
) -> tuple[list[Waiting], datetime] | None:
    """The kept counts and their time while young enough and counted for this holder; None
    otherwise, and for an entry of another shape (kept by an earlier release)."""
    try:
        if kept["for"] != holder:
            return None
        at = datetime.fromtimestamp(kept["at"], UTC)
        if not timedelta(0) <= now - at < timedelta(seconds=settings.HOME_COUNTS_SECONDS):
            return None
        return [Waiting(*item) for item in kept["items"]], at
    except (KeyError, TypeError, ValueError, OverflowError, OSError):
        return None
