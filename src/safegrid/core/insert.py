"""A lean multi-row INSERT for bulk writers (imports, audit entries).

`bulk_create` compiles every value through the ORM's insert compiler (expression checks, a
placeholder per field per row): for an 18,000-row import that costs more than the database work.
`insert_rows` builds the same `INSERT … VALUES (…), (…) RETURNING id` once per batch and converts
each value with the field's own `get_db_prep_save`, skipping the call only for plain text and
integers the field would pass through unchanged. No signals (bulk_create sends none either); the
objects get their primary keys and are marked saved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.conf import settings
from django.db import connections, models, router
from django.db.models.fields import AutoFieldMixin

M = TypeVar("M", bound=models.Model)
BATCH_SIZE = 1000

_PASS_THROUGH: dict[type[models.Field[Any, Any]], type] = {
    models.CharField: str,
    models.TextField: str,
    models.IntegerField: int,
    models.BigIntegerField: int,
    models.PositiveIntegerField: int,
    models.PositiveSmallIntegerField: int,
    models.SmallIntegerField: int,
}


def _plain_type(field: models.Field[Any, Any]) -> type | None:
    """The Python type whose values `field` stores unchanged (None: always convert)."""
    target = field.target_field if isinstance(field, models.ForeignKey) else field
    if isinstance(target, AutoFieldMixin):
        return int
    return _PASS_THROUGH.get(type(target))


def _converter(field: models.Field[Any, Any], connection: Any) -> Callable[[Any], Any]:
    plain = _plain_type(field)
    prep = field.get_db_prep_save

    def convert(value: Any) -> Any:
        if value is None and field.null:
            return None
        if plain is not None and type(value) is plain:
            return value
        return prep(value, connection)

    return convert


def insert_rows(objects: Sequence[M], *, batch_size: int = BATCH_SIZE) -> list[M]:
    """Insert unsaved `objects` of one model (auto primary key) in multi-row INSERTs; returns them."""
    if not objects:
        return []
    model = type(objects[0])
    meta = model._meta
    connection = connections[router.db_for_write(model)]
    if not connection.features.can_return_rows_from_bulk_insert:  # SQLite before 3.35
        return model._default_manager.bulk_create(objects, batch_size=batch_size)
    pk = meta.pk
    assert pk is not None and isinstance(pk, AutoFieldMixin)
    fields = [f for f in meta.concrete_fields if f is not pk]
    stamped = [f for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    converters = [(f.attname, _converter(f, connection)) for f in fields]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    size = max(1, min(batch_size, connection.ops.bulk_batch_size(fields, objects)))
    with connection.cursor() as cursor:
        for start in range(0, len(objects), size):
            batch = objects[start : start + size]
            params: list[Any] = []
            for obj in batch:
                for field in stamped:
                    field.pre_save(obj, add=True)
                values = obj.__dict__
                params.extend(convert(values[attname]) for attname, convert in converters)
            # Table and column names come from the model; every value is a parameter.
            sql = (
                f"INSERT INTO {quote(meta.db_table)} ({columns}) "  # noqa: S608
                f"VALUES {', '.join([row] * len(batch))} RETURNING {quote(pk.column)}"
            )
            cursor.execute(sql, params)
            ids = cursor.fetchall()
            if len(ids) != len(batch):
                raise RuntimeError(
                    f"insert into {meta.db_table} returned {len(ids)} ids for {len(batch)} rows"
                )
            for obj, (new_id,) in zip(batch, ids, strict=True):
                obj.pk = new_id
                obj._state.adding = False
                obj._state.db = connection.alias
    return list(objects)


def _copy_converter(field: models.Field[Any, Any], connection: Any) -> Callable[[Any], Any]:
    """`_converter`, and an aware datetime into a DateTimeField as it is (what its conversion returns)."""
    convert = _converter(field, connection)
    if not (isinstance(field, models.DateTimeField) and settings.USE_TZ):
        return convert

    def aware(value: Any) -> Any:
        if type(value) is dt.datetime and value.tzinfo is not None:
            return value
        return convert(value)

    return aware


def copy_rows(model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    """Insert `rows` — tuples of values in the order of `fields` (attnames, primary key left to the
    database) — when the caller needs no primary keys back; returns how many.

    PostgreSQL: one `COPY … FROM STDIN` stream (psycopg 3 `cursor.copy`), with no SQL text to build and parse
    per batch — for the hundreds of thousands of rows of a county-wide daily job that is several times
    faster than multi-row INSERTs. Values are converted by each field's `get_db_prep_save` as `insert_rows`
    does. Elsewhere (SQLite) the rows go through `insert_rows`. A unique or foreign-key violation fails the
    whole call, as an INSERT would (psycopg's error, wrapped as Django's `IntegrityError`).
    """
    if not rows:
        return 0
    meta = model._meta
    connection = connections[router.db_for_write(model)]
    if connection.vendor != "postgresql":
        insert_rows([model(**dict(zip(fields, row, strict=True))) for row in rows])
        return len(rows)
    concrete = {f.attname: f for f in meta.concrete_fields}
    converters = [_copy_converter(concrete[name], connection) for name in fields]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(concrete[name].column) for name in fields)
    # Table and column names come from the model; every value goes through the COPY stream.
    sql = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"  # noqa: S608
    with connection.cursor() as cursor, connection.wrap_database_errors, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row([convert(value) for convert, value in zip(converters, row, strict=True)])
    return len(rows)
