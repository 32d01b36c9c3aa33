"""Every write to jobs: enqueue, the worker's state changes (claim, succeed, fail/retry), manual retry."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from safegrid.core import audit
from safegrid.core.audit import Actor, SystemActor
from safegrid.core.choices import AuditAction
from safegrid.core.models import User

from . import rules
from .choices import JobStatus
from .models import Job
from .permissions import can_retry_jobs
from .registry import job_function

logger = logging.getLogger(__name__)

LEASE_EXPIRED = gettext_noop("执行进程中断（心跳超时）")


def _send(job: Job, run_after: dt.datetime | None = None) -> None:
    """Hand the job's uuid to the task queue (called on commit)."""
    from .tasks import run_job

    task = run_job
    if run_after is not None and task.get_backend().supports_defer:
        task = task.using(run_after=run_after)
    result = task.enqueue(str(job.uuid))
    Job.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])


def job_enqueue(
    *,
    kind: str,
    title: str,
    actor: Actor,
    args: dict[str, Any],
    enterprise: Any = None,
    max_attempts: int = 3,
) -> Job:
    if job_function(kind) is None:
        raise ValidationError({"kind": gettext("未登记的任务类型：%(kind)s") % {"kind": kind}})
    if max_attempts < 1:
        raise ValidationError({"max_attempts": gettext("最多执行次数至少为 1")})
    try:
        DjangoJSONEncoder().encode(args)
    except TypeError as exc:
        raise ValidationError({"args": gettext("任务参数须可存为 JSON：%(error)s") % {"error": exc}})
    job = Job(
        kind=kind,
        title=title,
        args=args,
        created_by=actor if isinstance(actor, User) else None,
        actor_label=actor.label if isinstance(actor, SystemActor) else actor.username,
        enterprise_id=getattr(enterprise, "pk", None),
        division_code=str(getattr(enterprise, "division_id", "") or ""),
        max_attempts=max_attempts,
    )
    job.full_clean()
    with transaction.atomic():
        job.save(force_insert=True)
        audit.record(actor=actor, action=AuditAction.CREATE, obj=job, after=audit.snapshot(job))
        transaction.on_commit(lambda: _send(job))
    return job


def job_claim(job_uuid: str) -> Job | None:
    """queued → running for this attempt; None when another worker has it or it is no longer queued."""
    now = timezone.now()
    claimed = Job.objects.filter(uuid=job_uuid, status=JobStatus.QUEUED).update(
        status=JobStatus.RUNNING,
        attempts=F("attempts") + 1,
        started_at=now,
        heartbeat_at=now,
        run_after=None,
    )
    if not claimed:
        return None
    return Job.objects.get(uuid=job_uuid)


def job_succeed(
    job: Job, attempt: int, result: dict[str, Any], *, done: int, total: int, message: str
) -> bool:
    """running → succeeded, only if this attempt still holds the job (the lease was not taken over)."""
    now = timezone.now()
    updated = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, attempts=attempt).update(
        status=JobStatus.SUCCEEDED,
        result=result,
        error="",
        done=max(done, total),
        total=total,
        message=message[:300],
        finished_at=now,
        heartbeat_at=now,
    )
    return bool(updated)


def job_attempt_failed(
    job: Job,
    attempt: int,
    error: str,
    *,
    permanent: bool = False,
    heartbeat_at: dt.datetime | None = None,
) -> str | None:
    """An attempt failed: queue a retry after back-off, or fail for good when attempts are used up.

    Only acts while `attempt` still holds the job (and, for a lease expiry, while the heartbeat is the one
    seen as stale). Returns the new status, or None when the job had moved on.
    """
    decision = rules.after_failure(
        attempt,
        job.max_attempts,
        base_seconds=settings.SAFEGRID_JOB_RETRY_BASE_SECONDS,
        permanent=permanent,
    )
    now = timezone.now()
    held = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, attempts=attempt)
    if heartbeat_at is not None:
        held = held.filter(heartbeat_at=heartbeat_at)
    with transaction.atomic():
        if decision.retry:
            run_after = now + dt.timedelta(seconds=decision.delay)
            local = timezone.localtime(run_after)
            updated = held.update(
                status=JobStatus.QUEUED,
                error=error,
                run_after=run_after,
                message=gettext("第 %(attempt)s 次执行失败，将于 %(time)s 重试")
                % {"attempt": attempt, "time": f"{local:%H:%M:%S}"},
            )
            if updated:
                transaction.on_commit(lambda: _send(job, run_after))
            new_status = JobStatus.QUEUED
        else:
            updated = held.update(
                status=JobStatus.FAILED, error=error, finished_at=now, message=gettext("执行失败")
            )
            new_status = JobStatus.FAILED
    if not updated:
        return None
    logger.warning("job %s (%s) attempt %s failed -> %s: %s", job.uuid, job.kind, attempt, new_status, error)
    return new_status


def jobs_reap_expired(now: dt.datetime | None = None) -> int:
    """Retry (or fail) running jobs whose worker stopped sending heartbeats. Returns how many."""
    now = now or timezone.now()
    lease = settings.SAFEGRID_JOB_LEASE_SECONDS
    cutoff = now - dt.timedelta(seconds=lease)
    count = 0
    for job in Job.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=cutoff):
        if not rules.lease_expired(job.heartbeat_at, now, lease):
            continue
        if job_attempt_failed(job, job.attempts, gettext(LEASE_EXPIRED), heartbeat_at=job.heartbeat_at):
            count += 1
    return count


def job_retry(*, actor: User, job: Job) -> Job:
    """A county admin runs a failed job again (a fresh set of attempts). Audited."""
    if not can_retry_jobs(actor):
        raise PermissionDenied(gettext("只有县级管理员可以重新执行任务"))
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if locked.status != JobStatus.FAILED:
            raise ValidationError(
                gettext("只有失败的任务可以重新执行（当前：%(status)s）")
                % {"status": locked.get_status_display()}
            )
        before = audit.snapshot(locked)
        locked.status = JobStatus.QUEUED
        locked.attempts = 0
        locked.run_after = None
        locked.finished_at = None
        locked.message = gettext("已重新排队")
        locked.save(update_fields=["status", "attempts", "run_after", "finished_at", "message"])
        audit.record(
            actor=actor,
            action=AuditAction.TRANSITION,
            obj=locked,
            before=before,
            after=audit.snapshot(locked),
            comment="重新执行",
        )
        transaction.on_commit(lambda: _send(locked))
    return locked
