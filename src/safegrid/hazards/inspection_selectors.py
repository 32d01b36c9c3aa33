"""Reads of inspection work, scoped to the user: my due/overdue/done checks, one occurrence, the rate."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from safegrid.core.models import RoleAssignment
from safegrid.core.scoping import restrict
from safegrid.enterprises.models import Enterprise
from safegrid.risks.models import RiskPoint

from . import config
from .choices import OccurrenceStatus, Origin
from .models import (
    ChecklistItem,
    ChecklistTemplate,
    Checkpoint,
    CheckRecord,
    HiddenHazard,
    InspectionTask,
    ShutdownRecord,
    TaskOccurrence,
)
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


def tasks(user: Any) -> QuerySet[InspectionTask]:
    return restrict(InspectionTask.objects.all(), user)


def task_get(user: Any, pk: Any) -> InspectionTask:
    return get_object_or_404(
        tasks(user).select_related("enterprise", "risk_point", "responsible_post", "measure"), pk=pk
    )


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


# ---- checklists, checkpoints, check records, use metrics -----------------------------------------------


def checklists(user: Any) -> QuerySet[ChecklistTemplate]:
    """The county's checklists (every user) and the enterprise checklists the user reaches."""
    own = restrict(ChecklistTemplate.objects.filter(enterprise__isnull=False), user).values("pk")
    return ChecklistTemplate.objects.filter(Q(enterprise__isnull=True) | Q(pk__in=own)).select_related(
        "enterprise"
    )


def checklist_get(user: Any, pk: Any) -> ChecklistTemplate:
    return get_object_or_404(checklists(user), pk=pk)


def checklist_items(template: ChecklistTemplate) -> QuerySet[ChecklistItem]:
    return template.items.select_related("criterion").order_by("number")


def risk_points(user: Any) -> QuerySet[RiskPoint]:
    return restrict(RiskPoint.objects.filter(active=True), user).select_related("enterprise", "checkpoint")


def risk_point_get(user: Any, pk: Any) -> RiskPoint:
    return get_object_or_404(risk_points(user), pk=pk)


def checkpoint_by_token(user: Any, token: str) -> Checkpoint:
    """The checkpoint a scanned code names, if the user reaches its risk point or a task at it (else 404):
    a post worker given an ad-hoc inspection at a point of another workshop may scan its checkpoint."""
    reached = restrict(Checkpoint.objects.all(), user).values("pk")
    tasks = restrict(InspectionTask.objects.filter(risk_point__isnull=False), user).values("risk_point_id")
    found = Checkpoint.objects.filter(Q(pk__in=reached) | Q(risk_point_id__in=tasks))
    return get_object_or_404(found.select_related("risk_point", "enterprise"), token=token)


def open_at_point(user: Any, point_id: int, now: dt.datetime | None = None) -> list[TaskOccurrence]:
    """The user's occurrences at a risk point that can be checked now (due, or overdue within the grace)."""
    now = now or timezone.now()
    return list(
        occurrences(user)
        .filter(
            task__risk_point_id=point_id,
            status=OccurrenceStatus.DUE,
            window_start__lte=now,
            window_end__gt=now - config.inspection_grace(),
        )
        .order_by("window_end", "id")[:50]
    )


def records(user: Any) -> QuerySet[CheckRecord]:
    return restrict(CheckRecord.objects.all(), user).select_related(
        "task", "task__risk_point", "enterprise", "checked_by", "occurrence"
    )


def record_get(user: Any, pk: Any) -> CheckRecord:
    return get_object_or_404(records(user), pk=pk)


@dataclass(frozen=True)
class UseMetrics:
    """How an enterprise uses the system (USERS.md): people active, checks on time, who finds hazards."""

    enterprise_id: int
    name: str
    active_users: int
    users: int
    rate: inspection.Rate
    hazards: int
    self_found: int
    flagged_checks: int
    checks: int

    @property
    def self_found_percent(self) -> float | None:
        return round(100 * self.self_found / self.hazards, 1) if self.hazards else None


METRIC_DAYS = 30
HAZARD_DAYS = 365


