"""Rollups and retention of the readings (run by the jobs in monitoring/jobs.py).

Rollups: every few minutes the last `lookback` of raw readings is summed into 1-minute buckets, and the
1-minute buckets of the last two hours into 1-hour buckets (an upsert: re-running refines the open buckets,
and a reading up to `lookback` late is still counted). Trend charts read these: 1-minute buckets are kept
MINUTE_ROLLUP_DAYS, hourly ones SAFEGRID_ROLLUP_RETENTION_DAYS (years).

Retention: raw readings are kept SAFEGRID_READINGS_RETENTION_DAYS (at least 30, the law's minimum). On
PostgreSQL a whole day's partition is dropped once its last instant is past retention (no row-by-row
DELETE, no bloat), and partitions are created a week ahead; on SQLite old rows are deleted. Each drop is
audited: removing monitoring data is an act someone may have to account for.

The same job purges the stored video and positioning events (`SourceEvent`, by event time, kept
SAFEGRID_EVENTS_RETENTION_DAYS: the readings' retention unless set, at least 30) and the dead letters (by
time received, SAFEGRID_DEAD_LETTER_RETENTION_DAYS: 90 unless set, at least 30), with the readings' cut-off:
what is older than 00:00 UTC of (today − retention) goes, that instant itself stays. Each table is purged
after the readings' transaction (whose partition drops lock the readings table: kept short), in its own
transaction, by id ranges of PURGE_BATCH rows and at most PURGE_MAX_BATCHES of them per run (a backlog goes
over the next nights), with one audit entry per table and run giving the count. Nothing references a stored
event or a dead letter (an alarm keeps its own first/last times and values), so no row is kept back.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Max, Min, Sum
from django.db.models.functions import Trunc

from safegrid.core import audit
from safegrid.core.audit import Actor
from safegrid.core.choices import AuditAction

from ..ingest.writer import ONE_DAY, ensure_partition, partition_name
from ..models import DeadLetter, Reading, ReadingRollup, RollupPeriod, SourceEvent

MINUTE_ROLLUP_DAYS = 90
PARTITIONS_AHEAD_DAYS = 7
PURGE_BATCH = 5000
PURGE_MAX_BATCHES = 200
_PARTITION = re.compile(r"^monitoring_reading_p(\d{8})$")


@dataclass(frozen=True)
class RollupResult:
    minutes: int
    hours: int

    def as_dict(self) -> dict[str, object]:
        return {
            "summary": f"已汇总 {self.minutes} 个分钟时段、{self.hours} 个小时时段",
            "minutes": self.minutes,
        }


def _floor(when: dt.datetime, unit: str) -> dt.datetime:
    when = when.astimezone(dt.UTC).replace(second=0, microsecond=0)
    return when.replace(minute=0) if unit == "hour" else when


def rollups_compute(
    *, actor: Actor, now: dt.datetime | None = None, lookback_minutes: int = 15
) -> RollupResult:
    """Upsert the 1-minute buckets of the last `lookback_minutes` and the hourly buckets of the last 2 h."""
    now = now or dt.datetime.now(dt.UTC)
    since = _floor(now, "minute") - dt.timedelta(minutes=lookback_minutes)
    minute_rows = (
        Reading.objects.filter(ts__gte=since, ts__lte=now)
        .annotate(bucket=Trunc("ts", "minute", tzinfo=dt.UTC))
        .values("point_id", "bucket")
        .annotate(n=Count("point_id"), lo=Min("value"), hi=Max("value"), total=Sum("value"))
    )
    hours_since = _floor(now, "hour") - dt.timedelta(hours=1)
    with transaction.atomic():
        minutes = _upsert(RollupPeriod.MINUTE, minute_rows)
        hour_rows = (
            ReadingRollup.objects.filter(period=RollupPeriod.MINUTE, bucket__gte=hours_since)
            .annotate(hour=Trunc("bucket", "hour", tzinfo=dt.UTC))
            .values("point_id", "hour")
            .annotate(n=Sum("count"), lo=Min("min"), hi=Max("max"), total=Sum("sum"))
        )
        hours = _upsert(RollupPeriod.HOUR, [{**row, "bucket": row["hour"]} for row in hour_rows])
    return RollupResult(minutes, hours)


def _upsert(period: str, rows) -> int:  # type: ignore[no-untyped-def]
    objects = [
        ReadingRollup(
            point_id=row["point_id"],
            period=period,
            bucket=row["bucket"],
            count=row["n"],
            min=row["lo"],
            max=row["hi"],
            sum=row["total"],
        )
        for row in rows
    ]
    ReadingRollup.objects.bulk_create(
        objects,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["point", "period", "bucket"],
        update_fields=["count", "min", "max", "sum"],
    )
    return len(objects)


@dataclass(frozen=True)
class Purged:
    """One table's purge in one run: rows deleted, and whether rows past retention are left for the next run."""

    deleted: int = 0
    more: bool = False


@dataclass(frozen=True)
class MaintainResult:
    created: list[str]
    dropped: list[str]
    deleted_rows: int
    rollups_deleted: int
    events: Purged = Purged()
    dead_letters: Purged = Purged()

    def as_dict(self) -> dict[str, object]:
        summary = f"新建分区 {len(self.created)} 个，删除过期分区 {len(self.dropped)} 个"
        if self.deleted_rows:
            summary += f"，删除过期数据 {self.deleted_rows} 条"
        if self.events.deleted:
            summary += f"，删除过期事件 {self.events.deleted} 条"
        if self.dead_letters.deleted:
            summary += f"，删除过期拒收数据 {self.dead_letters.deleted} 条"
        return {
            "summary": summary,
            "created": self.created,
            "dropped": self.dropped,
            "deleted_rows": self.deleted_rows,
            "rollups_deleted": self.rollups_deleted,
            "events_deleted": self.events.deleted,
            "events_more": self.events.more,
            "dead_letters_deleted": self.dead_letters.deleted,
            "dead_letters_more": self.dead_letters.more,
        }


