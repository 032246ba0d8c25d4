"""The roles registry: every app declares its roles (and menu links) in its own `roles.py`.

`require()` is the only permission check in the portal. Access helpers call it; views never
re-check.
"""

from dataclasses import dataclass
from functools import cache
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied


@dataclass(frozen=True)
class Role:
    """A site privilege: `name` is stable (`"iad.submitter"`); `kinds` are organization kinds."""

    name: str
    label: str
    kinds: frozenset[str]


@dataclass(frozen=True)
class NavLink:
    """A menu entry shown to signed-in users holding any of `roles` (everyone when empty)."""

    label: str
    url_name: str
    roles: tuple[str, ...] = ()
    order: int = 100
    debug_only: bool = False
    masters_only: bool = False
    kinds: tuple[str, ...] = ()  # only for organizations of these kinds (any when empty)


def _app_role_modules() -> list[Any]:
    modules = []
    for config in apps.get_app_configs():
        if config.name.startswith("portal.") and find_spec(f"{config.name}.roles"):
            modules.append(import_module(f"{config.name}.roles"))
    return modules


@cache
def all_roles() -> dict[str, Role]:
    """Every declared role by name. Two apps declaring one name is a programming error."""
    roles: dict[str, Role] = {}
    for module in _app_role_modules():
        for role in getattr(module, "ROLES", []):
            if role.name in roles:
                raise ValueError(f"Role {role.name!r} is declared twice.")
            roles[role.name] = role
    return roles


@cache
def all_nav_links() -> tuple[NavLink, ...]:
    links = [link for m in _app_role_modules() for link in getattr(m, "NAV", [])]
    return tuple(sorted(links, key=lambda link: (link.order, link.label)))


def roles_allowed_for(kind: str) -> list[Role]:
    """The roles a master may grant in an organization of this kind."""
    return [role for role in all_roles().values() if kind in role.kinds]


def has_role(user: Any, role: str) -> bool:
    """True when an active account holds `role` and its organization's kind allows it."""
    declared = all_roles().get(role)
    if declared is None:
        raise ValueError(f"Unknown role {role!r}.")
    if not (user.is_authenticated and user.is_active) or role not in user.role_names:
        return False
    organization = user.organization
    return organization is not None and organization.kind in declared.kinds


def require(user: Any, role: str) -> None:
    """Raise PermissionDenied unless `user` may act with `role`."""
    if not has_role(user, role):
        raise PermissionDenied


def nav_links_for(user: Any, *, debug: bool) -> list[NavLink]:
    """The menu for this user, built from the roles they hold."""
    return [
        link
        for link in all_nav_links()
        if (not link.roles or any(has_role(user, role) for role in link.roles))
        and (debug or not link.debug_only)
        and (user.is_master or not link.masters_only)
        and (not link.kinds or getattr(user.organization, "kind", None) in link.kinds)
    ]


NAV = [NavLink("Home", "core:home", order=0)]
