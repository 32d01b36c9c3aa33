"""The bulk writer: one transaction per batch, never one ORM save per reading.

PostgreSQL: the readings go by binary `COPY` straight into the partitioned readings table; a batch holding
a reading already stored goes instead through a temporary staging table and `INSERT … ON CONFLICT DO
NOTHING` (a redelivered reading is stored once). The newest reading of each point is copied into a second
staging table and upserted into the latest values in one statement. SQLite (the demo): `executemany` of
`INSERT OR IGNORE` and of the
latest-value upsert. Dead letters and publisher sequence spans are written in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from django.db import IntegrityError, connection, transaction

from ..rules.ingest import SequenceSpan
from .sinks import AcceptedReading

ONE_DAY = dt.timedelta(days=1)


@dataclass(slots=True)
class DeadRow:
    received_at: dt.datetime
    source: str
    enterprise_id: int | None
    reason: str
    payload: str
    detail: str


@dataclass(slots=True)
class Batch:
    readings: list[AcceptedReading] = field(default_factory=list)
    dead: list[DeadRow] = field(default_factory=list)
    # (enterprise_id, publisher) → the numbers seen in this batch
    sequences: dict[tuple[int, str], SequenceSpan] = field(default_factory=dict)
    # per message, cheaply: (enterprise_id, publisher) → [first, last, messages], folded in by `spans()`
    _open: dict[tuple[int, str], list[int]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.readings) + len(self.dead)

    def add_sequence(self, enterprise_id: int, publisher: str, seq: int) -> None:
        span = self._open.get((enterprise_id, publisher))
        if span is None:
            self._open[(enterprise_id, publisher)] = [seq, seq, 1]
            return
        if seq < span[0]:
            span[0] = seq
        if seq > span[1]:
            span[1] = seq
        span[2] += 1

    def spans(self) -> dict[tuple[int, str], SequenceSpan]:
        """`sequences` with the per-message counts folded in."""
        for key, (first, last, messages) in self._open.items():
            span = SequenceSpan(first, last, messages)
            old = self.sequences.get(key)
            self.sequences[key] = span if old is None else old.merge(span)
        self._open.clear()
        return self.sequences


def newest(
    readings: Sequence[AcceptedReading], into: dict[int, AcceptedReading] | None = None
) -> dict[int, AcceptedReading]:
    """The newest reading of each point (`into` is updated and returned when given)."""
    latest: dict[int, AcceptedReading] = {} if into is None else into
    get = latest.get
    for r in readings:
        seen = get(r.point_id)
        if seen is None or seen.ts <= r.ts:
            latest[r.point_id] = r
    return latest


def write(batch: Batch, latest: Mapping[int, AcceptedReading] | None = None) -> None:
    """Commit the whole batch or nothing (a database error propagates; the caller spills).

    `latest`: the newest reading per point to upsert into LatestValue in the same transaction (None: the
    batch's own). The MQTT pipeline passes them about once a second rather than with every batch: at
    thousands of points each batch would otherwise rewrite thousands of latest-value rows, which costs
    more than writing the readings."""
    if latest is None:
        latest = newest(batch.readings)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            if batch.readings:
                _readings_pg(batch.readings)
            if latest:
                _latest_pg(latest)
        else:
            if batch.readings:
                _readings_sqlite(batch.readings)
            if latest:
                _latest_sqlite(latest)
        if batch.dead:
            _dead_letters(batch.dead)
        if batch.spans():
            _sequences(batch.sequences)


# ---- PostgreSQL ------------------------------------------------------------------------------------

_partitions_known: set[dt.date] = set()

STAGE = """CREATE TEMPORARY TABLE IF NOT EXISTS monitoring_reading_stage (
    point_id bigint, ts timestamptz, value double precision, received_at timestamptz
) ON COMMIT DELETE ROWS"""
LATEST_STAGE = STAGE.replace("monitoring_reading_stage", "monitoring_latest_stage")
COLUMNS = "(point_id, ts, value, received_at)"
TYPES = ["int8", "timestamptz", "float8", "timestamptz"]


def partition_name(day: dt.date) -> str:
    return f"monitoring_reading_p{day:%Y%m%d}"


def ensure_partition(cursor: Any, day: dt.date) -> None:
    cursor.execute(
        f"CREATE TABLE IF NOT EXISTS {partition_name(day)} PARTITION OF monitoring_reading "
        f"FOR VALUES FROM ('{day:%Y-%m-%d} 00:00+00') TO ('{day + ONE_DAY:%Y-%m-%d} 00:00+00')"
    )


def _copy(cursor: Any, table: str, rows: Any) -> None:
    with cursor.copy(f"COPY {table} {COLUMNS} FROM STDIN (FORMAT BINARY)") as copy:
        copy.set_types(TYPES)
        for r in rows:
            copy.write_row((r.point_id, r.ts, r.value, r.received_at))


_KEY = attrgetter("point_id", "ts")


def _readings_pg(readings: Sequence[AcceptedReading]) -> None:
    """Binary COPY straight into the readings; when the batch holds a reading already stored (a redelivery
    the in-memory set did not know) that COPY fails as a whole, and the batch goes through a staging table
    and `INSERT … ON CONFLICT DO NOTHING` instead (twice the database work, for the rare batch only).

    In (point, ts) order: two processes writing the same readings at once (a redelivery that went to the
    other process, a gateway's resent message split from its first copy) each wait, at a key the other
    inserted, for the other's transaction; in one order for all writers that wait is never mutual — received
    order was a deadlock, a second's wait and a spilled batch (~0.4 ms a batch of 5,000 to sort)."""
    readings = sorted(readings, key=_KEY)
    days = {r.ts.date() for r in readings} - _partitions_known  # the pipeline's times are UTC already
    # The psycopg cursor (COPY is not in the DB-API); its errors are turned into Django's (a dropped
    # connection is an OperationalError the pipeline spills on, not a psycopg error that ends the process).
    with connection.cursor() as wrapper, connection.wrap_database_errors:
        cursor = wrapper.cursor
        for day in sorted(days):
            ensure_partition(cursor, day)
    try:
        with transaction.atomic(), connection.cursor() as wrapper, connection.wrap_database_errors:
            _copy(wrapper.cursor, "monitoring_reading", readings)
    except IntegrityError:
        with connection.cursor() as wrapper, connection.wrap_database_errors:
            cursor = wrapper.cursor
            cursor.execute(STAGE)
            _copy(cursor, "monitoring_reading_stage", readings)
            cursor.execute(
                "INSERT INTO monitoring_reading (point_id, ts, value, received_at) "
                "SELECT point_id, ts, value, received_at FROM monitoring_reading_stage ORDER BY point_id, ts "
                "ON CONFLICT DO NOTHING"
            )
            # Emptied at commit anyway; emptied now too, for a caller writing twice in one transaction.
            cursor.execute("DELETE FROM monitoring_reading_stage")
    transaction.on_commit(lambda: _partitions_known.update(days))


def _latest_pg(latest: Mapping[int, AcceptedReading]) -> None:
    with connection.cursor() as wrapper, connection.wrap_database_errors:
        cursor = wrapper.cursor
        cursor.execute(LATEST_STAGE)
        _copy(cursor, "monitoring_latest_stage", [latest[p] for p in sorted(latest)])
        cursor.execute(
            "INSERT INTO monitoring_latestvalue (point_id, ts, value, received_at) "
            "SELECT point_id, ts, value, received_at FROM monitoring_latest_stage ORDER BY point_id "
            "ON CONFLICT (point_id) DO UPDATE SET ts = EXCLUDED.ts, value = EXCLUDED.value, "
            "received_at = EXCLUDED.received_at WHERE monitoring_latestvalue.ts <= EXCLUDED.ts"
        )
        cursor.execute("DELETE FROM monitoring_latest_stage")


# ---- SQLite ----------------------------------------------------------------------------------------


def _readings_sqlite(readings: Sequence[AcceptedReading]) -> None:
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT OR IGNORE INTO monitoring_reading (point_id, ts, value, received_at) VALUES (%s, %s, %s, %s)",
            [(r.point_id, adapt(r.ts), r.value, adapt(r.received_at)) for r in readings],
        )


def _latest_sqlite(latest: Mapping[int, AcceptedReading]) -> None:
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO monitoring_latestvalue (point_id, ts, value, received_at) VALUES (%s, %s, %s, %s) "
            "ON CONFLICT (point_id) DO UPDATE SET ts = excluded.ts, value = excluded.value, "
            "received_at = excluded.received_at WHERE monitoring_latestvalue.ts <= excluded.ts",
            [(p, adapt(r.ts), r.value, adapt(r.received_at)) for p, r in sorted(latest.items())],
        )


