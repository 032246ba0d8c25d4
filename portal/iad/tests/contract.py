"""IAD-IRF's part in the report kit's contract tests (`portal/reports/tests/test_contract.py`)."""

from typing import Any

from portal.iad.models import IncidentType, PersonInvolved, Report
from portal.reports.testing import Contract

from .factories import ReportFactory


def make(kind: str, status: str, **about: Any) -> Report:
    """A complete report: the factory's fields and one incident type."""
    outcome = "no_further_action" if status == Report.Status.CLOSED else ""
    report = ReportFactory(kind=kind, status=status, outcome=outcome, **about)
    report.incident_types.add(IncidentType.objects.get_or_create(name="Fall")[0])
    return report


CONTRACT = Contract(
    make=make,
    roles={
        "filer": ("iad.submitter",),
        "approver": ("iad.clinical_director",),
        "reviewer": ("iad.reviewer",),
        "redactor": ("iad.redactor",),
    },
    provider_kind="iad",
    review_step="close",
    text_field="narrative",
    add_item=lambda report: PersonInvolved.objects.create(report=report, role="staff", name="Al"),
)
