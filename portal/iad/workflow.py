"""The IAD and IRF workflow table (SPEC §3.3), run by the core engine."""

from typing import Any

from portal.core.workflow import Transition, Workflow

from .models import Report, ReportEvent

S = Report.Status


def _t(name: str, label: str, sources: set[str], target: str, roles: set[str], done: str,
       *, needs_reason: bool = False) -> Transition:  # fmt: skip
    return Transition(name, label, frozenset(sources), target, frozenset(roles), done,
                      needs_reason)  # fmt: skip


FILERS = {"iad.submitter", "irf.submitter"}
TRANSITIONS = [
    _t("submit", "Submit for approval", {S.DRAFT}, S.AWAITING_APPROVAL, {"iad.submitter"},
       "submitted"),
    _t("file", "Submit", {S.DRAFT}, S.SUBMITTED, {"irf.submitter"}, "submitted"),
    _t("approve", "Approve", {S.AWAITING_APPROVAL}, S.SUBMITTED, {"iad.clinical_director"},
       "approved"),
    _t("return", "Return to the preparer", {S.AWAITING_APPROVAL}, S.RETURNED,
       {"iad.clinical_director"}, "returned", needs_reason=True),
    _t("resubmit", "Submit again for approval", {S.RETURNED}, S.AWAITING_APPROVAL,
       {"iad.submitter"}, "resubmitted"),
    _t("start_review", "Start review", {S.SUBMITTED}, S.IN_REVIEW, {"iad.reviewer"},
       "review_started"),
    _t("request_info", "Ask the reporter for information", {S.IN_REVIEW}, S.INFO_REQUESTED,
       {"iad.reviewer"}, "info_requested", needs_reason=True),
    _t("respond", "Send the information", {S.INFO_REQUESTED}, S.IN_REVIEW, FILERS,
       "responded", needs_reason=True),
    _t("close", "Close the review", {S.IN_REVIEW}, S.CLOSED, {"iad.reviewer"}, "closed"),
]  # fmt: skip

IAD_ONLY = {"submit", "approve", "return", "resubmit"}
IRF_ONLY = {"file"}
REVIEW = {"start_review", "request_info", "close"}


def may_act(report: Report, user: Any, transition: Transition) -> bool:
    """Beyond the role: filers act on their own organization's reports; reviewers on reports
    about members of their health plan, or any as agency staff (SPEC §1.4)."""
    if transition.name in IAD_ONLY and report.kind != Report.Kind.IAD:
        return False
    if transition.name in IRF_ONLY and report.kind != Report.Kind.IRF:
        return False
    organization = user.organization
    if organization is None:
        return False
    if transition.name in REVIEW:
        return bool(organization.kind == "agency" or organization.pk == report.health_plan_id)
    return bool(organization.pk == report.organization_id)


REPORT_WORKFLOW = Workflow(
    audit_noun="iad",
    history_model=ReportEvent,
    transitions=TRANSITIONS,
    guard=may_act,
    status_labels=dict(Report.Status.choices),
)
