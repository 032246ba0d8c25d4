"""Who may take a transition beyond holding its role (SPEC §1.4), the same for every type."""

from typing import Any

from portal.core.workflow import Transition

from .types import type_of


def may_act(report: Any, user: Any, transition: Transition) -> bool:
    """A step of some kinds only applies to them; the filer's steps belong to the filing
    organization; the reviewer's to the member's health plan, or to any agency staff; a
    type's own sides decide the rest (`ReportType.sides`)."""
    if transition.kinds and report.kind not in transition.kinds:
        return False
    organization = user.organization
    if organization is None:
        return False
    if transition.side == "reviewer":
        return bool(organization.kind == "agency" or organization.pk == report.health_plan_id)
    if transition.side == "filer":
        return bool(organization.pk == report.organization_id)
    return type_of(report).sides[transition.side](report, user)
