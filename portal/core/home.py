"""What waits for a person on their home page (SPEC §11), gathered from every application.

An app lists its items in `<app>/home.py` as `waiting_for(user) -> list[Waiting]`, a few
counting queries whatever the number of records.
"""

from dataclasses import dataclass
from importlib import import_module
from importlib.util import find_spec
from typing import Any

from django.apps import apps


@dataclass(frozen=True)
class Waiting:
    label: str  # "Reports awaiting your approval"
    count: int
    url: str
    overdue: int = 0  # of which past their due time
    due_soon: int = 0  # of which due within a day


def waiting_for(user: Any) -> list[Waiting]:
    items: list[Waiting] = []
    for config in apps.get_app_configs():
        if (
            config.name.startswith("portal.")
            and config.name != __package__
            and find_spec(f"{config.name}.home")
        ):
            items += import_module(f"{config.name}.home").waiting_for(user)
    return items
