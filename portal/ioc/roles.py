"""Roles of the Independent Oversight Committees application (SPEC §1.3, §7)."""

from portal.core.roles import NavLink, Role

ROLES = [
    Role(
        "ioc.member", "IOC: read the redacted reports released to the committee", frozenset({"ioc"})
    ),
    Role("ioc.liaison", "IOC: work with the committees for the agency", frozenset({"agency"})),
]

NAV = [NavLink("Committee reports", "ioc:inbox", order=20, roles=("ioc.member",))]
