"""Committee items of the home page."""

from typing import Any

from django.urls import reverse

from portal.core.home import Waiting
from portal.core.roles import has_role
from portal.reports.committees import released_count


def waiting_for(user: Any) -> list[Waiting]:
    if not has_role(user, "ioc.member"):
        return []
    count = released_count(user)
    return [Waiting("Reports released to your committee", count=count, url=reverse("ioc:inbox"))]
