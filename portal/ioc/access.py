"""Who may use the committees' pages: members of a committee, nobody else (SPEC §1.4)."""

from typing import Any

from django.http import Http404

from portal.core.roles import has_role


def check_committee_member(user: Any) -> None:
    """404 for anyone who is not a member of an oversight committee."""
    organization = getattr(user, "organization", None)
    if organization is None or organization.kind != "ioc" or not has_role(user, "ioc.member"):
        raise Http404
