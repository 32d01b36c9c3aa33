"""Bulk writing for the demo build: primary keys reserved ahead, and rows inserted as database values.

`allocate_ids` reserves a model's primary keys so rows can be written with their links already set (an
organisation tree, occurrences and the check records pointing at them) and inserted once. `insert_values`
inserts rows given as tuples of database values (`executemany`, in chunks): for the hundred thousand
check records of a year of inspections, building model instances and converting each field through the
ORM costs far more than the inserts themselves.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models

CHUNK = 5000


def allocate_ids(model: type[models.Model], count: int) -> list[int]:
    """Reserve `count` primary keys of `model`, so rows can be inserted with values derived from them.

    PostgreSQL: taken from the table's own sequence (safe with concurrent writers). SQLite: the
    build holds the database's only write lock for its whole transaction, so the keys after the
    current maximum are exactly the ones SQLite itself would assign next.
    """
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)", [table, count]
            )
            return [row[0] for row in cursor.fetchall()]
        if connection.vendor != "sqlite":
            raise NotImplementedError(f"demo data supports PostgreSQL and SQLite, not {connection.vendor}")
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        start = int(cursor.fetchone()[0]) + 1
    return list(range(start, start + count))


def insert_values(model: type[models.Model], fields: Sequence[str], rows: Sequence[Sequence[Any]]) -> int:
    """Insert `rows` (tuples of database values, in the order of `fields`, primary key included) into the
    model's table; returns how many."""
    qn = connection.ops.quote_name
    names = []
    for name in fields:
        field = model._meta.get_field(name)
        assert isinstance(field, models.Field) and field.column
        names.append(qn(field.column))
    columns = ", ".join(names)
    sql = (
        f"INSERT INTO {qn(model._meta.db_table)} ({columns}) "  # noqa: S608 - quoted names
        f"VALUES ({', '.join(['%s'] * len(fields))})"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), CHUNK):
            cursor.executemany(sql, rows[start : start + CHUNK])
    return len(rows)
