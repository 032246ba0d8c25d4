"""Record requests (SPEC §4, issue #16 item 4): sent by the investigator during the
investigation, read and answered once by the provider with files, refused once the case is
closed; the provider never sees who raised the concern; home counts and reminders."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from portal.core.models import AuditEvent, OutboundEmail
from portal.core.tests.sample_files import pdf
from portal.core.workflow import TransitionRefused
from portal.qoc import requests
from portal.qoc.forms import default_due_day
from portal.qoc.models import Case, RecordFile, RecordRequest
from portal.reports import services
from portal.reports.testing import no_queries_while_rendering

from .factories import days_from_today, make

pytestmark = pytest.mark.django_db
S = Case.Status


@pytest.fixture(autouse=True)
def _files_folder(settings, tmp_path) -> None:
    settings.ATTACHMENTS_ROOT = tmp_path


def investigation(actors, **fields) -> Case:
    about = {
        "organization": actors.plan,
        "health_plan": actors.plan,
        "provider": actors.provider,
        "preparer": actors.recorder,
        "investigator": actors.investigator,
    }
    return make("qoc", S.INVESTIGATING, **(about | fields))


def ask(actors, case: Case, **more) -> RecordRequest:
    return requests.send_record_request(
        case,
        provider=actors.provider,
        asked="Progress notes for March.",
        due_on=more.pop("due_on", days_from_today(10)),
        by=more.pop("by", actors.investigator),
    )


def test_the_investigator_sends_a_request_from_the_case_page(client, actors) -> None:
    case = investigation(actors)
    client.force_login(actors.investigator)
    page = client.get(f"/qoc/reports/{case.code}/").content.decode()
    assert f"/qoc/cases/{case.code}/record-requests/new/" in page
    form = client.get(f"/qoc/cases/{case.code}/record-requests/new/")
    assert form.status_code == 200
    typed = {"provider": str(actors.provider.pk), "asked": "Notes.", "due_on": ""}
    refused = client.post(f"/qoc/cases/{case.code}/record-requests/new/", typed)
    assert refused.status_code == 400 and "Enter the due day" in refused.content.decode()
    assert "Notes." in refused.content.decode()
    typed["due_on"] = days_from_today(5).isoformat()
    sent = client.post(f"/qoc/cases/{case.code}/record-requests/new/", typed)
    assert sent.status_code == 302
    made = RecordRequest.objects.get(case=case)
    assert (made.provider, made.due_on) == (actors.provider, days_from_today(5))
    [mail] = OutboundEmail.objects.filter(to=actors.provider_user.email)
    assert f"/qoc/requests/{made.code}/" in mail.text_body
    assert "Whitfield" not in mail.text_body and "Benally" not in mail.text_body


def test_the_default_due_day_is_the_configured_business_days_away(client, actors, settings) -> None:
    settings.QOC_RECORD_REQUEST_DAYS = 3
    case = investigation(actors)
    client.force_login(actors.investigator)
    page = client.get(f"/qoc/cases/{case.code}/record-requests/new/").content.decode()
    due = default_due_day()
    assert 3 <= (due - timezone.localdate()).days <= 3 + 9  # weekends and holidays skipped
    assert f'value="{due.isoformat()}"' in page


def test_requests_are_sent_only_during_the_investigation_by_its_investigator(actors) -> None:
    with pytest.raises(TransitionRefused):
        ask(actors, investigation(actors), by=actors.colleague)
    with pytest.raises(TransitionRefused):
        ask(actors, make("qoc", S.RECEIVED, health_plan=actors.plan, provider=actors.provider))
    with pytest.raises(ValidationError, match="due_on"):
        ask(actors, investigation(actors), due_on=timezone.localdate())
    with pytest.raises(ValidationError, match="provider"):
        requests.send_record_request(
            investigation(actors),
            provider=actors.other_provider.organization,
            asked="Notes.",
            due_on=days_from_today(3),
            by=actors.investigator,
        )
    assert RecordRequest.objects.count() == 0


def test_the_provider_reads_the_request_but_never_who_raised_the_concern(client, actors) -> None:
    asked = ask(actors, investigation(actors))
    client.force_login(actors.provider_user)
    inbox = client.get("/qoc/requests/").content.decode()
    assert f"/qoc/requests/{asked.code}/" in inbox
    page = client.get(f"/qoc/requests/{asked.code}/").content.decode()
    assert "Progress notes for March." in page and "Whitfield" in page
    assert "Rosa Benally" not in page and "(928) 555-0110" not in page
    assert "evening medication" not in page  # the concern itself stays with the investigation
    read = AuditEvent.objects.filter(action="qoc.record_request_viewed").get()
    assert read.data == {"request": str(asked.code)}
    client.force_login(actors.other_provider)
    assert client.get(f"/qoc/requests/{asked.code}/").status_code == 404


def test_the_provider_answers_with_a_file_that_the_investigator_downloads(client, actors) -> None:
    asked = ask(actors, investigation(actors))
    client.force_login(actors.provider_user)
    upload = SimpleUploadedFile("notes.pdf", pdf(), content_type="application/pdf")
    answer = client.post(
        f"/qoc/requests/{asked.code}/", {"answer": "Here they are.", "attachments": [upload]}
    )
    assert answer.status_code == 302
    asked.refresh_from_db()
    assert asked.answer == "Here they are." and asked.answered_by == actors.provider_user
    sent = RecordFile.objects.get(request=asked)
    assert OutboundEmail.objects.filter(to=actors.investigator.email).count() == 1
    client.force_login(actors.investigator)
    with no_queries_while_rendering():  # the requests and their files are read by the view
        case_page = client.get(f"/qoc/reports/{asked.case.code}/").content.decode()
    link = f"/qoc/requests/{asked.code}/files/{sent.code}/"
    assert link in case_page and "Here they are." in case_page
    download = client.get(link)
    assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF")
    client.force_login(actors.other_plan)
    assert client.get(link).status_code == 404


def test_an_answer_without_words_or_with_a_bad_file_is_refused_and_nothing_is_kept(
    client, actors
) -> None:
    asked = ask(actors, investigation(actors))
    client.force_login(actors.provider_user)
    empty = client.post(f"/qoc/requests/{asked.code}/", {"answer": ""})
    assert empty.status_code == 400 and "Type your answer" in empty.content.decode()
    fake = SimpleUploadedFile("notes.pdf", b"MZ not a pdf", content_type="application/pdf")
    bad = client.post(f"/qoc/requests/{asked.code}/", {"answer": "Kept.", "attachments": [fake]})
    assert bad.status_code == 400 and "Kept." in bad.content.decode()
    asked.refresh_from_db()
    assert asked.answered_at is None and RecordFile.objects.count() == 0


def test_an_answer_after_the_case_was_closed_is_refused_clearly(client, actors, tmp_path) -> None:
    case = investigation(actors)
    asked = ask(actors, case)
    services.take_transition(case, "determine", by=actors.investigator, choice="unable", reason="-")
    services.take_transition(case, "close", by=actors.investigator)
    client.force_login(actors.provider_user)
    page = client.get(f"/qoc/requests/{asked.code}/").content.decode()
    assert "no longer takes answers" in page and 'name="answer"' not in page
    upload = SimpleUploadedFile("notes.pdf", pdf(), content_type="application/pdf")
    with pytest.raises(TransitionRefused, match=r"was closed on .* no longer takes answers"):
        requests.answer_record_request(
            asked, answer="Late.", files=[upload], by=actors.provider_user
        )
    asked.refresh_from_db()
    assert asked.answered_at is None and RecordFile.objects.count() == 0
    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []  # no file stays


def test_a_request_is_answered_once(actors) -> None:
    asked = ask(actors, investigation(actors))
    requests.answer_record_request(asked, answer="First.", files=[], by=actors.provider_user)
    with pytest.raises(TransitionRefused, match="already answered"):
        requests.answer_record_request(asked, answer="Second.", files=[], by=actors.provider_user)
    asked.refresh_from_db()
    assert asked.answer == "First."


# --- Home and reminders --------------------------------------------------------------------------


def home_items(client, user) -> dict[str, int]:
    client.force_login(user)
    items = client.get("/").context["waiting"]
    return {item.label: (item.count, item.overdue) for item in items}


def test_overdue_requests_are_flagged_to_the_investigator_and_shown_to_the_provider(
    client, actors
) -> None:
    late = ask(actors, investigation(actors))
    RecordRequest.objects.filter(pk=late.pk).update(due_on=timezone.localdate() - timedelta(days=2))
    ask(actors, investigation(actors))
    investigator = home_items(client, actors.investigator)
    assert investigator["Record requests past due on your investigations"] == (1, 1)
    provider = home_items(client, actors.provider_user)
    assert provider["Record requests to answer for Quality of Care"] == (2, 1)
    client.force_login(actors.investigator)
    page = client.get(f"/qoc/reports/{late.case.code}/").content.decode()
    assert "Overdue" in page


def test_home_pages_keep_their_query_counts_as_requests_grow(client, actors) -> None:
    def count(user) -> int:
        client.force_login(user)
        client.get("/")
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/").status_code == 200
        return len(captured)

    ask(actors, investigation(actors))
    few = (count(actors.investigator), count(actors.provider_user))
    for _ in range(3):
        ask(actors, investigation(actors))
    assert (count(actors.investigator), count(actors.provider_user)) == few


def test_the_case_page_keeps_its_query_count_as_answered_requests_grow(client, actors) -> None:
    case = investigation(actors)
    client.force_login(actors.investigator)

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/qoc/reports/{case.code}/").status_code == 200
        return len(captured)

    def answered() -> None:
        asked = ask(actors, case)
        upload = SimpleUploadedFile("notes.pdf", pdf(), content_type="application/pdf")
        requests.answer_record_request(
            asked, answer="Here.", files=[upload], by=actors.provider_user
        )

    answered()
    count()  # the session's first request reads more
    one = count()
    answered()
    answered()
    assert count() == one


def test_reminders_go_before_the_due_day_and_weekly_while_late(actors) -> None:
    soon = ask(actors, investigation(actors), due_on=days_from_today(1))
    late = ask(actors, investigation(actors))
    RecordRequest.objects.filter(pk=late.pk).update(due_on=days_from_today(-3))
    ask(actors, investigation(actors))  # due in 10 days: not yet
    OutboundEmail.objects.all().delete()
    out = StringIO()
    call_command("send_due_reminders", stdout=out)
    call_command("send_due_reminders", stdout=StringIO())
    assert "2 record requests due or late" in out.getvalue()
    to_provider = OutboundEmail.objects.filter(to=actors.provider_user.email)
    assert to_provider.count() == 2
    assert OutboundEmail.objects.filter(to=actors.investigator.email).count() == 1  # the late one
    assert {r.reminded_on for r in RecordRequest.objects.filter(pk__in=[soon.pk, late.pk])} == {
        timezone.localdate()
    }
    RecordRequest.objects.filter(pk=late.pk).update(reminded_on=days_from_today(-7))
    again = StringIO()
    call_command("send_due_reminders", stdout=again)
    assert "1 record requests due or late" in again.getvalue()
