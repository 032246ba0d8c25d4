"""How a session finds its account on every request."""

from typing import Any

from django.contrib.auth.backends import ModelBackend

from .models import User


class PortalBackend(ModelBackend):
    """Django's model backend, loading the account's organization in the same query.

    Every page needs the organization (header, menu, access checks), so this saves one query on
    each request. Sign-in itself goes through `accounts.services.sign_in`.
    """

    def get_user(self, user_id: Any) -> User | None:
        user = User.objects.select_related("organization").filter(pk=user_id).first()
        return user if user is not None and self.user_can_authenticate(user) else None
