"""Queries of a fixed shape, built and compiled once per database connection (ADR 0030).

Django builds and compiles a query afresh each time it runs: for the short queries of a page
(a report's history, its files) that is four to six times what the rows themselves cost to read
and turn into objects (docs/performance.md). A query whose SQL never changes, only its values,
is built here once with stand-in values, and after that only its values are put in.

    history = CompiledQuery(lambda report_id: ReportEvent.objects.filter(report_id=report_id))
    events = history.objects(report.pk)

The rows come back as the model objects the queryset would give, with what it follows by
`select_related()` in place and the database's converters applied, so templates and code see
no difference. On PostgreSQL each query is prepared on the server once per connection, and
PostgreSQL may plan it once for all values: planning the report's lookup cost more than running
it (`portal.core.prepared`). Where Django's cursor is watched (its query log, `assertNumQueries`,
execute wrappers) a run goes through it instead, so it is seen and counted as any query.
"""

import uuid
from collections.abc import Callable, Sequence
from functools import cache
from typing import Any
from weakref import WeakKeyDictionary

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators

from .prepared import can_prepare, execute_prepared

# Values no real row holds, each recognizable among the compiled parameters.
_STAND_INS: dict[type, Callable[[int], Any]] = {
    int: lambda n: -7_345_678_901_234_000 - n,
    uuid.UUID: lambda n: uuid.UUID(int=0x7E57_0000_0000_4000_8000_0000_0000_0000 + n),
}


class CompiledQuery:
    """A queryset of one shape, its values given each time it runs. `build` receives stand-ins
    of the types in `types` (int by default: ids) and must use each as a plain filter value."""

    def __init__(self, build: Callable[..., QuerySet[Any]], types: Sequence[type] = (int,)):
        self._build = build
        self._types = tuple(types)
        self._kept: WeakKeyDictionary[Any, _Compiled] = WeakKeyDictionary()

    def objects(self, *values: Any) -> list[Any]:
        """The query's rows for these values, as model objects."""
        connection = connections[DEFAULT_DB_ALIAS]
        compiled = self._kept.get(connection)
        if compiled is None:
            stand_ins = [_STAND_INS[kind](n) for n, kind in enumerate(self._types)]
            compiled = _Compiled(self._build(*stand_ins), stand_ins, connection)
            # Per connection object, so per thread: the compiled SQL is the vendor's.
            self._kept[connection] = compiled
        return compiled.run(values)


def related_objects(instance: Model, name: str, *follow: str) -> list[Any]:
    """`list(instance.<name>.select_related(*follow))` for a reverse foreign key or a
    many-to-many relation (for a reverse one-to-one, the one object or none, as a list),
    compiled once per model, relation and connection. Objects found through a foreign key of
    theirs point back at `instance`, as the related manager's do."""
    model = type(instance)
    found = _related_query(model, name, follow).objects(instance.pk)
    relation: Any = model._meta.get_field(name)
    if relation.auto_created and not relation.many_to_many:  # a reverse foreign key
        for made in found:
            setattr(made, relation.field.name, instance)
    return found


@cache
def _related_query(model: type[Model], name: str, follow: tuple[str, ...]) -> CompiledQuery:
    relation: Any = model._meta.get_field(name)

    def build(pk: int) -> QuerySet[Any]:
        if relation.one_to_one:  # the reverse side: reading it would run the query
            rows = relation.related_model._default_manager.filter(**{relation.field.name: pk})
        else:
            rows = getattr(model(pk=pk), name).all()
        return rows.select_related(*follow) if follow else rows

    return CompiledQuery(build)


class _Compiled:
    """One queryset's SQL with the places of its values, and how its rows become objects."""

    def __init__(self, queryset: QuerySet[Any], stand_ins: list[Any], connection: Any) -> None:
        compiler = queryset.query.get_compiler(connection=connection)
        self.sql, params = compiler.as_sql()
        self.params = list(params)
        self.places = [_places(self.params, stand_in) for stand_in in stand_ins]
        if not all(self.places):
            raise ValueError(f"A value of {queryset.model.__name__}'s query is not a parameter.")
        select, klass_info = compiler.select, compiler.klass_info
        self.compiler = compiler
        self.converters = compiler.get_converters([s[0] for s in select[: compiler.col_count]])
        self.model = klass_info["model"]
        fields = klass_info["select_fields"]
        self.start, self.end = fields[0], fields[-1] + 1
        self.names = [column[0].target.attname for column in select[self.start : self.end]]
        # django-stubs 6 describe Django 6's signature; Django 5.2 takes these three.
        self.populators = get_related_populators(klass_info, select, connection.alias)  # type: ignore[call-arg]
        self.connection = connection

    def run(self, values: Sequence[Any]) -> list[Any]:
        params = list(self.params)
        for places, value in zip(self.places, values, strict=True):
            for place, shape in places:
                params[place] = shape(value)
        if can_prepare(self.connection):
            rows = execute_prepared(self.connection, self.sql, params).fetchall()
        else:
            with self.connection.cursor() as cursor:
                cursor.execute(self.sql, params)
                rows = cursor.fetchall()
        if self.converters:
            rows = list(self.compiler.apply_converters(rows, self.converters))
        return [self._object(row) for row in rows]

    def _object(self, row: Sequence[Any]) -> Any:
        made = self.model.from_db(self.connection.alias, self.names, row[self.start : self.end])
        for populator in self.populators:
            populator.populate(row, made)
        return made


def _uuid(value: Any) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _places(params: list[Any], stand_in: Any) -> list[tuple[int, Callable[[Any], Any]]]:
    """Where a stand-in sits among the parameters, and in which form: a UUID is bound as itself
    on PostgreSQL and as its 32 hex digits on SQLite."""
    forms: list[tuple[Any, Callable[[Any], Any]]] = [(stand_in, type(stand_in))]
    if isinstance(stand_in, uuid.UUID):
        forms = [(stand_in, _uuid), (stand_in.hex, lambda value: _uuid(value).hex)]
    return [
        (place, shape)
        for place, param in enumerate(params)
        for form, shape in forms
        if type(param) is type(form) and param == form
    ]
