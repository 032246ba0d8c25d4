"""An incident report closed as "referred to Quality of Care" opens a case about the same
member and provider (SPEC §3.3), in the transaction that closes it: either both happen or
neither. The case starts at triage, which gives its category and severity."""

from typing import Any

from django.urls import reverse
from django.utils import timezone

from portal.core import audit
from portal.reports.notifications import tell

from .models import Case
from .people import triagers


def refer_if_chosen(report: Any, by: Any) -> None:
    """`Transition.then` of the IAD review's close: open the linked case when the outcome
    refers the report to Quality of Care (once: a report is closed once)."""
    if report.outcome != "referred_qoc":
        return
    case = Case.objects.create(
        status=Case.Status.RECEIVED,
        organization=by.organization,
        preparer=by,
        source=Case.Source.REFERRAL,
        referred_from=report,
        received_on=timezone.localdate(),
        submitted_at=timezone.now(),
        member_id=report.member_id,
        member_last_name=report.member_last_name,
        member_first_name=report.member_first_name,
        member_birth_date=report.member_birth_date,
        health_plan_id=report.health_plan_id,
        provider_id=report.provider_id,
        description=f"Referred by the review of {report}.",
    )
    audit.record(
        "qoc.referred", actor=by, target=case, data={"from": str(report.code), "kind": report.kind}
    )
    link = reverse("qoc:report", kwargs={"code": case.code})
    tell(
        triagers(case),
        "A quality-of-care case referred by an incident review waits for triage.",
        link,
    )
