"""Redacted copies (SPEC §3.4): made by redactors, released to the region's committee, read by
its members only, with no removed value anywhere a committee can reach."""

import io
import json
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from portal.accounts.services import grant_role
from portal.accounts.tests.factories import UserFactory
from portal.core.models import AuditEvent, OutboundEmail
from portal.core.workflow import TransitionRefused
from portal.iad.models import Addendum, PersonInvolved, RedactedCopy, Report
from portal.registry.models import Organization
from portal.registry.tests.factories import OrganizationFactory
from portal.reports.redaction import release_copy

from .factories import ReportFactory

pytestmark = pytest.mark.django_db
S = Report.Status

# Every value a committee must never read, as the report holds it or as the narrative writes it.
CANARIES = ["Quintero", "Rosa", "A10009999", "4/2/1980", "04/02/1980", "April 2, 1980",
            "Dan Reyes", "Reyes", "602-555-0100", "100 W. Washington Street", "520-555-0111",
            "blue house"]  # fmt: skip
NARRATIVE = (
    "Rosa Quintero (A10009999, born 4/2/1980) slipped near the blue house. Dan Reyes, on shift, "
    "called 602-555-0100. ROSA was seen at 100 W. Washington Street. Reyes stayed with her."
)


@pytest.fixture
def setup(actors):
    """A filed IAD of a central provider, the central and southern committees, a redactor at
    the member's plan and a member of each committee."""
    provider = actors.personas.provider
    provider.region = "central"
    provider.save()
    central = actors.personas.ioc_member.organization
    central.region = "central"
    central.save()
    south = OrganizationFactory(kind="ioc", identifier="IOC-S", npi="", region="south")
    report = ReportFactory(organization=provider, health_plan=actors.plan, status=S.SUBMITTED,
                           preparer=actors.submitter, member_id="A10009999",
                           member_birth_date=date(1980, 4, 2), narrative=NARRATIVE,
                           immediate_actions="Called Rosa's sister.")  # fmt: skip
    PersonInvolved.objects.create(report=report, role="staff", name="Dan Reyes", title="Aide")
    grant_role(actors.plan_reviewer, "iad.redactor", by=None)
    member = actors.personas.ioc_member
    grant_role(member, "ioc.member", by=None)
    member.email = "member@ioc.example"
    member.save()
    other_member = UserFactory(organization=south, email="south@ioc.example")
    grant_role(other_member, "ioc.member", by=None)
    return {"report": report, "central": central, "south": south, "member": member,
            "other_member": other_member, "redactor": actors.plan_reviewer}  # fmt: skip


def _redact(client, setup):
    report = setup["report"]
    client.force_login(setup["redactor"])
    client.post(f"/iad/reports/{report.code}/redaction/start/")
    return RedactedCopy.objects.get(report=report)


def _release(client, setup):
    """Redact with every suggestion and "blue house", then release to the central committee."""
    copy = _redact(client, setup)
    url = f"/iad/reports/{setup['report'].code}/redaction/"
    client.post(url, {"remove": copy.removed_phrases, "own_phrases": "blue house"})
    client.post(f"{url}release/", {"committee": setup["central"].pk, "reviewed": "on"})
    copy.refresh_from_db()
    assert copy.status == RedactedCopy.Status.RELEASED
    return copy


def test_only_redactors_who_see_a_filed_report_may_redact(client, actors, setup) -> None:
    report = setup["report"]
    url = f"/iad/reports/{report.code}/redaction/"
    for person in [actors.submitter, actors.director, actors.agency_reviewer,
                   actors.other_reviewer, actors.outsider, setup["member"]]:  # fmt: skip
        client.force_login(person)
        assert client.get(url).status_code == 404, person
        assert client.post(f"{url}start/").status_code == 404, person
    other_redactor = actors.other_reviewer
    grant_role(other_redactor, "iad.redactor", by=None)
    client.force_login(other_redactor)
    assert client.get(url).status_code == 404  # a plan the member is not enrolled in

    draft = ReportFactory(organization=report.organization, health_plan=actors.plan)
    client.force_login(setup["redactor"])
    assert client.get(f"/iad/reports/{draft.code}/redaction/").status_code == 404
    assert client.get(url).status_code == 200
    assert not RedactedCopy.objects.exists()  # looking changes nothing

    client.logout()
    assert client.get(url)["Location"].startswith("/sign-in/")


