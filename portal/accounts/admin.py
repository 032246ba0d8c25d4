from django.contrib import admin

from portal.core.admin_site import ReadOnlyModelAdmin, back_office

from .models import RoleGrant, User


class RoleGrantInline(admin.TabularInline):
    model = RoleGrant
    fk_name = "user"
    extra = 0
    fields = ("role", "granted_by", "granted_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(User, site=back_office)
class UserAdmin(ReadOnlyModelAdmin):
    """Accounts change only through the account services; the back office shows them."""

    list_display = ["username", "last_name", "first_name", "organization", "account_type", "status"]
    list_filter = ["status", "account_type", "organization__kind"]
    search_fields = ["username", "last_name", "first_name", "email"]
    list_select_related = ["organization"]
    exclude = ["password", "groups", "user_permissions"]
    inlines = [RoleGrantInline]
