"""The security scan reaches every report type's transitions: each gets the scan fixture that
puts its report back where the transition starts (tools/security)."""

import uuid

import pytest
from django.http import Http404
from django.test import RequestFactory

from portal.iad.tests.contract import CONTRACT
from portal.reports.types import registered
from tools.security.planted.reset import reset_for_transition
from tools.security.sqlmap_scan import Target, fixture_url

CODE = str(uuid.UUID(int=1))


def post(url: str) -> Target:
    return Target(None, "POST", url, url, {"reason": ""})


def test_every_transition_of_every_registered_type_gets_its_fixture() -> None:
    for rtype in registered():
        for step in rtype.transitions:
            url = f"/{rtype.slug}/reports/{CODE}/{step.name.replace('_', '-')}/"
            expected = f"/scan-fixture/{rtype.slug}/reports/{CODE}/{step.name.replace('_', '-')}/"
            assert fixture_url(post(url)) == expected
    assert fixture_url(post(f"/iad/reports/{CODE}/redaction/")) is None
    assert fixture_url(post(f"/iad/reports/{CODE}/draft/member/")) is None


@pytest.mark.django_db
def test_the_fixture_puts_a_report_back_where_its_transition_starts(personas) -> None:
    report = CONTRACT.make(
        "iad", "closed", organization=personas.provider, preparer=personas.provider_user
    )
    request = RequestFactory().get("/")
    reset_for_transition(request, slug="iad", code=str(report.code), transition="request-info")
    report.refresh_from_db()
    assert report.status == "in_review"
    with pytest.raises(Http404):
        reset_for_transition(request, slug="nope", code=str(report.code), transition="close")
