"""Roles of the Seclusion and Restraint application (SPEC §1.3, §5)."""

from portal.core.roles import NavLink, Role

ROLES = [
    Role(
        "sr.submitter",
        "S&R: file seclusion and restraint reports and monthly summaries",
        frozenset({"provider"}),
    ),
    Role(
        "sr.reviewer",
        "S&R: review seclusion and restraint reports, make redacted copies for the committees",
        frozenset({"health_plan", "trbha", "agency"}),
    ),
]

NAV = [
    NavLink(
        "Seclusion and restraint", "sr:reports", order=12, roles=("sr.submitter", "sr.reviewer")
    ),
    NavLink(
        "S&R monthly summaries",
        "sr_monthly:summaries",
        order=13,
        roles=("sr.submitter", "sr.reviewer"),
    ),
]
