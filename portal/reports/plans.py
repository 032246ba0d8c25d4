"""The member's health plan, whose people see a report once it is filed (`visibility.py`):
the plans a filer names without a second thought, and the words when another plan is named
(ADR 0022). The member page offers a filer's own plans first; the service asks for and records
the confirmation of any other."""

from typing import Any

from django.core.exceptions import ValidationError

from portal.registry.models import Organization
from portal.registry.services import PLAN_KINDS

from .types import type_of


def own_plans(organization: Organization | None) -> set[int] | None:
    """The plans a filer names without confirming: a provider's contracted plans, a plan's (or
    TRBHA's) own self. None for AHCCCS or an external agency, which name every plan alike."""
    if organization is None:
        return None
    if organization.kind == Organization.Kind.PROVIDER:
        return set(organization.contracted_plans.values_list("pk", flat=True))
    if organization.kind in PLAN_KINDS:
        return {organization.pk}
    return None


def outside_own_plans(filer: Organization, plan: Organization | None) -> bool:
    """Whether naming `plan` needs the filer's confirmation (see `own_plans`)."""
    own = own_plans(filer)
    return plan is not None and own is not None and plan.pk not in own


def plan_not_confirmed(report: Any, plan: Organization) -> ValidationError:
    """The refusal of a plan outside the filer's own that was not confirmed, beside the check box
    whose label says who will see the report."""
    noun = type_of(report).short_noun
    if report.organization.kind == Organization.Kind.PROVIDER:
        why = f"Your organization has no contract with {plan.name}"
        instead = "a plan your organization is contracted with"
    else:
        why, instead = f"{plan.name} is not your organization", "your own organization"
    return ValidationError(
        {"plan_confirmed": f"{why}: tick the box to send this {noun} to it, or choose {instead}"}
    )


def who_will_see(report: Any, plan: Organization) -> str:
    """Who will see the report, in the check box's words ("Saguaro Health Plan will see this
    report once it is submitted, and your organization has no contract with it")."""
    rtype = type_of(report)
    when = "" if rtype.filed(report) else " once it is submitted"
    if report.organization.kind == Organization.Kind.PROVIDER:
        why = "your organization has no contract with it"
    else:
        why = "it is not your organization"
    return f"{plan.name} will see this {rtype.short_noun}{when}, and {why}"
