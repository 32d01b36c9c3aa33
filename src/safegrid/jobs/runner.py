"""Runs one job inside a worker: claim, heartbeat, call the registered function, record the outcome."""

from __future__ import annotations

import logging
import threading
import traceback
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone
from django.utils.translation import gettext

from . import services
from .choices import JobStatus
from .models import Job
from .registry import JobContext, JobFailed, job_function

logger = logging.getLogger(__name__)


class _ProgressWriter:
    """Writes ctx.progress() to the job row with a conditional UPDATE.

    Outside a transaction it goes through the worker's connection and commits at once. A job that works
    inside one long transaction (an all-or-nothing import) would hide its progress until commit, so there
    it goes through a second connection where the database allows concurrent writers (PostgreSQL);
    SQLite has one writer, so there progress shows when the transaction ends.
    """

    def __init__(self, job_id: int, attempt: int) -> None:
        self.job_id = job_id
        self.attempt = attempt
        self.side: BaseDatabaseWrapper | None = None

    def __call__(self, ctx: JobContext) -> None:
        values = {"done": ctx.done, "total": ctx.total, "message": ctx.message[:300]}
        if not connection.in_atomic_block:
            Job.objects.filter(pk=self.job_id, status=JobStatus.RUNNING, attempts=self.attempt).update(
                heartbeat_at=timezone.now(), **values
            )
            return
        if connection.vendor == "sqlite":
            return
        if self.side is None:
            self.side = connections.create_connection(DEFAULT_DB_ALIAS)
        table = self.side.ops.quote_name(Job._meta.db_table)
        try:
            with self.side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET done = %s, total = %s, message = %s, heartbeat_at = %s "  # noqa: S608
                    "WHERE id = %s AND status = %s AND attempts = %s",
                    [
                        ctx.done,
                        ctx.total,
                        ctx.message[:300],
                        timezone.now(),
                        self.job_id,
                        JobStatus.RUNNING,
                        self.attempt,
                    ],
                )
        except DatabaseError:
            logger.warning("job %s: progress not written", self.job_id, exc_info=True)

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


class _Heartbeat(threading.Thread):
    """Keeps the lease of a job that reports no progress for a while (one long step)."""

    def __init__(self, job_id: int, attempt: int, every: float) -> None:
        super().__init__(name=f"job-heartbeat-{job_id}", daemon=True)
        self.job_id = job_id
        self.attempt = attempt
        self.every = every
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(self.every):
                try:
                    Job.objects.filter(
                        pk=self.job_id, status=JobStatus.RUNNING, attempts=self.attempt
                    ).update(heartbeat_at=timezone.now())
                except DatabaseError:
                    logger.warning("job %s: heartbeat not written", self.job_id, exc_info=True)
        finally:
            connection.close()

    def stop(self) -> None:
        self.stopped.set()
        self.join()


def _error_text(exc: BaseException) -> str:
    if isinstance(exc, JobFailed):
        return str(exc)
    last = traceback.extract_tb(exc.__traceback__)[-1:] if exc.__traceback__ else []
    where = f"（{last[0].filename.rsplit('/', 1)[-1]}:{last[0].lineno}）" if last else ""
    return f"{type(exc).__name__}: {exc}{where}"


def execute(job_uuid: str) -> str | None:
    """Run the job once if it is still queued. Returns its new status (None: nothing to do)."""
    job = services.job_claim(job_uuid)
    if job is None:
        logger.info("job %s: not queued any more, skipped", job_uuid)
        return None
    attempt = job.attempts
    function = job_function(job.kind)
    if function is None:
        return services.job_attempt_failed(
            job, attempt, gettext("未登记的任务类型：%(kind)s") % {"kind": job.kind}, permanent=True
        )
    writer = _ProgressWriter(job.pk, attempt)
    ctx = JobContext(
        job_id=job.pk,
        uuid=str(job.uuid),
        kind=job.kind,
        attempt=attempt,
        created_by_id=job.created_by_id,
        actor_label=job.actor_label,
        enterprise_id=job.enterprise_id,
        write=writer,
    )
    heartbeat = _Heartbeat(job.pk, attempt, every=max(1.0, settings.SAFEGRID_JOB_LEASE_SECONDS / 4))
    heartbeat.start()
    try:
        result: Any = function(ctx, **job.args)
        if result is None:
            result = {}
        if not isinstance(result, dict):
            raise TypeError(f"job {job.kind} returned {type(result).__name__}, not a dict")
        DjangoJSONEncoder().encode(result)
    except Exception as exc:
        logger.exception("job %s (%s) attempt %s raised", job.uuid, job.kind, attempt)
        return services.job_attempt_failed(
            job, attempt, _error_text(exc), permanent=isinstance(exc, JobFailed)
        )
    finally:
        heartbeat.stop()
        writer.close()
    if services.job_succeed(job, attempt, result, done=ctx.done, total=ctx.total, message=ctx.message):
        return JobStatus.SUCCEEDED
    logger.warning("job %s: finished after its lease was taken over; result dropped", job.uuid)
    return None
