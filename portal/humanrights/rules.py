"""OHR's domain rules, given to the report kit (SPEC §6, domain research §5): Part A is due 5
days after the determination and Part C 10 days after special assistance stopped being needed
(calendar days, a weekend or holiday moving the day on); only a member with a serious mental
illness can be notified, once per organization at a time; Part B names at least one area and a
representative who can be reached."""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.dateformat import format as date_format

from portal.core.business_days import due_after_days
from portal.reports.types import Missing

from .models import OPEN, Area, Report

PART_A_DAYS = 5
PART_C_DAYS = 10
S = Report.Status


def derive(report: Report) -> None:
    report.due_at = (
        due_after_days(report.determined_on, PART_A_DAYS) if report.determined_on else None
    )
    report.part_c_due_at = due_after_days(report.ended_on, PART_C_DAYS) if report.ended_on else None
    if report.status == S.ACCEPTED and report.assistance_started_on is None:
        report.assistance_started_on = timezone.localdate()


def extra_missing(report: Report) -> list[Missing]:
    lacking = []
    if not report.areas:
        lacking.append(Missing("need", "at least one area of need"))
    if report.criterion == Report.Criterion.GUARDIANSHIP and report.has_decision_maker is False:
        lacking.append(Missing("people", "the guardian the court appointed"))
    if report.has_decision_maker:
        given = (report.decision_maker_name, report.decision_maker_email)
        if not all(given):
            lacking.append(Missing("people", "the decision maker's name and e-mail address"))
    if report.member_aware is False and not report.awareness_explanation:
        lacking.append(Missing("people", "why the member does not know of the notification"))
    return lacking


# What `tags` reads: the list loads only what its rows show.
TAGS_READ = ("status", "submitted_at", "due_at", "part_c_due_at", "status_changed_at")


def tags(report: Report) -> list[str]:
    late = []
    if report.submitted_at and report.due_at and report.submitted_at > report.due_at:
        late.append("Part A late")
    if report.part_c_late:
        late.append("Part C late")
    return late


def check(report: Report) -> None:
    """Values that make no sense, for a draft's save and for Part B's and Part C's facts."""
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if report.determined_on and report.determined_on > today:
        errors["determined_on"] = "The date of the determination cannot be in the future"
    if report.member_birth_date and report.member_birth_date > today:
        errors["member_birth_date"] = "The date of birth cannot be in the future"
    if report.category and report.category != Report.Category.SMI:
        errors["category"] = (
            "Special assistance is only for members determined to have a serious mental "
            "illness (SMI)"
        )
    if report.member_id and report.status in OPEN:
        other = open_notification(report, report.member_id)
        if other is not None:
            errors["member_id"] = already_open(other)
    if report.status == S.ACCEPTED:
        errors |= _decision_problems(report)
    if report.status == S.ENDED:
        errors |= _end_facts_problems(report)
    if errors:
        raise ValidationError(errors)


def _decision_problems(report: Report) -> dict[str, str]:
    problems = {}
    if not any(getattr(report, f"confirmed_{value}") for value in Area.values):
        problems["confirmed"] = "Choose at least one area"
    if not report.representative_name.strip():
        problems["representative_name"] = "Enter the designated representative's name"
    if not (report.representative_phone or report.representative_email):
        problems["representative_phone"] = (
            "Give a phone number or an e-mail address for the representative"
        )
    return problems


def _end_facts_problems(report: Report) -> dict[str, str]:
    if report.ended_on is None:
        return {"ended_on": "Enter the date special assistance was no longer needed"}
    problems = end_problems(report, report.ended_on, report.part_c_late_reason)
    if not report.end_reason.strip():
        problems["end_reason"] = "Say why special assistance is no longer needed"
    return problems


def end_problems(report: Report, ended_on: date, late_reason: str) -> dict[str, str]:
    """What is wrong with a Part C ending on `ended_on`, by field."""
    if ended_on > timezone.localdate():
        return {"ended_on": "The date cannot be in the future"}
    if report.determined_on and ended_on < report.determined_on:
        determined = date_format(report.determined_on, "F j, Y")
        return {"ended_on": f"The date cannot be before the need was determined ({determined})"}
    started = report.assistance_started_on
    if started and ended_on < started:
        day = date_format(started, "F j, Y")
        return {"ended_on": f"The date cannot be before special assistance started ({day})"}
    due = due_after_days(ended_on, PART_C_DAYS)
    if timezone.now() > due and not late_reason.strip():
        day = date_format(timezone.localtime(due), "F j, Y")
        return {"part_c_late_reason": f"Part C was due by {day}: say why it is late"}
    return {}


def open_notification(report: Any, member_id: str) -> Report | None:
    """Another notification of this member by the same organization still open (a draft,
    waiting for OHR or under special assistance)."""
    return (
        Report.objects.filter(
            organization_id=report.organization_id, member_id=member_id, status__in=OPEN
        )
        .exclude(pk=report.pk)
        .first()
    )


def already_open(other: Report) -> str:
    return (
        f"Your organization already has an open notification for this member ({other}, "
        f"{other.get_status_display().lower()}). Use that one instead of starting another"
    )
