"""Excel template, export and import of an enterprise's risk register (mounted at /risks/excel/).

Reads are scoped (an enterprise out of scope answers 404); government users may download the
template and the export; only register editors (`permissions.can_edit_register`) may import (403).
The import is stored and run on the worker (`services.register_import`); its page shows the job's
progress, then the outcome or the error table (see `documents.points_excel`).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from safegrid.core.excel import MAX_FILE_BYTES, XLSX_TYPE
from safegrid.core.scoping import scope_for
from safegrid.enterprises import import_jobs
from safegrid.enterprises import selectors as ent_selectors
from safegrid.enterprises.models import Enterprise
from safegrid.enterprises.models_import import ImportKind

from ..documents.points_excel import export
from ..forms.excel import RegisterImportForm
from ..permissions import can_edit_register, editable_enterprise_ids
from ..services import register_import

MAX_CHOICES = 50
SUMMARY_TEXT = _(
    "新建风险点 %(points_created)s 个、更新 %(points_updated)s 个；写入危险源 %(factors)s 条（评价 %(assessments)s 次）、"
    "管控措施 %(measures)s 条、管控责任 %(tiers)s 条；按文件替换，删除原有危险源 %(factors_removed)s 条、"
    "管控措施 %(measures_removed)s 条、管控责任 %(tiers_removed)s 条。"
)


def _enterprise_from(request: HttpRequest, value: Any) -> Enterprise:
    """The enterprise named by an id in the request, in the user's scope (else 404)."""
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise Http404(_("请选择企业")) from None
    return ent_selectors.enterprise_get(request.user, pk)


def _editable(user: Any) -> QuerySet[Enterprise]:
    """Enterprises in scope whose register the user may import."""
    qs = ent_selectors.enterprise_list(user).order_by("name")
    return qs if scope_for(user).is_county_admin else qs.filter(pk__in=sorted(editable_enterprise_ids(user)))


@login_required
@require_http_methods(["GET", "POST"])
def excel_import(request: HttpRequest) -> HttpResponse:
    user = request.user
    editable = _editable(user)
    chosen: Enterprise | None = None
    wanted = request.POST.get("enterprise") if request.method == "POST" else request.GET.get("enterprise")
    if wanted:
        chosen = _enterprise_from(request, wanted)
    elif request.method == "GET":
        only = list(ent_selectors.enterprise_list(user)[:2])
        chosen = only[0] if len(only) == 1 else None  # an enterprise user: their own enterprise

    if request.method == "POST":
        if chosen is None:
            raise Http404(_("请选择企业"))
        if not can_edit_register(user, chosen.pk):
            raise PermissionDenied(_("您没有维护该企业风险清单的权限，只能导出"))
        form = RegisterImportForm(request.POST, request.FILES, enterprises=editable)
        if form.is_valid():
            upload = register_import.register_import_start(
                actor=user,  # type: ignore[arg-type]
                enterprise=chosen,
                file_name=form.file_name(),
                content=form.content(),
            )
            return redirect("risks:excel_import_detail", pk=upload.pk)
    else:
        form = RegisterImportForm(initial={"enterprise": chosen}, enterprises=editable)

    # Enterprises to export: the chosen one, or those matching the search (at most MAX_CHOICES).
    query = request.GET.get("q", "").strip()
    in_scope = ent_selectors.enterprise_list(user).order_by("name")
    if query:
        in_scope = in_scope.filter(name__icontains=query)
    return render(
        request,
        "risks/excel/import.html",
        {
            "form": form,
            "chosen": chosen,
            "may_import_chosen": chosen is not None and can_edit_register(user, chosen.pk),
            "export_choices": list(in_scope[:MAX_CHOICES]),
            "more_choices": in_scope.count() > MAX_CHOICES,
            "query": query,
            "recent": import_jobs.import_job_list(user).filter(kind=ImportKind.RISK_REGISTER)[:5],
            "max_mb": MAX_FILE_BYTES // 2**20,
        },
    )


@login_required
@require_GET
def excel_import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One of the user's register uploads: the job's progress, then the outcome or the error table."""
    upload = import_jobs.import_job_get(request.user, pk, kinds=(ImportKind.RISK_REGISTER,))
    list_url = reverse("risks:point_list")
    context = {
        "job": upload,
        "detail_url": reverse("risks:excel_import_detail", args=[upload.pk]),
        "more_errors": max(0, upload.error_count - len(upload.errors)),
        "list_url": f"{list_url}?enterprise={upload.enterprise_id}" if upload.enterprise_id else list_url,
        "list_label": _("查看风险点清单"),
        "summary_text": SUMMARY_TEXT % upload.summary if upload.summary else "",
    }
    if getattr(request, "htmx", False):
        return render(request, "enterprises/_import_status.html", context)
    return render(request, "risks/excel/import_detail.html", context)


def _xlsx(content: bytes, file_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_TYPE)
    disposition = content_disposition_header(as_attachment=True, filename=file_name)
    if disposition:
        response["Content-Disposition"] = disposition
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_GET
def excel_template(request: HttpRequest) -> HttpResponse:
    enterprise = _enterprise_from(request, request.GET.get("enterprise"))
    return _xlsx(export.build_template(request.user, enterprise), f"风险清单导入模板-{enterprise.name}.xlsx")


@login_required
@require_GET
def excel_export(request: HttpRequest) -> HttpResponse:
    enterprise = _enterprise_from(request, request.GET.get("enterprise"))
    stamp = timezone.localdate().strftime("%Y%m%d")
    return _xlsx(export.build_export(request.user, enterprise), f"风险清单-{enterprise.name}-{stamp}.xlsx")