def test_the_copy_starts_with_every_suggestion_marked_once_however_many_clicks(
    client, setup
) -> None:
    report = setup["report"]
    client.force_login(setup["redactor"])
    start = f"/iad/reports/{report.code}/redaction/start/"
    assert client.post(start)["Location"] == f"/iad/reports/{report.code}/redaction/"
    client.post(start)
    copy = RedactedCopy.objects.get(report=report)
    for phrase in ["Rosa Quintero", "A10009999", "4/2/1980", "Dan Reyes", "Reyes",
                   "602-555-0100", "100 W. Washington Street"]:  # fmt: skip
        assert phrase in copy.removed_phrases, phrase
    assert "blue house" not in copy.removed_phrases  # no rule finds it: the redactor adds it
    assert AuditEvent.objects.filter(action="iad.copy_started").count() == 1
    assert Report.objects.get(pk=report.pk).narrative == NARRATIVE  # the original stays

    page = client.get(f"/iad/reports/{report.code}/redaction/").content.decode()
    assert "Quintero" not in page.split("Preview: the copy")[1]


def test_rejected_suggestions_stay_and_own_phrases_go(client, setup) -> None:
    copy = _redact(client, setup)
    url = f"/iad/reports/{setup['report'].code}/redaction/"
    kept = [p for p in copy.removed_phrases if p != "602-555-0100"]
    done = client.post(url, {"remove": kept, "own_phrases": "  blue   HOUSE \n\n"})
    assert done.status_code == 302
    copy.refresh_from_db()
    assert "602-555-0100" not in copy.removed_phrases and "blue HOUSE" in copy.removed_phrases
    narrative = copy.content["narrative"]
    assert "602-555-0100" in narrative and "blue house" not in narrative
    assert "Quintero" not in narrative and "[removed]" in narrative

    page = client.get(url)
    assert "blue HOUSE" in page.context["form"].initial["own_phrases"]
    assert "602-555-0100" not in page.context["form"].initial["remove"]


def test_a_phrase_not_in_the_report_is_named_and_nothing_changes(client, setup) -> None:
    copy = _redact(client, setup)
    before = (copy.removed_phrases, copy.content)
    url = f"/iad/reports/{setup['report'].code}/redaction/"
    refused = client.post(url, {"remove": copy.removed_phrases,
                                "own_phrases": "blue house\nJon Smiht\nx"})  # fmt: skip
    assert refused.status_code == 400
    page = refused.content.decode()
    assert "Give phrases of at least 2 characters" in page
    assert "Jon Smiht" in page  # what was typed stays in the box
    refused = client.post(url, {"remove": copy.removed_phrases, "own_phrases": "Jon Smiht"})
    assert "These do not appear in the report: \u201cJon Smiht\u201d" in refused.content.decode()
    copy.refresh_from_db()
    assert (copy.removed_phrases, copy.content) == before
    assert not AuditEvent.objects.filter(action="iad.copy_redacted").exists()


def test_a_phrase_first_suggested_after_the_last_save_starts_marked(client, setup) -> None:
    copy = _redact(client, setup)
    url = f"/iad/reports/{setup['report'].code}/redaction/"
    client.post(url, {"remove": copy.removed_phrases})
    Addendum.objects.create(report=setup["report"], author=setup["report"].preparer,
                            text="Her sister's number is 520-555-0111.")  # fmt: skip
    form = client.get(url).context["form"]
    assert "520-555-0111" in form.initial["remove"]


