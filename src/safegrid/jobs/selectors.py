"""Every read of jobs: the creator sees their own, county roles see all (Job.scope_rule)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from safegrid.core.scoping import get_scoped_or_404, restrict

from . import rules
from .models import Job, ScheduleRun
from .registry import schedules


def job_list(user: Any, *, status: str = "") -> QuerySet[Job]:
    jobs = restrict(Job.objects.select_related("created_by"), user)
    return jobs.filter(status=status) if status else jobs


def job_get(user: Any, uuid: Any) -> Job:
    return get_scoped_or_404(Job.objects.select_related("created_by"), user, uuid=uuid)


@dataclass(frozen=True)
class ScheduleRow:
    name: str
    title: str
    cron: str
    last: ScheduleRun | None
    next_slot: Any


def schedule_rows(user: Any) -> list[ScheduleRow]:
    """Each declared schedule with its last fired slot (rows only county roles can read) and next slot."""
    runs = restrict(ScheduleRun.objects.select_related("job"), user)
    now = timezone.localtime()
    rows = []
    for entry in schedules():
        rows.append(
            ScheduleRow(
                name=entry.name,
                title=entry.title,
                cron=entry.cron,
                last=runs.filter(name=entry.name).first(),
                next_slot=rules.next_slot(entry.cron, now),
            )
        )
    return rows
