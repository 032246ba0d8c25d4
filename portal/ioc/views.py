"""Pages of the oversight committees' application."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from portal.core import audit
from portal.iad.access import released_copies

from .access import check_committee_member

PAGE_SIZE = 50


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """The redacted reports released to the member's committee, latest first."""
    check_committee_member(request.user)
    copies = (
        released_copies(request.user)
        .select_related("report__provider")
        .prefetch_related("report__incident_types")
        .order_by("-released_at", "-pk")
    )
    page = Paginator(copies, PAGE_SIZE).get_page(request.GET.get("page"))
    audit.record("ioc.inbox_listed", actor=request.user, request=request,
                 data={"page": page.number, "rows": len(page.object_list)})  # fmt: skip
    near = {"previous": f"page={page.previous_page_number()}" if page.has_previous() else "",
            "next": f"page={page.next_page_number()}" if page.has_next() else ""}  # fmt: skip
    return render(request, "ioc/inbox.html", {"page": page, "near": near})
