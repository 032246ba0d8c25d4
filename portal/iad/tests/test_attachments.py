"""Attachments (SPEC §3.1): added and removed by the filer on a draft, checked by content, kept
outside the web root, downloaded only by those who may see the report, every step audited."""

import hashlib
import json
import os
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from portal.core import uploads
from portal.core.models import AuditEvent
from portal.core.tests import sample_files as files
from portal.core.workflow import TransitionRefused
from portal.iad.models import Attachment, Report
from portal.reports import attachments as services

from .factories import ReportFactory

pytestmark = pytest.mark.django_db
S = Report.Status


@pytest.fixture(autouse=True)
def root(settings, tmp_path) -> Path:
    settings.ATTACHMENTS_ROOT = tmp_path / "attachments"
    return settings.ATTACHMENTS_ROOT


def report(actors, status: str = S.DRAFT) -> Report:
    return ReportFactory(organization=actors.personas.provider, health_plan=actors.plan,
                         preparer=actors.submitter, status=status)  # fmt: skip


@pytest.fixture
def draft(actors) -> Report:
    return report(actors)


def page(draft: Report) -> str:
    return f"/iad/reports/{draft.code}/draft/attachments/"


def download(attachment: Attachment) -> str:
    return f"/iad/reports/{attachment.report.code}/attachments/{attachment.code}/"


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type)


def attach(actors, to: Report, content: bytes | None = None, name: str = "scan.pdf") -> Attachment:
    """An attachment added the normal way, through the service."""
    content = files.pdf() if content is None else content
    return services.add_attachment(to, upload(name, content), by=actors.submitter)


def stored_files(root: Path) -> list[str]:
    return os.listdir(root) if root.exists() else []


def events(action: str):
    return AuditEvent.objects.filter(action=action)


SCRIPTED_PDF = files.pdf_by_hand(b"/OpenAction << /S /JavaScript /JS (app.alert\\(1\\)) >>")


@pytest.mark.parametrize(
    ("content", "content_type", "shown", "extension"),
    [(files.png(), "image/png", "PNG", ".png"), (files.jpeg(), "image/jpeg", "JPEG", ".jpg"),
     (files.pdf(), "application/pdf", "PDF", ".pdf")],
)  # fmt: skip
def test_each_accepted_type_is_stored_and_downloaded_unchanged(
    client, actors, draft, root, content, content_type, shown, extension
) -> None:
    client.force_login(actors.submitter)

    response = client.post(page(draft), {"add": "1", "file": upload("Wrist ñ.bin", content)})

    assert response.status_code == 302 and response["Location"] == page(draft)
    attachment = Attachment.objects.get()
    stored_as = (attachment.report, attachment.name, attachment.uploaded_by)
    assert stored_as == (draft, f"Wrist ñ{extension}", actors.submitter)
    assert attachment.content_type == content_type and attachment.size == len(content)
    assert attachment.sha256 == hashlib.sha256(content).hexdigest()
    stored = uploads.stored_path(attachment.stored_name)
    assert stored_files(root) == [attachment.stored_name] and stored.read_bytes() == content
    listing = client.get(page(draft)).content.decode()
    assert f"Wrist ñ{extension}" in listing and f">{shown}<" in listing

    served = client.get(download(attachment))

    body = b"".join(served.streaming_content)
    assert served.status_code == 200 and body == content
    assert hashlib.sha256(body).hexdigest() == attachment.sha256
    assert served["Content-Type"] == content_type
    assert served["Content-Disposition"].endswith(f"''Wrist%20%C3%B1{extension}")


def test_a_polyglot_named_html_is_kept_and_served_as_the_pdf_it_is(client, actors, draft):
    client.force_login(actors.submitter)

    client.post(page(draft), {"add": "1", "file": upload("poly.html", files.POLYGLOT, "text/html")})

    attachment = Attachment.objects.get()
    assert (attachment.name, attachment.content_type) == ("poly.pdf", "application/pdf")
    assert "poly.pdf" in client.get(page(draft)).content.decode()
    served = client.get(download(attachment))
    assert served["Content-Type"] == "application/pdf"
    assert served["Content-Disposition"] == (
        "attachment; filename=\"poly.pdf\"; filename*=UTF-8''poly.pdf"
    )
    assert b"".join(served.streaming_content) == files.POLYGLOT


def test_a_right_to_left_override_cannot_disguise_what_a_download_is(client, actors, draft):
    attachment = attach(actors, draft, files.png(), name="evil\u202egnp.exe")
    client.force_login(actors.submitter)

    served = client.get(download(attachment))

    header = served["Content-Disposition"]
    assert served.status_code == 200 and attachment.name == "evilgnp.png"
    assert header == "attachment; filename=\"evilgnp.png\"; filename*=UTF-8''evilgnp.png"
    assert "\u202e" not in header and "%E2%80%AE" not in header


