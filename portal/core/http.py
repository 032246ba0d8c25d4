"""Small helpers for views."""

from django.http import HttpRequest, QueryDict


def posted(request: HttpRequest) -> QueryDict | None:
    """The POST data to bind a form to, or None on GET.

    (`request.POST or None` would take an empty POST for a GET and show no errors.)
    """
    return request.POST if request.method == "POST" else None
