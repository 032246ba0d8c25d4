"""Quality-of-care cases declared to the report kit (SPEC §4): the intake as the draft's
sections, triage, investigation, determination and the corrective action plan as steps. The kit
gives it its pages (under /qoc/), services, exports and home-page counts; record requests, the
provider's pages and the trends are this app's own (`urls.py`)."""

from typing import Any

from django.db.models import Q

from portal.core.home import Waiting
from portal.core.roles import has_role
from portal.registry.models import Organization
from portal.reports.fields import member_section
from portal.reports.home import tab_count
from portal.reports.types import Kind, ReportType, Section, listing_of, register

from . import counts, lists, pages, rules
from .filters import CaseFilter
from .forms import ConcernForm, MemberForm, ProvidersForm
from .models import COMPANIONS, Case
from .people import asked_provider, investigates
from .reminders import remind_due
from .roles import CASE_KINDS, CASE_ROLES, INVESTIGATORS
from .workflow import TRANSITIONS

S = Case.Status

SECTIONS = (
    member_section(MemberForm),
    Section(
        "concern",
        "The concern",
        ConcernForm,
        tuple(ConcernForm.Meta.fields),
        {
            "source": "where the concern came from",
            "received_on": "the date the concern was received",
            "topic": "the category",
            "severity": "the severity level",
            "description": "the concern",
        },
    ),
    Section(
        "providers",
        "Providers involved",
        ProvidersForm,
        tuple(ProvidersForm.Meta.fields),
        {"provider": "the provider the concern is about"},
    ),
)


def members_of_the_plan(organization: Organization) -> Q | None:
    """A plan sees the cases about its own members; providers see no case (only what is asked
    of them, on their own pages)."""
    if organization.kind in {"health_plan", "trbha"}:
        return Q(health_plan=organization)
    return None


def waiting(user: Any, rtype: ReportType) -> list[Waiting]:
    """Drafts for those who record cases; triage, investigations, overdue record requests and
    plans to review for investigators; requests and plans to answer for providers."""
    items = []
    organization = user.organization
    if has_role(user, "qoc.submitter") and organization.kind in CASE_KINDS:
        items.append(tab_count(rtype, user, "drafts", "Your draft quality-of-care cases"))
    if any(has_role(user, role) for role in INVESTIGATORS):
        items += [
            tab_count(rtype, user, "triage", "New quality-of-care cases to triage"),
            tab_count(rtype, user, "mine", "Your quality-of-care investigations"),
            tab_count(rtype, user, "cap", "Corrective action plans with providers or to review"),
            counts.overdue_requests(user),
        ]
    if has_role(user, "qoc.submitter") and organization.kind == "provider":
        items += counts.asked_of_provider(user)
    return items


QOC = register(
    ReportType(
        slug="qoc",
        title="Quality-of-care cases",
        noun="quality-of-care case",
        model=Case,
        companions=COMPANIONS,
        kinds=(
            Kind(
                "qoc",
                "qoc.submitter",
                "Quality-of-care case",
                "For a concern that the care a member received may fall below professional "
                "standards: a member's complaint, a grievance, a provider's or the agency's "
                "concern. Cases referred from incident reports are opened by their review.",
                "Record a case",
            ),
        ),
        transitions=TRANSITIONS,
        editable=(S.DRAFT,),
        private=(S.DRAFT,),
        sections=SECTIONS,
        filterset=CaseFilter,
        **listing_of(lists),
        export_name="quality-of-care-cases",
        roles=CASE_ROLES,
        rules=rules,
        short_noun="case",
        home=waiting,
        reminders=remind_due,
        organization_kinds=frozenset(CASE_KINDS),
        seen_by=members_of_the_plan,
        sides={"investigator": investigates, "provider": asked_provider},
        page_context=pages.case_page_context,
        attachments_hint="Add papers that support the concern, such as the complaint as it "
        "was received. This part is optional.",
        report_related=(
            *("organization", "provider", "health_plan", "preparer", "topic"),
            *("investigator", "cap_provider", "referred_from"),
        ),
        report_prefetch=("other_providers",),
        demo="portal.qoc.demo.seed_cases",
    )
)
