"""Demo reports for development: one in every state, made through the real services so their
history, deadlines and audit trail are what the portal itself would have written."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from portal.accounts.models import User
from portal.registry.models import Organization
from portal.reports import redaction, services

from .catalogue import load_catalogue
from .models import IncidentType, PersonInvolved, Report

# (member, incident type, the transitions after submission, the reason each needs)
STORIES = [
    ("Rosa Quintero", "Injury needing emergency treatment", []),
    ("Marcus Yazzie", "Medication error", ["submit"]),
    ("Elena Ruiz", "Self-inflicted injury", ["submit", "return"]),
    ("Tomas Lee", "Unauthorized absence from a licensed facility", ["submit", "approve"]),
    ("Hannah Cole", "Exploitation", ["submit", "approve", "start_review"]),
    ("Victor Nez", "Suicide attempt", ["submit", "approve", "start_review", "request_info"]),
    ("Ada Brooks", "Death", ["submit", "approve", "start_review", "close"]),
]
REASONS = {
    "return": "Please add the time the nurse found the member.",
    "request_info": "Which staff members were on the unit at the time?",
}


def seed_reports() -> int:
    """Create the demo reports once (nothing if the demo provider already has some)."""
    load_catalogue(IncidentType)
    provider = Organization.objects.get(kind="provider", identifier="100001")
    if Report.objects.filter(organization=provider).exists():
        return 0
    people = {u.username: u for u in User.objects.filter(
        username__in=["provider.user", "clinical.director", "plan.reviewer"])}  # fmt: skip
    plan = Organization.objects.get(kind="health_plan", identifier="HP001")
    with transaction.atomic():
        for days_ago, (member, kind, steps) in enumerate(STORIES):
            _story(people, provider, plan, member, kind, steps, days_ago)
    return len(STORIES)


def _story(people: dict[str, User], provider: Organization, plan: Organization, member: str,
           kind: str, steps: list[str], days_ago: int) -> None:  # fmt: skip
    preparer, director, reviewer = (people["provider.user"], people["clinical.director"],
                                    people["plan.reviewer"])  # fmt: skip
    report = services.start_report(Report.Kind.IAD, by=preparer)
    types = list(IncidentType.objects.filter(name=kind))
    first, last = member.split()
    happened = timezone.now() - timedelta(days=days_ago, hours=3)
    services.update_draft(
        report,
        {
            "site_name": "Desert Bloom residential unit",
            "site_address": "3300 E. Indian School Road",
            "contact_phone": "602-555-0142",
            "member_id": f"A{12345670 + days_ago}",
            "member_first_name": first,
            "member_last_name": last,
            "member_birth_date": (happened - timedelta(days=365 * 34)).date(),
            "member_sex": Report.Sex.UNKNOWN,
            "health_plan": plan,
            "category": Report.Category.SMI,
            "occurred_at": happened,
            "aware_at": happened + timedelta(minutes=20),
            "location_type": "Residential facility",
            "narrative": f"Staff found {first} {last} in the day room and called the nurse at "
            "once. The nurse, Dana Whitfield, phoned 602-555-0190 for an ambulance.",
            "incident_types": types,
        },
        by=preparer,
    )
    nurse = PersonInvolved(role=PersonInvolved.Role.STAFF, name="Dana Whitfield", title="Nurse")
    services.add_to_draft(report, nurse, by=preparer)
    for step in steps:
        if step == "submit":
            services.submit_report(report, by=preparer, late_reason="Demo: filed after the fact.")
        else:
            actor = reviewer if step in {"start_review", "request_info", "close"} else director
            services.take_transition(
                report,
                step,
                by=actor,
                reason=REASONS.get(step, ""),
                choice=Report.Outcome.NO_FURTHER_ACTION,
            )
    if "close" in steps:  # the closed one is redacted and released to the central committee
        copy = redaction.start_redaction(report, by=reviewer)
        committee = Organization.objects.get(kind="ioc", identifier="IOC-C")
        redaction.release_copy(copy, committee, by=reviewer, reviewed=True)
