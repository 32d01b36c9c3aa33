from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from safegrid.core.models import AuditEntry
from safegrid.core.testing import SYSTEM
from safegrid.monitoring.ingest import writer
from safegrid.monitoring.ingest.sinks import AcceptedReading
from safegrid.monitoring.models import DeadLetter, Reading, ReadingRollup, SourceEvent
from safegrid.monitoring.services import storage

from .events_helpers import make_source
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


def _start_up(**variables: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE','safegrid.settings'); django.setup()",
        ],
        env={**os.environ, **variables},
        capture_output=True,
        text=True,
    )


@pytest.mark.parametrize(
    "variable",
    [
        "SAFEGRID_READINGS_RETENTION_DAYS",
        "SAFEGRID_EVENTS_RETENTION_DAYS",
        "SAFEGRID_DEAD_LETTER_RETENTION_DAYS",
    ],
)
def test_retention_below_the_law_is_refused_at_start_up(variable):
    result = _start_up(**{variable: "29"})
    assert result.returncode != 0
    assert f"{variable}=29" in result.stderr and "30" in result.stderr


def test_the_events_retention_follows_the_readings_unless_set():
    script = "from django.conf import settings as s; print(s.SAFEGRID_EVENTS_RETENTION_DAYS, s.SAFEGRID_DEAD_LETTER_RETENTION_DAYS)"
    result = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {script}"],
        env={
            **{k: v for k, v in os.environ.items() if not k.endswith("_RETENTION_DAYS")},
            "DJANGO_SETTINGS_MODULE": "safegrid.settings",
            "SAFEGRID_READINGS_RETENTION_DAYS": "45",
        },
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["45", "90"]


# ---- events and dead letters ------------------------------------------------------------------------------

TODAY = dt.date(2026, 12, 2)
CUTOFF = dt.datetime(2026, 11, 2, tzinfo=dt.UTC)  # TODAY − 30 days, 00:00 UTC: the oldest instant kept


def _event(zone, ts: dt.datetime, person: str = "") -> SourceEvent:
    return SourceEvent.objects.create(
        point=zone,
        enterprise_id=zone.enterprise_id,
        type="headcount",
        ts=ts,
        person=person,
        value=1,
        received_at=ts,
    )


def _dead_letter(received_at: dt.datetime, enterprise=None) -> DeadLetter:
    return DeadLetter.objects.create(
        received_at=received_at, source="t", enterprise=enterprise, reason="malformed", payload="{", detail=""
    )


@pytest.mark.parametrize(
    ("at", "kept"),
    [
        (CUTOFF - dt.timedelta(days=3), False),
        (CUTOFF - dt.timedelta(microseconds=1), False),  # the last instant of the day past retention
        (CUTOFF, True),  # exactly at the cut-off: kept, as a reading is
        (CUTOFF + dt.timedelta(hours=23, minutes=59), True),
        (dt.datetime(2026, 12, 2, 9, tzinfo=dt.UTC), True),
    ],
)
def test_events_and_dead_letters_follow_the_readings_cut_off(world, settings, at, kept):
    settings.SAFEGRID_EVENTS_RETENTION_DAYS = 30
    settings.SAFEGRID_DEAD_LETTER_RETENTION_DAYS = 30
    zone = make_source(world.ent_a, "ZONE-R")
    event, dead = _event(zone, at), _dead_letter(at, world.ent_a)
    result = storage.readings_maintain(actor=SYSTEM, today=TODAY)
    assert SourceEvent.objects.filter(pk=event.pk).exists() is kept
    assert DeadLetter.objects.filter(pk=dead.pk).exists() is kept
    assert (result.events.deleted, result.dead_letters.deleted) == ((0, 0) if kept else (1, 1))


def test_each_table_has_its_own_retention(world, settings):
    settings.SAFEGRID_EVENTS_RETENTION_DAYS = 30
    settings.SAFEGRID_DEAD_LETTER_RETENTION_DAYS = 90
    zone = make_source(world.ent_a, "ZONE-S")
    forty_days_ago = dt.datetime(2026, 10, 23, 12, tzinfo=dt.UTC)
    _event(zone, forty_days_ago)
    _dead_letter(forty_days_ago)  # within 90 days: kept
    _dead_letter(dt.datetime(2026, 9, 3, tzinfo=dt.UTC))  # exactly TODAY − 90 days: kept
    _dead_letter(dt.datetime(2026, 9, 2, 23, 59, tzinfo=dt.UTC))
    result = storage.readings_maintain(actor=SYSTEM, today=TODAY).as_dict()
    assert not SourceEvent.objects.exists()
    assert DeadLetter.objects.count() == 2
    assert (result["events_deleted"], result["dead_letters_deleted"]) == (1, 1)
    assert "删除过期事件 1 条" in result["summary"] and "删除过期拒收数据 1 条" in result["summary"]


