"""Hand-written SQL for the few paths where the ORM's query building is the cost.

Building a query costs the ORM far more than the database takes to answer it: on the
check-in burst, one `select_related` of a session took 4.7 ms, of which the database
needed 0.1 ms. The hot paths (loading the signed-in user and session, a participant's
check-in) write their SQL once and keep the ORM's meaning: column names come from the
models, values are converted to and from the database by the fields' own converters,
and the rows become ordinary model instances. Everything else uses the ORM.
"""

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Field, Model, signals
from django.db.models.base import ModelState

type Converter = Callable[[Any, Any, BaseDatabaseWrapper], Any]


_READERS: dict[tuple[str, str, type[Model]], "_Reader"] = {}


def quote(name: str | None, using: str = "default") -> str:
    assert name, "a table or column name"
    return connections[using].ops.quote_name(name)


def table(model: type[Model], using: str = "default") -> str:
    return quote(model._meta.db_table, using)


def _fields(model: type[Model]) -> list[Field[Any, Any]]:
    return list(model._meta.concrete_fields)


def columns(model: type[Model], alias: str, using: str = "default") -> str:
    """The select list of every concrete column of `model` under the table alias."""
    return ", ".join(f"{quote(alias, using)}.{quote(f.column, using)}" for f in _fields(model))


def width(model: type[Model]) -> int:
    """How many values `columns` selects."""
    return len(model._meta.concrete_fields)


@dataclass(frozen=True)
class _Reader:
    """How to turn one model's selected values into an instance, worked out once."""

    # The columns that need converting: (position, its Col, its converters).
    converters: list[tuple[int, Any, list[Converter]]]
    names: list[str]  # attribute names, in column order
    pk_index: int


def _reader(model: type[Model], alias: str, connection: BaseDatabaseWrapper) -> _Reader:
    key = (connection.alias, alias, model)
    found = _READERS.get(key)
    if found is None:
        converters = []
        for i, field in enumerate(_fields(model)):
            col = field.get_col(alias)
            chain = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
            if chain:
                converters.append((i, col, chain))
        names = [f.attname for f in _fields(model)]
        found = _Reader(converters, names, _fields(model).index(model._meta.pk))
        _READERS[key] = found
    return found


def instance[M: Model](
    model: type[M], values: Sequence[Any], alias: str = "t", using: str = "default"
) -> M | None:
    """A model instance from the values `columns(model, alias)` selected, converted as the
    ORM converts them; None when the primary key is NULL (an outer join found nothing)."""
    connection = connections[using]
    reader = _reader(model, alias, connection)
    if len(values) != len(reader.names):
        raise ValueError(f"{model.__name__}: {len(values)} values for {len(reader.names)} columns")
    if values[reader.pk_index] is None:
        return None
    converted = list(values)
    for i, col, converters in reader.converters:
        value = converted[i]
        if value is not None:
            for convert in converters:
                value = convert(value, col, connection)
            converted[i] = value
    return _build(model, reader.names, converted, using)


def _build[M: Model](model: type[M], names: list[str], values: list[Any], using: str) -> M:
    """`model.from_db(using, names, values)` without its `__init__`, which for a full row
    only sets each attribute (through the descriptors of foreign keys, which have nothing
    cached yet to forget) and sends pre_init and post_init: where a model listens to
    those or loads itself its own way, its own path is taken."""
    if (
        model.from_db.__func__ is not Model.from_db.__func__  # type: ignore[attr-defined]
        or model.__init__ is not Model.__init__
        or signals.pre_init.has_listeners(model)
        or signals.post_init.has_listeners(model)
    ):
        return model.from_db(using, names, values)
    obj = model.__new__(model)
    obj.__dict__.update(zip(names, values, strict=True))
    state = ModelState()
    state.adding = False
    state.db = using
    obj._state = state
    return obj


def fetch(sql: str, params: Iterable[Any], using: str = "default") -> list[tuple[Any, ...]]:
    with connections[using].cursor() as cursor:
        cursor.execute(sql, list(params))
        return list(cursor.fetchall())


@functools.cache
def _insert_fields(model: type[Model], leave_out: str) -> tuple[Field[Any, Any], ...]:
    """The fields an insert writes: all but the generated primary key and `leave_out` (a
    field the statement supplies itself)."""
    return tuple(
        f
        for f in _fields(model)
        if not (f.primary_key and f.auto_created or getattr(f, "db_returning", False))
        and f.name != leave_out
    )


