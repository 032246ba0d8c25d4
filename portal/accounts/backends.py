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
        # get(), not first(): ordering the one row by its key cost a quarter of this query.
        try:
            user = User.objects.select_related("organization").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
