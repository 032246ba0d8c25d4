"""Pages every user shares: home, help, notices, health, error pages, the development mailbox."""

import logging
import sys
from typing import cast
from uuid import UUID

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.http import require_GET

from portal.accounts.models import User

from . import audit
from .context_processors import portal as portal_context
from .guides import GUIDES, render_guide
from .home import waiting_context
from .models import OutboundEmail
from .roles import all_roles

log = logging.getLogger(__name__)
# How long a browser or client is told to wait before trying again while the database is away.
RETRY_AFTER_SECONDS = 30


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    declared, user = all_roles(), cast(User, request.user)
    roles = [declared[name] for name in sorted(user.role_names) if name in declared]
    return render(request, "core/home.html", {"roles": roles, **waiting_context(request)})


@login_not_required
@require_GET
def help_page(request: HttpRequest) -> HttpResponse:
    return render(request, "core/help.html", {"guides": GUIDES})


@login_not_required
@require_GET
def guide(request: HttpRequest, slug: str) -> HttpResponse:
    """A user guide from docs/guides, the one place the guides are written."""
    if slug not in GUIDES:
        raise Http404
    return render(request, "core/guide.html", {"guide": GUIDES[slug], "html": render_guide(slug)})


@login_not_required
@require_GET
def notice(request: HttpRequest, template: str) -> HttpResponse:
    """The privacy, accessibility and HIPAA notice pages (static text)."""
    return render(request, f"core/{template}.html")


@login_not_required
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """200 when the database answers, 503 otherwise (for load balancers and monitors)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@login_not_required
@require_GET
def healthz_audit(request: HttpRequest) -> JsonResponse:
    """The audit sealer's lag (ADR 0024), for monitors: 200 while the oldest unsealed event is
    younger than AUDIT_SEAL_LAG_LIMIT, 503 when it is older (the sealer is stopped or behind, or
    refuses an event) or the database does not answer. Counts and times only."""
    try:
        waiting = audit.pending_events()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "unavailable"}, status=503)
    age, limit = waiting.age(), audit.lag_limit()
    lagging = age > limit
    if lagging:
        log.error("Audit sealing lag %.1f s exceeds the %.0f s limit", age, limit)
    body = {
        "status": "lagging" if lagging else "ok",
        "unsealed_events": waiting.count,
        "oldest_unsealed_seconds": round(age, 3),
        "lag_limit_seconds": limit,
        "last_sealed_at": waiting.last_sealed_at.isoformat() if waiting.last_sealed_at else None,
    }
    return JsonResponse(body, status=503 if lagging else 200)


@login_not_required
@require_GET
def mailbox(request: HttpRequest) -> HttpResponse:
    """Development only: the e-mails the portal sent, so flows can be followed without SMTP."""
    if not settings.DEBUG:
        raise Http404
    emails = OutboundEmail.objects.all()[:50]
    return render(request, "core/mailbox.html", {"emails": emails})


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # A session that could not be saved because the database went away reaches Django as a
    # suspicious "session interrupted" (400): it is an outage like any other.
    unavailable = _database_unavailable_error(exception)
    if unavailable is not None:
        return database_unavailable(request, unavailable)
    return render(request, "400.html", status=400)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    _record_denial(request, 403)
    return render(request, "403.html", status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    _record_denial(request, 404)
    return render(request, "404.html", status=404)


def _record_denial(request: HttpRequest, status: int) -> None:
    """A signed-in person refused a page (ASVS 16.3.2): which page and which records, by URL
    name and codes only. The path itself is not kept: anyone can type anything into it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return
    match = getattr(request, "resolver_match", None)
    codes = [str(v) for v in (match.kwargs.values() if match else []) if isinstance(v, UUID)]
    data = {"status": status, "method": request.method, "url": match.view_name if match else "",
            "codes": codes}  # fmt: skip
    audit.record("access.denied", actor=user, request=request, data=data)


def server_error(request: HttpRequest) -> HttpResponse:
    # No context processors or database here: the failure may be the database itself.
    # Django calls this while handling the exception, so sys.exception() is the one that failed
    # the request, whether it was raised in a view or in a middleware (the session lookup).
    unavailable = _database_unavailable_error(sys.exception())
    if unavailable is not None:
        return database_unavailable(request, unavailable)
    html = loader.get_template("500.html").render(portal_context(None))
    return HttpResponse(html, status=500)


def _database_unavailable_error(error: BaseException | None) -> BaseException | None:
    """The database error behind `error` (itself, or one it was raised while handling) that
    means the database could not be reached, if there is one."""
    for _ in range(10):  # a chain is short; the bound guards against a cycle
        if error is None or isinstance(error, OperationalError | InterfaceError):
            return error
        error = error.__cause__ or error.__context__
    return None


def database_unavailable(request: HttpRequest, error: BaseException) -> HttpResponse:
    """503 with Retry-After while the database cannot be reached (restart, fail-over, network).

    One warning line replaces Django's error log with its traceback: an outage fails every
    request, and the driver's message may quote SQL. The line names only the error class, its
    SQLSTATE and the path (never the query string, which may carry identifiers).
    """
    cause = error.__cause__ or error
    log.warning(
        "Database unavailable (%s, SQLSTATE %s): %s %s",
        type(cause).__name__,
        getattr(cause, "sqlstate", None) or "none",
        request.method,
        request.path,
    )
    html = loader.get_template("503.html").render(portal_context(None))
    response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    # Django's own error log (with the traceback) skips responses marked as already logged.
    response._has_been_logged = True  # type: ignore[attr-defined]
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without a valid security token: explain, and offer the way back."""
    return render(request, "403_csrf.html", status=403)
