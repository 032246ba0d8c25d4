"""S&R's domain rules, given to the report kit: the deadline (5 business days after the event,
SPEC §5), what a report needs beyond its sections' required fields, and the field rules the
forms check, checked again for any caller of the services."""

from django.core.exceptions import ValidationError
from django.utils import timezone

from portal.core.business_days import due_at
from portal.reports.types import Missing

from .forms import LONG
from .models import Attachment, Report

BUSINESS_DAYS = 5


def derive(report: Report) -> None:
    report.due_at = due_at(report.started_at, BUSINESS_DAYS) if report.started_at else None


def extra_missing(report: Report) -> list[Missing]:
    if not Attachment.objects.filter(report=report).exists():
        return [Missing("attachments", "the physician's order (attach it)")]
    return []


def check(report: Report) -> None:
    """Moments cannot be in the future; an event ends after it starts; more than 24 hours is
    confirmed."""
    now, errors = timezone.now(), {}
    for name in ("started_at", "ended_at", "face_to_face_at"):
        moment = getattr(report, name)
        if moment and moment > now:
            errors[name] = "This cannot be in the future"
    if report.member_birth_date and report.member_birth_date > timezone.localdate():
        errors["member_birth_date"] = "The date of birth cannot be in the future"
    duration = report.duration
    if duration is not None and duration.total_seconds() < 0:
        errors["ended_at"] = "The end must be the same as or after the start"
    elif duration is not None and duration > LONG and not report.long_duration_confirmed:
        errors["long_duration_confirmed"] = "Confirm that it lasted more than 24 hours"
    if errors:
        raise ValidationError(errors)
