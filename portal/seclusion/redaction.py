"""What an oversight committee reads of an S&R report: the free text kept (with phrases
removed), the identifying values the tool looks for, and the document committee pages render.
Templates for committees get a `RedactedDocument`, never the report."""

import re
from dataclasses import dataclass

from portal.core.identifiers import Known
from portal.reports.redaction import (
    CopyDocument,
    birth_date,
    document_fields,
    member_names,
    person_names,
)

from .lists import minutes
from .models import RedactedCopy, Report

TEXT_FIELDS = {
    "emergency_situation": "The emergency safety situation",
    "less_restrictive_measures": "Less restrictive measures tried",
    "injury_description": "Injuries",
    "monitoring": "How the member was monitored",
}


def known_values(report: Report) -> list[Known]:
    """The report's own identifying values, for the tool to look for in every spelling."""
    known = [*member_names(report), Known("AHCCCS ID", report.member_id), *birth_date(report)]
    people = [
        report.authorized_by,
        report.reauthorized_by,
        report.face_to_face_by,
        *re.split(r"[,;\n]", report.debriefing_participants),
    ]
    for name in filter(None, (person.strip() for person in people)):
        known += person_names("staff member's name", name)
    return known


@dataclass(frozen=True)
class RedactedDocument(CopyDocument):
    """Everything a committee may read of one S&R report, and nothing else."""

    restraint_type: str
    minutes: str


def document_for(copy: RedactedCopy) -> RedactedDocument:
    """The committee's view of a copy (the copy with its report, provider, plan and committee
    loaded)."""
    report = copy.report
    return RedactedDocument(
        **document_fields(copy, report.started_at),
        restraint_type=report.get_restraint_type_display(),
        minutes=minutes(report),
    )


def inbox_detail(copy: RedactedCopy) -> str:
    return copy.report.get_restraint_type_display()
