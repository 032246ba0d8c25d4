"""S&R's part in the report kit's contract tests (`portal/reports/tests/test_contract.py`)."""

from portal.reports.testing import Contract
from portal.seclusion.models import ReportEvent

from .factories import ReportFactory


def _history(report) -> None:
    ReportEvent.objects.create(
        report=report,
        actor=report.preparer,
        transition="submit",
        from_status="draft",
        to_status="submitted",
    )


CONTRACT = Contract(
    make=lambda kind, status, **about: ReportFactory(kind=kind, status=status, **about),
    roles={
        "filer": ("sr.submitter",),
        "approver": (),
        "reviewer": ("sr.reviewer",),
        "redactor": ("sr.reviewer",),
    },
    provider_kind="sr",
    review_step="return",
    text_field="emergency_situation",
    add_item=_history,
)
