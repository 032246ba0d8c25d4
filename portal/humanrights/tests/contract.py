"""OHR's part in the report kit's contract tests (`portal/reports/tests/test_contract.py`): the
member's plan files and reads, the agency's OHR staff decide (Part B)."""

from typing import Any

from portal.humanrights.models import ReportEvent
from portal.reports.testing import Contract

from .factories import PART_B, make, part_c


def _history(report) -> None:
    ReportEvent.objects.create(
        report=report,
        actor=report.preparer,
        transition="submit",
        from_status="draft",
        to_status="submitted",
    )


def facts(report: Any, step: str) -> dict[str, Any]:
    return {"accept": PART_B, "end": part_c()}.get(step, {})


CONTRACT = Contract(
    make=make,
    roles={
        "filer": ("ohr.submitter",),
        "approver": (),
        "reviewer": ("ohr.staff",),
        "redactor": (),
        "plan": ("ohr.submitter",),
    },
    provider_kind="ohr",
    review_step="decline",
    text_field="clinical_basis",
    add_item=_history,
    facts=facts,
)
