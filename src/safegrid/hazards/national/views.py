"""The national-format page (/hazards/national/<enterprise>/): download the enterprise's data for a target
(JSON with photos inline, or a zip with the photos as JPEG files) and, for its managers, upload a file."""

from __future__ import annotations

import uuid as uuid_module
from typing import Any, cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from safegrid.core.forms import StyledFormMixin
from safegrid.core.middleware import MAX_MULTIPART_BYTES
from safegrid.core.models import User
from safegrid.core.scoping import scope_for
from safegrid.enterprises import selectors as ent_selectors
from safegrid.enterprises.models import Enterprise
from safegrid.jobs.selectors import job_get

from .. import permissions
from ..rules import national as nat
from . import archive, export_job, importer
from .profiles import profile_get, profiles

SECTION_NAMES = {
    nat.UNITS: _("风险分析单元"),
    nat.EVENTS: _("风险事件"),
    nat.MEASURES: _("管控措施"),
    nat.TASKS: _("排查任务"),
    nat.RECORDS: _("排查记录"),
    nat.HAZARDS: _("隐患"),
    nat.SHUTDOWNS: _("停用检修记录"),
}


def _profile_choices() -> list[tuple[str, str]]:
    return [(p.key, p.name) for p in profiles().values()]


class _FullWidth(StyledFormMixin, forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["col"] = "col-12"


class ExportForm(_FullWidth):
    profile = forms.ChoiceField(label=_("上报目标"), choices=_profile_choices)
    format = forms.ChoiceField(
        label=_("文件"),
        choices=[("zip", _("压缩包（数据 + JPEG 照片）")), ("json", _("JSON（照片内嵌为 base64）"))],
    )


class ImportForm(_FullWidth):
    profile = forms.ChoiceField(label=_("数据来源格式"), choices=_profile_choices)
    file = forms.FileField(
        label=_("数据文件"), help_text=_("国家平台格式的 .json 文件，或本页导出的 .zip 压缩包（含照片）")
    )

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_MULTIPART_BYTES:
            raise ValidationError(
                gettext("文件过大（上限 %(mb)s MB）") % {"mb": MAX_MULTIPART_BYTES // 2**20}
            )
        if not upload.name.lower().endswith((".json", ".zip")):
            raise ValidationError(gettext("请上传 .json 或 .zip 文件"))
        return upload


def _enterprise(request: HttpRequest, enterprise_id: int) -> Enterprise:
    enterprise = ent_selectors.enterprise_get(request.user, enterprise_id)
    if not permissions.can_national_export(request.user, enterprise.pk):
        raise PermissionDenied(gettext("只有本企业的管理人员和监管部门可以使用国家平台格式数据"))
    return enterprise


@login_required
def index(request: HttpRequest) -> HttpResponse:
    """An enterprise manager lands on their enterprise's page; a regulator opens it from an enterprise."""
    scope = scope_for(request.user)
    own = sorted(scope.enterprises_with(permissions.MANAGER_ROLES))
    if len(own) == 1:
        return HttpResponseRedirect(reverse("hazards:national", args=[own[0]]))
    enterprises = ent_selectors.enterprise_list(request.user).filter(pk__in=own) if own else None
    return render(
        request, "hazards/national/index.html", {"title": _("国家平台数据交换"), "enterprises": enterprises}
    )


def _page(request: HttpRequest, enterprise: Enterprise, **context: Any) -> HttpResponse:
    can_import = permissions.can_national_import(request.user, enterprise.pk)
    status = context.pop("status", 200)
    return render(
        request,
        "hazards/national/page.html",
        {
            "title": _("国家平台数据交换"),
            "enterprise": enterprise,
            "export_form": context.pop("export_form", None) or ExportForm(initial={"format": "zip"}),
            "import_form": context.pop("import_form", None) or (ImportForm() if can_import else None),
            "profiles": list(profiles().values()),
            "section_names": SECTION_NAMES,
            **context,
        },
        status=status,
    )


@login_required
def page(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    enterprise = _enterprise(request, enterprise_id)
    job = None
    wanted = request.GET.get("job", "")
    if wanted:
        try:
            job = job_get(request.user, uuid_module.UUID(wanted))
        except (ValueError, Http404):
            job = None
        if job is not None and (job.kind != export_job.JOB_KIND or job.enterprise_id != enterprise.pk):
            job = None
    return _page(request, enterprise, job=job)


@login_required
@require_http_methods(["POST"])
def download(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    """Queue the export on the worker and follow it on the page (the file can be as large as the photos)."""
    enterprise = _enterprise(request, enterprise_id)
    form = ExportForm(request.POST)
    if not form.is_valid():
        return _page(request, enterprise, export_form=form, status=400)
    try:
        job = export_job.export_enqueue(
            user=cast(User, request.user),
            enterprise=enterprise,
            profile=profile_get(form.cleaned_data["profile"]),
            file_format=form.cleaned_data["format"],
        )
    except ValidationError as exc:
        form.add_error("profile", exc.messages[0])
        return _page(request, enterprise, export_form=form, status=400)
    return HttpResponseRedirect(f"{reverse('hazards:national', args=[enterprise.pk])}?job={job.uuid}")


@login_required
def download_file(request: HttpRequest, uuid: Any) -> HttpResponse:
    content, kind, name = export_job.export_file(request.user, uuid)
    response = HttpResponse(content, content_type=kind)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
@require_http_methods(["POST"])
def upload(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    enterprise = _enterprise(request, enterprise_id)
    if not permissions.can_national_import(request.user, enterprise.pk):
        raise PermissionDenied(gettext("只有本企业的管理员或安全管理员可以导入"))
    form = ImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, enterprise, import_form=form, status=400)
    upload = form.cleaned_data["file"]
    try:
        payload, files = archive.read(upload.read())
    except archive.ArchiveRefused as exc:
        form.add_error("file", str(exc))
        return _page(request, enterprise, import_form=form, status=400)
    try:
        result = importer.national_import(
            actor=cast(User, request.user),
            enterprise=enterprise,
            profile=profile_get(form.cleaned_data["profile"]),
            payload=payload,
            files=files,
            file_name=upload.name,
        )
    except ValidationError as exc:
        problems = [(path, m) for path, messages in exc.message_dict.items() for m in messages]
        return _page(request, enterprise, import_form=form, problems=problems, status=422)
    except IntegrityError:  # a row written meanwhile by someone else (the API answers 409 the same way)
        problems = [("", gettext("与已有数据冲突（重复的记录），整个文件未导入，请稍后重试"))]
        return _page(request, enterprise, import_form=form, problems=problems, status=409)
    rows = [
        {"name": SECTION_NAMES[s], "created": result.created[s], "updated": result.updated[s],
         "unchanged": result.unchanged[s]}
        for s in nat.SECTIONS
    ]  # fmt: skip
    return _page(request, enterprise, imported=rows, file_name=upload.name)
