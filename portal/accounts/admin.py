from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import URLPattern, path

from portal.core.admin_site import (
    BackOfficeInline,
    BackOfficeModelAdmin,
    ReadOnlyModelAdmin,
    back_office,
)

from .models import RoleGrant, TermsVersion, User
from .services.administration import AccountActionRefused
from .services.second_factor import reset_second_factor
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
    change_form_template = "back_office/accounts/user/change_form.html"

    def get_urls(self) -> list[URLPattern]:
        reset = self.admin_site.admin_view(self.reset_second_factor_view)
        own = [
            path(
                "<path:object_id>/reset-second-factor/",
                reset,
                name="accounts_user_reset_second_factor",
            ),
        ]
        return own + super().get_urls()  # type: ignore[operator]

    def reset_second_factor_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The agency resets the second factor of an account that lost it (ADR 0025): GET asks
        to confirm, POST does it (audited; the holder is e-mailed)."""
        account = self.get_object(request, unquote(object_id))
        if account is None:
            raise Http404
        if request.method == "POST":
            try:
                reset_second_factor(account, by=request.user, request=request)  # type: ignore[arg-type]
            except AccountActionRefused as refused:
                messages.error(request, str(refused))
            else:
                messages.success(
                    request, f"The second factor of {account} is reset. They were told by e-mail."
                )
            return redirect("back_office:accounts_user_change", account.pk)
        context = {
            **self.admin_site.each_context(request),
            "account": account,
            "opts": self.opts,
            "title": f"Reset the second factor of {account}?",
        }
        return TemplateResponse(
            request, "back_office/accounts/user/reset_second_factor.html", context
        )

    def render_change_form(  # type: ignore[override]
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: User | None = None,
    ) -> HttpResponse:
        context["has_second_factor"] = obj is not None and (
            obj.passkeys.exists() or obj.authenticator_apps.exists()
        )
        return super().render_change_form(request, context, add, change, form_url, obj)


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
