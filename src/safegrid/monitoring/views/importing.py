"""The points' Excel pages: upload (one enterprise per file), the upload's progress and outcome (the kit's
status partial, polled by htmx), the template and the export of an enterprise's points (the same workbook,
so an export imports back unchanged)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from safegrid.core.excel import XLSX_TYPE
from safegrid.core.params import optional_id
from safegrid.enterprises import import_jobs
from safegrid.enterprises.models import Enterprise
from safegrid.enterprises.models_import import ImportKind

from ..forms.points import PointsUploadForm
from ..selectors import points as selectors
from ..services import points_import
from .points import actor_of, editable_enterprises

KINDS = (ImportKind.MONITORING_POINTS.value,)


class UploadForm(PointsUploadForm):
    enterprise = forms.ModelChoiceField(label=_("导入到企业"), queryset=Enterprise.objects.none())

    def __init__(self, *args: Any, enterprises: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["enterprise"].queryset = enterprises  # type: ignore[attr-defined]
        self.order_fields(["enterprise", "file"])


def _enterprise(request: HttpRequest) -> Enterprise:
    wanted = optional_id(request.GET.get("enterprise"))
    choices = editable_enterprises(request.user).order_by("name")
    found = choices.filter(pk=wanted).first() if wanted is not None else choices.first()
    if found is None:
        raise Http404(gettext("不存在或无权访问"))
    return found


@login_required
def import_start(request: HttpRequest) -> HttpResponse:
    enterprises = editable_enterprises(request.user).order_by("name")
    if not enterprises.exists():
        raise Http404(gettext("您没有可维护监测点位的企业"))
    initial = {"enterprise": optional_id(request.GET.get("enterprise"))}
    form = UploadForm(request.POST or None, request.FILES or None, enterprises=enterprises, initial=initial)
    if request.method == "POST" and form.is_valid():
        upload = points_import.upload_start(
            user=actor_of(request),
            enterprise=form.cleaned_data["enterprise"],
            file_name=form.file_name(),
            content=form.content(),
        )
        return HttpResponseRedirect(reverse("monitoring:import_detail", args=[upload.pk]))
    history = import_jobs.import_job_list(request.user).filter(kind__in=KINDS)[:20]
    return render(
        request,
        "monitoring/points/import.html",
        {"title": gettext("导入监测点位及限值"), "form": form, "history": history},
        status=422 if form.errors else 200,
    )


@login_required
@require_GET
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = import_jobs.import_job_get(request.user, pk, kinds=KINDS)
    counts = job.summary or {}
    context = {
        "job": job,
        "detail_url": reverse("monitoring:import_detail", args=[job.pk]),
        "more_errors": max(0, job.error_count - len(job.errors)),
        "list_url": reverse("monitoring:points")
        + (f"?enterprise={job.enterprise_id}" if job.enterprise_id else ""),
        "list_label": gettext("查看监测点位"),
        "summary_text": gettext(
            "新建 %(created)s 个点位，修改 %(updated)s 个，限值变更待审批 %(limit_changes)s 项"
        )
        % {k: counts.get(k, 0) for k in ("created", "updated", "limit_changes")}
        if counts
        else "",
    }
    if getattr(request, "htmx", False):
        return render(request, "enterprises/_import_status.html", context)
    return render(request, "monitoring/points/import_detail.html", context)


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_TYPE)
    disposition = content_disposition_header(as_attachment=True, filename=filename)
    if disposition:
        response["Content-Disposition"] = disposition
    return response


@login_required
@require_GET
def import_template(request: HttpRequest) -> HttpResponse:
    enterprise = _enterprise(request)
    return _xlsx(points_import.workbook(enterprise), "监测点位导入模板.xlsx")


@login_required
@require_GET
def points_export(request: HttpRequest) -> HttpResponse:
    """An enterprise's points as the import workbook (any reader of the enterprise's points)."""
    wanted = optional_id(request.GET.get("enterprise"))
    if wanted is None:
        raise Http404(gettext("请选择企业"))
    points = list(selectors.point_list(request.user).filter(enterprise_id=wanted).order_by("code"))
    if not points:
        raise Http404(gettext("不存在或无权访问"))
    return _xlsx(
        points_import.workbook(points[0].enterprise, points), f"监测点位-{points[0].enterprise.uscc}.xlsx"
    )
