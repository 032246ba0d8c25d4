"""Model objects made from database rows without running `__init__` over every field.

Django makes each row's object in `Model.from_db`: it lists every concrete field, with a marker
for each one the query did not read, and calls `__init__`, which walks them all. A list reads 8
of a report's 36-52 columns, and making its 50 objects cost more than reading them (issue #20,
docs/performance.md). `LeanLoading.from_db`, the hook Django documents for this, puts the
columns read straight into the object's `__dict__`, where `__init__` would have put them, and
marks the object as saved in that database; a column not read still loads on first use, as after
`only()`.
"""

from collections.abc import Collection
from typing import Any, Self

from django.db import models
from django.db.models import signals
from django.db.models.base import ModelState


class LeanLoading(models.Model):
    """Objects read from the database are made without `__init__`. A model with `pre_init` or
    `post_init` receivers is made the usual way: they expect `__init__` to run."""

    class Meta:
        abstract = True

    @classmethod
    def from_db(
        cls, db: str | None, field_names: Collection[str], values: Collection[Any], **more: Any
    ) -> Self:
        # `more`: what a later Django passes (django-stubs name a fetch mode) is its own to handle.
        if more or signals.pre_init.has_listeners(cls) or signals.post_init.has_listeners(cls):
            return super().from_db(db, field_names, values, **more)
        made = cls.__new__(cls)
        # The fields' attribute names, as `__init__` sets them: none of these descriptors
        # changes a value it is given (a foreign key's only forgets a cached object, and a new
        # object has none).
        made.__dict__.update(zip(field_names, values, strict=True))
        state = made._state = ModelState()
        state.adding = False
        state.db = db
        return made
