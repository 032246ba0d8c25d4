from django.contrib import admin

from portal.core.admin_site import AuditedModelAdmin, BackOfficeInline, back_office

from .models import MailingAddress, Organization


class MailingAddressInline(BackOfficeInline):
    model = MailingAddress


@admin.register(Organization, site=back_office)
class OrganizationAdmin(AuditedModelAdmin):
    list_display = ["name", "kind", "identifier", "npi", "status", "region"]
    list_filter = ["kind", "status", "region"]
    search_fields = ["name", "identifier", "npi"]
    filter_horizontal = ["contracted_plans"]
    inlines = [MailingAddressInline]

    audit_noun = "organization"

    def audit_organization(self, obj: Organization) -> Organization:
        return obj