def test_release_goes_only_to_a_committee_of_the_region(client, setup) -> None:
    copy = _redact(client, setup)
    url = f"/iad/reports/{setup['report'].code}/redaction/release/"
    page = client.get(url)
    committees = list(page.context["form"].fields["committee"].queryset)
    assert committees == [setup["central"]]
    assert page.context["form"].initial["committee"] == setup["central"]

    refused = client.post(url, {"committee": setup["south"].pk, "reviewed": "on"})
    assert refused.status_code == 400
    assert "Choose one of the committees listed" in refused.content.decode()
    assert client.post(url, {}).status_code == 400
    unread = client.post(url, {"committee": setup["central"].pk})
    assert unread.status_code == 400
    assert "Confirm that you have read the copy as the committee will" in unread.content.decode()
    copy.refresh_from_db()
    assert copy.status == RedactedCopy.Status.DRAFT

    done = client.post(url, {"committee": setup["central"].pk, "reviewed": "on"})
    assert done["Location"] == f"/iad/copies/{copy.code}/"
    copy.refresh_from_db()
    assert (copy.status, copy.committee, copy.released_by) == (
        RedactedCopy.Status.RELEASED,
        setup["central"],
        setup["redactor"],
    )
    assert [e.to for e in OutboundEmail.objects.all()] == ["member@ioc.example"]

    again = client.post(url, {"committee": setup["central"].pk, "reviewed": "on"})
    assert again["Location"] == f"/iad/copies/{copy.code}/"
    assert AuditEvent.objects.filter(action="iad.copy_released").count() == 1
    frozen = client.post(f"/iad/reports/{setup['report'].code}/redaction/",
                         {"remove": [], "own_phrases": ""})  # fmt: skip
    assert frozen.status_code == 200
    assert RedactedCopy.objects.get(pk=copy.pk).removed_phrases == copy.removed_phrases


def test_without_a_region_every_active_committee_is_offered(client, setup) -> None:
    provider = setup["report"].organization
    provider.region = ""
    provider.save()
    Organization.objects.filter(pk=setup["south"].pk).update(status="inactive")
    _redact(client, setup)
    page = client.get(f"/iad/reports/{setup['report'].code}/redaction/release/")
    assert list(page.context["form"].fields["committee"].queryset) == [setup["central"]]


def test_committee_members_read_released_copies_of_their_committee_only(
    client, actors, setup
) -> None:
    copy = _redact(client, setup)
    member, report = setup["member"], setup["report"]
    client.force_login(member)
    assert client.get(f"/iad/copies/{copy.code}/").status_code == 404  # not released yet
    assert "Nothing has been released" in client.get("/ioc/").content.decode()

    _release(client, setup)
    client.force_login(member)
    assert client.get(f"/iad/copies/{copy.code}/").status_code == 200
    assert client.get(f"/iad/copies/{copy.code}/pdf/").status_code == 200
    assert f"/iad/copies/{copy.code}/" in client.get("/ioc/").content.decode()
    home = client.get("/").content.decode()
    assert "Reports released to your committee" in home and 'href="/ioc/"' in home
    for url in [f"/iad/reports/{report.code}/", f"/iad/reports/{report.code}/pdf/",
                "/iad/reports/", "/iad/reports/export/csv/", "/iad/reports/export/xlsx/",
                f"/iad/reports/{report.code}/redaction/"]:  # fmt: skip
        assert client.get(url).status_code == 404, url

    for person in [setup["other_member"], actors.submitter, actors.outsider]:
        client.force_login(person)
        assert client.get(f"/iad/copies/{copy.code}/").status_code == 404, person
        assert client.get(f"/iad/copies/{copy.code}/pdf/").status_code == 404, person
    client.force_login(setup["other_member"])
    assert f"/iad/copies/{copy.code}/" not in client.get("/ioc/").content.decode()
    client.force_login(actors.submitter)
    assert client.get("/ioc/").status_code == 404


