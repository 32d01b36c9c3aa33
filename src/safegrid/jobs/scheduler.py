"""The schedule tick: each worker runs it every SAFEGRID_SCHEDULE_TICK_SECONDS."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from safegrid.core import audit
from safegrid.core.audit import SystemActor

from . import rules, services
from .models import Job, ScheduleRun
from .registry import job_function, schedules

logger = logging.getLogger(__name__)


def schedules_tick(now: dt.datetime | None = None) -> list[Job]:
    """Fire every schedule whose latest slot has not fired yet; return the jobs this call enqueued.

    Only the latest slot is considered, so after downtime a schedule fires once, not once per missed
    slot. Several workers may tick at once: the unique (name, slot) row decides which one enqueues.
    """
    local_now = timezone.localtime(now or timezone.now())
    fired: list[Job] = []
    for entry in schedules():
        slot = rules.latest_slot(entry.cron, local_now)
        if ScheduleRun.objects.filter(name=entry.name, slot=slot).exists():
            continue
        if job_function(entry.job_kind) is None:
            logger.error("schedule %s: job kind %s is not registered", entry.name, entry.job_kind)
            continue
        try:
            with transaction.atomic():
                run = ScheduleRun.objects.create(name=entry.name, slot=slot)
                job = services.job_enqueue(
                    kind=entry.job_kind,
                    title=entry.title,
                    actor=SystemActor(f"schedule:{entry.name}"),
                    args=entry.args,
                )
                run.job = job
                run.save(update_fields=["job"])
        except IntegrityError:
            continue  # another worker fired this slot first
        logger.info("schedule %s fired for slot %s (job %s)", entry.name, slot.isoformat(), job.uuid)
        fired.append(job)
    return fired


def tick(now: dt.datetime | None = None) -> None:
    """One round of the worker's housekeeping: due schedules, lost jobs, audit entries left unlinked."""
    schedules_tick(now)
    orphans = audit.link_orphans()
    if orphans:
        logger.warning("%s audit entries left pending by a dead process were linked", orphans)
    reaped = services.jobs_reap_expired(now)
    if reaped:
        logger.warning("%s job(s) lost their worker and were retried or failed", reaped)
