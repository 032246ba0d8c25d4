"""What an oversight committee reads of an S&R report: the free text kept (with phrases
removed), the identifying values the tool looks for, and the document committee pages render.
Templates for committees get a `RedactedDocument`, never the report."""

import re
from dataclasses import dataclass

from django.utils import timezone

from portal.reports.redaction import (
    birth_date_forms,
    kept_texts,
    member_age,
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


def known_values(report: Report) -> list[tuple[str, str]]:
    """The report's own identifying values, as (why, value)."""
    known = [*member_names(report), ("AHCCCS ID", report.member_id)]
    known += [("date of birth", form) for form in birth_date_forms(report)]
    people = [
        report.authorized_by,
        report.reauthorized_by,
        report.face_to_face_by,
        *re.split(r"[,;\n]", report.debriefing_participants),
    ]
    for name in filter(None, (person.strip() for person in people)):
        known += person_names("staff member's name", name)
    return [(reason, value) for reason, value in known if value.strip(" ,")]


@dataclass(frozen=True)
class RedactedDocument:
    """Everything a committee may read of one S&R report, and nothing else."""

    code: str
    kind: str
    released_at: object
    committee: str
    provider: str
    health_plan: str
    category: str
    member_age: str
    month: str
    restraint_type: str
    minutes: str
    injuries: str
    status: str
    texts: list[tuple[str, str]]
    addenda: list[str]


def document_for(copy: RedactedCopy) -> RedactedDocument:
    """The committee's view of a copy (the copy with its report, provider, plan and committee
    loaded)."""
    report = copy.report
    started = timezone.localtime(report.started_at) if report.started_at else None
    return RedactedDocument(
        code=str(copy.code),
        kind=report.get_kind_display(),
        released_at=copy.released_at,
        committee=copy.committee.name if copy.committee else "",
        provider=report.provider.name if report.provider else "",
        health_plan=report.health_plan.name if report.health_plan else "",
        category=report.get_category_display(),
        member_age=member_age(report, report.started_at),
        month=f"{started:%B %Y}" if started else "Not given",
        restraint_type=report.get_restraint_type_display(),
        minutes=minutes(report),
        injuries={True: "Yes", False: "No", None: "Not given"}[report.injuries],
        status=report.get_status_display(),
        texts=kept_texts(copy),
        addenda=[str(text) for text in copy.content.get("addenda", [])],
    )


def inbox_detail(copy: RedactedCopy) -> str:
    return copy.report.get_restraint_type_display()
