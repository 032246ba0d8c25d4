"""Paging long lists without counting every match (SPEC §11: lists stay fast at any size)."""

from functools import cached_property
from hashlib import blake2b
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet


class CappedPaginator(Paginator):
    """A paginator that counts at most `limit` + 1 matches.

    An exact count of a broad filter over a million rows reads every match; past `limit`, people
    need "more than N" and a narrower filter, not the number. Pages up to the cap work as usual.

    With `kept_as` (a key naming the list: who asks, and the tab and filters, not the sort or
    page), a count that reached the cap is remembered for LIST_CAPPED_SECONDS: paging or sorting
    a broad list says "more than N" again without reading a thousand matches each time
    (ADR 0027). A count under the cap is always counted, so it is exact.
    """

    def __init__(
        self, object_list: QuerySet[Any], per_page: int, limit: int, kept_as: str = ""
    ) -> None:
        super().__init__(object_list, per_page)
        self.queryset = object_list
        self.limit = limit
        named = f"{limit}|{kept_as}".encode()
        self.kept_as = "capped:" + blake2b(named, digest_size=16).hexdigest()
        self.keeps = bool(kept_as) and settings.LIST_CAPPED_SECONDS > 0

    @cached_property
    def count(self) -> int:
        if self.keeps and cache.get(self.kept_as):
            return self.limit + 1
        # Without its order: sorting every match only to count the first limit + 1 is waste.
        counted: int = self.queryset.order_by()[: self.limit + 1].count()
        if self.keeps and counted > self.limit:
            cache.set(self.kept_as, True, settings.LIST_CAPPED_SECONDS)
        return counted

    def page(self, number: Any) -> Page:
        """A full page even where the capped count ends inside it (Paginator would stop there)."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return Page(self.object_list[bottom : bottom + self.per_page], number, self)

    @property
    def capped(self) -> bool:
        """Whether there are more matches than were counted."""
        return self.count > self.limit
