"""What a case's page shows besides the case (`ReportType.page_context`): its record requests
with their answers and files, whether this person may send one, and the incident report it was
referred from; and on that report's page, the case."""

from typing import Any

from django.db.models import prefetch_related_objects
from django.urls import reverse

from portal.core.compiled import related_objects
from portal.reports.types import get
from portal.reports.visibility import visible_reports

from .models import Case
from .requests import may_request


def case_page_context(case: Case, user: Any) -> dict[str, Any]:
    # Compiled once (ADR 0030); most cases have no request, and then no files are looked for.
    requests = related_objects(case, "record_requests", "provider", "requested_by", "answered_by")
    prefetch_related_objects(requests, "files")
    context = {
        "record_requests": requests,
        "may_request": may_request(case, user),
        "referral_url": "",
    }
    referred = case.referred_from
    if referred is not None and visible_reports(get("iad"), user).filter(pk=referred.pk).exists():
        context["referral_url"] = reverse("iad:report", kwargs={"code": referred.code})
    return context


def referred_case(report: Any, user: Any) -> dict[str, Any]:
    """For an incident report's page: the quality-of-care case it was referred to, when this
    person may see it."""
    if report.outcome != "referred_qoc":
        return {}
    case = visible_reports(get("qoc"), user).filter(referred_from=report).first()
    return {"qoc_case": case}
