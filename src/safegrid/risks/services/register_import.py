"""The risk register Excel import on the worker: preview first, write only what the person confirmed.

1. `register_import_start` keeps the upload as an `enterprises.ImportJob` (kind *risk_register*) and
   queues ``risks.preview_register``; `register_preview_run` (the job) checks the whole file, compares
   it with the register and keeps the changes on the upload (status *preview*: created / updated /
   deactivated / unchanged counts and the row-by-row list). Nothing is written.
2. The uploader confirms (`register_import_confirm`, which queues ``risks.import_register``) or cancels
   (`register_import_cancel`). `register_import_run` (the job) checks the same file again and writes its
   changes all or nothing — only when they are still the previewed ones and the register has not been
   written since (`documents.points_excel.importer`) — storing the outcome marked done in the same
   transaction as the register (see `enterprises.import_jobs`, also for the SQLite lease note).

The uploader's permission is checked at every step (start, both jobs, confirm).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from safegrid.core.excel import ImportResult, ProgressSink
from safegrid.core.models import User
from safegrid.enterprises import import_jobs
from safegrid.enterprises.models import Enterprise, ImportJob
from safegrid.enterprises.models_import import ImportKind

from ..documents.points_excel import importer
from ..permissions import can_edit_register

PREVIEW_JOB = "risks.preview_register"
JOB_KIND = "risks.import_register"  # the job that writes (after confirmation)


def _refuse_unless_editor(actor: User, enterprise_id: int | None) -> None:
    if enterprise_id is None or not can_edit_register(actor, enterprise_id):
        raise PermissionDenied(_("您没有维护该企业风险清单的权限，只能导出"))


def register_import_start(
    *, actor: User, enterprise: Enterprise, file_name: str, content: bytes, retire_missing: bool = False
) -> ImportJob:
    """Keep the uploaded register workbook and queue its preview (sent to the worker on commit).
    `retire_missing`: the file is the whole register, so points it does not name are deactivated."""
    _refuse_unless_editor(actor, enterprise.pk)
    with transaction.atomic():
        upload = import_jobs.upload_store(
            user=actor,
            kind=ImportKind.RISK_REGISTER,
            file_name=file_name,
            content=content,
            enterprise=enterprise,
        )
        title = _("校验风险清单：%(name)s") % {"name": enterprise.name}
        args = {"retire_missing": bool(retire_missing)}
        return import_jobs.upload_enqueue(upload, job_kind=PREVIEW_JOB, title=title, args=args)


def _url(upload_id: int) -> str:
    return reverse("risks:excel_import_detail", args=[upload_id])


def register_preview_run(
    ctx: ProgressSink, upload_id: int, *, retire_missing: bool = False, job_id: int | None = None
) -> dict[str, Any]:
    """The preview job's body: check the upload and keep what importing it would change."""
    upload = import_jobs.upload_for_job(upload_id)
    if upload is None or (job_id is not None and upload.job_id != job_id):  # finished, or confirmed since
        return import_jobs.upload_outcome(ImportJob.objects.get(pk=upload_id), _url(upload_id))
    enterprise = upload.enterprise
    if enterprise is None or not can_edit_register(upload.created_by, enterprise.pk):
        result = ImportResult(False, message=_("您没有维护该企业风险清单的权限"))
    else:
        result = importer.preview_register(
            user=upload.created_by,
            enterprise=enterprise,
            file_name=upload.file_name,
            content=bytes(upload.content),
            retire_missing=retire_missing,
            ctx=ctx,
        )
    import_jobs.upload_previewed(upload, result, url=_url(upload_id))
    return import_jobs.upload_outcome(upload, _url(upload_id))


def register_import_confirm(*, actor: User, upload: ImportJob) -> ImportJob:
    """The uploader confirms the previewed changes: queue the job that writes them."""
    _refuse_unless_editor(actor, upload.enterprise_id)
    name = upload.enterprise.name if upload.enterprise else ""
    title = _("导入风险清单：%(name)s") % {"name": name}
    return import_jobs.upload_confirm(upload, user=actor, job_kind=JOB_KIND, title=title)


def register_import_cancel(*, actor: User, upload: ImportJob) -> ImportJob:
    """The uploader drops the previewed changes; nothing is written."""
    return import_jobs.upload_cancel(upload, user=actor)


def register_import_run(ctx: ProgressSink, upload_id: int) -> dict[str, Any]:
    """The writing job's body: import the confirmed upload once, all or nothing; the job result
    (JobFailed if refused)."""
    url = _url(upload_id)
    upload = import_jobs.upload_for_job(upload_id)
    if upload is None:
        return import_jobs.upload_outcome(ImportJob.objects.get(pk=upload_id), url)
    enterprise = upload.enterprise
    summary = None
    if enterprise is None or not can_edit_register(upload.created_by, enterprise.pk):
        result: ImportResult = ImportResult(False, message=_("您没有维护该企业风险清单的权限"))
    else:
        preview = upload.preview or None  # an upload queued before previews existed has none
        outcome = importer.import_register(
            user=upload.created_by,
            enterprise=enterprise,
            file_name=upload.file_name,
            content=bytes(upload.content),
            retire_missing=bool(preview and preview.get("retire_missing")),
            expected=preview,
            ctx=ctx,
            wrap=lambda inner: import_jobs.MarkDone(inner, upload),
        )
        result, summary = outcome, outcome.summary
    import_jobs.upload_finish(upload, result, summary=summary, url=url)
    return import_jobs.upload_outcome(upload, url)
