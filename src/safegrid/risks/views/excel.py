"""Excel template, export and import of an enterprise's risk register (mounted at /risks/excel/).

Reads are scoped (an enterprise out of scope answers 404); government users may download the
template and the export; only register editors (`permissions.can_edit_register`) may import (403).
An upload is checked on the worker and compared with the register (`services.register_import`); its
page shows the job's progress, then the changes it would make (counts and the row-by-row list, or the
error table); nothing is written until the uploader confirms, and then the page shows the write's
progress and outcome (see `documents.points_excel`). Uploads are private to their uploader (404).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from safegrid.core.excel import MAX_FILE_BYTES, XLSX_TYPE
from safegrid.core.scoping import scope_for
from safegrid.enterprises import import_jobs
from safegrid.enterprises import selectors as ent_selectors
from safegrid.enterprises.models import Enterprise
from safegrid.enterprises.models_import import ImportKind, ImportStatus

from ..documents.points_excel import export
from ..forms.excel import RegisterImportForm
from ..permissions import can_edit_register, editable_enterprise_ids
from ..rules.register_diff import ACTIONS, CREATED, DEACTIVATED, UNCHANGED, UPDATED
from ..services import register_apply, register_import

MAX_CHOICES = 50
PREVIEW_ROWS_PER_PAGE = 100
KIND_LABELS = {
    register_apply.POINT: _("风险点"),
    register_apply.FACTOR: _("危险源"),
    register_apply.MEASURE: _("管控措施"),
    register_apply.TIER: _("管控责任"),
}
ACTION_LABELS = {
    CREATED: _("新建"),
    UPDATED: _("更新"),
    DEACTIVATED: _("停用"),
    UNCHANGED: _("不变"),
}
ACTION_BADGES = {
    CREATED: "bg-green-lt",
    UPDATED: "bg-blue-lt",
    DEACTIVATED: "bg-orange-lt",
    UNCHANGED: "bg-secondary-lt",
}
SHOW_CHANGES = "changes"  # the preview's default: every row that changes something
SHOWS = (SHOW_CHANGES, CREATED, UPDATED, DEACTIVATED, UNCHANGED, "all")


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
                retire_missing=form.retire_missing(),
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


def _count_table(counts: dict[str, dict[str, int]]) -> list[dict[str, Any]]:
    return [
        {"label": KIND_LABELS[kind], "cells": [counts.get(kind, {}).get(action, 0) for action in ACTIONS]}
        for kind in register_apply.KINDS
    ]


def _summary_text(counts: dict[str, Any]) -> str:
    """What an applied import changed, in one sentence per kind that changed."""
    parts = []
    for kind in register_apply.KINDS:
        of_kind = counts.get(kind, {})
        if not isinstance(of_kind, dict):  # an outcome stored before imports were previewed
            return ""
        parts.append(
            gettext("%(kind)s：新建 %(created)s，更新 %(updated)s，停用 %(deactivated)s，不变 %(unchanged)s")
            % {"kind": KIND_LABELS[kind], **{a: of_kind.get(a, 0) for a in ACTIONS}}
        )
    return gettext("；").join(parts)


def _preview_context(request: HttpRequest, upload: Any) -> dict[str, Any]:
    """The changes a previewed upload would make: counts, and the rows the `show` filter picks, a page at a time."""
    preview = upload.preview or {}
    rows = preview.get("rows", [])
    show = request.GET.get("show", SHOW_CHANGES)
    if show not in SHOWS:
        show = SHOW_CHANGES
    if show == SHOW_CHANGES:
        picked = [r for r in rows if r["action"] != UNCHANGED]
    elif show == "all":
        picked = rows
    else:
        picked = [r for r in rows if r["action"] == show]
    totals = preview.get("totals", {})
    changed = sum(totals.get(a, 0) for a in (CREATED, UPDATED, DEACTIVATED))
    filters = [
        (SHOW_CHANGES, _("全部变更"), changed),
        *((a, ACTION_LABELS[a], totals.get(a, 0)) for a in ACTIONS),
        ("all", _("全部条目"), len(rows)),
    ]
    page = Paginator(picked, PREVIEW_ROWS_PER_PAGE).get_page(request.GET.get("page"))
    for row in page.object_list:
        row["kind_label"] = KIND_LABELS.get(row["kind"], row["kind"])
        row["action_label"] = ACTION_LABELS.get(row["action"], row["action"])
        row["badge"] = ACTION_BADGES.get(row["action"], "")
    return {
        "preview": preview,
        "preview_table": _count_table(preview.get("counts", {})),
        "action_headers": [ACTION_LABELS[a] for a in ACTIONS],
        "changed": changed,
        "show": show,
        "show_filters": filters,
        "page_obj": page,
        "paginator": page.paginator,
        "preview_template": "risks/excel/_preview.html",
        "may_confirm": upload.status == ImportStatus.PREVIEW
        and can_edit_register(request.user, upload.enterprise_id),
    }


@login_required
@require_GET
def excel_import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One of the user's register uploads: the job's progress, then the changes to confirm (or the
    error table), then the outcome."""
    upload = import_jobs.import_job_get(request.user, pk, kinds=(ImportKind.RISK_REGISTER,))
    list_url = reverse("risks:point_list")
    context = {
        "job": upload,
        "detail_url": reverse("risks:excel_import_detail", args=[upload.pk]),
        "more_errors": max(0, upload.error_count - len(upload.errors)),
        "list_url": f"{list_url}?enterprise={upload.enterprise_id}" if upload.enterprise_id else list_url,
        "list_label": _("查看风险点清单"),
        "summary_text": _summary_text(upload.summary) if upload.summary else "",
    }
    if upload.preview and not upload.is_running:  # (while the write runs, only its progress shows)
        context.update(_preview_context(request, upload))
    if getattr(request, "htmx", False):
        return render(request, "enterprises/_import_status.html", context)
    return render(request, "risks/excel/import_detail.html", context)


def _own_upload(request: HttpRequest, pk: int) -> Any:
    return import_jobs.import_job_get(request.user, pk, kinds=(ImportKind.RISK_REGISTER,))


@login_required
@require_POST
def excel_import_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """Write the previewed changes (on the worker); the page then shows the progress and outcome."""
    upload = _own_upload(request, pk)
    try:
        register_import.register_import_confirm(actor=request.user, upload=upload)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    return redirect("risks:excel_import_detail", pk=upload.pk)


@login_required
@require_POST
def excel_import_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    upload = _own_upload(request, pk)
    try:
        register_import.register_import_cancel(actor=request.user, upload=upload)  # type: ignore[arg-type]
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.info(request, _("已取消导入，风险清单没有任何改动。"))
    return redirect("risks:excel_import_detail", pk=upload.pk)


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