def test_no_removed_value_reaches_a_committee(client, setup) -> None:
    copy = _release(client, setup)
    client.force_login(setup["member"])
    pages = [client.get(url).content.decode()
             for url in ["/ioc/", f"/iad/copies/{copy.code}/", "/"]]  # fmt: skip
    pdf = client.get(f"/iad/copies/{copy.code}/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "slipped near the" in text and "[removed]" in text  # the PDF holds the copy
    email = OutboundEmail.objects.get()
    audit = json.dumps([e.data for e in AuditEvent.objects.all()])
    for canary in CANARIES:
        for where, content in [
            ("page", "\n".join(pages)),
            ("pdf", text),
            ("email", email.text_body + email.html_body),
            ("audit", audit),
        ]:
            assert canary.casefold() not in content.casefold(), (canary, where)


def test_each_read_and_print_of_a_copy_is_audited_once(client, setup) -> None:
    copy = _release(client, setup)
    client.force_login(setup["member"])
    before = AuditEvent.objects.count()
    client.get(f"/iad/copies/{copy.code}/")
    client.get(f"/iad/copies/{copy.code}/pdf/")
    actions = list(AuditEvent.objects.order_by("pk")[before:].values_list("action", "target_id"))
    assert actions == [("iad.copy_viewed", str(copy.code)), ("iad.copy_printed", str(copy.code))]


def test_the_report_pdf_is_the_original_for_those_who_may_see_it(client, actors, setup) -> None:
    report = setup["report"]
    client.force_login(actors.plan_reviewer)
    before = AuditEvent.objects.count()
    pdf = client.get(f"/iad/reports/{report.code}/pdf/")
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("attachment;")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Quintero" in text and "A10009999" in text and "Dan Reyes" in text
    assert list(AuditEvent.objects.order_by("pk")[before:].values_list("action")) == [
        ("iad.printed",)
    ]
    for person in [actors.outsider, actors.other_reviewer]:
        client.force_login(person)
        assert client.get(f"/iad/reports/{report.code}/pdf/").status_code == 404


def test_the_committee_list_runs_the_same_queries_for_more_copies(client, setup) -> None:
    _release(client, setup)
    member = setup["member"]
    client.force_login(member)
    client.get("/ioc/")  # warm the session and role caches

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/ioc/").status_code == 200
        return len(captured)

    few = queries()
    for _ in range(4):
        extra = ReportFactory(organization=setup["report"].organization, status=S.CLOSED,
                              outcome="no_further_action")  # fmt: skip
        RedactedCopy.objects.create(report=extra, created_by=setup["redactor"],
                                    status="released", committee=setup["central"],
                                    released_at=extra.created_at)  # fmt: skip
    assert queries() == few


def test_the_committee_list_pages_with_previous_and_next_links(client, setup, monkeypatch) -> None:
    monkeypatch.setattr("portal.ioc.views.PAGE_SIZE", 1)
    _release(client, setup)
    extra = ReportFactory(organization=setup["report"].organization, status=S.CLOSED,
                          outcome="no_further_action")  # fmt: skip
    RedactedCopy.objects.create(
        report=extra, created_by=setup["redactor"], status="released",
        committee=setup["central"], released_at=extra.created_at,
    )  # fmt: skip
    client.force_login(setup["member"])
    first = client.get("/ioc/").content.decode()
    assert 'href="?page=2"' in first and "Previous page" not in first
    second = client.get("/ioc/?page=2").content.decode()
    assert 'href="?page=1"' in second and "Next page" not in second


def test_a_copy_saved_again_after_it_was_read_is_not_released(client, setup) -> None:
    copy = _redact(client, setup)
    url = f"/iad/reports/{setup['report'].code}/redaction/"
    page = client.get(f"{url}release/")
    seen = page.context["form"].initial["seen"]
    # Meanwhile, another tab saves the copy again: the text the redactor read changed.
    client.post(url, {"remove": copy.removed_phrases, "own_phrases": "blue house"})

    stale = {"committee": setup["central"].pk, "reviewed": "on", "seen": seen}
    refused = client.post(f"{url}release/", stale)

    assert refused.status_code == 400
    assert "saved again after you opened this page" in refused.content.decode()
    copy.refresh_from_db()
    assert copy.status == RedactedCopy.Status.DRAFT
    with pytest.raises(TransitionRefused, match="confirm"):
        release_copy(copy, setup["central"], by=setup["redactor"], reviewed=False)
