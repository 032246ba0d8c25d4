"""Per-address limits on public steps that would let a stranger probe or flood the portal
(DESIGN §11): registration, for one. Counted in the database, so every web process shares them.
"""

from datetime import timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from . import audit
from .audit import client_ip
from .models import ClientAttempt


def allow_attempt(request: HttpRequest, action: str) -> bool:
    """Count one try of `action` from the client's address; False (and nothing counted) when
    the address already made `settings.RATE_LIMITS[action]` tries within the window."""
    limit, minutes = settings.RATE_LIMITS[action]
    ip = client_ip(request) or None
    since = timezone.now() - timedelta(minutes=minutes)
    if ClientAttempt.objects.filter(action=action, ip=ip, at__gt=since).count() >= limit:
        audit.record("rate.limited", request=request, data={"action": action})
        return False
    ClientAttempt.objects.create(action=action, ip=ip)
    return True