def readings_maintain(*, actor: Actor, today: dt.date | None = None) -> MaintainResult:
    """Partitions a week ahead; raw readings past retention dropped (audited); old rollups deleted; then the
    stored events and the dead letters past their retention purged (`records_purge`, audited)."""
    today = today or dt.datetime.now(dt.UTC).date()
    retention = settings.SAFEGRID_READINGS_RETENTION_DAYS
    # The oldest instant still kept is (today - retention) 00:00 UTC: a day is dropped when it ends before.
    keep_from = _keep_from(today, retention)
    created: list[str] = []
    dropped: list[str] = []
    deleted_rows = 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            existing = _partitions()
            with connection.cursor() as wrapper, connection.wrap_database_errors:
                for offset in range(PARTITIONS_AHEAD_DAYS + 1):
                    day = today + dt.timedelta(days=offset)
                    if day not in existing:
                        ensure_partition(wrapper.cursor, day)
                        created.append(partition_name(day))
                for day in sorted(d for d in existing if d + ONE_DAY <= keep_from):
                    wrapper.execute(f"DROP TABLE {partition_name(day)}")
                    dropped.append(partition_name(day))
        else:
            cutoff = dt.datetime.combine(keep_from, dt.time(), tzinfo=dt.UTC)
            deleted_rows, _ = Reading.objects.filter(ts__lt=cutoff).delete()
        rollups_deleted = _old_rollups(today)
        if dropped or deleted_rows:
            audit.record(
                actor=actor,
                action=AuditAction.DELETE,
                object_type="monitoring.reading",
                object_id=keep_from.isoformat(),
                comment=(
                    f"监测原始数据保存期满（{retention} 天）删除 {keep_from.isoformat()} 之前的数据："
                    + (", ".join(dropped) if dropped else f"{deleted_rows} 条")
                ),
            )
    events, dead_letters = records_purge(actor=actor, today=today)
    return MaintainResult(created, dropped, deleted_rows, rollups_deleted, events, dead_letters)


def _keep_from(today: dt.date, retention_days: int) -> dt.date:
    return today - dt.timedelta(days=retention_days)


def records_purge(*, actor: Actor, today: dt.date | None = None) -> tuple[Purged, Purged]:
    """Stored events and dead letters past their retention deleted (each table audited once per run)."""
    today = today or dt.datetime.now(dt.UTC).date()
    events = _purge(
        SourceEvent,
        "ts",
        _keep_from(today, settings.SAFEGRID_EVENTS_RETENTION_DAYS),
        actor=actor,
        label="监测事件",
        retention=settings.SAFEGRID_EVENTS_RETENTION_DAYS,
    )
    dead_letters = _purge(
        DeadLetter,
        "received_at",
        _keep_from(today, settings.SAFEGRID_DEAD_LETTER_RETENTION_DAYS),
        actor=actor,
        label="拒收数据",
        retention=settings.SAFEGRID_DEAD_LETTER_RETENTION_DAYS,
    )
    return events, dead_letters


def _purge(
    model: type[SourceEvent] | type[DeadLetter],
    field: str,
    keep_from: dt.date,
    *,
    actor: Actor,
    label: str,
    retention: int,
) -> Purged:
    """Rows whose `field` is before `keep_from` 00:00 UTC deleted in one transaction, by id ranges of at most
    PURGE_BATCH rows (each DELETE bounded by the primary key), PURGE_MAX_BATCHES per run; audited once."""
    cutoff = dt.datetime.combine(keep_from, dt.time(), tzinfo=dt.UTC)
    old = model.objects.filter(**{f"{field}__lt": cutoff})
    deleted = 0
    after = 0
    more = False
    with transaction.atomic():
        for _ in range(PURGE_MAX_BATCHES):
            ids = list(old.filter(pk__gt=after).order_by("pk").values_list("pk", flat=True)[:PURGE_BATCH])
            if not ids:
                break
            count, _ = old.filter(pk__gte=ids[0], pk__lte=ids[-1]).delete()
            deleted += count
            after = ids[-1]
            if len(ids) < PURGE_BATCH:
                break
        else:
            more = old.filter(pk__gt=after).exists()
        if deleted:
            audit.record(
                actor=actor,
                action=AuditAction.DELETE,
                object_type=model._meta.label_lower,
                object_id=keep_from.isoformat(),
                comment=(
                    f"{label}保存期满（{retention} 天）删除 {keep_from.isoformat()} 之前的{label}：{deleted} 条"
                    + ("，其余下次删除" if more else "")
                ),
            )
    return Purged(deleted, more)


def _partitions() -> set[dt.date]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = 'monitoring_reading'"
        )
        names = [row[0] for row in cursor.fetchall()]
    days = set()
    for name in names:
        match = _PARTITION.match(name)
        if match:
            days.add(dt.datetime.strptime(match[1], "%Y%m%d").date())  # noqa: DTZ007 - a date, no time
    return days


def _old_rollups(today: dt.date) -> int:
    def before(days: int) -> dt.datetime:
        return dt.datetime.combine(today - dt.timedelta(days=days), dt.time(), tzinfo=dt.UTC)

    minutes, _ = ReadingRollup.objects.filter(
        period=RollupPeriod.MINUTE, bucket__lt=before(MINUTE_ROLLUP_DAYS)
    ).delete()
    hours, _ = ReadingRollup.objects.filter(
        period=RollupPeriod.HOUR, bucket__lt=before(settings.SAFEGRID_ROLLUP_RETENTION_DAYS)
    ).delete()
    return minutes + hours