def test_a_file_kept_under_another_extension_still_downloads_as_its_type(client, actors):
    # Stored before names followed the content: the name is kept, the download is named again.
    submitted = report(actors, S.SUBMITTED)
    attachment = Attachment.objects.create(
        report=submitted,
        name="poly.html",
        content_type="application/pdf",
        size=len(files.POLYGLOT),
        sha256=hashlib.sha256(files.POLYGLOT).hexdigest(),
        stored_name=uploads.store(files.POLYGLOT),
        uploaded_by=actors.submitter,
    )
    client.force_login(actors.plan_reviewer)

    served = client.get(download(attachment))

    assert served["Content-Disposition"] == (
        "attachment; filename=\"poly.pdf\"; filename*=UTF-8''poly.pdf"
    )
    assert served["Content-Type"] == "application/pdf"


def test_the_download_is_an_attachment_never_sniffed_or_cached(client, actors, draft) -> None:
    attachment = attach(actors, draft, files.png(), name='Rosa "wrist".png')
    client.force_login(actors.submitter)

    served = client.get(download(attachment))

    assert served["Content-Disposition"] == (
        "attachment; filename=\"Rosa _wrist_.png\"; filename*=UTF-8''Rosa%20%22wrist%22.png"
    )
    assert served["Content-Type"] == "image/png"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("name", "content", "claimed", "message"),
    [
        ("x.pdf", files.EXE, "application/pdf", "must be a PDF, or a PNG or JPEG image"),
        ("x.png", files.HTML, "image/png", "must be a PDF, or a PNG or JPEG image"),
        ("x.svg", files.SVG, "image/svg+xml", "must be a PDF, or a PNG or JPEG image"),
        ("x.gif", files.image("GIF"), "image/gif", "must be a PDF, or a PNG or JPEG image"),
        ("x.pdf", b"", "application/pdf", "The file you chose is empty"),
        ("x.png", files.png()[:-30], "image/png", "it may be damaged"),
        ("x.pdf", files.pdf(password="secret"), "application/pdf", "protected by a password"),
        ("x.pdf", SCRIPTED_PDF, "application/pdf", "This PDF contains JavaScript, which could run"),
    ],
)  # fmt: skip
def test_a_refused_file_keeps_the_page_names_the_problem_and_stores_nothing(
    client, actors, draft, root, name, content, claimed, message
) -> None:
    client.force_login(actors.submitter)

    response = client.post(page(draft), {"add": "1", "file": upload(name, content, claimed)})

    text = response.content.decode()
    assert response.status_code == 400
    assert "<title>Error: Attachments" in text and "There is a problem" in text
    assert message in text and 'href="#id_file"' in text
    assert not Attachment.objects.exists() and stored_files(root) == []
    assert not events("iad.attachment_added").exists()


def test_a_file_over_the_limit_is_refused_with_the_limit_named(client, actors, draft, root) -> None:
    client.force_login(actors.submitter)
    too_big = b"%PDF-" + b"0" * (10 * 1024 * 1024 - 4)  # one byte over, read from a temporary file

    response = client.post(page(draft), {"add": "1", "file": upload("big.pdf", too_big)})

    assert response.status_code == 400
    assert "The file is larger than 10 MB" in response.content.decode()
    assert not Attachment.objects.exists() and stored_files(root) == []


def test_the_limit_follows_the_setting(client, actors, draft, settings) -> None:
    settings.ATTACHMENT_MAX_BYTES = 1024
    client.force_login(actors.submitter)
    assert "up to 1 KB" in client.get(page(draft)).content.decode()

    noisy = files.png(size=(40, 40), noise=True)
    response = client.post(page(draft), {"add": "1", "file": upload("x.png", noisy)})

    assert response.status_code == 400 and "larger than 1 KB" in response.content.decode()


def test_the_form_says_what_may_be_attached_and_asks_for_a_file(client, actors, draft) -> None:
    client.force_login(actors.submitter)

    shown = client.get(page(draft)).content.decode()
    response = client.post(page(draft), {"add": "1"})

    assert 'enctype="multipart/form-data"' in shown and 'class="qm-file-input"' in shown
    assert "File to attach: PDF, PNG or JPEG, up to 10 MB" in shown
    assert response.status_code == 400 and "Choose a file to attach" in response.content.decode()


def test_the_task_list_links_to_the_attachments_and_counts_them(client, actors, draft) -> None:
    attach(actors, draft)
    client.force_login(actors.submitter)

    text = client.get(f"/iad/reports/{draft.code}/draft/").content.decode()

    assert f'href="{page(draft)}">Attachments</a>' in text and "1 added" in text


