"""A point's readings for a time range: raw for short ranges, rollups for long ones."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, QuerySet

from safegrid.core.models import User
from safegrid.core.scoping import get_scoped_or_404, restrict

from ..models import DeadLetter, MonitoringPoint, Reading, ReadingRollup
from ..rules.ingest import Resolution, series_resolution

MAX_POINTS = 20_000


@dataclass(frozen=True)
class SeriesRow:
    ts: dt.datetime
    value: float  # the reading, or the bucket's average
    min: float | None = None
    max: float | None = None
    count: int | None = None


@dataclass(frozen=True)
class Series:
    point: MonitoringPoint
    resolution: Resolution
    rows: list[SeriesRow]
    truncated: bool


def point_get(user: User, point_id: int) -> MonitoringPoint:
    return get_scoped_or_404(MonitoringPoint.objects.select_related("enterprise"), user, pk=point_id)


def reading_series(user: User, point_id: int, start: dt.datetime, end: dt.datetime) -> Series:
    """The point (404 out of scope) and its readings in [start, end), at the resolution the span calls for."""
    point = point_get(user, point_id)
    resolution = series_resolution(end - start)
    rows: list[SeriesRow]
    if resolution is Resolution.RAW:
        raw = (
            Reading.objects.filter(point_id=point.pk, ts__gte=start, ts__lt=end)
            .order_by("ts")
            .values_list("ts", "value")[: MAX_POINTS + 1]
        )
        rows = [SeriesRow(ts, value) for ts, value in raw]
    else:
        buckets = (
            ReadingRollup.objects.filter(
                point_id=point.pk, period=resolution.value, bucket__gte=start, bucket__lt=end
            )
            .order_by("bucket")
            .values_list("bucket", "sum", "count", "min", "max")[: MAX_POINTS + 1]
        )
        rows = [SeriesRow(b, s / c if c else 0.0, lo, hi, c) for b, s, c, lo, hi in buckets]
    truncated = len(rows) > MAX_POINTS
    return Series(point, resolution, rows[:MAX_POINTS], truncated)


def dead_letter_list(user: User) -> QuerySet[DeadLetter]:
    """The refusals the user may see (an enterprise sees its own; the county also those of no enterprise)."""
    return restrict(DeadLetter.objects.select_related("enterprise"), user).order_by("-received_at", "-id")


def dead_letter_counts(user: User, *, since: dt.datetime) -> list[dict[str, object]]:
    """Refusals since `since` per enterprise and reason, in the user's scope (one grouped query)."""
    rows = (
        restrict(DeadLetter.objects.filter(received_at__gte=since), user)
        .values("enterprise_id", "enterprise__uscc", "enterprise__name", "reason")
        .annotate(count=Count("id"))
        .order_by("enterprise_id", "reason")
    )
    return list(rows)