def _params(obj: Model, connection: BaseDatabaseWrapper, leave_out: str = "") -> list[Any]:
    """The values of `obj` for `_insert_fields`, prepared for the database as the ORM
    prepares them (auto_now fields are set on `obj` here)."""
    return [
        field.get_db_prep_save(field.pre_save(obj, add=True), connection)
        for field in _insert_fields(type(obj), leave_out)
    ]


def _column(model: type[Model], name: str, using: str) -> str:
    return quote(getattr(model._meta.get_field(name), "column", None), using)


def _pk_column(model: type[Model], using: str) -> str:
    assert model._meta.pk is not None
    return quote(model._meta.pk.column, using)


# `conflict` value for "skip the row if it breaks any unique constraint or index".
ANY_CONFLICT = ("*",)


def _on_conflict(model: type[Model], conflict: tuple[str, ...], using: str) -> str:
    if not conflict:
        return ""
    if conflict == ANY_CONFLICT:
        return " ON CONFLICT DO NOTHING"
    return f" ON CONFLICT ({', '.join(_column(model, n, using) for n in conflict)}) DO NOTHING"


def _column_list(model: type[Model], using: str, leave_out: str = "") -> str:
    return ", ".join(quote(f.column, using) for f in _insert_fields(model, leave_out))


def _placeholders(model: type[Model], leave_out: str = "") -> str:
    return ", ".join(["%s"] * len(_insert_fields(model, leave_out)))


def _saved(obj: Model, pk: Any, using: str) -> None:
    obj.pk = pk
    obj._state.adding = False
    obj._state.db = using


@functools.cache
def _insert_sql(model: type[Model], conflict: tuple[str, ...], using: str) -> str:
    return (
        f"INSERT INTO {table(model, using)} ({_column_list(model, using)}) "  # noqa: S608 - names from the models
        f"VALUES ({_placeholders(model)}){_on_conflict(model, conflict, using)} "
        f"RETURNING {_pk_column(model, using)}"
    )


def insert(obj: Model, *, conflict: Sequence[str] = (), using: str = "default") -> bool:
    """Insert `obj` as a new row through the fields' own conversion to the database, and
    set its primary key (which must be generated by the database). With `conflict` (the
    fields of a unique constraint, or ANY_CONFLICT for every constraint and unique index,
    partial ones included) a row that would break it is not inserted and False is
    returned: the constraint, not a prior read, decides. auto_now and
    auto_now_add fields are set as the ORM sets them.
    """
    sql = _insert_sql(type(obj), tuple(conflict), using)
    found = fetch(sql, _params(obj, connections[using]), using)
    if not found:
        return False
    _saved(obj, found[0][0], using)
    return True


@functools.cache
def _parent_child_sql(
    parent: type[Model], child: type[Model], link: str, conflict: tuple[str, ...], using: str
) -> str:
    connection = connections[using]
    p_pk, c_link = _pk_column(parent, using), _column(child, link, using)
    # In INSERT ... SELECT the parameters take no type from the columns: cast each.
    casts = ", ".join(
        f"CAST(%s AS {f.cast_db_type(connection)})" for f in _insert_fields(child, link)
    )
    return (
        f"WITH parent AS (INSERT INTO {table(parent, using)} ({_column_list(parent, using)}) "  # noqa: S608 - names from the models
        f"VALUES ({_placeholders(parent)}){_on_conflict(parent, conflict, using)} "
        f"RETURNING {p_pk}) "
        f"INSERT INTO {table(child, using)} ({c_link}, {_column_list(child, using, link)}) "
        f"SELECT parent.{p_pk}, {casts} FROM parent "
        f"RETURNING {c_link}, {_pk_column(child, using)}"
    )


def insert_with_child(
    parent: Model,
    child: Model,
    link: str,
    *,
    conflict: Sequence[str] = (),
    using: str = "default",
) -> bool:
    """Insert `parent` and, only if it went in, `child` pointing at it through the foreign
    key `link`: both or neither. `conflict` is as for `insert`. On PostgreSQL this is one
    statement (one round trip, committed by itself outside a transaction); elsewhere two
    inserts in one transaction.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        with transaction.atomic(using=using):
            if not insert(parent, conflict=conflict, using=using):
                return False
            setattr(child, link, parent)
            insert(child, using=using)
            return True
    sql = _parent_child_sql(type(parent), type(child), link, tuple(conflict), using)
    params = _params(parent, connection) + _params(child, connection, link)
    found = fetch(sql, params, using)
    if not found:
        return False
    _saved(parent, found[0][0], using)
    setattr(child, link, parent)
    _saved(child, found[0][1], using)
    return True
