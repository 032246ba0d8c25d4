"""Who hears of each hand-off (SPEC §3.3: "notifies the people who must act next").

The e-mail says only that a report waits and links to it: no member or event detail (PHI).
"""

from django.db.models import QuerySet
from django.urls import reverse

from portal.accounts.models import User
from portal.core.emails import queue_email
from portal.registry.models import Organization

from .models import RedactedCopy, Report, ReportEvent

WHAT = {
    "submit": "An incident report from your organization is waiting for your approval.",
    "resubmit": "A returned incident report was corrected and waits for your approval again.",
    "approve": "An incident report about a member of your health plan is ready for review.",
    "file": "An incident report form about a member of your health plan is ready for review.",
    "return": "Your incident report was returned to you with a reason. Correct it and submit "
    "it again.",
    "request_info": "A reviewer asks for more information about your incident report.",
    "respond": "The reporter answered your request for information about an incident report.",
    "close": "The review of your incident report is closed.",
}


def holding(role: str, organization_id: int | None) -> QuerySet[User]:
    if organization_id is None:
        return User.objects.none()
    return User.objects.filter(
        organization__pk=organization_id, status=User.Status.ACTIVE, role_grants__role=role
    ).exclude(email="")


def recipients(report: Report, transition: str) -> list[User]:
    if transition in {"submit", "resubmit"}:
        return list(holding("iad.clinical_director", report.organization_id))
    if transition in {"approve", "file"}:
        # The member's plan reviews; the agency's reviewers hear of it only when that plan has
        # nobody to review it.
        plan = list(holding("iad.reviewer", report.health_plan_id))
        return plan or list(
            User.objects.filter(organization__kind="agency", status=User.Status.ACTIVE,
                                role_grants__role="iad.reviewer").exclude(email="")
        )  # fmt: skip
    if transition == "respond":
        asked = (ReportEvent.objects.filter(report=report, transition="request_info")
                 .select_related("actor").last())  # fmt: skip
        return [asked.actor] if asked and asked.actor.email else []
    if transition in {"return", "request_info", "close"}:
        return [report.preparer] if report.preparer.email else []
    return []


def notify_next(report: Report, transition: str) -> None:
    """Queue one e-mail per person who must act next (inside the caller's transaction)."""
    if transition not in WHAT:
        return
    link = reverse("iad:report", kwargs={"code": report.code})
    for person in {user.pk: user for user in recipients(report, transition)}.values():
        queue_email("iad_action_needed", person.email,
                    {"person": person, "what": WHAT[transition], "link": link})  # fmt: skip


def notify_committee(copy: RedactedCopy, committee: Organization) -> None:
    """Tell the committee's members a redacted report was released to them."""
    link = reverse("iad:copy", kwargs={"code": copy.code})
    what = "A redacted incident report was released to your oversight committee."
    for person in holding("ioc.member", committee.pk):
        queue_email("iad_action_needed", person.email, {"person": person, "what": what,
                                                         "link": link})  # fmt: skip
