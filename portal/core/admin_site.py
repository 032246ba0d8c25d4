"""The agency's back office: Django admin, open to holders of the `agency.admin` role only."""

from functools import update_wrapper
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import Http404, HttpRequest
from django.shortcuts import redirect
from django.urls import URLPattern, URLResolver
from django.utils.decorators import method_decorator

from . import audit
from .roles import has_role


class BackOfficeSite(admin.AdminSite):
    site_header = "QM Portal back office"
    site_title = "QM Portal back office"
    index_title = "Back office"
    # Staff reach the back office from the portal's own sign-in; the admin has no login page.
    login_form = None

    def has_permission(self, request: HttpRequest) -> bool:
        return has_role(request.user, "agency.admin")

    def admin_view(self, view, cacheable=False):  # type: ignore[no-untyped-def]
        """Signed-in people without the role get the same 404 as any outsider."""
        inner = super().admin_view(view, cacheable)

        def guarded(request, *args, **kwargs):  # type: ignore[no-untyped-def]
            # Anonymous people never get here: LoginRequiredMiddleware sends them to sign in.
            if not self.has_permission(request):
                raise Http404
            return inner(request, *args, **kwargs)

        return update_wrapper(guarded, inner)

    @method_decorator(login_not_required)
    def login(self, request, extra_context=None):  # type: ignore[no-untyped-def]
        # Signed-in people without the role get the same 404 as any outsider.
        if self.has_permission(request):
            return redirect("back_office:index")
        if request.user.is_authenticated:
            raise Http404
        return redirect_to_login(request.get_full_path())

    def logout(self, request, extra_context=None):  # type: ignore[no-untyped-def]
        """One way out of the portal: the audited sign-out."""
        return redirect("accounts:sign_out")

    def password_change(self, request, extra_context=None):  # type: ignore[no-untyped-def]
        raise Http404  # passwords change through the portal's own pages, never here

    def get_urls(self) -> list[URLPattern | URLResolver]:
        urls = super().get_urls()
        # Django points its admin views' sign-in at the admin's own login page; ours is the
        # portal's, so LoginRequiredMiddleware sends anonymous people there directly.
        for url in urls:
            if isinstance(url, URLPattern) and hasattr(url.callback, "login_url"):
                url.callback.login_url = settings.LOGIN_URL
        return urls


back_office = BackOfficeSite(name="back_office")


class BackOfficeModelAdmin(admin.ModelAdmin):
    """Agency admins may view and edit; nobody deletes from the back office."""

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return back_office.has_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return back_office.has_permission(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return back_office.has_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_module_permission(self, request: HttpRequest) -> bool:
        return back_office.has_permission(request)


class AuditedModelAdmin(BackOfficeModelAdmin):
    """Each save from the back office writes `<audit_noun>.created` or `.changed` (field names
    only) in the same transaction."""

    audit_noun = ""

    def audit_organization(self, obj: Any) -> Any:
        return None

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            audit.record(
                f"{self.audit_noun}.{'changed' if change else 'created'}", actor=request.user,
                organization=self.audit_organization(obj), target=obj, request=request,
                data={"fields": sorted(form.changed_data)},
            )  # fmt: skip


class BackOfficeInline(admin.TabularInline):
    """Inlines follow the site's rule too (Django would ask for model permissions)."""

    extra = 0
    can_delete = False

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return back_office.has_permission(request)

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return back_office.has_permission(request) and not self.readonly

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return back_office.has_permission(request) and not self.readonly

    readonly = False


class ReadOnlyModelAdmin(BackOfficeModelAdmin):
    """For records only services may write (audit, outbox)."""

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
