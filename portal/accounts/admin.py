from typing import Any

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from portal.core.admin_site import (
    BackOfficeInline,
    BackOfficeModelAdmin,
    ReadOnlyModelAdmin,
    back_office,
)

from .models import RoleGrant, TermsVersion, User
from .services.terms import publish_terms


class RoleGrantInline(BackOfficeInline):
    model = RoleGrant
    fk_name = "user"
    fields = ("role", "granted_by", "granted_at")
    readonly_fields = fields
    readonly = True


@admin.register(User, site=back_office)
class UserAdmin(ReadOnlyModelAdmin):
    """Accounts change only through the account services; the back office shows them."""

    list_display = ["username", "last_name", "first_name", "organization", "account_type", "status"]
    list_filter = ["status", "account_type", "organization__kind"]
    search_fields = ["username", "last_name", "first_name", "email"]
    list_select_related = ["organization"]
    exclude = ["password", "groups", "user_permissions"]
    inlines = [RoleGrantInline]


@admin.register(TermsVersion, site=back_office)
class TermsVersionAdmin(BackOfficeModelAdmin):
    """Publishing adds a version; published versions are never edited."""

    list_display = ["version", "title", "published_at", "published_by"]
    readonly_fields = ["version", "published_at", "published_by"]

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: TermsVersion, form: Any, change: bool) -> None:
        if change:  # unreachable through the admin; kept as a guard
            raise PermissionDenied
        published = publish_terms(obj.title, obj.body, by=request.user)  # type: ignore[arg-type]
        obj.pk, obj.version = published.pk, published.version
