"""Roles and menu links of the accounts app (SPEC §1.3)."""

from portal.core.roles import NavLink, Role

ROLES = [
    Role(
        "agency.admin",
        "Back office: registry, accounts of all organizations, terms, letters, audit",
        frozenset({"agency"}),
    ),
]

NAV = [
    NavLink("Manage accounts", "accounts:manage_accounts", masters_only=True, order=80),
    NavLink("Mailroom", "accounts:mailroom", roles=("agency.admin",), order=85),
    NavLink("Back office", "back_office:index", roles=("agency.admin",), order=90),
    NavLink("My account", "accounts:my_account", order=95),
]