def test_removal_deletes_the_row_then_the_file_once_committed(
    client, actors, draft, root, django_capture_on_commit_callbacks
) -> None:
    attachment = attach(actors, draft)
    kept = attach(actors, draft, files.png(), name="keep.png")
    client.force_login(actors.submitter)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page(draft), {"remove": str(attachment.code)})

    assert response.status_code == 302 and response["Location"] == page(draft)
    assert list(Attachment.objects.all()) == [kept]
    assert stored_files(root) == [kept.stored_name]


def test_a_removal_that_is_rolled_back_keeps_the_file(actors, draft, root) -> None:
    attachment = attach(actors, draft)

    with pytest.raises(RuntimeError), transaction.atomic():
        services.remove_attachment(draft, attachment, by=actors.submitter)
        raise RuntimeError("something later failed")

    assert Attachment.objects.filter(pk=attachment.pk).exists()
    assert stored_files(root) == [attachment.stored_name]


def test_an_addition_that_fails_after_storing_leaves_no_file(actors, draft, root, monkeypatch):
    def failing_record(*args, **kwargs):
        raise RuntimeError("the audit trail is unavailable")

    monkeypatch.setattr(services.audit, "record", failing_record)

    with pytest.raises(RuntimeError):
        attach(actors, draft)

    assert not Attachment.objects.exists() and stored_files(root) == []


def test_each_action_writes_one_audit_event_without_the_file_name(
    client, actors, draft, django_capture_on_commit_callbacks
) -> None:
    client.force_login(actors.submitter)
    client.post(page(draft), {"add": "1", "file": upload("Rosa Quintero wrist.pdf", files.pdf())})
    attachment = Attachment.objects.get()
    facts = {"attachment": str(attachment.code), "content_type": "application/pdf",
             "size": attachment.size}  # fmt: skip
    before = AuditEvent.objects.count()

    client.get(download(attachment))
    # The download is the one audited read of the report.
    assert list(AuditEvent.objects.order_by("pk")[before:].values_list("action", flat=True)) == [
        "iad.attachment_downloaded"
    ]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(page(draft), {"remove": str(attachment.code)})

    for action in ("iad.attachment_added", "iad.attachment_downloaded", "iad.attachment_removed"):
        (event,) = events(action)
        assert event.data == facts, action
        assert (event.actor, event.target_id) == (actors.submitter, str(draft.code))
        assert "Quintero" not in json.dumps(event.data)


def test_the_report_page_lists_the_files_with_download_links(client, actors) -> None:
    submitted = report(actors, S.SUBMITTED)
    attachment = Attachment.objects.create(
        report=submitted, name="incident-log.pdf", content_type="application/pdf", size=2048,
        sha256="0" * 64, stored_name=uploads.store(files.pdf()), uploaded_by=actors.submitter,
    )  # fmt: skip
    client.force_login(actors.plan_reviewer)

    text = client.get(f"/iad/reports/{submitted.code}/").content.decode()

    assert f'href="{download(attachment)}"' in text
    assert "incident-log.pdf</a> (PDF, 2.0\xa0KB)" in text


def test_a_report_without_files_says_so(client, actors) -> None:
    client.force_login(actors.plan_reviewer)
    text = client.get(f"/iad/reports/{report(actors, S.SUBMITTED).code}/").content.decode()
    assert "No files attached." in text


@pytest.mark.parametrize(
    ("who", "status"),
    [("submitter", S.DRAFT), ("director", S.AWAITING_APPROVAL), ("plan_reviewer", S.SUBMITTED),
     ("agency_reviewer", S.IN_REVIEW), ("plan_filer", S.CLOSED)],
)  # fmt: skip
def test_whoever_may_see_the_report_may_download_its_files(client, actors, who, status) -> None:
    filed = report(actors)
    attachment = attach(actors, filed, files.jpeg())
    Report.objects.filter(pk=filed.pk).update(status=status, outcome="no_further_action")
    client.force_login(getattr(actors, who))

    served = client.get(download(attachment))

    assert served.status_code == 200
    assert b"".join(served.streaming_content) == files.jpeg()


@pytest.mark.parametrize("who", ["outsider", "other_reviewer", "plan_reviewer"])
def test_others_get_404_and_no_download_is_recorded(client, actors, who) -> None:
    attachment = attach(actors, report(actors))  # a draft: not yet the plan's to see
    if who != "plan_reviewer":
        Report.objects.filter(pk=attachment.report.pk).update(status=S.SUBMITTED)
    p = actors.personas
    for person in (getattr(actors, who), p.ioc_member, p.provider_master):
        client.force_login(person)
        assert client.get(download(attachment)).status_code == 404
    assert not events("iad.attachment_downloaded").exists()


def test_anonymous_people_are_sent_to_sign_in(client, actors, draft, root) -> None:
    attachment = attach(actors, draft)
    for url in (download(attachment), page(draft)):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == f"/sign-in/?next={url}"
    response = client.post(page(draft), {"add": "1", "file": upload("x.pdf", files.pdf())})
    assert response.status_code == 302 and Attachment.objects.count() == 1
    assert len(stored_files(root)) == 1


