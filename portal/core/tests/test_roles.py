import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from portal.accounts.models import RoleGrant, User
from portal.accounts.services import grant_role
from portal.core.roles import all_roles, has_role, require, roles_allowed_for
from portal.core.testing import Personas

pytestmark = pytest.mark.django_db


def test_roles_are_collected_from_the_apps() -> None:
    role = all_roles()["agency.admin"]
    assert role.kinds == frozenset({"agency"})
    assert role in roles_allowed_for("agency") and role not in roles_allowed_for("provider")


def test_require_passes_only_for_an_active_holder(personas: Personas) -> None:
    require(personas.agency_admin, "agency.admin")
    for user in (personas.provider_master, personas.outsider, AnonymousUser()):
        with pytest.raises(PermissionDenied):
            require(user, "agency.admin")
    User.objects.filter(pk=personas.agency_admin.pk).update(status=User.Status.LOCKED)
    locked = User.objects.get(pk=personas.agency_admin.pk)
    with pytest.raises(PermissionDenied):
        require(locked, "agency.admin")


def test_a_grant_outside_the_allowed_kinds_is_refused_and_ignored(personas: Personas) -> None:
    with pytest.raises(PermissionDenied):
        grant_role(personas.provider_master, "agency.admin", by=None)
    # Even a row written behind the services' back gives nothing in the wrong kind of org.
    RoleGrant.objects.create(user=personas.provider_master, role="agency.admin")
    fresh = User.objects.get(pk=personas.provider_master.pk)
    assert not has_role(fresh, "agency.admin")


def test_unknown_roles_are_a_programming_error(personas: Personas) -> None:
    with pytest.raises(ValueError, match="Unknown role"):
        has_role(personas.agency_admin, "agency.typo")
