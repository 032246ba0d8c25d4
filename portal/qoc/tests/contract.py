"""Quality of Care's part in the report kit's contract tests (`portal/reports/tests/
test_contract.py`): the member's plan records and investigates its cases, the agency's managers
work every case; the investigation's steps are the owner's investigators' while nobody is
assigned (the contract's cases have none), and a corrective action plan is answered by the
provider asked for it (none of the contract's people)."""

from typing import Any

from portal.qoc.people import investigators
from portal.reports.testing import Contract, add_history_row

from .factories import cap_facts, make


def facts(case: Any, step: str) -> dict[str, Any]:
    triage = {"topic": case.topic, "severity": case.severity}
    someone = investigators(case).exclude(pk=case.investigator_id).first()
    return {
        "not_quality": triage,
        "investigate": {**triage, "investigator": someone},
        "reassign": {"investigator": someone},
        "require_cap": cap_facts(case),
        "return_cap": {"cap_due_on": cap_facts(case)["cap_due_on"]},
    }.get(step, {})


CONTRACT = Contract(
    make=make,
    roles={
        "filer": ("qoc.submitter",),
        "approver": (),
        "reviewer": ("qoc.investigator", "qoc.manager"),
        "redactor": (),
        "plan": ("qoc.submitter", "qoc.investigator"),
    },
    provider_kind="qoc",
    review_step="not_quality",
    text_field="description",
    add_item=add_history_row,
    facts=facts,
    filer_side="plan",
    sides={
        "investigator": frozenset({"plan_reviewer", "agency_reviewer"}),
        "provider": frozenset(),
    },
)
