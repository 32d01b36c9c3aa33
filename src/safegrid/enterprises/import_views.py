"""Pages of the Excel import: upload, template download, and the job's status (polled with htmx)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from safegrid.core.excel import MAX_FILE_BYTES, XLSX_TYPE, ExcelUploadForm

from . import import_jobs, importing
from .models_import import ImportKind

TEMPLATE_FILE_NAMES = {ImportKind.ENTERPRISES: "企业导入模板.xlsx", ImportKind.PEOPLE: "人员导入模板.xlsx"}
KIND_HELP = {
    ImportKind.ENTERPRISES: _(
        "新建企业：名称、信用代码、行业领域、所属区划和网格、经纬度、负责人等；每个企业自动建立公司层级。"
    ),
    ImportKind.PEOPLE: _(
        "为已有企业添加人员，可同时登记一张证书（特种作业操作证等）；岗位按组织架构路径填写。"
    ),
}


class ImportForm(ExcelUploadForm):
    kind = forms.ChoiceField(label=_("导入内容"), widget=forms.RadioSelect)
    field_order = ["kind", "file"]

    def __init__(self, *args: Any, kinds: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(value, ImportKind(value).label) for value in kinds]
        if len(kinds) == 1:
            field.initial = kinds[0]


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request: HttpRequest) -> HttpResponse:
    kinds = importing.allowed_kinds(request.user)
    if not kinds:
        raise PermissionDenied(_("您没有批量导入的权限"))
    if request.method == "POST" and request.POST.get("kind") in set(importing.IMPORTERS) - set(kinds):
        raise PermissionDenied(_("您没有导入此类数据的权限"))
    form = ImportForm(request.POST or None, request.FILES or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        job = import_jobs.job_create(
            user=request.user,  # type: ignore[arg-type]
            kind=form.cleaned_data["kind"],
            file_name=form.file_name(),
            content=form.content(),
        )
        return redirect("enterprise_import:detail", pk=job.pk)
    kind_cards = [
        {"value": value, "label": ImportKind(value).label, "help": KIND_HELP[ImportKind(value)]}
        for value in kinds
    ]
    return render(
        request,
        "enterprises/import.html",
        {
            "form": form,
            "kind_cards": kind_cards,
            "jobs": import_jobs.import_job_list(request.user).filter(kind__in=kinds)[:10],
            "max_rows": importing.MAX_ROWS,
            "max_mb": MAX_FILE_BYTES // 2**20,
        },
    )


@login_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", ImportKind.ENTERPRISES)
    if kind not in importing.IMPORTERS:
        return HttpResponseBadRequest(_("未知的导入类型"))
    if not importing.reach_for(request.user).may_import(kind):
        raise PermissionDenied(_("您没有导入此类数据的权限"))
    response = HttpResponse(importing.build_template(request.user, kind), content_type=XLSX_TYPE)
    disposition = content_disposition_header(
        as_attachment=True, filename=TEMPLATE_FILE_NAMES[ImportKind(kind)]
    )
    if disposition:
        response["Content-Disposition"] = disposition
    response["Cache-Control"] = "private, no-store"
    return response


def _enterprise_list_url() -> str:
    try:
        return reverse("enterprises:enterprise_list")
    except NoReverseMatch:
        return ""


@login_required
@require_GET
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = import_jobs.import_job_get(request.user, pk, kinds=tuple(importing.IMPORTERS))
    context = {
        "job": job,
        "detail_url": reverse("enterprise_import:detail", args=[job.pk]),
        "more_errors": max(0, job.error_count - len(job.errors)),
        "list_url": _enterprise_list_url(),
        "list_label": _("查看企业列表"),
    }
    if getattr(request, "htmx", False):
        return render(request, "enterprises/_import_status.html", context)
    return render(request, "enterprises/import_detail.html", context)
