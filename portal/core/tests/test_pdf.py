"""Printed pages load only the portal's own static files (issue #18 item 5): the renderer's URL
fetcher refuses the network and every other file of the host, however the URL is spelled."""

import logging
from io import BytesIO
from pathlib import Path

import pytest
from pypdf import PdfReader

from portal.core.pdf import html_to_pdf, static_file

REFUSED = "Printed pages load the portal's own static files only"


@pytest.fixture
def folders(settings, tmp_path: Path) -> Path:
    """A collected static root and a source folder, with a stylesheet in each that prints a
    word, and one outside both: a stylesheet that is loaded shows in the PDF's text."""
    settings.STATIC_ROOT = tmp_path / "static"
    settings.STATICFILES_DIRS = [tmp_path / "assets", ("print", tmp_path / "prefixed")]
    words = {
        "static": "COLLECTED",
        "assets": "SOURCE",
        "prefixed": "PREFIXED",
        "outside": "OUTSIDE",
    }
    for folder, word in words.items():
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "print.css").write_text(f'body::after {{ content: "{word}"; }}')
    (tmp_path / "static" / "escape.css").symlink_to(tmp_path / "outside" / "print.css")
    return tmp_path


def printed(*links: str) -> str:
    heads = "".join(f'<link rel="stylesheet" href="{link}">' for link in links)
    html = f'<!DOCTYPE html><html lang="en"><head><title>T</title>{heads}</head><body>Page</body>'
    return PdfReader(BytesIO(html_to_pdf(html))).pages[0].extract_text()


def test_static_files_are_loaded(folders: Path) -> None:
    assert "COLLECTED" in printed((folders / "static" / "print.css").as_uri())
    assert "SOURCE" in printed((folders / "assets" / "print.css").as_uri())
    assert "PREFIXED" in printed((folders / "prefixed" / "print.css").as_uri())


@pytest.mark.parametrize(
    "url",
    [
        "{root}/outside/print.css",
        "{root}/static/../outside/print.css",
        "{root}/static/%2e%2e/outside/print.css",
        "{root}/static/escape.css",  # a symbolic link out of the folder
        "file://elsewhere.example{path}/outside/print.css",
    ],
)
def test_files_outside_the_static_folders_are_refused(folders: Path, url: str, caplog) -> None:
    url = url.format(root=folders.as_uri(), path=folders.as_posix())
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        text = printed(url)
    assert "Page" in text and "OUTSIDE" not in text
    assert REFUSED in caplog.text


def test_an_image_of_etc_passwd_in_a_print_template_fetches_nothing(folders, caplog) -> None:
    html = '<html lang="en"><body><p>Page</p><img alt="x" src="file:///etc/passwd"></body></html>'
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        pdf = html_to_pdf(html)
    assert "Failed to load image at 'file:///etc/passwd'" in caplog.text
    assert REFUSED in caplog.text
    assert b"root:" not in pdf and "root:" not in PdfReader(BytesIO(pdf)).pages[0].extract_text()


@pytest.mark.parametrize(
    "url",
    [
        "file:///etc/passwd",
        "file:///etc/../etc/passwd",
        "file://localhost/etc/passwd",
        "http://example.org/print.css",
        "https://example.org/print.css",
        "data:text/css,body{}",
        "ftp://example.org/print.css",
    ],
)
def test_the_allow_list_refuses(folders: Path, url: str) -> None:
    assert static_file(url) is None


def test_the_allow_list_names_only_regular_files(folders: Path) -> None:
    assert static_file((folders / "static").as_uri()) is None  # a folder
    assert static_file((folders / "static" / "missing.css").as_uri()) is None
    assert static_file((folders / "static" / "print.css").as_uri() + "?v=2") == (
        folders / "static" / "print.css"
    )
