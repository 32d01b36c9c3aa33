"""Page downloads run on the worker: an enterprise's photos make an export as large as they are.

`export_enqueue` records the job (the user checked by the caller); the job builds the file as that user
(the same scoped reads), keeps it in the default storage under `national/exports/<job uuid>.<ext>` and
links it; `export_file` hands it back to a user who can read the job and still export the enterprise.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from safegrid import jobs
from safegrid.core.models import User
from safegrid.enterprises.models import Enterprise
from safegrid.jobs import JobContext, JobFailed
from safegrid.jobs.models import Job
from safegrid.jobs.selectors import job_get

from .. import permissions
from ..rules import national as nat
from . import archive, export
from .profiles import profile_get

JOB_KIND = "hazards.national_export"
FORMATS = {"zip": "application/zip", "json": "application/json"}


def export_enqueue(*, user: User, enterprise: Enterprise, profile: nat.Profile, file_format: str) -> Job:
    export.company_code(enterprise, profile)  # refuse a target the enterprise has no code for, now
    return jobs.enqueue(
        JOB_KIND,
        title=_("导出国家平台格式数据：%(name)s") % {"name": enterprise.name},
        actor=user,
        args={"enterprise_id": enterprise.pk, "profile": profile.key, "format": file_format},
        enterprise=enterprise,
    )


def _path(uuid: Any, file_format: str) -> str:
    return f"national/exports/{uuid}.{file_format}"


def run(ctx: JobContext, *, enterprise_id: int, profile: str, format: str) -> dict[str, Any]:  # noqa: A002
    user = ctx.actor
    if not isinstance(user, User):
        raise JobFailed(_("导出须由用户发起"))
    enterprise = Enterprise.objects.get(pk=enterprise_id)
    if not permissions.can_national_export(user, enterprise.pk):
        raise JobFailed(_("只有本企业的管理人员和监管部门可以使用国家平台格式数据"))
    ctx.progress(0, 1, _("正在导出…"))
    try:
        target = profile_get(profile)
        if format == "json":
            built = export.build(user, enterprise, target)
            content = archive.dump_json(built.payload)
        else:
            content, built = archive.build_zip(user, enterprise, target)
    except (ValidationError, Http404) as exc:
        raise JobFailed("；".join(getattr(exc, "messages", [str(exc)]))) from exc
    path = _path(ctx.uuid, format)
    if default_storage.exists(path):
        default_storage.delete(path)
    default_storage.save(path, ContentFile(content))
    ctx.progress(1, 1, _("导出完成"))
    counts = built.counts()
    return {
        "summary": _("已导出：隐患 %(h)s 条，风险分析单元 %(u)s 个")
        % {"h": counts["hazards"], "u": counts["units"]},
        "url": reverse("hazards:national_file", args=[ctx.uuid]),
        "url_label": _("下载"),
        "counts": counts,
        "notes": built.notes,
        "bytes": len(content),
    }


def export_file(user: Any, uuid: Any) -> tuple[bytes, str, str]:
    """(content, content type, file name) of a finished export the user may still read; else 404/403."""
    job = job_get(user, uuid)
    if job.kind != JOB_KIND or job.status != "succeeded":
        raise Http404(uuid)
    enterprise_id = int(job.args["enterprise_id"])
    if not permissions.can_national_export(user, enterprise_id):
        raise PermissionDenied(_("只有本企业的管理人员和监管部门可以使用国家平台格式数据"))
    file_format = str(job.args["format"])
    path = _path(job.uuid, file_format)
    if not default_storage.exists(path):
        raise Http404(uuid)
    with default_storage.open(path, "rb") as f:
        content = f.read()
    stamp = job.finished_at.strftime("%Y%m%d%H%M") if job.finished_at else ""
    name = f"national-{job.args['profile']}-{enterprise_id}-{stamp}.{file_format}"
    return content, FORMATS[file_format], name
