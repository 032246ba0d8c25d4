"""Demo S&R data for development: Desert Bloom's reports in every state and its monthly
summaries (one month with none), made through the real services; Mesa Verde files nothing, so
reviewers see it as missing."""

from datetime import timedelta
from io import BytesIO

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from pypdf import PdfWriter

from portal.accounts.models import RoleGrant, User
from portal.registry.models import Organization
from portal.reports import attachments, redaction, services

from . import monthly
from .models import Report

# (member, type, minutes, the transitions after the draft)
STORIES = [
    ("Nora Tsosie", Report.Type.PERSONAL, 12, []),
    ("Caleb Ortiz", Report.Type.SECLUSION, 45, ["submit"]),
    ("Iris Long", Report.Type.MECHANICAL, 30, ["submit", "return"]),
    ("Owen Blackhorse", Report.Type.DRUG, 60, ["submit", "accept"]),
]
RETURN_REASON = "The physician's credentials are missing from the order."


def seed_reports() -> int:
    """Create the demo reports and summaries once (nothing if Desert Bloom already has some)."""
    provider = Organization.objects.get(kind="provider", identifier="100001")
    if Report.objects.filter(organization=provider).exists():
        return 0
    people = {
        u.username: u for u in User.objects.filter(username__in=["provider.user", "plan.reviewer"])
    }
    plan = Organization.objects.get(kind="health_plan", identifier="HP001")
    with transaction.atomic():
        # The demo facilities have filed S&R reports for a year: their past months are asked.
        RoleGrant.objects.filter(role="sr.submitter").update(
            granted_at=timezone.now() - timedelta(days=365)
        )
        for days_ago, story in enumerate(STORIES, start=1):
            _story(people, plan, days_ago, *story)
        _summaries(people["provider.user"])
    return len(STORIES)


def _story(
    people: dict[str, User],
    plan: Organization,
    days_ago: int,
    member: str,
    kind: str,
    minutes: int,
    steps: list[str],
) -> None:
    preparer, reviewer = people["provider.user"], people["plan.reviewer"]
    report = services.start_report("sr", by=preparer)
    first, last = member.split()
    started = timezone.now() - timedelta(days=days_ago * 2, hours=5)
    services.update_draft(
        report,
        {
            "facility_name": "Desert Bloom residential unit",
            "license_number": "BH-2024-0117",
            "member_id": f"B{22345670 + days_ago}",
            "member_first_name": first,
            "member_last_name": last,
            "member_birth_date": (started - timedelta(days=365 * 16)).date(),
            "health_plan": plan,
            "category": Report.Category.CHILD,
            "restraint_type": kind,
            "started_at": started,
            "ended_at": started + timedelta(minutes=minutes),
            "emergency_situation": f"{first} struck another resident and kept going at staff.",
            "less_restrictive_measures": "Verbal de-escalation and an offer of the quiet room.",
            "authorized_by": "Dr. Alma Reyes",
            "authorized_credentials": "MD",
            "injuries": False,
            "face_to_face_at": started + timedelta(minutes=minutes + 20),
            "face_to_face_by": "Nurse Dana Whitfield, RN",
            "monitoring": "Continuous observation by two staff members.",
            "debriefing_date": (started + timedelta(days=1)).date(),
            "debriefing_participants": f"{first}, Dana Whitfield, Dr. Alma Reyes",
        },
        by=preparer,
    )
    attachments.add_attachment(report, _order(), by=preparer)
    for step in steps:
        actor = preparer if step == "submit" else reviewer
        services.take_transition(report, step, by=actor, reason=RETURN_REASON, choice="")
    if "accept" in steps:  # the accepted one is redacted and released to the central committee
        copy = redaction.start_redaction(report, by=reviewer)
        committee = Organization.objects.get(kind="ioc", identifier="IOC-C")
        redaction.release_copy(copy, committee, by=reviewer, reviewed=True)


def _summaries(facility_user: User) -> None:
    """The last two ended months filed with the events reported (usually none in the older
    one); earlier months are left open, so the facility sees what it has not filed."""
    if facility_user.organization is None:
        return
    latest, before = monthly.facility_lines(facility_user.organization)[:2]
    monthly.file_summary(by=facility_user, period=latest.period, event_count=latest.reports)
    notes = "" if before.reports else "No seclusion or restraint this month."
    monthly.file_summary(
        by=facility_user, period=before.period, event_count=before.reports, notes=notes
    )


def _order() -> SimpleUploadedFile:
    """A blank one-page PDF standing in for the scanned physician's order."""
    writer, out = PdfWriter(), BytesIO()
    writer.add_blank_page(width=612, height=792)
    writer.write(out)
    return SimpleUploadedFile("physician-order.pdf", out.getvalue(), "application/pdf")
