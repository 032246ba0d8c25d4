"""Quality of Care's domain rules, given to the report kit (SPEC §4): dates that cannot be in
the future, a severity of 1 to 3, an investigator who works for the case's owner, a corrective
action plan only after a substantiated determination, asked of a provider involved, due on a day
still to come."""

from django.core.exceptions import ValidationError
from django.utils import timezone

from portal.core.roles import has_role
from portal.reports.types import Missing

from .models import Case
from .people import investigators
from .roles import INVESTIGATORS

S = Case.Status
SEVERITIES = set(Case.Severity.values)


def derive(case: Case) -> None:
    """Nothing is derived: a case has no filing deadline (record requests and corrective action
    plans carry their own due days)."""


def extra_missing(case: Case) -> list[Missing]:
    if case.source == Case.Source.MEMBER_COMPLAINT and not case.complainant_name:
        return [Missing("concern", "who raised the concern")]
    return []


# What `tags` reads: the list loads only what its rows show.
TAGS_READ = ("severity", "status", "cap_due_on")


def tags(case: Case) -> list[str]:
    shown = []
    if case.severity == Case.Severity.IMMEDIATE:
        shown.append("Severity 3")
    if case.cap_overdue:
        shown.append("Corrective action plan overdue")
    return shown


def check(case: Case) -> None:
    """Values that make no sense, for an intake's save and for the facts a step records."""
    errors: dict[str, str] = {}
    today = timezone.localdate()
    if case.received_on and case.received_on > today:
        errors["received_on"] = "The date received cannot be in the future"
    if case.member_birth_date and case.member_birth_date > today:
        errors["member_birth_date"] = "The date of birth cannot be in the future"
    if case.severity is not None and case.severity not in SEVERITIES:
        errors["severity"] = "Choose a severity level of 1, 2 or 3"
    if case.status != S.DRAFT and case.status != S.RECEIVED:
        errors |= _triage_problems(case)
    if case.status == S.INVESTIGATING:
        errors |= _investigator_problems(case)
    if case.status == S.CORRECTIVE_ACTION:
        errors |= _cap_problems(case)
    if errors:
        raise ValidationError(errors)


def _triage_problems(case: Case) -> dict[str, str]:
    """Triage confirms the category and the severity (a referral arrives without them)."""
    problems = {}
    if case.topic_id is None:
        problems["topic"] = "Choose the category"
    if case.severity is None:
        problems["severity"] = "Choose the severity level"
    return problems


def _investigator_problems(case: Case) -> dict[str, str]:
    person = case.investigator
    if person is None:
        return {"investigator": "Choose the investigator"}
    works_here = investigators(case).filter(pk=person.pk).exists()
    if not works_here or not any(has_role(person, role) for role in INVESTIGATORS):
        return {"investigator": "Choose an investigator of the member's plan or of the agency"}
    return {}


def _cap_problems(case: Case) -> dict[str, str]:
    problems = {}
    if case.determination != Case.Determination.SUBSTANTIATED:
        problems["cap_actions"] = (
            "A corrective action plan follows a substantiated determination only"
        )
    if case.cap_provider_id is None:
        problems["cap_provider"] = "Choose the provider asked for corrective action"
    elif case.cap_provider_id not in {p.pk for p in case.providers}:
        problems["cap_provider"] = "Choose one of the providers involved in the case"
    if not case.cap_actions.strip():
        problems["cap_actions"] = problems.get("cap_actions") or "Describe the required actions"
    if case.cap_due_on is None:
        problems["cap_due_on"] = "Enter the day the plan is due"
    elif case.cap_due_on <= timezone.localdate():
        problems["cap_due_on"] = "The due day must be after today"
    return problems
