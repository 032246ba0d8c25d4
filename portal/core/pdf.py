"""Printing pages to PDF (SPEC §11) with WeasyPrint, tagged PDF/UA-1 for screen readers."""

from typing import Any

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string


def _local_only(url: str, timeout: int = 10, ssl_context: Any = None) -> dict[str, Any]:
    """Fetch only the portal's own files: a printed page never reaches out to the network."""
    from weasyprint import default_url_fetcher

    if not url.startswith("file://"):
        raise ValueError("Printed pages load local files only.")
    return default_url_fetcher(url, timeout=timeout, ssl_context=ssl_context)


def render_pdf(template: str | list[str], context: dict[str, Any]) -> bytes:
    from weasyprint import HTML  # heavy; loaded by the pages that print

    html = render_to_string(template, context)
    document = HTML(string=html, base_url=str(settings.BASE_DIR), url_fetcher=_local_only)
    return document.write_pdf(pdf_variant="pdf/ua-1")


def pdf_response(
    template: str | list[str], context: dict[str, Any], *, filename: str
) -> HttpResponse:
    """The page as a PDF download (never cached: it holds what the person may read today)."""
    response = HttpResponse(render_pdf(template, context), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
