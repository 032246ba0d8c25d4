"""What an oversight committee reads of an IAD or IRF (SPEC §3.4): which free text is kept (with
phrases removed), which identifying values the tool looks for, and the redacted document every
committee page and PDF renders. Templates for committees get a `RedactedDocument`, never the
report, so a field left out here cannot reach them."""

from dataclasses import dataclass

from portal.core.identifiers import Known
from portal.reports.redaction import (
    CopyDocument,
    birth_date,
    document_fields,
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


def known_values(report: Report) -> list[Known]:
    """The report's own identifying values, for the tool to look for in every spelling."""
    known = [
        *member_names(report),
        Known("AHCCCS ID", report.member_id),
        Known("site address", report.site_address),
        Known("site address", report.site_address.split(",")[0]),
        Known("phone number", report.contact_phone),
        *birth_date(report),
    ]
    for person in report.people.all():
        known += person_names(f"{person.get_role_display().lower()}'s name", person.name)
    return known


@dataclass(frozen=True)
class RedactedDocument(CopyDocument):
    """Everything a committee may read of one IAD or IRF, and nothing else."""

    member_sex: str
    incident_types: list[str]
    sentinel: bool
    outcome: str


def document_for(copy: RedactedCopy) -> RedactedDocument:
    """The committee's view of a copy. Needs the copy with its report, provider, plan and
    committee loaded, and the report's incident types prefetched."""
    report = copy.report
    return RedactedDocument(
        **document_fields(copy, report.occurred_at),
        member_sex=report.get_member_sex_display(),
        incident_types=[kind.name for kind in report.incident_types.all()],
        sentinel=report.sentinel,
        outcome=report.get_outcome_display(),
    )


def inbox_detail(copy: RedactedCopy) -> str:
    """The incident types, for the committee's inbox (prefetched with the copies)."""
    return ", ".join(kind.name for kind in copy.report.incident_types.all())
