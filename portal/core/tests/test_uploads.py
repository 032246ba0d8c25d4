"""Uploaded files: type by content, size limit, storage outside the web root, safe reads."""

import hashlib
import os
import stat
from io import BytesIO
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile, UploadedFile
from pypdf import PdfWriter
from pypdf.actions import JavaScript

from portal.core import uploads

from . import sample_files as files
from .test_settings import manage


@pytest.fixture(autouse=True)
def root(settings, tmp_path) -> Path:
    settings.ATTACHMENTS_ROOT = tmp_path / "attachments"
    return settings.ATTACHMENTS_ROOT


_JPEG = files.jpeg(size=(200, 200), noise=True)
TRUNCATED_JPEG = _JPEG[: len(_JPEG) * 2 // 3]


class Unreadable(BytesIO):
    def read(self, *args) -> bytes:
        raise AssertionError("read before the size was checked")


def refusal(content: bytes, name: str = "file", content_type: str = "") -> str:
    with pytest.raises(ValidationError) as caught:
        uploads.check_upload(SimpleUploadedFile(name, content, content_type))
    return caught.value.code


@pytest.mark.parametrize(
    ("content", "expected"),
    [(files.png(), "image/png"), (files.jpeg(), "image/jpeg"), (files.pdf(), "application/pdf")],
)
def test_accepted_files_are_recognized_by_content(content, expected) -> None:
    checked = uploads.check_upload(SimpleUploadedFile("x.bin", content, "text/plain"))
    assert checked.content_type == expected
    assert checked.content == content and checked.size == len(content)
    assert checked.sha256 == hashlib.sha256(content).hexdigest()


@pytest.mark.parametrize(
    ("name", "content", "claimed", "code"),
    [
        ("x.pdf", files.EXE, "application/pdf", "wrong_type"),
        ("x.png", files.HTML, "image/png", "wrong_type"),
        ("x.svg", files.SVG, "image/svg+xml", "wrong_type"),
        ("x.png", files.SVG, "image/png", "wrong_type"),
        ("x.gif", files.image("GIF"), "image/gif", "wrong_type"),
        ("x.png", files.image("GIF"), "image/png", "wrong_type"),
        ("x.bmp", files.image("BMP"), "image/bmp", "wrong_type"),
        ("x.webp", files.image("WEBP"), "image/webp", "wrong_type"),
        ("x.txt", b"just some words", "text/plain", "wrong_type"),
        ("x.png", files.png()[:-30], "image/png", "corrupt"),
        ("x.png", files.png()[:8] + b"\x00" * 64, "image/png", "corrupt"),
        ("x.jpg", files.jpeg(size=(200, 200))[:400], "image/jpeg", "corrupt"),
        ("x.jpg", TRUNCATED_JPEG, "image/jpeg", "corrupt"),  # passes verify(), fails decoding
        ("x.pdf", b"%PDF-1.7\nnot really a document", "application/pdf", "corrupt"),
        ("x.pdf", files.pdf()[:300], "application/pdf", "corrupt"),
        ("x.pdf", files.pdf(password="secret"), "application/pdf", "encrypted"),
        ("x.pdf", files.pdf(password=""), "application/pdf", "encrypted"),
        ("x.pdf", b"", "application/pdf", "empty"),
    ],
)  # fmt: skip
def test_refused_files_whatever_their_name_and_claimed_type(name, content, claimed, code) -> None:
    assert refusal(content, name, claimed) == code


def test_each_refusal_tells_the_person_what_to_do() -> None:
    messages = {}
    samples = [(files.EXE, "wrong_type"), (b"", "empty"), (files.pdf(password="x"), "encrypted"),
               (files.png()[:-30], "corrupt")]  # fmt: skip
    for content, code in samples:
        with pytest.raises(ValidationError) as caught:
            uploads.check_upload(SimpleUploadedFile("x", content))
        messages[code] = caught.value.messages[0]
    assert "PDF, or a PNG or JPEG" in messages["wrong_type"]
    assert "empty" in messages["empty"]
    assert "password" in messages["encrypted"]
    assert "damaged" in messages["corrupt"]
    assert len(set(messages.values())) == 4


def test_the_size_limit_is_named_in_megabytes_and_checked_before_reading(settings) -> None:
    settings.ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
    upload = UploadedFile(Unreadable(), name="big.pdf", size=10 * 1024 * 1024 + 1)
    with pytest.raises(ValidationError) as caught:
        uploads.check_upload(upload)
    assert caught.value.code == "too_large"
    assert "larger than 10 MB" in caught.value.messages[0]


def test_a_file_exactly_at_the_limit_is_accepted(settings) -> None:
    content = files.png(size=(40, 40), noise=True)
    settings.ATTACHMENT_MAX_BYTES = len(content)
    assert uploads.check_upload(SimpleUploadedFile("x", content)).content_type == "image/png"
    settings.ATTACHMENT_MAX_BYTES = len(content) - 1
    assert refusal(content) == "too_large"


def test_an_upload_that_claims_a_smaller_size_than_it_has_is_still_refused(settings) -> None:
    settings.ATTACHMENT_MAX_BYTES = 100
    upload = SimpleUploadedFile("x.png", files.png(size=(40, 40), noise=True))
    upload.size = 10
    with pytest.raises(ValidationError) as caught:
        uploads.check_upload(upload)
    assert caught.value.code == "too_large"


def test_truncated_images_are_refused_even_after_weasyprint_allowed_them() -> None:
    import weasyprint  # noqa: F401 (importing it turns LOAD_TRUNCATED_IMAGES on)
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES is True
    assert refusal(TRUNCATED_JPEG) == "corrupt"
    assert ImageFile.LOAD_TRUNCATED_IMAGES is True  # WeasyPrint's choice is left as it was


def test_images_with_too_many_pixels_are_refused_before_decoding(monkeypatch) -> None:
    monkeypatch.setattr(uploads, "MAX_PIXELS", 100)
    assert refusal(files.png(size=(20, 10))) == "too_many_pixels"
    assert uploads.detect_type(files.png(size=(10, 10))) == "image/png"


def _written_by_pypdf(change) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    change(writer)
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


JS = b"<< /S /JavaScript /JS (app.alert\\(1\\)) >>"
LAUNCH = b"<< /S /Launch /F (C:\\\\Windows\\\\System32\\\\cmd.exe) >>"
EMBEDDED = b"<< /Type /Filespec /F (run.exe) /EF << /F 4 0 R >> >>"
EMBEDDED_STREAM = files.pdf_stream(b"MZ", b"/Type /EmbeddedFile")
FORMAT_SCRIPT = b'<< /S /JavaScript /JS (AFDate_KeystrokeEx\\("mm/dd/yyyy"\\)) >>'
XFA_STREAM = files.pdf_stream(b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'/>")


def links(*actions: bytes) -> bytes:
    """A page's /Annots entry: a link for each action."""
    annotation = b"<< /Type /Annot /Subtype /Link /Rect [0 0 90 20] /A %s >>"
    return b"/Annots [" + b" ".join(annotation % action for action in actions) + b"]"


# What an ordinary document has: links, an outline, a plain form field; one without scripts.
ORDINARY = (
    b"/Outlines << /Count 1 /First 4 0 R /Last 4 0 R >> /AcroForm << /Fields [5 0 R] >>"
    b" /OpenAction [3 0 R /Fit] /Names << /Dests << /Names [(top) [3 0 R /Fit]] >> >>",
    b"/Annots [<< /Type /Annot /Subtype /Link /Rect [0 0 90 20]"
    b" /A << /S /URI /URI (https://www.azahcccs.gov/) >> >> 5 0 R]",
    b"<< /Title (Order) /A << /S /GoTo /D [3 0 R /Fit] >> >>",
    b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (name) /V (Rosa) /Rect [0 0 90 20] >>",
)


# Each PDF by its case: the catalog's and the first page's extra entries, then objects 4, 5...
ACTIVE_BY_HAND = {
    "OpenAction JS": ("javascript", b"/OpenAction " + JS, b""),
    "OpenAction JS in a stream": (
        "javascript",
        b"/OpenAction 4 0 R",
        b"",
        b"<< /S /JavaScript /JS 5 0 R >>",
        files.pdf_stream(b"app.launchURL('https://x.example')"),
    ),
    "Names JavaScript": (
        "javascript",
        b"/Names << /JavaScript << /Names [(init) 4 0 R] >> >>",
        b"",
        JS,
    ),
    "link annotation JS": ("javascript", b"", links(JS)),
    "page open JS": ("javascript", b"", b"/AA << /O " + JS + b" >>"),
    "form field AA JS": (
        "javascript",
        b"/AcroForm << /Fields [4 0 R] >>",
        b"/Annots [4 0 R]",
        b"<< /Type /Annot /Subtype /Widget /FT /Tx /T (date) /Rect [0 0 90 20] /P 3 0 R"
        b" /AA << /K " + FORMAT_SCRIPT + b" >> >>",
    ),
    "JS after a GoTo": (
        "javascript",
        b"/OpenAction << /S /GoTo /D [3 0 R /Fit] /Next [" + JS + b"] >>",
        b"",
    ),
    "JS with escaped names": (
        "javascript",
        b"/OpenAction << /S /J#61vaScript /J#53 (app.alert\\(1\\)) >>",
        b"",
    ),
    "OpenAction Launch": ("launch", b"/OpenAction " + LAUNCH, b""),
    "link annotation Launch": ("launch", b"", links(LAUNCH)),
    "Names EmbeddedFiles": (
        "embedded_files",
        b"/Names << /EmbeddedFiles << /Names [(run.exe) " + EMBEDDED + b"] >> >>",
        b"",
        EMBEDDED_STREAM,
    ),
    "file attachment annotation": (
        "embedded_files",
        b"",
        b"/Annots [<< /Type /Annot /Subtype /FileAttachment /Rect [0 0 20 20] /FS "
        + EMBEDDED
        + b" >>]",
        EMBEDDED_STREAM,
    ),
    "XFA form": ("xfa", b"/AcroForm << /Fields [] /XFA 4 0 R >>", b"", XFA_STREAM),
}
ACTIVE = [
    *(
        pytest.param(files.pdf_by_hand(*parts), code, id=case)
        for case, (code, *parts) in ACTIVE_BY_HAND.items()
    ),
    pytest.param(
        _written_by_pypdf(lambda w: w.add_open_action(JavaScript("app.alert(1)"))),
        "javascript",
        id="Names JavaScript by pypdf",
    ),
    pytest.param(
        _written_by_pypdf(lambda w: w.add_attachment("run.exe", b"MZ")),
        "embedded_files",
        id="EmbeddedFiles by pypdf",
    ),
]


@pytest.mark.parametrize(("content", "code"), ACTIVE)
def test_pdfs_with_active_content_are_refused(content, code) -> None:
    assert refusal(content, "scan.pdf", "application/pdf") == code


def test_each_kind_of_active_content_is_named_with_what_to_do() -> None:
    found = {
        "javascript": "This PDF contains JavaScript",
        "launch": "This PDF contains an action that starts another program",
        "embedded_files": "This PDF has other files embedded in it",
        "xfa": "This PDF is an XFA form",
    }
    for content, code in (case.values for case in ACTIVE):
        with pytest.raises(ValidationError) as caught:
            uploads.check_upload(SimpleUploadedFile("x.pdf", content))
        (message,) = caught.value.messages
        assert message.startswith(found[code])
        assert message.endswith(
            "Print it to a new PDF without active content (choose “Save as PDF” or “Microsoft "
            "Print to PDF” as the printer) and attach that copy."
        )


def test_a_pdf_with_several_kinds_is_refused_for_javascript_first() -> None:
    content = files.pdf_by_hand(b"/OpenAction " + LAUNCH + b" /AcroForm << /XFA [] >>", links(JS))
    assert refusal(content) == "javascript"


def test_ordinary_pdfs_are_accepted_until_they_hold_a_script() -> None:
    loop_and_missing = files.pdf_by_hand(
        b"/OpenAction 4 0 R /Outlines 9 0 R", b"", b"<< /S /GoTo /D [3 0 R /Fit] /Next 4 0 R >>"
    )
    for content in (files.pdf(), files.pdf_by_hand(*ORDINARY), loop_and_missing, files.POLYGLOT):
        assert uploads.check_upload(SimpleUploadedFile("x.pdf", content)).content_type == PDF

    catalog, *others = ORDINARY
    scripted = files.pdf_by_hand(catalog + b" /AA << /WC " + JS + b" >>", *others)
    assert refusal(scripted) == "javascript"


def test_a_pdf_whose_script_a_later_save_removed_is_accepted() -> None:
    # Only what the document reaches counts: the earlier revision's bytes are still in the file.
    original = files.pdf_by_hand(b"/OpenAction " + JS)
    writer = PdfWriter(BytesIO(original), incremental=True)
    del writer.root_object["/OpenAction"]
    out = BytesIO()
    writer.write(out)

    assert b"/JavaScript" in out.getvalue() and refusal(original) == "javascript"
    assert uploads.detect_type(out.getvalue()) == PDF


PDF, PNG, JPEG = "application/pdf", "image/png", "image/jpeg"


@pytest.mark.parametrize(
    ("given", "content_type", "shown"),
    [
        ("report.pdf", PDF, "report.pdf"),
        ("C:\\Users\\rosa\\Desktop\\scan.pdf", PDF, "scan.pdf"),
        ("../../etc/passwd", PDF, "passwd.pdf"),
        ("a\x00b\nc\td.png", PNG, "abcd.png"),
        ("invoice\u202efdp.exe", PDF, "invoicefdp.pdf"),  # a right-to-left override disguises it
        ("evil\u202egnp.exe", PNG, "evilgnp.png"),
        ("poly.html", PDF, "poly.pdf"),
        ("evil.exe. ", PNG, "evil.png"),  # Windows drops the trailing dot and space
        ("\u3000report .exe\u00a0", PDF, "report.pdf"),
        ("scan.PDF", PDF, "scan.pdf"),
        ("photo.jpeg", JPEG, "photo.jpg"),
        ("photo.png", JPEG, "photo.jpg"),
        ("notes", PDF, "notes.pdf"),
        ("Minutes 3.5.2026", PDF, "Minutes 3.5.2026.pdf"),  # no extension: the words stay
        ("Report v1.2 final", PDF, "Report v1.2 final.pdf"),
        ("  .hidden.jpg ", JPEG, "hidden.jpg"),
        ("..", PDF, "attachment.pdf"),
        ("", PNG, "attachment.png"),
        ("Café menu.pdf", PDF, "Café menu.pdf"),
    ],
)
def test_display_names_keep_the_words_with_the_extension_of_the_content(
    given, content_type, shown
) -> None:
    assert uploads.display_name(given, content_type) == shown


def test_long_display_names_are_cut_ending_in_the_extension_of_the_content() -> None:
    shown = uploads.display_name("x" * 500 + ".exe", PDF)
    assert len(shown) == uploads.NAME_LENGTH and shown == "x" * 116 + ".pdf"


@pytest.mark.parametrize(
    ("name", "content", "content_type", "shown"),
    [
        ("poly.html", files.POLYGLOT, PDF, "poly.pdf"),
        ("evil\u202egnp.exe", files.png(), PNG, "evilgnp.png"),
        ("holiday.png", files.jpeg(), JPEG, "holiday.jpg"),
    ],
    ids=["polyglot", "right-to-left override", "JPEG named png"],
)
def test_an_upload_is_named_after_its_content_not_its_name(
    name, content, content_type, shown
) -> None:
    checked = uploads.check_upload(SimpleUploadedFile(name, content, "text/html"))
    assert (checked.name, checked.content_type) == (shown, content_type)


def test_content_disposition_gives_an_ascii_fallback_and_the_exact_name() -> None:
    header = uploads.content_disposition('Café "notes" 100%.pdf')
    assert header == (
        'attachment; filename="Caf_ _notes_ 100_.pdf"; '
        "filename*=UTF-8''Caf%C3%A9%20%22notes%22%20100%25.pdf"
    )


def test_stored_files_are_private_whole_and_outside_the_static_folders(root) -> None:
    content = files.pdf()
    name = uploads.store(content)

    path = uploads.stored_path(name)
    assert path.parent == root and path.read_bytes() == content
    assert len(name) == 32 and int(name, 16) >= 0
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(root.stat().st_mode) == 0o700
    assert os.listdir(root) == [name]  # no temporary file left behind
    assert uploads.store(content) != name


def test_a_failed_write_leaves_nothing_behind(root, monkeypatch) -> None:
    def refuse(*args):
        raise OSError("disk full")

    monkeypatch.setattr(uploads.os, "replace", refuse)
    with pytest.raises(OSError, match="disk full"):
        uploads.store(b"%PDF-")
    assert os.listdir(root) == []


@pytest.mark.parametrize(
    "name", ["../secret", "/etc/passwd", "ABCDEF0123456789ABCDEF0123456789", "abc", "a" * 33, ""]
)
def test_only_names_made_by_store_are_read(name) -> None:
    with pytest.raises(ValueError, match="not the name of a stored attachment"):
        uploads.open_stored(name)
    with pytest.raises(ValueError, match="not the name of a stored attachment"):
        uploads.delete_stored(name)


def test_a_symbolic_link_in_place_of_a_stored_file_is_not_followed(root, tmp_path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("not for download")
    name = uploads.store(b"%PDF-")
    uploads.stored_path(name).unlink()
    uploads.stored_path(name).symlink_to(secret)

    with pytest.raises(OSError):
        uploads.open_stored(name)


def test_delete_removes_the_file_and_tolerates_one_already_gone() -> None:
    name = uploads.store(b"%PDF-")
    uploads.delete_stored(name)
    assert not uploads.stored_path(name).exists()
    uploads.delete_stored(name)


def test_a_download_is_an_attachment_never_sniffed_or_cached() -> None:
    content = files.png()
    name = uploads.store(content)

    response = uploads.download_response(name, "Photo ñ.png", "image/png")

    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == "image/png"
    assert response["Content-Length"] == str(len(content))
    assert response["Content-Disposition"] == (
        "attachment; filename=\"Photo _.png\"; filename*=UTF-8''Photo%20%C3%B1.png"
    )
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Cache-Control"] == "no-store"


def test_a_download_ends_in_the_extension_of_its_type_whatever_name_was_kept() -> None:
    # Names kept before they followed the content type are named again when downloaded.
    name = uploads.store(files.POLYGLOT)

    response = uploads.download_response(name, "poly\u202eftm.html", PDF)

    assert response["Content-Disposition"] == (
        "attachment; filename=\"polyftm.pdf\"; filename*=UTF-8''polyftm.pdf"
    )
    assert b"".join(response.streaming_content) == files.POLYGLOT


def test_by_default_files_up_to_10_mib_are_kept_in_var_outside_the_static_folders() -> None:
    code = (
        "from django.conf import settings as s; print(s.ATTACHMENTS_ROOT, s.ATTACHMENT_MAX_BYTES)"
    )
    result = manage("shell", "--no-imports", "-c", code)
    root = Path(django_settings.BASE_DIR) / "var" / "attachments"
    assert result.stdout.split() == [str(root), str(10 * 1024 * 1024)], result.stderr
    for published in [django_settings.STATIC_ROOT, *django_settings.STATICFILES_DIRS]:
        assert not root.resolve().is_relative_to(Path(published).resolve())


def test_the_portal_refuses_to_keep_attachments_in_a_static_folder() -> None:
    result = manage("check", ATTACHMENTS_ROOT="static/attachments")
    assert result.returncode != 0
    assert "ATTACHMENTS_ROOT cannot be inside a static files folder" in result.stderr
    assert manage("check", ATTACHMENTS_ROOT="var/elsewhere").returncode == 0
