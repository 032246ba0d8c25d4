from typing import Any

from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest

from portal.core import audit
from portal.core.admin_site import BackOfficeInline, BackOfficeModelAdmin, back_office

from .models import MailingAddress, Organization


class MailingAddressInline(BackOfficeInline):
    model = MailingAddress


@admin.register(Organization, site=back_office)
class OrganizationAdmin(BackOfficeModelAdmin):
    list_display = ["name", "kind", "identifier", "npi", "status", "region"]
    list_filter = ["kind", "status", "region"]
    search_fields = ["name", "identifier", "npi"]
    filter_horizontal = ["contracted_plans"]
    inlines = [MailingAddressInline]

    def save_model(self, request: HttpRequest, obj: Organization, form: Any, change: bool) -> None:
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            action = "organization.changed" if change else "organization.created"
            audit.record(
                action, actor=request.user, organization=obj, target=obj, request=request,
                data={"fields": sorted(form.changed_data)},
            )  # fmt: skip
