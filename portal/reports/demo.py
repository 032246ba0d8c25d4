"""Demo data for development: each registered type's stories (its `demo` hook), made through
the real services so that history, deadlines and audit are what the portal itself writes."""

from django.utils.module_loading import import_string

from .types import registered


def seed_stories() -> dict[str, int]:
    """Run every type's demo once; returns how many reports each type made (0: already there)."""
    return {rtype.title: import_string(rtype.demo)() for rtype in registered() if rtype.demo}
