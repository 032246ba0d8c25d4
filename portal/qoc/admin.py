from django.contrib import admin

from portal.core.admin_site import AuditedModelAdmin, back_office

from .models import Category


@admin.register(Category, site=back_office)
class CategoryAdmin(AuditedModelAdmin):
    """The categories offered at intake and triage, and counted in the trends."""

    list_display = ["name", "active", "order"]
    list_editable = ["active", "order"]
    audit_noun = "qoc_category"
