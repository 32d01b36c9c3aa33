from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection

from safegrid.core.models import AuditEntry
from safegrid.core.testing import SYSTEM
from safegrid.monitoring.ingest import writer
from safegrid.monitoring.ingest.sinks import AcceptedReading
from safegrid.monitoring.models import Reading, ReadingRollup
from safegrid.monitoring.services import storage

from .ingest_helpers import make_point

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 12, 2, 10, 7, 30, tzinfo=dt.UTC)


def _write(point, *pairs):
    writer.write(
        writer.Batch(readings=[AcceptedReading(point.pk, point.enterprise_id, ts, v, ts) for ts, v in pairs])
    )


def test_rollups_sum_minutes_then_hours_and_refine_on_rerun(world):
    point = make_point(world.ent_a, "R-1")
    _write(
        point,
        (NOW.replace(minute=5, second=0), 1.0),
        (NOW.replace(minute=5, second=59), 3.0),
        (NOW.replace(minute=6, second=10), 5.0),
    )
    storage.rollups_compute(actor=SYSTEM, now=NOW)
    minutes = list(
        ReadingRollup.objects.filter(period="1m")
        .order_by("bucket")
        .values_list("bucket", "count", "min", "max", "sum")
    )
    assert minutes == [
        (NOW.replace(minute=5, second=0), 2, 1.0, 3.0, 4.0),
        (NOW.replace(minute=6, second=0), 1, 5.0, 5.0, 5.0),
    ]
    hour = ReadingRollup.objects.get(period="1h")
    assert (hour.bucket, hour.count, hour.min, hour.max, hour.avg) == (
        NOW.replace(minute=0, second=0),
        3,
        1.0,
        5.0,
        3.0,
    )
    # A late reading of the same minute: the next run refines the buckets instead of adding rows.
    _write(point, (NOW.replace(minute=6, second=20), 7.0))
    storage.rollups_compute(actor=SYSTEM, now=NOW + dt.timedelta(minutes=1))
    assert ReadingRollup.objects.filter(period="1m").count() == 2
    assert ReadingRollup.objects.get(period="1h").count == 4


def test_retention_keeps_exactly_the_configured_days(world, settings):
    settings.SAFEGRID_READINGS_RETENTION_DAYS = 30
    point = make_point(world.ent_a, "R-2")
    today = dt.date(2026, 12, 2)
    oldest_kept = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)  # today − 30 days, 00:00 UTC
    if connection.vendor == "postgresql":
        with connection.cursor() as c:
            for day in (dt.date(2026, 11, 1), dt.date(2026, 11, 2)):
                writer.ensure_partition(c.cursor, day)
    _write(point, (oldest_kept - dt.timedelta(microseconds=1), 1.0), (oldest_kept, 2.0))
    result = storage.readings_maintain(actor=SYSTEM, today=today)
    assert list(Reading.objects.values_list("value", flat=True)) == [2.0]
    entry = AuditEntry.objects.get(object_type="monitoring.reading")
    assert entry.action == "delete" and "2026-11-02" in entry.comment
    if connection.vendor == "postgresql":
        assert "monitoring_reading_p20261101" in result.dropped
        assert "monitoring_reading_p20261102" not in result.dropped
        ahead = {today + dt.timedelta(days=k) for k in range(8)}
        assert storage._partitions() >= ahead
    else:
        assert result.deleted_rows == 1


def test_retention_below_the_law_is_refused_at_start_up():
    import os
    import subprocess
    import sys

    env = {**os.environ, "SAFEGRID_READINGS_RETENTION_DAYS": "29"}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE','safegrid.settings'); django.setup()",
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "SAFEGRID_READINGS_RETENTION_DAYS=29" in result.stderr and "30" in result.stderr
