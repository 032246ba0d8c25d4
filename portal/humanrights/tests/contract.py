"""OHR's part in the report kit's contract tests (`portal/reports/tests/test_contract.py`): the
member's plan files and reads, the agency's OHR staff decide (Part B)."""

import dataclasses
from typing import Any

from portal.reports.testing import Contract, add_history_row

from .factories import PART_B, make, part_c


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
    add_item=add_history_row,
    facts=facts,
)

# A plan notifies OHR about its own member too: its people see the draft, OHR decides.
MORE_CONTRACTS = [dataclasses.replace(CONTRACT, filer_side="plan")]
