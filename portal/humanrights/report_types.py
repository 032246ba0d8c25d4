"""Special assistance notifications declared to the report kit (SPEC §6): Part A as the
draft's sections, Part B and Part C as steps that record their facts. The kit gives it its
pages (under /ohr/), services, exports, reminders and home-page counts; the roster of members
under special assistance is its own page (`roster.py`)."""

from typing import Any

from portal.core.home import Waiting
from portal.core.roles import has_role
from portal.reports.fields import member_section
from portal.reports.home import tab_count
from portal.reports.types import Kind, ReportType, Section, listing_of, register

from . import lists, rules
from .filters import NotificationFilter
from .forms import MemberForm, NeedForm, PeopleForm, TreatmentForm, need_initial
from .models import COMPANIONS, Report
from .reminders import remind_stale
from .roles import ROLES
from .workflow import TRANSITIONS

S = Report.Status

SECTIONS = (
    member_section(
        MemberForm,
        member_birth_date="the member's date of birth",
        category="the member's SMI determination",
    ),
    Section(
        "need",
        "The need for special assistance",
        NeedForm,
        (
            "determined_on",
            "needs_service_planning",
            "needs_discharge_planning",
            "needs_grievance",
            "needs_appeal",
            "criterion",
            "clinical_basis",
        ),
        {
            "determined_on": "the date the need was determined",
            "criterion": "why the member cannot take part effectively",
            "clinical_basis": "the clinical basis",
        },
        initial=need_initial,
    ),
    Section(
        "treatment",
        "Treatment team and diagnoses",
        TreatmentForm,
        tuple(TreatmentForm.Meta.fields),
        {"treatment_team": "the treatment team", "diagnoses": "the diagnoses"},
    ),
    Section(
        "people",
        "Guardian, decision maker and the member's knowledge",
        PeopleForm,
        tuple(PeopleForm.Meta.fields),
        {
            "has_decision_maker": "whether the member has a guardian or decision maker",
            "member_aware": "whether the member knows of the notification",
        },
    ),
)


def home(user: Any, rtype: ReportType) -> list[Waiting]:
    """Drafts and members to confirm or end for filers; Part B decisions for OHR staff."""
    items = []
    if has_role(user, "ohr.submitter"):
        items += [
            tab_count(
                rtype, user, "drafts", "Your draft special assistance notifications", urgent=True
            ),
            tab_count(rtype, user, "confirm", "Special assistance to confirm or end (Part C)"),
        ]
    if has_role(user, "ohr.staff"):
        items.append(
            tab_count(rtype, user, "review", "Special assistance notifications to decide (Part B)")
        )
    return items


OHR = register(
    ReportType(
        slug="ohr",
        title="Special assistance notifications",
        noun="special assistance notification",
        model=Report,
        companions=COMPANIONS,
        kinds=(
            Kind(
                "ohr",
                "ohr.submitter",
                "Special assistance notification (Part A)",
                "For a member with a serious mental illness who cannot take part effectively in "
                "service planning, discharge planning, a grievance or an appeal. Due 5 days "
                "after the need was determined. The Office of Human Rights decides and assigns a "
                "designated representative.",
                "Start a notification",
            ),
        ),
        transitions=TRANSITIONS,
        editable=(S.DRAFT,),
        private=(S.DRAFT,),
        sections=SECTIONS,
        filterset=NotificationFilter,
        **listing_of(lists),
        export_name="special-assistance-notifications",
        roles=tuple(role.name for role in ROLES),
        rules=rules,
        due_label="Part A due",
        short_noun="notification",
        home=home,
        reminders=remind_stale,
        attachments_hint="Add papers that support the notification, such as the assessment or "
        "the court's guardianship order. This part is optional.",
        demo="portal.humanrights.demo.seed_notifications",
    )
)
