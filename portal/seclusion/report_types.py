"""Seclusion and restraint declared to the report kit (SPEC §5): its models, sections, lists
and rules. The kit gives it its pages (under /sr/), services, exports, reminders and home-page
counts; the monthly summaries are a periodic filing (`monthly.py`)."""

from typing import Any

from django.urls import reverse

from portal.core.home import Waiting
from portal.core.roles import has_role
from portal.reports.fields import member_section
from portal.reports.home import tab_count
from portal.reports.types import Kind, Redaction, ReportType, Section, listing_of, register

from . import lists, monthly, redaction, rules
from .filters import SeclusionReportFilter
from .forms import (
    AuthorizationForm,
    CareForm,
    EventForm,
    FacilityForm,
    MemberForm,
    care_initial,
    event_initial,
)
from .models import COMPANIONS, Report
from .roles import ROLES
from .workflow import TRANSITIONS

S = Report.Status

SECTIONS = (
    Section(
        "facility",
        "Facility",
        FacilityForm,
        ("facility_name", "license_number"),
        {
            "facility_name": "the facility or unit",
            "license_number": "the facility's license number",
        },
    ),
    member_section(MemberForm, category="the member's behavioral-health category"),
    Section(
        "event",
        "The event",
        EventForm,
        (
            "restraint_type",
            "started_at",
            "ended_at",
            "long_duration_confirmed",
            "emergency_situation",
            "less_restrictive_measures",
        ),
        {
            "restraint_type": "the type of seclusion or restraint",
            "started_at": "when it started",
            "ended_at": "when it ended",
            "emergency_situation": "the emergency safety situation",
            "less_restrictive_measures": "the less restrictive measures tried",
        },
        initial=event_initial,
    ),
    Section(
        "authorization",
        "Who ordered it",
        AuthorizationForm,
        ("authorized_by", "authorized_credentials", "reauthorized_by", "reauthorized_credentials"),
        {
            "authorized_by": "who ordered it",
            "authorized_credentials": "the credentials of who ordered it",
        },
    ),
    Section(
        "care",
        "Monitoring, injuries and debriefing",
        CareForm,
        (
            "injuries",
            "injury_description",
            "face_to_face_at",
            "face_to_face_by",
            "monitoring",
            "debriefing_date",
            "debriefing_participants",
        ),
        {
            "face_to_face_at": "when the face-to-face evaluation happened",
            "face_to_face_by": "who did the face-to-face evaluation",
            "monitoring": "how the member was monitored",
            "debriefing_date": "the date of the debriefing",
        },
        initial=care_initial,
    ),
)


def home(user: Any, rtype: ReportType) -> list[Waiting]:
    """Drafts and months to file for a facility; reports to review and facilities that have not
    filed last month's summary for reviewers."""
    items, url = [], reverse("sr_monthly:summaries")
    if has_role(user, "sr.submitter"):
        items.append(tab_count(rtype, user, "drafts", "Your draft S&R reports", urgent=True))
        lines = [line for line in monthly.facility_lines(user.organization) if not line.summary]
        late = sum(1 for line in lines if line.due < monthly.now())
        items.append(Waiting("S&R monthly summaries to file", len(lines), url, overdue=late))
    if has_role(user, "sr.reviewer"):
        items.append(tab_count(rtype, user, "review", "S&R reports awaiting review"))
        last = monthly.SCHEDULE.last_closed()
        missing = monthly.missing_count(user, last)
        label = f"Facilities without an S&R summary for {monthly.SCHEDULE.label(last)}"
        items.append(Waiting(label, missing, f"{url}?month={last:%Y-%m}"))
    return items


SR = register(
    ReportType(
        slug="sr",
        title="Seclusion and restraint reports",
        noun="seclusion or restraint report",
        model=Report,
        companions=COMPANIONS,
        kinds=(
            Kind(
                "sr",
                "sr.submitter",
                "Seclusion or restraint report",
                "One report per member per event, due 5 business days after it. Attach the "
                "physician's order. The member's health plan reviews it.",
                "Start a seclusion or restraint report",
            ),
        ),
        transitions=TRANSITIONS,
        editable=(S.DRAFT, S.RETURNED),
        private=(S.DRAFT,),
        sections=SECTIONS,
        filterset=SeclusionReportFilter,
        **listing_of(lists),
        export_name="seclusion-restraint-reports",
        roles=tuple(role.name for role in ROLES),
        redactor_role="sr.reviewer",
        redaction=Redaction.of(
            redaction,
        ),
        rules=rules,
        home=home,
        attachments_hint="Attach the physician's order: the report cannot be submitted without "
        "it. Add anything else that supports the report.",
        demo="portal.seclusion.demo.seed_reports",
    )
)
