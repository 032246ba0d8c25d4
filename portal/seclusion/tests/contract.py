"""S&R's part in the report kit's contract tests (`portal/reports/tests/test_contract.py`)."""

from portal.reports.testing import Contract, add_history_row

from .factories import ReportFactory

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
    add_item=add_history_row,
)