def test_the_purge_goes_in_id_ranges_and_is_audited_once_per_table(world, settings, monkeypatch):
    settings.SAFEGRID_EVENTS_RETENTION_DAYS = 30
    settings.SAFEGRID_DEAD_LETTER_RETENTION_DAYS = 30
    monkeypatch.setattr(storage, "PURGE_BATCH", 3)
    zone = make_source(world.ent_a, "ZONE-T")
    old = [_event(zone, CUTOFF - dt.timedelta(minutes=n), person=f"p{n}") for n in range(1, 8)]
    kept = _event(zone, CUTOFF)  # its id falls inside a deleted range: the range's DELETE keeps the time test
    old += [_event(zone, CUTOFF - dt.timedelta(days=1), person="late")]
    _dead_letter(CUTOFF - dt.timedelta(days=1))
    with CaptureQueriesContext(connection) as queries:
        result = storage.records_purge(actor=SYSTEM, today=TODAY)
    assert result[0] == storage.Purged(deleted=8, more=False)
    assert list(SourceEvent.objects.values_list("pk", flat=True)) == [kept.pk]
    deletes = [q["sql"] for q in queries if q["sql"].startswith("DELETE") and "sourceevent" in q["sql"]]
    assert len(deletes) == 3  # 8 rows in ranges of at most 3
    entries = AuditEntry.objects.filter(action="delete").order_by("id")
    assert [(e.object_type, e.object_id) for e in entries] == [
        ("monitoring.sourceevent", "2026-11-02"),
        ("monitoring.deadletter", "2026-11-02"),
    ]
    assert "30 天" in entries[0].comment and "8 条" in entries[0].comment
    assert "1 条" in entries[1].comment


def test_a_backlog_is_purged_over_several_runs(world, settings, monkeypatch):
    settings.SAFEGRID_EVENTS_RETENTION_DAYS = 30
    monkeypatch.setattr(storage, "PURGE_BATCH", 2)
    monkeypatch.setattr(storage, "PURGE_MAX_BATCHES", 2)
    zone = make_source(world.ent_a, "ZONE-U")
    for n in range(1, 6):
        _event(zone, CUTOFF - dt.timedelta(minutes=n))
    first, _ = storage.records_purge(actor=SYSTEM, today=TODAY)
    assert first == storage.Purged(deleted=4, more=True)
    assert "其余下次删除" in AuditEntry.objects.get(object_type="monitoring.sourceevent").comment
    second, _ = storage.records_purge(actor=SYSTEM, today=TODAY)
    assert second == storage.Purged(deleted=1, more=False)
    assert not SourceEvent.objects.exists()


def test_nothing_past_retention_no_audit_entry(world):
    make_source(world.ent_a, "ZONE-V")
    assert storage.records_purge(actor=SYSTEM, today=TODAY) == (storage.Purged(), storage.Purged())
    assert not AuditEntry.objects.filter(
        object_type__in=["monitoring.sourceevent", "monitoring.deadletter"]
    ).exists()


def test_an_open_alarm_outlives_the_events_that_raised_it(world, settings):
    """No row references a stored event: an alarm keeps its own times and values when its events go."""
    from safegrid.monitoring.choices import ACTIVE_STATUSES
    from safegrid.monitoring.models import Alarm
    from safegrid.monitoring.services.events import events_accept

    from .events_helpers import events
    from .ingest_helpers import ms

    settings.SAFEGRID_EVENTS_RETENTION_DAYS = 30
    zone = make_source(world.ent_a, "ZONE-W", rated_headcount=2)
    at = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    events_accept(
        uscc=world.ent_a.uscc,
        payload=events({"source": "ZONE-W", "ts": ms(at), "type": "headcount", "value": 5}),
        topic="t",
    )
    alarm = Alarm.objects.get(point=zone)
    assert alarm.status in ACTIVE_STATUSES
    storage.records_purge(actor=SYSTEM, today=at.date() + dt.timedelta(days=31))
    assert not SourceEvent.objects.exists()
    after = Alarm.objects.get(pk=alarm.pk)
    assert (after.status, after.first_at, after.last_value) == (
        alarm.status,
        alarm.first_at,
        alarm.last_value,
    )


def test_the_daily_job_reports_the_purge(world, settings):
    from safegrid import jobs
    from safegrid.jobs.models import Job
    from safegrid.jobs.testing import run_queued

    settings.SAFEGRID_EVENTS_RETENTION_DAYS = 30
    zone = make_source(world.ent_a, "ZONE-J")
    _event(zone, dt.datetime.now(dt.UTC) - dt.timedelta(days=40))
    _dead_letter(dt.datetime.now(dt.UTC) - dt.timedelta(days=400))
    jobs.enqueue("monitoring.readings_maintain", title="t", actor=SYSTEM, args={})
    assert run_queued("monitoring.readings_maintain") == ["succeeded"]
    result = Job.objects.get(kind="monitoring.readings_maintain").result
    assert (result["events_deleted"], result["dead_letters_deleted"], result["events_more"]) == (1, 1, False)
