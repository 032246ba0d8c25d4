"""Roles of the Office of Human Rights application (SPEC §1.3, §6)."""

from portal.core.roles import NavLink, Role

ROLES = [
    Role(
        "ohr.submitter",
        "OHR: notify the Office of Human Rights of members who need special assistance, and end it",
        frozenset({"provider", "health_plan", "trbha"}),
    ),
    Role(
        "ohr.staff",
        "OHR: decide on notifications, assign designated representatives, keep the roster",
        frozenset({"agency"}),
    ),
]

NAV = [
    NavLink("Special assistance", "ohr:reports", order=14, roles=("ohr.submitter", "ohr.staff")),
    NavLink(
        "Special assistance roster",
        "ohr_roster:roster",
        order=15,
        roles=("ohr.submitter", "ohr.staff"),
    ),
]
