from django.contrib import admin

from .admin_site import AuditedModelAdmin, ReadOnlyModelAdmin, back_office
from .models import AuditBatch, AuditEvent, ClosureDay, OutboundEmail


@admin.register(AuditEvent, site=back_office)
class AuditEventAdmin(ReadOnlyModelAdmin):
    # `seq` is empty until the sealer has sealed the event (ADR 0024, ADR 0031).
    list_display = [
        "id",
        "seq",
        "at",
        "action",
        "actor",
        "organization",
        "target_type",
        "target_id",
    ]
    list_filter = ["action"]
    search_fields = ["action", "target_id"]
    list_select_related = ["actor", "organization", "seal"]


@admin.register(AuditBatch, site=back_office)
class AuditBatchAdmin(ReadOnlyModelAdmin):
    """The sealer's batches: when each was sealed shows whether it keeps up (ADR 0024)."""

    list_display = ["number", "sealed_at", "first_seq", "last_seq", "root"]


@admin.register(OutboundEmail, site=back_office)
class OutboundEmailAdmin(ReadOnlyModelAdmin):
    list_display = ["created_at", "template", "to", "status", "attempts", "last_error", "sent_at"]
    list_filter = ["status", "template"]
    exclude = ["text_body", "html_body"]


@admin.register(ClosureDay, site=back_office)
class ClosureDayAdmin(AuditedModelAdmin):
    """Days the agency is closed beyond state holidays: deadlines skip them."""

    list_display = ["date", "name"]
    audit_noun = "closure_day"
