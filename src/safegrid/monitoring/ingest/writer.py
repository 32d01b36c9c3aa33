"""The bulk writer: one transaction per batch, never one ORM save per reading.

PostgreSQL: the readings go by binary `COPY` into a temporary staging table, then one
`INSERT … SELECT … ON CONFLICT DO NOTHING` moves them into the partitioned readings table (a redelivered
reading is stored once), and one `INSERT … SELECT DISTINCT ON (point) … ON CONFLICT DO UPDATE` keeps the
latest value of each point of the batch. SQLite (the demo): `executemany` of `INSERT OR IGNORE` and of the
latest-value upsert. Dead letters and publisher sequence spans are written in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction

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

    def __len__(self) -> int:
        return len(self.readings) + len(self.dead)

    def add_sequence(self, enterprise_id: int, publisher: str, seq: int) -> None:
        span = SequenceSpan(seq, seq, 1)
        key = (enterprise_id, publisher)
        old = self.sequences.get(key)
        self.sequences[key] = span if old is None else old.merge(span)


def write(batch: Batch) -> None:
    """Commit the whole batch or nothing (a database error propagates; the caller spills)."""
    with transaction.atomic():
        if batch.readings:
            if connection.vendor == "postgresql":
                _readings_pg(batch.readings)
            else:
                _readings_sqlite(batch.readings)
        if batch.dead:
            _dead_letters(batch.dead)
        if batch.sequences:
            _sequences(batch.sequences)


# ---- PostgreSQL ------------------------------------------------------------------------------------

_partitions_known: set[dt.date] = set()

STAGE = """CREATE TEMPORARY TABLE IF NOT EXISTS monitoring_reading_stage (
    point_id bigint, ts timestamptz, value double precision, received_at timestamptz
) ON COMMIT DELETE ROWS"""


def partition_name(day: dt.date) -> str:
    return f"monitoring_reading_p{day:%Y%m%d}"


def ensure_partition(cursor: Any, day: dt.date) -> None:
    cursor.execute(
        f"CREATE TABLE IF NOT EXISTS {partition_name(day)} PARTITION OF monitoring_reading "
        f"FOR VALUES FROM ('{day:%Y-%m-%d} 00:00+00') TO ('{day + ONE_DAY:%Y-%m-%d} 00:00+00')"
    )


def _readings_pg(readings: Sequence[AcceptedReading]) -> None:
    days = {r.ts.date() for r in readings} - _partitions_known  # the pipeline's times are UTC already
    with connection.cursor() as wrapper:
        cursor = wrapper.cursor  # the psycopg cursor (COPY is not in the DB-API)
        for day in sorted(days):
            ensure_partition(cursor, day)
        cursor.execute(STAGE)
        with cursor.copy(
            "COPY monitoring_reading_stage (point_id, ts, value, received_at) FROM STDIN (FORMAT BINARY)"
        ) as copy:
            copy.set_types(["int8", "timestamptz", "float8", "timestamptz"])
            for r in readings:
                copy.write_row((r.point_id, r.ts, r.value, r.received_at))
        cursor.execute(
            "INSERT INTO monitoring_reading (point_id, ts, value, received_at) "
            "SELECT point_id, ts, value, received_at FROM monitoring_reading_stage "
            "ON CONFLICT DO NOTHING"
        )
        cursor.execute(
            "INSERT INTO monitoring_latestvalue (point_id, ts, value, received_at) "
            "SELECT DISTINCT ON (point_id) point_id, ts, value, received_at FROM monitoring_reading_stage "
            "ORDER BY point_id, ts DESC "
            "ON CONFLICT (point_id) DO UPDATE SET ts = EXCLUDED.ts, value = EXCLUDED.value, "
            "received_at = EXCLUDED.received_at WHERE monitoring_latestvalue.ts <= EXCLUDED.ts"
        )
    transaction.on_commit(lambda: _partitions_known.update(days))


# ---- SQLite ----------------------------------------------------------------------------------------


def _readings_sqlite(readings: Sequence[AcceptedReading]) -> None:
    adapt = connection.ops.adapt_datetimefield_value
    latest: dict[int, AcceptedReading] = {}
    rows = []
    for r in readings:
        rows.append((r.point_id, adapt(r.ts), r.value, adapt(r.received_at)))
        seen = latest.get(r.point_id)
        if seen is None or seen.ts <= r.ts:
            latest[r.point_id] = r
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT OR IGNORE INTO monitoring_reading (point_id, ts, value, received_at) VALUES (%s, %s, %s, %s)",
            rows,
        )
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
