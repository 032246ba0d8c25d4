"""Planted vulnerabilities. Each is wrong on purpose; a scanner that misses one fails the run."""

from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET


@require_GET
def organizations(request: HttpRequest) -> HttpResponse:
    """SQL injection: the `identifier` parameter is pasted into the SQL (sqlmap's control)."""
    identifier = request.GET.get("identifier", "")
    query = f"SELECT name FROM registry_organization WHERE identifier = '{identifier}'"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(query)
        names = [row[0] for row in cursor.fetchall()]
    body = "".join(f"<li>{n}</li>" for n in names) or "<li>none</li>"
    return HttpResponse(f"<!DOCTYPE html><title>Planted</title><ul>{body}</ul>")


@require_GET
def echo(request: HttpRequest) -> HttpResponse:
    """Reflected XSS: `q` goes into the HTML unescaped (wapiti's xss control).

    The response also drops the Content-Security-Policy, so a browser would run the script.
    """
    words = request.GET.get("q", "")
    response = HttpResponse(f"<!DOCTYPE html><title>Planted</title><p>You searched {words}</p>")
    response._csp_exempt = True  # type: ignore[attr-defined]
    return response
