"""Paging long lists without counting every match (SPEC §11: lists stay fast at any size)."""

from functools import cached_property
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet


class CappedPaginator(Paginator):
    """A paginator that counts at most `limit` + 1 matches.

    An exact count of a broad filter over a million rows reads every match; past `limit`, people
    need "more than N" and a narrower filter, not the number. Pages up to the cap work as usual.
    """

    def __init__(self, object_list: QuerySet[Any], per_page: int, limit: int) -> None:
        super().__init__(object_list, per_page)
        self.queryset = object_list
        self.limit = limit

    @cached_property
    def count(self) -> int:
        # Without its order: sorting every match only to count the first limit + 1 is waste.
        return self.queryset.order_by()[: self.limit + 1].count()

    def page(self, number: Any) -> Page:
        """A full page even where the capped count ends inside it (Paginator would stop there)."""
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return Page(self.object_list[bottom : bottom + self.per_page], number, self)

    @property
    def capped(self) -> bool:
        """Whether there are more matches than were counted."""
        return self.count > self.limit
