"""What an oversight committee reads of an IAD or IRF (SPEC §3.4): which free text is kept (with
phrases removed), which identifying values the tool looks for, and the redacted document every
committee page and PDF renders. Templates for committees get a `RedactedDocument`, never the
report, so a field left out here cannot reach them."""

from dataclasses import dataclass

from portal.core.business_days import PHOENIX
from portal.reports.redaction import (
    birth_date_forms,
    kept_texts,
    member_age,
    member_names,
    person_names,
)

from .models import RedactedCopy, Report

# The free text a copy keeps, with the phrases removed, and its label.
TEXT_FIELDS = {
    "location_type": "Type of location",
    "location_description": "Where it happened",
    "narrative": "What happened",
    "injury_description": "Injuries",
    "injury_treatment": "Treatment",
    "immediate_actions": "Immediate actions",
    "follow_up": "Follow-up planned",
}


def known_values(report: Report) -> list[tuple[str, str]]:
    """The report's own identifying values, as (why, value), for the tool to look for."""
    known = [
        *member_names(report),
        ("AHCCCS ID", report.member_id),
        ("site address", report.site_address),
        ("site address", report.site_address.split(",")[0]),
        ("phone number", report.contact_phone),
    ]
    known += [("date of birth", form) for form in birth_date_forms(report)]
    for person in report.people.all():
        known += person_names(f"{person.get_role_display().lower()}'s name", person.name)
    return [(reason, value) for reason, value in known if value.strip(" ,")]


@dataclass(frozen=True)
class RedactedDocument:
    """Everything a committee may read of one report, and nothing else."""

    code: str
    kind: str
    released_at: object
    committee: str
    provider: str
    health_plan: str
    category: str
    member_sex: str
    member_age: str
    occurred: str
    incident_types: list[str]
    sentinel: bool
    injuries: str
    status: str
    outcome: str
    texts: list[tuple[str, str]]
    addenda: list[str]


def document_for(copy: RedactedCopy) -> RedactedDocument:
    """The committee's view of a copy. Needs the copy with its report, provider, plan and
    committee loaded, and the report's incident types prefetched."""
    report = copy.report
    occurred = report.occurred_at.astimezone(PHOENIX) if report.occurred_at else None
    content = copy.content
    injuries = {True: "Yes", False: "No", None: "Not given"}[report.injuries]
    return RedactedDocument(
        code=str(copy.code),
        kind=report.get_kind_display(),
        released_at=copy.released_at,
        committee=copy.committee.name if copy.committee else "",
        provider=report.provider.name if report.provider else "",
        health_plan=report.health_plan.name if report.health_plan else "",
        category=report.get_category_display(),
        member_sex=report.get_member_sex_display(),
        member_age=member_age(report, report.occurred_at),
        occurred=f"{occurred:%B %Y}" if occurred else "Not given",
        incident_types=[kind.name for kind in report.incident_types.all()],
        sentinel=report.sentinel,
        injuries=injuries,
        status=report.get_status_display(),
        outcome=report.get_outcome_display(),
        texts=kept_texts(copy),
        addenda=[str(text) for text in content.get("addenda", [])],
    )


def inbox_detail(copy: RedactedCopy) -> str:
    """The incident types, for the committee's inbox (prefetched with the copies)."""
    return ", ".join(kind.name for kind in copy.report.incident_types.all())