# ---- both --------------------------------------------------------------------------------------------


def _dead_letters(dead: Sequence[DeadRow]) -> None:
    from ..models import DeadLetter

    DeadLetter.objects.bulk_create(
        [
            DeadLetter(
                received_at=d.received_at,
                source=d.source[:200],
                enterprise_id=d.enterprise_id,
                reason=d.reason,
                payload=d.payload,
                detail=d.detail[:500],
            )
            for d in dead
        ],
        batch_size=500,
    )


SEQUENCE_UPSERT = (
    "INSERT INTO monitoring_publishersequence "
    "(enterprise_id, publisher, first_seq, last_seq, messages, updated_at) "
    "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (enterprise_id, publisher) DO UPDATE SET "
    "first_seq = LOW(monitoring_publishersequence.first_seq, excluded.first_seq), "
    "last_seq = HIGH(monitoring_publishersequence.last_seq, excluded.last_seq), "
    "messages = monitoring_publishersequence.messages + excluded.messages, "
    "updated_at = excluded.updated_at"
)
SEQUENCE_UPSERT_PG = SEQUENCE_UPSERT.replace("LOW(", "LEAST(").replace("HIGH(", "GREATEST(")
SEQUENCE_UPSERT_SQLITE = SEQUENCE_UPSERT.replace("LOW(", "MIN(").replace("HIGH(", "MAX(")


def _sequences(sequences: dict[tuple[int, str], SequenceSpan]) -> None:
    now = connection.ops.adapt_datetimefield_value(dt.datetime.now(dt.UTC))
    sql = SEQUENCE_UPSERT_PG if connection.vendor == "postgresql" else SEQUENCE_UPSERT_SQLITE
    with connection.cursor() as cursor:
        cursor.executemany(
            sql,
            [
                (enterprise_id, publisher[:100], span.first, span.last, span.messages, now)
                for (enterprise_id, publisher), span in sorted(sequences.items())
            ],
        )
