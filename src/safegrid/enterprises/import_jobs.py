"""Import jobs: an uploaded workbook stored as an `ImportJob`, run in the background, progress shown.

1. `job_create` stores the upload (status *queued*) and hands its id to a starter after commit.
2. `process_job` claims the job with a conditional UPDATE (so a job never runs twice), checks the
   uploader's permission again, and runs the kit's `run_import` with the kind's importer and a
   `JobProgress` sink: *validating x/N*, then *importing x/N* per written batch.
3. The result (created rows, or every problem with sheet/row/column/value/message) is stored on
   the job; `import_job_get` shows it and closes a job a dead worker left running.

Background work: the embedded deployment runs `process_job` in a `threading.Thread` started on
commit (`start_in_thread`). On the worker kit, `process_job` becomes the task body and
`JobProgress` is replaced by the job's `ctx` (same `progress(done, total, message)` shape).

Progress while writing: the rows are inside one open transaction, so `JobProgress` writes the
counter through a second connection where the database allows concurrent writers (PostgreSQL);
SQLite has one writer, so there the page shows an indeterminate bar until the commit.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import logging
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from safegrid.core.excel import CHECKING, WRITING, ImportResult, run_import
from safegrid.core.models import User

from .importing import IMPORTERS, reach_for
from .models_import import RUNNING_STATUSES, ImportJob, ImportKind, ImportStatus

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 200
STALE_AFTER = dt.timedelta(hours=2)
_STATUS = {CHECKING: ImportStatus.VALIDATING, WRITING: ImportStatus.IMPORTING}


class JobProgress:
    """A `ProgressSink` writing `processed_rows` (and the phase) onto the ImportJob row.

    Outside a transaction the UPDATE commits at once. Inside the import transaction it goes
    through a second connection, so the page sees it before the rows commit.
    """

    def __init__(self, job_id: int) -> None:
        self.job_id = job_id
        self.status = ImportStatus.VALIDATING
        self.side: BaseDatabaseWrapper | None = None

    def progress(self, done: int, total: int, message: str = "") -> None:
        status = _STATUS.get(message, self.status)
        jobs = ImportJob.objects.filter(pk=self.job_id, status=self.status)
        if status != self.status:
            jobs.update(status=status, total_rows=total, processed_rows=done)
            self.status = status
        elif status == ImportStatus.VALIDATING and done == 0:
            jobs.update(total_rows=total)
        elif status == ImportStatus.VALIDATING:
            jobs.update(processed_rows=done)
        elif connection.vendor != "sqlite":  # SQLite has one writer: the counter would wait for the commit
            self._side_update(done)

    def _side_update(self, done: int) -> None:
        if self.side is None:
            self.side = connections.create_connection(DEFAULT_DB_ALIAS)
        table = self.side.ops.quote_name(ImportJob._meta.db_table)
        try:
            with self.side.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET processed_rows = %s WHERE id = %s AND status = %s",  # noqa: S608
                    [done, self.job_id, self.status],
                )
        except DatabaseError:
            logger.warning("import job %s: progress not written", self.job_id, exc_info=True)

    def close(self) -> None:
        if self.side is not None:
            self.side.close()


def _finish(job_id: int, result: ImportResult) -> None:
    ImportJob.objects.filter(pk=job_id).update(
        status=ImportStatus.DONE if result.ok else ImportStatus.FAILED,
        finished_at=timezone.now(),
        errors=result.stored_errors(),
        error_count=result.error_count,
        processed_rows=result.total,
        created_count=result.created,
        message=result.message[:500],
    )


def process_job(job_id: int) -> None:
    """Check and import one queued job; safe to call twice (the second call finds it claimed)."""
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportStatus.QUEUED).update(
        status=ImportStatus.VALIDATING, started_at=timezone.now(), processed_rows=0
    )
    if not claimed:
        return
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    reach = reach_for(job.created_by)
    if not reach.may_import(job.kind):
        _finish(job_id, ImportResult(False, message=_("您没有导入此类数据的权限")))
        return
    file = {"job_id": job_id, "kind": job.kind, "file_name": job.file_name, "sha256": job.sha256}
    importer = IMPORTERS[job.kind](job.created_by, reach, file)
    sink = JobProgress(job_id)
    try:
        result = run_import(
            sink, importer, bytes(job.content), every=PROGRESS_EVERY, first_sheet_fallback=True
        )
    except Exception:
        logger.exception("import job %s failed", job_id)
        result = ImportResult(
            False, message=_("导入过程中出现系统错误，已全部回滚，未导入任何数据；请稍后重试或联系管理员")
        )
    finally:
        sink.close()
    _finish(job_id, result)


# ---------------------------------------------------------------------------------------------
# Creating, starting and reading jobs.

JobStarter = Callable[[int], object]


def run_inline(job_id: int) -> None:
    process_job(job_id)


def _thread_main(job_id: int) -> None:
    try:
        process_job(job_id)
    finally:
        connections.close_all()  # this thread's connections only


def start_in_thread(job_id: int) -> threading.Thread:
    """Run the job in a daemon thread, carrying the request id into the audit entries."""
    context = contextvars.copy_context()
    thread = threading.Thread(
        target=context.run, args=(_thread_main, job_id), name=f"safegrid-import-{job_id}", daemon=True
    )
    thread.start()
    return thread


def default_starter() -> JobStarter:
    return run_inline if getattr(settings, "PROFILE", "") == "test" else start_in_thread


def job_create(
    *, user: User, kind: str, file_name: str, content: bytes, starter: JobStarter | None = None
) -> ImportJob:
    """Store the upload and start processing it once the row is committed."""
    if kind not in ImportKind.values or not reach_for(user).may_import(kind):
        raise PermissionError(kind)
    job = ImportJob.objects.create(
        kind=kind,
        file_name=file_name[:200],
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        created_by=user,
    )
    start = starter or default_starter()
    if start is run_inline:
        start(job.pk)
        job.refresh_from_db()
    else:
        transaction.on_commit(lambda: start(job.pk))
    return job


def import_job_list(user: Any) -> QuerySet[ImportJob]:
    """The user's own jobs (without the file bytes)."""
    if user is None or not user.is_authenticated:
        return ImportJob.objects.none()
    return ImportJob.objects.filter(created_by=user).defer("content", "errors")


def import_job_get(user: Any, pk: Any) -> ImportJob:
    """One of the user's own jobs, or 404. A job left running by a dead worker is closed as failed."""
    if user is None or not user.is_authenticated:
        raise Http404
    job = ImportJob.objects.defer("content").filter(pk=pk, created_by=user).first()
    if job is None:
        raise Http404("不存在或无权查看")
    if job.status in RUNNING_STATUSES and timezone.now() - (job.started_at or job.created_at) > STALE_AFTER:
        stale = ImportJob.objects.filter(pk=job.pk, status=job.status).update(
            status=ImportStatus.FAILED,
            finished_at=timezone.now(),
            message=_("导入任务意外中断（服务可能已重启），未导入任何数据，请重新上传"),
        )
        if stale:
            job.refresh_from_db()
    return job
