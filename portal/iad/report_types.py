"""IAD-IRF declared to the report kit (SPEC §3): its models, kinds, sections, lists and rules.
The kit gives it its pages (under /iad/), services, exports, reminders and home-page counts."""

from datetime import timedelta
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from portal.core.business_days import PHOENIX
from portal.core.home import Waiting
from portal.core.roles import has_role
from portal.qoc.pages import referred_case
from portal.reports.fields import member_section
from portal.reports.home import tab_count, urgency
from portal.reports.types import (
    ItemList,
    Kind,
    Redaction,
    ReportType,
    Section,
    listing_of,
    register,
)
from portal.reports.visibility import visible_reports

from . import lists, redaction, rules
from .filters import IncidentReportFilter
from .forms import (
    EventForm,
    IncidentTypesForm,
    MemberForm,
    NotificationForm,
    OutcomeForm,
    PersonForm,
    ReporterForm,
)
from .models import COMPANIONS, Notification, PersonInvolved, Report
from .roles import ROLES
from .workflow import TRANSITIONS

S = Report.Status


def _event(report: Report) -> dict[str, Any]:
    initial: dict[str, Any] = {
        name: getattr(report, name)
        for name in ("location_type", "location_description", "narrative")
    }
    for key in ("occurred", "aware"):
        moment = getattr(report, f"{key}_at")
        if moment:
            local = moment.astimezone(PHOENIX)
            initial[f"{key}_date"], initial[f"{key}_time"] = local.date(), local.time()
    return initial


SECTIONS = (
    Section(
        "reporter",
        "Reporter and site",
        ReporterForm,
        ("provider", "site_name", "site_address", "contact_phone"),
        {"site_name": "the site or facility", "contact_phone": "a contact phone number"},
    ),
    member_section(MemberForm, member_birth_date="the member's date of birth"),
    Section(
        "event",
        "What happened",
        EventForm,
        ("occurred_at", "aware_at", "location_type", "location_description", "narrative"),
        {
            "occurred_at": "when the event happened",
            "aware_at": "when you became aware of it",
            "narrative": "what happened",
        },
        initial=_event,
    ),
    Section(
        "types",
        "Incident types",
        IncidentTypesForm,
        ("incident_types",),
        initial=lambda report: {"incident_types": list(report.incident_types.all())},
    ),
    Section(
        "outcome",
        "Injuries and actions",
        OutcomeForm,
        ("injuries", "injury_description", "injury_treatment", "immediate_actions", "follow_up"),
    ),
)


def _person(item: PersonInvolved) -> str:
    return f"{item.get_role_display()}: {item.name}" + (f", {item.title}" if item.title else "")


def _told(item: Notification) -> str:
    detail = f" ({item.detail})" if item.detail else ""
    moment = date_format(timezone.localtime(item.notified_at), "F j, Y, g:i a")
    return f"{item.get_party_display()}{detail}, {moment}"


ITEM_LISTS = (
    ItemList(
        "people",
        "People involved",
        "people",
        PersonForm,
        "Add a person",
        _person,
        lambda item: item.name,
    ),
    ItemList(
        "notifications",
        "Who was told",
        "notifications",
        NotificationForm,
        "Add someone who was told",
        _told,
        lambda item: item.get_party_display(),
    ),
)


def home(user: Any, rtype: ReportType) -> list[Waiting]:
    """Drafts to finish, reports to approve or review: one counting query per item."""
    items = []
    if has_role(user, "iad.submitter") or has_role(user, "irf.submitter"):
        items.append(tab_count(rtype, user, "drafts", "Your draft reports", urgent=True))
    if has_role(user, "iad.clinical_director"):
        items.append(tab_count(rtype, user, "approval", "Reports awaiting your approval"))
        # Drafts of the organization about to be late: the director may need to chase them.
        soon = Q(due_at__lt=timezone.now() + timedelta(days=1))
        drafts = visible_reports(rtype, user).filter(status__in=[S.DRAFT, S.RETURNED])
        counts = drafts.aggregate(count=Count("pk", filter=soon), **urgency())
        items.append(
            Waiting(
                "Your organization's drafts due soon or overdue",
                url=reverse("iad:reports"),
                **counts,
            )
        )
    if has_role(user, "iad.reviewer"):
        items.append(tab_count(rtype, user, "review", "Reports awaiting review"))
    return items


IAD = register(
    ReportType(
        slug="iad",
        title="Incident reports",
        noun="incident report",
        model=Report,
        companions=COMPANIONS,
        kinds=(
            Kind(
                "iad",
                "iad.submitter",
                "Incident, accident or death report (IAD)",
                "For an event involving an AHCCCS member that your organization took part in "
                "or learned of. Your clinical director approves it before it goes to review.",
                "Start an IAD report",
                escalate_role="iad.clinical_director",
            ),
            Kind(
                "irf",
                "irf.submitter",
                "Incident report form (IRF)",
                "For an event your organization learned of that a provider may not have "
                "reported. It goes straight to review.",
                "Start an IRF",
            ),
        ),
        transitions=TRANSITIONS,
        editable=(S.DRAFT, S.RETURNED),
        private=(S.DRAFT, S.AWAITING_APPROVAL, S.RETURNED),
        sections=SECTIONS,
        item_lists=ITEM_LISTS,
        filterset=IncidentReportFilter,
        **listing_of(lists),
        export_name="incident-reports",
        roles=tuple(role.name for role in ROLES),
        redactor_role="iad.redactor",
        redaction=Redaction.of(
            redaction,
            copy_prefetch=("report__incident_types",),
            inbox_prefetch=("report__incident_types",),
        ),
        rules=rules,
        home=home,
        attachments_hint="Add papers or pictures that support the report, such as a scanned "
        "incident log or a photo of an injury. This part is optional.",
        demo="portal.iad.demo.seed_reports",
        report_prefetch=("incident_types",),
        page_context=referred_case,
    )
)
REPORT_WORKFLOW = IAD.workflow