def use_metrics(
    user: Any, enterprise_ids: list[int] | None = None, now: dt.datetime | None = None, limit: int = 50
) -> list[UseMetrics]:
    """Per enterprise the user reaches (at most `limit`, by name): users active in the last 30 days (signed
    in or recorded a check), the on-time check rate (30 days), hazards of the last 12 months found by the
    enterprise itself vs by grid workers and regulators, and checks carrying a trust flag (30 days)."""
    now = now or timezone.now()
    since = now - dt.timedelta(days=METRIC_DAYS)
    ents = restrict(Enterprise.objects.all(), user)
    if enterprise_ids is not None:
        ents = ents.filter(pk__in=enterprise_ids)
    rows = list(ents.order_by("name", "pk").values_list("pk", "name")[:limit])
    ids = [pk for pk, _ in rows]
    people = (
        RoleAssignment.objects.filter(Q(enterprise_id__in=ids) | Q(org_unit__enterprise_id__in=ids))
        .annotate(ent=Coalesce("enterprise_id", "org_unit__enterprise_id"))
        .values_list("ent", "user_id", "user__last_login")
    )
    checkers = set(
        CheckRecord.objects.filter(enterprise_id__in=ids, server_time__gte=since).values_list(
            "enterprise_id", "checked_by_id"
        )
    )
    users: dict[int, set[int]] = {}
    active: dict[int, set[int]] = {}
    for ent, uid, last_login in people:
        users.setdefault(ent, set()).add(uid)
        if (last_login is not None and last_login >= since) or (ent, uid) in checkers:
            active.setdefault(ent, set()).add(uid)
    rates = {
        r["enterprise_id"]: r
        for r in TaskOccurrence.objects.filter(
            enterprise_id__in=ids, window_end__lte=now, window_end__gt=since
        )
        .values("enterprise_id")
        .annotate(
            ended=Count("id"),
            suspended=Count("id", filter=Q(status=OccurrenceStatus.SUSPENDED)),
            on_time=Count("id", filter=Q(status=OccurrenceStatus.DONE, done_at__lt=F("window_end"))),
        )
    }
    found = {
        r["enterprise_id"]: r
        for r in HiddenHazard.objects.filter(
            enterprise_id__in=ids, reported_at__gte=now - dt.timedelta(days=HAZARD_DAYS)
        )
        .values("enterprise_id")
        .annotate(total=Count("id"), own=Count("id", filter=Q(origin=Origin.ENTERPRISE)))
    }
    flagged = {
        r["enterprise_id"]: r
        for r in CheckRecord.objects.filter(enterprise_id__in=ids, server_time__gte=since)
        .values("enterprise_id")
        .annotate(
            total=Count("id"),
            flagged=Count("id", filter=Q(flag_photo_seen=True) | Q(flag_far=True) | Q(flag_batch=True)),
        )
    }
    out = []
    for pk, name in rows:
        rate = rates.get(pk, {"on_time": 0, "ended": 0, "suspended": 0})
        out.append(
            UseMetrics(
                pk,
                name,
                len(active.get(pk, ())),
                len(users.get(pk, ())),
                inspection.on_time_rate(rate["on_time"], rate["ended"], rate["suspended"]),
                found.get(pk, {}).get("total", 0),
                found.get(pk, {}).get("own", 0),
                flagged.get(pk, {}).get("flagged", 0),
                flagged.get(pk, {}).get("total", 0),
            )
        )
    return out


def shutdowns(user: Any) -> QuerySet[ShutdownRecord]:
    return restrict(ShutdownRecord.objects.all(), user).select_related("enterprise", "risk_point")


def shutdown_get(user: Any, pk: Any) -> ShutdownRecord:
    return get_object_or_404(shutdowns(user), pk=pk)


def current_shutdowns(user: Any, now: dt.datetime | None = None, limit: int = 20) -> list[ShutdownRecord]:
    """Shutdowns running now or planned, and those ended in the last 30 days (the checks page's card)."""
    now = now or timezone.now()
    recent = Q(end__isnull=True) | Q(end__gt=now - dt.timedelta(days=30))
    return list(shutdowns(user).filter(recent).order_by(F("end").desc(nulls_first=True), "-start")[:limit])
