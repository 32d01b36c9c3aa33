"""Starting and running the risk register Excel import on the worker (job kind ``risks.import_register``).

The upload is kept as an `enterprises.ImportJob` (kind *risk_register*, the bytes and, afterwards,
the outcome and error table); the job reads it, checks the uploader's permission again and runs
`documents.points_excel.importer.import_register` with the job's `ctx` as progress sink, storing the outcome
marked done in the same transaction as the register (see `enterprises.import_jobs`, also for the SQLite
lease note).
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

JOB_KIND = "risks.import_register"


def register_import_start(
    *, actor: User, enterprise: Enterprise, file_name: str, content: bytes
) -> ImportJob:
    """Keep the uploaded register workbook and queue its import (sent to the worker on commit)."""
    if not can_edit_register(actor, enterprise.pk):
        raise PermissionDenied(_("您没有维护该企业风险清单的权限，只能导出"))
    with transaction.atomic():
        upload = import_jobs.upload_store(
            user=actor,
            kind=ImportKind.RISK_REGISTER,
            file_name=file_name,
            content=content,
            enterprise=enterprise,
        )
        title = _("导入风险清单：%(name)s") % {"name": enterprise.name}
        return import_jobs.upload_enqueue(upload, job_kind=JOB_KIND, title=title)


def register_import_run(ctx: ProgressSink, upload_id: int) -> dict[str, Any]:
    """The job's body: import the upload once, all or nothing; the job result (JobFailed if refused)."""
    url = reverse("risks:excel_import_detail", args=[upload_id])
    upload = import_jobs.upload_for_job(upload_id)
    if upload is None:
        return import_jobs.upload_outcome(ImportJob.objects.get(pk=upload_id), url)
    enterprise = upload.enterprise
    summary = None
    if enterprise is None or not can_edit_register(upload.created_by, enterprise.pk):
        result: ImportResult = ImportResult(False, message=_("您没有维护该企业风险清单的权限"))
    else:
        outcome = importer.import_register(
            user=upload.created_by,
            enterprise=enterprise,
            file_name=upload.file_name,
            content=bytes(upload.content),
            ctx=ctx,
            wrap=lambda inner: import_jobs.MarkDone(inner, upload),
        )
        result, summary = outcome, outcome.summary.as_dict() if outcome.summary else None
    import_jobs.upload_finish(upload, result, summary=summary, url=url)
    return import_jobs.upload_outcome(upload, url)
