"""Printing pages to PDF (SPEC §11) with WeasyPrint, tagged PDF/UA-1 for screen readers."""

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string


def static_file(url: str) -> Path | None:
    """The file a `file://` URL names, when it is a regular file inside the portal's static files
    (collectstatic's root or a STATICFILES_DIRS folder); None for anything else.

    An allow-list, checked on the resolved path: `..`, symbolic links and percent-escapes
    cannot lead out of those folders to the host's files, attachments or the settings.
    """
    parts = urlsplit(url)
    if parts.scheme.lower() != "file" or parts.netloc not in {"", "localhost"}:
        return None
    try:
        path = Path(url2pathname(parts.path)).resolve(strict=True)
    except (OSError, RuntimeError, ValueError):  # missing, a symlink loop, a NUL byte
        return None
    roots = [settings.STATIC_ROOT, *(_folder(entry) for entry in settings.STATICFILES_DIRS)]
    inside = any(root and path.is_relative_to(Path(root).resolve()) for root in roots)
    return path if inside and path.is_file() else None


def _folder(entry: Any) -> Any:
    """A STATICFILES_DIRS entry is a folder or a (prefix, folder) pair."""
    return entry[1] if isinstance(entry, tuple | list) else entry


def _fetcher() -> Any:
    """WeasyPrint's fetcher restricted to `static_file()`: a printed page never reaches the
    network, and a template that echoes a stored value cannot pull any other file into a PDF."""
    from weasyprint.urls import URLFetcher  # heavy; loaded by the pages that print

    class StaticFilesOnly(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            path = static_file(url)
            if path is None:
                # WeasyPrint logs the refusal and renders the page without the resource.
                raise ValueError("Printed pages load the portal's own static files only.")
            return super().fetch(path.as_uri(), headers)

    return StaticFilesOnly(allowed_protocols={"file"}, allow_redirects=False)


def html_to_pdf(html: str) -> bytes:
    """Render an HTML page (already filled in) to a tagged PDF; relative URLs start at BASE_DIR."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=_fetcher())
    return bytes(document.write_pdf(pdf_variant="pdf/ua-1"))


def render_pdf(template: str | list[str], context: dict[str, Any]) -> bytes:
    return html_to_pdf(render_to_string(template, context))


def pdf_response(
    template: str | list[str], context: dict[str, Any], *, filename: str
) -> HttpResponse:
    """The page as a PDF download (never cached: it holds what the person may read today)."""
    response = HttpResponse(render_pdf(template, context), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
