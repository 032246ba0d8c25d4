"""A scan fixture, not a planted vulnerability: puts a report back where a transition starts.

A review transition can be taken once per state, so sqlmap's first accepted probe would move
the report on and every later probe would meet the workflow's refusal before the form reads its
fields. sqlmap visits this URL before each of its requests (`--safe-url`, `--safe-freq=1`), so
each probe finds the report in the state the transition needs. Mounted by the scan profile's
URLconf only (tools/security/planted/urls.py), like the planted endpoints.
"""

from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from portal.reports.types import registered


@require_GET
def reset_for_transition(
    request: HttpRequest, slug: str, code: str, transition: str
) -> HttpResponse:
    """Set the report of type `slug` to the (single) state `transition` starts from."""
    rtype = next((t for t in registered() if t.slug == slug), None)
    chosen = rtype.workflow.transitions.get(transition.replace("-", "_")) if rtype else None
    if rtype is None or chosen is None or len(chosen.sources) != 1:
        raise Http404
    (source,) = chosen.sources
    model: Any = rtype.model
    if not model.objects.filter(code=code).update(status=source):
        raise Http404
    return HttpResponse(f"{source}\n", content_type="text/plain")
