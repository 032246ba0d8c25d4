"""Fetch and authorize in one call. Anyone without the right gets the same 404 as a missing page."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404

from portal.core.roles import require

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
