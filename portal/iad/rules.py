"""IAD's domain rules, given to the report kit: the deadline (SPEC §3.2), what a report needs
beyond its sections' required fields, and the field rules the forms check, checked again for
any caller of the services."""

from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone

from portal.core.business_days import due_at
from portal.reports.types import Missing

from .models import Report


def derive(report: Report) -> None:
    """Sentinel types make a report due in 1 business day, others in 2, after the later of
    occurrence and awareness."""
    report.sentinel = report.incident_types.filter(sentinel=True).exists()
    starts = [moment for moment in (report.occurred_at, report.aware_at) if moment]
    report.due_at = due_at(max(starts), 1 if report.sentinel else 2) if starts else None


def extra_missing(report: Report) -> list[Missing]:
    missing = []
    if report.kind == Report.Kind.IRF and report.provider_id is None:
        missing.append(Missing("reporter", "the provider involved"))
    if not report.incident_types.exists():
        missing.append(Missing("types", "at least one incident type"))
    return missing


def check(report: Report) -> None:
    """Moments cannot be in the future, and nobody becomes aware of an event before it."""
    now, errors = timezone.now(), {}
    for name in ("occurred_at", "aware_at"):
        moment = getattr(report, name)
        if moment and moment > now:
            errors[name] = "This cannot be in the future"
    if report.member_birth_date and report.member_birth_date > timezone.localdate():
        errors["member_birth_date"] = "The date of birth cannot be in the future"
    if report.occurred_at and report.aware_at and report.aware_at < report.occurred_at:
        errors["aware_at"] = "You cannot become aware of it before it happened"
    if errors:
        raise ValidationError(errors)


# What `tags` reads: the list loads only what its rows show.
TAGS_READ = ("sentinel",)


def tags(report: Any) -> list[str]:
    return ["Sentinel"] if report.sentinel else []
