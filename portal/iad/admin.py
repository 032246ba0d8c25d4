from django.contrib import admin

from portal.core.admin_site import AuditedModelAdmin, back_office

from .models import IncidentType


@admin.register(IncidentType, site=back_office)
class IncidentTypeAdmin(AuditedModelAdmin):
    """The catalogue offered on the event page; sentinel types shorten the deadline."""

    list_display = ["name", "sentinel", "active", "order"]
    list_editable = ["sentinel", "active", "order"]
    audit_noun = "incident_type"
