"""Reads of inspection work, scoped to the user: my due/overdue/done checks, one occurrence, the rate."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from safegrid.core.scoping import restrict

from . import config
from .choices import OccurrenceStatus
from .models import CheckRecord, TaskOccurrence
from .rules import inspection

RATE_DAYS = 30


def occurrences(user: Any) -> QuerySet[TaskOccurrence]:
    return restrict(TaskOccurrence.objects.all(), user).select_related("task", "task__risk_point")


@dataclass(frozen=True)
class MyChecks:
    due: list[TaskOccurrence]
    overdue: list[TaskOccurrence]
    done: list[TaskOccurrence]


def my_checks(user: Any, now: dt.datetime | None = None) -> MyChecks:
    """Due now, overdue (window over, grace running) and done today, for the occurrences the user reaches.

    A post worker reaches the tasks of their post (scoping by the post's path); a safety manager all of
    the enterprise's.
    """
    now = now or timezone.now()
    grace = config.inspection_grace()
    open_ = occurrences(user).filter(status=OccurrenceStatus.DUE, window_start__lte=now)
    due = list(open_.filter(window_end__gt=now).order_by("window_end", "id")[:200])
    overdue = list(
        open_.filter(window_end__lte=now, window_end__gt=now - grace).order_by("window_end", "id")[:200]
    )
    midnight = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    done = list(
        occurrences(user)
        .filter(status=OccurrenceStatus.DONE, done_at__gte=midnight)
        .order_by("-done_at")[:200]
    )
    return MyChecks(due, overdue, done)


def my_check_counts(user: Any, now: dt.datetime | None = None) -> dict[str, int]:
    """How many of `my_checks`' occurrences are due now and overdue (grace running): one aggregate query."""
    now = now or timezone.now()
    grace = config.inspection_grace()
    open_ = occurrences(user).filter(
        status=OccurrenceStatus.DUE, window_start__lte=now, window_end__gt=now - grace
    )
    return open_.order_by().aggregate(
        due=Count("pk", filter=Q(window_end__gt=now)),
        overdue=Count("pk", filter=Q(window_end__lte=now)),
    )


def occurrence_get(user: Any, pk: Any) -> TaskOccurrence:
    return get_object_or_404(occurrences(user).select_related("task__enterprise", "task__measure"), pk=pk)


def record_of(user: Any, occurrence: TaskOccurrence) -> CheckRecord | None:
    return restrict(CheckRecord.objects.filter(occurrence=occurrence), user).first()


def on_time_rate(user: Any, now: dt.datetime | None = None, days: int = RATE_DAYS) -> inspection.Rate:
    """On-time inspection rate over the last `days` for every enterprise the user reaches (suspended and
    still-open windows not counted; missed and late ones count against it)."""
    now = now or timezone.now()
    rows = restrict(
        TaskOccurrence.objects.filter(window_end__lte=now, window_end__gt=now - dt.timedelta(days=days)), user
    ).aggregate(
        ended=Count("id"),
        suspended=Count("id", filter=Q(status=OccurrenceStatus.SUSPENDED)),
        on_time=Count("id", filter=Q(status=OccurrenceStatus.DONE, done_at__lt=F("window_end"))),
    )
    return inspection.on_time_rate(rows["on_time"], rows["ended"], rows["suspended"])


@dataclass(frozen=True)
class EnterpriseRate:
    enterprise_id: int
    name: str
    rate: inspection.Rate


def rates_by_enterprise(
    user: Any, now: dt.datetime | None = None, days: int = RATE_DAYS, limit: int = 20
) -> list[EnterpriseRate]:
    """The on-time rate of each enterprise the user reaches, lowest first (for regulators)."""
    now = now or timezone.now()
    rows = (
        restrict(
            TaskOccurrence.objects.filter(window_end__lte=now, window_end__gt=now - dt.timedelta(days=days)),
            user,
        )
        .values("enterprise_id", "enterprise__name")
        .annotate(
            ended=Count("id"),
            suspended=Count("id", filter=Q(status=OccurrenceStatus.SUSPENDED)),
            on_time=Count("id", filter=Q(status=OccurrenceStatus.DONE, done_at__lt=F("window_end"))),
        )
    )
    found = [
        EnterpriseRate(
            r["enterprise_id"],
            r["enterprise__name"],
            inspection.on_time_rate(r["on_time"], r["ended"], r["suspended"]),
        )
        for r in rows
    ]
    counted = [f for f in found if f.rate.percent is not None]
    return sorted(counted, key=lambda f: (f.rate.percent, f.name))[:limit]
