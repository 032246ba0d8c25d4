"""Demo special assistance notifications for development: Desert Bloom's notifications in
every state, made through the real services and decided by the OHR staff persona; one member
accepted long ago and never confirmed since, so Desert Bloom is asked about it."""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from portal.accounts.models import User
from portal.registry.models import Organization
from portal.reports import services

from .models import Report

# (member, days since the determination, the steps after the draft)
STORIES = [
    ("Ada Whitmore", 1, []),
    ("Joaquin Sandoval", 2, ["submit"]),
    ("Lena Holiday", 3, ["submit", "accept"]),
    ("Marcus Tso", 4, ["submit", "decline"]),
    ("Ruth Castillo", 40, ["submit", "accept", "end"]),
    ("Tomas Reyna", 200, ["submit", "accept"]),  # accepted long ago: to confirm or end
]
DECLINE_REASON = "The member takes part in service planning with an interpreter's help."


def seed_notifications() -> int:
    """Create the demo notifications once (nothing if Desert Bloom already has some)."""
    provider = Organization.objects.get(kind="provider", identifier="100001")
    if Report.objects.filter(organization=provider).exists():
        return 0
    people = {
        u.username: u for u in User.objects.filter(username__in=["provider.user", "ohr.staff"])
    }
    plan = Organization.objects.get(kind="health_plan", identifier="HP001")
    with transaction.atomic():
        for number, story in enumerate(STORIES, start=1):
            _story(people["provider.user"], people["ohr.staff"], plan, number, *story)
    return len(STORIES)


def _story(
    filer: User,
    staff: User,
    plan: Organization,
    number: int,
    member: str,
    days: int,
    steps: list[str],
) -> None:
    report = services.start_report("ohr", by=filer)
    first, last = member.split()
    today = timezone.localdate()
    services.update_draft(
        report, _part_a(first, last, number, plan, today - timedelta(days=days)), by=filer
    )
    late = "The notification was first sent on paper." if days > 5 else ""
    for step in steps:
        if step == "submit":
            services.submit_report(report, by=filer, late_reason=late)
        elif step == "accept":
            services.take_transition(report, "accept", by=staff, facts=_part_b(report))
            _accepted_back_then(report, days, stale=steps[-1] == "accept")
        elif step == "decline":
            services.take_transition(report, "decline", by=staff, reason=DECLINE_REASON)
        else:
            facts = {
                "ended_on": today - timedelta(days=3),
                "end_reason": "The member's sister became the court-appointed guardian.",
                "part_c_late_reason": "",
            }
            services.take_transition(report, "end", by=filer, facts=facts)


def _accepted_back_then(report: Report, days: int, *, stale: bool) -> None:
    """Date the acceptance a few days after the determination, as it would have happened; a
    member accepted long ago and never confirmed since is stale."""
    since = timezone.now() - timedelta(days=max(days - 4, 0))
    changes: dict[str, object] = {"assistance_started_on": timezone.localtime(since).date()}
    if stale and days > 5:
        changes["status_changed_at"] = since
    Report.objects.filter(pk=report.pk).update(**changes)
    report.refresh_from_db()


def _part_a(first: str, last: str, number: int, plan: Organization, determined: object) -> dict:
    return {
        "member_id": f"C{31245670 + number}",
        "member_first_name": first,
        "member_last_name": last,
        "member_birth_date": timezone.localdate() - timedelta(days=365 * (30 + number)),
        "health_plan": plan,
        "category": Report.Category.SMI,
        "determined_on": determined,
        "needs_service_planning": True,
        "needs_grievance": number % 2 == 0,
        "criterion": Report.Criterion.MEDICAL,
        "clinical_basis": f"{first} has severe psychotic symptoms and cannot say what they want "
        "from their service plan.",
        "treatment_team": "Dr. Alma Reyes, psychiatrist; Sam Ortiz, case manager",
        "diagnoses": "Schizoaffective disorder; type 2 diabetes",
        "has_decision_maker": True,
        "decision_maker_name": "Elena Morales",
        "decision_maker_relationship": Report.Relationship.DECISION_MAKER,
        "decision_maker_email": "elena.morales@example.com",
        "member_aware": True,
    }


def _part_b(report: Report) -> dict:
    return {
        "confirmed_service_planning": report.needs_service_planning,
        "confirmed_discharge_planning": report.needs_discharge_planning,
        "confirmed_grievance": report.needs_grievance,
        "confirmed_appeal": report.needs_appeal,
        "representative_name": "Jordan Pike",
        "representative_organization": "Human rights advocate, Office of Human Rights",
        "representative_phone": "(602) 555-0147",
        "representative_email": "",
        "decision_notes": "",
    }
