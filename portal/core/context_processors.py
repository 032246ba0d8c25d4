"""Values every page template needs: contact details, the menu, the run mode."""

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .roles import nav_links_for


def phone_href(phone: str) -> str:
    """A tel: link target: the digits (and a leading +) of a phone number as people write it."""
    return "tel:" + "".join(c for c in phone if c.isdigit() or c == "+")


def portal(request: HttpRequest | None) -> dict[str, Any]:
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated and user.is_active)
    return {
        "agency_name": settings.AGENCY_NAME,
        "agency_address": settings.AGENCY_ADDRESS,
        "support_phone": settings.SUPPORT_PHONE,
        "support_phone_href": phone_href(settings.SUPPORT_PHONE),
        "support_email": settings.SUPPORT_EMAIL,
        "registry_contact_phone": settings.REGISTRY_CONTACT_PHONE,
        "debug_mailbox": settings.DEBUG,
        "nav_links": nav_links_for(user, debug=settings.DEBUG) if signed_in else [],
        "session_idle_seconds": settings.SESSION_IDLE_SECONDS,
        "session_warning_seconds": settings.SESSION_WARNING_SECONDS,
    }