def test_a_file_of_another_report_is_404_through_this_one(client, actors, draft) -> None:
    other = attach(actors, report(actors))
    client.force_login(actors.submitter)

    url = f"/iad/reports/{draft.code}/attachments/{other.code}/"

    assert client.get(url).status_code == 404
    response = client.post(page(draft), {"remove": str(other.code)})
    assert response.status_code == 404 and Attachment.objects.filter(pk=other.pk).exists()


@pytest.mark.parametrize("bad", ["abc", "00000000-0000-4000-8000-000000000000", ""])
def test_removing_something_that_is_not_there_is_404(client, actors, draft, bad) -> None:
    attach(actors, draft)
    client.force_login(actors.submitter)
    assert client.post(page(draft), {"remove": bad}).status_code == 404
    assert Attachment.objects.count() == 1


@pytest.mark.parametrize("who", ["outsider", "other_reviewer", "director", "plan_reviewer"])
def test_only_the_filers_may_open_the_page_or_attach(client, actors, draft, root, who) -> None:
    client.force_login(getattr(actors, who))

    response = client.post(page(draft), {"add": "1", "file": upload("x.pdf", files.pdf())})

    assert response.status_code == 404 and client.get(page(draft)).status_code == 404
    assert not Attachment.objects.exists() and stored_files(root) == []


def test_the_services_refuse_anyone_but_the_filers(actors, draft, root) -> None:
    attachment = attach(actors, draft)
    for who in (actors.director, actors.outsider, actors.plan_filer):
        with pytest.raises(PermissionDenied):
            services.add_attachment(draft, upload("x.pdf", files.pdf()), by=who)
        with pytest.raises(PermissionDenied):
            services.remove_attachment(draft, attachment, by=who)
    assert Attachment.objects.count() == 1 and len(stored_files(root)) == 1


def test_a_file_cannot_be_removed_through_another_report(actors, draft) -> None:
    other = attach(actors, report(actors))
    with pytest.raises(PermissionDenied):
        services.remove_attachment(draft, other, by=actors.submitter)
    assert Attachment.objects.filter(pk=other.pk).exists()


def test_the_service_checks_the_content_itself(actors, draft, root) -> None:
    with pytest.raises(ValidationError) as caught:
        services.add_attachment(
            draft, upload("x.png", files.HTML, "image/png"), by=actors.submitter
        )
    assert caught.value.code == "wrong_type"
    assert not Attachment.objects.exists() and stored_files(root) == []


@pytest.mark.parametrize("status", [S.AWAITING_APPROVAL, S.SUBMITTED, S.INFO_REQUESTED])
def test_after_submission_files_can_be_neither_added_nor_removed(
    client, actors, draft, root, status
) -> None:
    attachment = attach(actors, draft)
    Report.objects.filter(pk=draft.pk).update(status=status)
    draft.refresh_from_db()
    client.force_login(actors.submitter)

    added = client.post(page(draft), {"add": "1", "file": upload("x.png", files.png())})
    removed = client.post(page(draft), {"remove": str(attachment.code)})

    for response in (added, removed):
        assert response.status_code == 302
        assert response["Location"] == f"/iad/reports/{draft.code}/"
    assert list(Attachment.objects.all()) == [attachment]
    assert stored_files(root) == [attachment.stored_name]
    assert events("iad.attachment_added").count() == 1
    assert not events("iad.attachment_removed").exists()
    with pytest.raises(TransitionRefused):
        services.add_attachment(draft, upload("x.png", files.png()), by=actors.submitter)


def test_a_returned_report_takes_files_again(client, actors) -> None:
    returned = report(actors, S.RETURNED)
    client.force_login(actors.submitter)
    client.post(page(returned), {"add": "1", "file": upload("x.png", files.png())})
    assert Attachment.objects.get().report == returned


def test_stored_files_live_under_the_attachments_folder_not_the_static_one(actors, draft, root):
    attachment = attach(actors, draft)
    path = uploads.stored_path(attachment.stored_name).resolve()
    assert path.is_file() and path.parent == root.resolve()
    assert not path.is_relative_to(Path(django_settings.STATIC_ROOT).resolve())
    assert attachment.name not in str(path) and len(attachment.stored_name) == 32


def test_the_attachments_page_makes_the_same_number_of_queries_however_many_files(
    client, actors, draft
) -> None:
    client.force_login(actors.submitter)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(page(draft)).status_code == 200
        return len(captured)

    attach(actors, draft)
    queries()  # the first request of a session also touches the session
    few = queries()
    for n in range(5):
        attach(actors, draft, name=f"page-{n}.pdf")
    assert queries() == few
