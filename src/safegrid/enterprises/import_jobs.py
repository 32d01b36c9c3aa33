"""Excel imports on the worker: the upload is stored as an `ImportJob`, a `jobs.Job` runs it.

1. `job_create` (and `upload_store` for another app's import, e.g. the risk register) keeps the
   uploaded bytes with the uploader and the kind, and enqueues a job (`enterprises.import`) that is
   sent to the worker when the request's transaction commits.
2. The job (`enterprises/jobs.py`) calls `process_upload(ctx, upload_id)`: the uploader's permission
   is checked again, the kit's `run_import` checks and writes with the job's `ctx` as progress sink
   (the page's progress bar is the Job's; there is no second progress mechanism). The upload is
   marked done inside the import's own transaction (`MarkDone`), so a job delivered again after the
   commit only reads the outcome; then the outcome — created rows, or every problem as
   sheet/row/column/value/message — is stored on the ImportJob.
3. The uploader is notified (`imports.finished` / `imports.failed`). A refused file fails the job
   with `JobFailed` (no retry: the same file would be refused again); an unexpected error rolls the
   import back and is retried by the worker.

An import that changes existing data is previewed first (the risk register's): the first job runs
`core.excel.run_preview` and `upload_previewed` keeps the changes on the upload (status *preview*,
the uploader is notified); nothing is written. `upload_confirm` (by the uploader) queues the job
that writes, `upload_cancel` drops it. The writing job checks the file again and writes only what was
previewed (the app's importer compares; see `risks.services.register_import`).

SQLite has one writer: during the import transaction neither progress nor the worker's heartbeat
can be written, so the page shows the bar at "正在导入" until the commit, and an import whose write
phase outlasts SAFEGRID_JOB_LEASE_SECONDS (120 s) can be taken for a lost worker. The stored outcome
makes that harmless (a second delivery finds the upload finished and writes nothing); raise the
lease for very large files on SQLite. On PostgreSQL progress and heartbeat go through a second
connection and the lease is kept.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from safegrid import jobs
from safegrid.core.excel import Importer, ImportResult, ProgressSink, Row, RowError, SheetSpec, run_import
from safegrid.core.models import User
from safegrid.notifications.kinds import IMPORT_FAILED, IMPORT_FINISHED, IMPORT_PREVIEW
from safegrid.notifications.services import notify

from .importing import IMPORTERS, reach_for
from .models import Enterprise
from .models_import import ImportJob, ImportKind, ImportStatus

PROGRESS_EVERY = 200
JOB_KIND = "enterprises.import"


def upload_store(
    *, user: User, kind: str, file_name: str, content: bytes, enterprise: Enterprise | None = None
) -> ImportJob:
    """Keep an uploaded workbook (the caller has checked the permission); not yet queued."""
    return ImportJob.objects.create(
        kind=kind,
        file_name=file_name[:200],
        content=content,
        sha256=hashlib.sha256(content).hexdigest(),
        created_by=user,
        enterprise=enterprise,
    )


def upload_enqueue(
    upload: ImportJob, *, job_kind: str, title: str, args: Mapping[str, Any] | None = None
) -> ImportJob:
    """Queue the job that imports (or previews) `upload`, with `args` besides the upload's id; it is
    sent to the worker when the transaction commits."""
    with transaction.atomic():
        upload.job = jobs.enqueue(
            job_kind,
            title=title,
            actor=upload.created_by,
            args={**(args or {}), "upload_id": upload.pk},
            enterprise=upload.enterprise,
            max_attempts=2,
        )
        upload.save(update_fields=["job"])
    return upload


def job_create(*, user: User, kind: str, file_name: str, content: bytes) -> ImportJob:
    """Store an enterprises/people upload and queue its import."""
    if kind not in IMPORTERS or not reach_for(user).may_import(kind):
        raise PermissionError(kind)
    with transaction.atomic():
        upload = upload_store(user=user, kind=kind, file_name=file_name, content=content)
        title = _("导入%(kind)s：%(file)s") % {"kind": ImportKind(kind).label, "file": upload.file_name}
        return upload_enqueue(upload, job_kind=JOB_KIND, title=title)


def upload_url(upload: ImportJob) -> str:
    """The enterprises/people import page of an upload (other apps pass their own page's URL)."""
    return reverse("enterprise_import:detail", args=[upload.pk])


class MarkDone:
    """An importer that also marks its upload done at the end of `write`, inside the import's
    transaction: the rows and the mark commit together, so a second delivery writes nothing."""

    def __init__(self, importer: Importer[Any], upload: ImportJob) -> None:
        self.importer = importer
        self.upload = upload

    @property
    def sheets(self) -> Sequence[SheetSpec]:
        return self.importer.sheets

    def check(
        self, rows: Mapping[str, list[Row]], errors: list[RowError], on_row: Callable[[int], None]
    ) -> Any:
        return self.importer.check(rows, errors, on_row)

    def write(self, plan: Any, on_rows: Callable[[int], None]) -> int:
        created = self.importer.write(plan, on_rows)
        ImportJob.objects.filter(pk=self.upload.pk).update(status=ImportStatus.DONE, created_count=created)
        return created


@transaction.atomic
def upload_finish(
    upload: ImportJob, result: ImportResult, *, summary: dict[str, Any] | None = None, url: str = ""
) -> None:
    """Store the outcome on the upload and tell the uploader (linking to `url`, the upload's page)."""
    ImportJob.objects.filter(pk=upload.pk).update(
        status=ImportStatus.DONE if result.ok else ImportStatus.FAILED,
        finished_at=timezone.now(),
        errors=result.stored_errors(),
        error_count=result.error_count,
        total_rows=result.total,
        created_count=result.created,
        summary=summary or {},
        message=result.message[:500],
    )
    upload.refresh_from_db()
    if result.ok:
        text = _("%(file)s 已导入 %(n)s 行") % {"file": upload.file_name, "n": result.created}
        kind = IMPORT_FINISHED.key
    else:
        text = _("%(file)s 未导入：%(message)s") % {"file": upload.file_name, "message": result.message}
        kind = IMPORT_FAILED.key
    notify([upload.created_by], kind, upload, text, url=url or upload_url(upload))


@transaction.atomic
def upload_previewed(upload: ImportJob, result: ImportResult, *, url: str = "") -> None:
    """Keep a preview's changes on the upload (status *preview*: nothing written yet) and tell the
    uploader they wait for confirmation; a refused file is finished as failed (`upload_finish`)."""
    if not result.ok or result.preview is None:
        upload_finish(upload, result, url=url)
        return
    ImportJob.objects.filter(pk=upload.pk).update(
        status=ImportStatus.PREVIEW,
        total_rows=result.total,
        preview=result.preview,
        errors=[],
        error_count=0,
        message="",
    )
    upload.refresh_from_db()
    text = _("%(file)s 已校验，请查看将要发生的变更并确认导入") % {"file": upload.file_name}
    notify([upload.created_by], IMPORT_PREVIEW.key, upload, text, url=url or upload_url(upload))


def _locked_preview(upload: ImportJob, user: User) -> ImportJob:
    locked = (
        ImportJob.objects.select_for_update(of=("self",))
        .select_related("created_by", "enterprise")
        .get(pk=upload.pk)
    )
    if locked.created_by_id != user.pk:
        raise Http404("不存在或无权查看")
    if locked.status != ImportStatus.PREVIEW:
        raise ValidationError(_("该导入已确认、已取消或已结束，不能再操作"))
    return locked


def upload_confirm(upload: ImportJob, *, user: User, job_kind: str, title: str) -> ImportJob:
    """The uploader confirms a previewed import: queue the job that writes it (once: a second
    confirmation is refused). The caller has checked the permission to import."""
    with transaction.atomic():
        locked = _locked_preview(upload, user)
        locked.status = ImportStatus.QUEUED
        locked.save(update_fields=["status"])
        return upload_enqueue(locked, job_kind=job_kind, title=title)


def upload_cancel(upload: ImportJob, *, user: User) -> ImportJob:
    """The uploader drops a previewed import: nothing is written, the preview stays readable."""
    with transaction.atomic():
        locked = _locked_preview(upload, user)
        locked.status = ImportStatus.CANCELLED
        locked.finished_at = timezone.now()
        locked.save(update_fields=["status", "finished_at"])
        return locked


def upload_outcome(upload: ImportJob, url: str = "") -> dict[str, Any]:
    """The job result for a finished upload; raises JobFailed for a refused one (shown as is)."""
    if upload.status == ImportStatus.FAILED:
        raise jobs.JobFailed(upload.message or _("未导入任何数据"))
    if upload.status in (ImportStatus.PREVIEW, ImportStatus.CANCELLED):
        return {
            "summary": _("已校验 %(n)s 行，等待确认") % {"n": upload.total_rows},
            "url": url or upload_url(upload),
            "url_label": _("查看将要发生的变更"),
        }
    return {
        "summary": _("已导入 %(n)s 行") % {"n": upload.created_count},
        "created": upload.created_count,
        "url": url or upload_url(upload),
        "url_label": _("查看导入结果"),
    }


def upload_for_job(upload_id: int) -> ImportJob | None:
    """The upload a job works on; None when an earlier delivery already finished it."""
    upload = ImportJob.objects.select_related("created_by", "enterprise").get(pk=upload_id)
    return upload if upload.status == ImportStatus.QUEUED else None


def process_upload(ctx: ProgressSink, upload_id: int) -> dict[str, Any]:
    """Check and import one enterprises/people upload (the body of the `enterprises.import` job)."""
    upload = upload_for_job(upload_id)
    if upload is None:
        return upload_outcome(ImportJob.objects.get(pk=upload_id))
    reach = reach_for(upload.created_by)
    if not reach.may_import(upload.kind):
        result = ImportResult(False, message=_("您没有导入此类数据的权限"))
    else:
        file = {
            "job_id": upload.pk,
            "kind": upload.kind,
            "file_name": upload.file_name,
            "sha256": upload.sha256,
        }
        importer = MarkDone(IMPORTERS[upload.kind](upload.created_by, reach, file), upload)
        result = run_import(
            ctx, importer, bytes(upload.content), every=PROGRESS_EVERY, first_sheet_fallback=True
        )
    upload_finish(upload, result)
    return upload_outcome(upload)


def import_job_list(user: Any) -> QuerySet[ImportJob]:
    """The user's own uploads (without the file bytes)."""
    if user is None or not user.is_authenticated:
        return ImportJob.objects.none()
    return (
        ImportJob.objects.filter(created_by=user).select_related("job").defer("content", "errors", "preview")
    )


def import_job_get(user: Any, pk: Any, *, kinds: tuple[str, ...] | None = None) -> ImportJob:
    """One of the user's own uploads, or 404."""
    if user is None or not user.is_authenticated:
        raise Http404
    found = ImportJob.objects.select_related("job").defer("content").filter(pk=pk, created_by=user)
    if kinds is not None:
        found = found.filter(kind__in=kinds)
    job = found.first()
    if job is None:
        raise Http404("不存在或无权查看")
    return job
