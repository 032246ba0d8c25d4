"""Values every page template needs: contact details, the menu, the run mode."""

from functools import cache
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse

from .roles import all_nav_links, nav_links_for

# The layout's fixed links, by the name the layout uses.
LAYOUT_URL_NAMES = {
    "home": "core:home",
    "help": "core:help",
    "privacy": "core:privacy",
    "accessibility": "core:accessibility",
    "hipaa": "core:hipaa",
    "mailbox": "core:mailbox",
    "sign_in": "accounts:sign_in",
    "sign_out": "accounts:sign_out",
    "keep_alive": "accounts:keep_alive",
}


@cache
def layout_urls() -> dict[str, str]:
    """The layout's links and every menu entry's address, worked out once per process: the
    layout of every page would otherwise reverse some twenty names (a third of its time), and
    the names and the deployment's prefix do not change while it runs."""
    urls = {name: reverse(url_name) for name, url_name in LAYOUT_URL_NAMES.items()}
    return urls | {link.url_name: reverse(link.url_name) for link in all_nav_links()}


def phone_href(phone: str) -> str:
    """A tel: link target: the digits (and a leading +) of a phone number as people write it."""
    return "tel:" + "".join(c for c in phone if c.isdigit() or c == "+")


def portal(request: HttpRequest | None) -> dict[str, Any]:
    user = getattr(request, "user", None)
    signed_in = bool(user and user.is_authenticated and user.is_active)
    urls, menu = layout_urls(), nav_links_for(user, debug=settings.DEBUG) if signed_in else []
    return {
        "agency_name": settings.AGENCY_NAME,
        "agency_address": settings.AGENCY_ADDRESS,
        "support_phone": settings.SUPPORT_PHONE,
        "support_phone_href": phone_href(settings.SUPPORT_PHONE),
        "support_email": settings.SUPPORT_EMAIL,
        "registry_contact_phone": settings.REGISTRY_CONTACT_PHONE,
        "debug_mailbox": settings.DEBUG,
        "layout_urls": urls,
        "nav_links": [(link.label, urls[link.url_name]) for link in menu],
        "session_idle_seconds": settings.SESSION_IDLE_SECONDS,
        "session_warning_seconds": settings.SESSION_WARNING_SECONDS,
    }
