"""Pages of the oversight committees' application."""

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from portal.core import audit
from portal.reports.committees import inbox_rows, released_to

from .access import check_committee_member

PAGE_SIZE = 50


@require_GET
def inbox(request: HttpRequest) -> HttpResponse:
    """The redacted reports of every type released to the member's committee, latest first."""
    check_committee_member(request.user)
    released = released_to(request.user)
    if released is None:
        raise Http404
    page = Paginator(released, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = inbox_rows(list(page.object_list))
    audit.record(
        "ioc.inbox_listed",
        actor=request.user,
        request=request,
        data={"page": page.number, "rows": len(rows)},
    )
    near = {
        "previous": f"page={page.previous_page_number()}" if page.has_previous() else "",
        "next": f"page={page.next_page_number()}" if page.has_next() else "",
    }
    return render(request, "ioc/inbox.html", {"page": page, "rows": rows, "near": near})
