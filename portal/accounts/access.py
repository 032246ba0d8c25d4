"""Fetch and authorize in one call. Anyone without the right gets the same 404 as a missing page."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from portal.core.roles import has_role, require
from portal.registry.models import Organization

from .models import ActivationLetter, LetterBatch, User


def check_agency_admin(user: User) -> None:
    """Back-office pages do not exist for anyone but agency admins."""
    try:
        require(user, "agency.admin")
    except PermissionDenied:
        raise Http404 from None


def get_letter_for_admin(user: User, code: str) -> ActivationLetter:
    check_agency_admin(user)
    return get_object_or_404(ActivationLetter, code=code)


def get_batch_for_admin(user: User, batch_id: int) -> LetterBatch:
    check_agency_admin(user)
    return get_object_or_404(LetterBatch, pk=batch_id)


def manages_accounts_of(user: User, organization: Organization | None) -> bool:
    """Active masters manage their own organization's accounts; agency admins any."""
    if organization is None or not (user.is_authenticated and user.is_active):
        return False
    if user.is_master and user.organization_id == organization.pk:
        return True
    return has_role(user, "agency.admin")


def get_organization_for_master(user: User) -> Organization:
    """The organization whose accounts this master manages (404 for anyone not a master)."""
    if not (user.is_master and manages_accounts_of(user, user.organization)):
        raise Http404
    assert user.organization is not None  # noqa: S101 (narrowing for the type checker)
    return user.organization


def get_account_for_master(user: User, code: str) -> User:
    """An account of the master's own organization; other organizations' accounts are 404."""
    organization = get_organization_for_master(user)
    return get_object_or_404(
        User.objects.select_related("organization"), code=code, organization=organization
    )
