"""Shutdowns for maintenance (停用检修) pages: the list (enterprise managers record and end them; regulators
read), the new form and one shutdown's page with its end form. Writes go through `inspections`."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from safegrid.core.forms import add_service_errors
from safegrid.core.lists import Column, Filter, ScopedListView
from safegrid.core.models import User
from safegrid.core.scoping import restrict, scope_for
from safegrid.enterprises.models import Enterprise

from . import inspection_selectors as sel
from . import inspections, permissions
from .forms_shutdown import ShutdownEndForm, ShutdownForm

NOTE = _(
    "停用检修期间，停用范围（全厂或某个风险点）内的排查任务暂停：不生成待检查任务，也不计漏检；恢复使用后请及时“结束停用”，"
    "超过计划恢复时间仍未结束的会标为“超期未恢复”。"
)

ERROR_FIELDS = {"risk_point", "start", "planned_end", "reason", "approver", "end"}


def state_of(row: Any, now: Any = None) -> tuple[str, str]:
    """(label, badge class) of a shutdown now."""
    now = now or timezone.now()
    if row.end is not None and row.end <= now:
        return gettext("已恢复"), "bg-green-lt"
    if row.start > now:
        return gettext("计划停用"), "bg-blue-lt"
    if row.planned_end is not None and row.planned_end < now:
        return gettext("超期未恢复"), "bg-red-lt"
    return gettext("停用中"), "bg-orange-lt"


def _state_html(row: Any) -> SafeString:
    label, css = state_of(row)
    return format_html('<span class="badge {}">{}</span>', css, label)


def _unit(row: Any) -> str:
    return row.risk_point.name if row.risk_point_id else gettext("全厂（整个企业）")


def _managed(user: Any) -> list[tuple[int, str]]:
    ids = scope_for(user).enterprises_with(permissions.MANAGER_ROLES)
    return list(Enterprise.objects.filter(pk__in=ids).order_by("name").values_list("pk", "name"))


class ShutdownListView(ScopedListView):
    selector = sel.shutdowns
    title = _("停用检修")
    export_basename = "shutdowns"
    detail_url_name = "hazards:shutdown"
    default_sort = "-start"
    search_fields = ("reason__icontains", "enterprise__name__icontains", "risk_point__name__icontains")
    search_placeholder = _("企业、风险点或原因")
    columns = (
        Column("enterprise", _("企业"), attr="enterprise.name", link=True, css="sg-wrap"),
        Column("unit", _("停用范围"), value=_unit, css="sg-wrap"),
        Column("start", _("停用开始时间"), sort="start"),
        Column("planned_end", _("计划恢复时间"), sort="planned_end", css="d-none d-md-table-cell"),
        Column("end", _("实际恢复时间"), sort="end", css="d-none d-md-table-cell"),
        Column("state", _("状态"), value=lambda r: state_of(r)[0], html=_state_html),
        Column("reason", _("停用原因"), css="d-none d-lg-table-cell sg-wrap"),
        Column("approver", _("批准人"), css="d-none d-lg-table-cell"),
    )
    filters = (
        Filter(
            "state",
            _("状态"),
            lambda qs, v: qs.filter(end__isnull=(v == "running")),
            choices=lambda user: [("running", gettext("未恢复")), ("ended", gettext("已恢复"))],
        ),
    )

    def create_url(self) -> str | None:
        return reverse("hazards:shutdown_new") if _managed(self.request.user) else None

    def get_extra_context(self) -> dict[str, Any]:
        return {"list_note": NOTE}


def _service_errors(exc: ValidationError) -> ValidationError:
    mapped: dict[str, list[str]] = {}
    for key, msgs in exc.message_dict.items():
        mapped.setdefault(key if key in ERROR_FIELDS else "__all__", []).extend(msgs)
    return ValidationError(mapped)


@login_required
def shutdown_new(request: HttpRequest) -> HttpResponse:
    managed = _managed(request.user)
    if not managed:
        raise PermissionDenied(gettext("只有企业管理人员可以登记停用检修"))
    chosen = request.POST.get("enterprise") or request.GET.get("enterprise") or str(managed[0][0])
    enterprise_id = next((pk for pk, _name in managed if str(pk) == chosen), managed[0][0])
    enterprise = restrict(Enterprise.objects.filter(pk=enterprise_id), request.user).get()
    points = list(
        sel.risk_points(request.user)
        .filter(enterprise_id=enterprise_id, active=True)
        .order_by("name")
        .values_list("pk", "name")
    )
    form = ShutdownForm(request.POST or None, points=points)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        points_qs = sel.risk_points(request.user).filter(enterprise_id=enterprise_id)
        point = points_qs.filter(pk=data["risk_point"]).first() if data["risk_point"] else None
        assert isinstance(request.user, User)
        try:
            row = inspections.shutdown_record(
                actor=request.user,
                enterprise=enterprise,
                risk_point=point,
                start=data["start"],
                end=None,
                planned_end=data["planned_end"],
                reason=data["reason"],
                approver=data["approver"],
            )
        except ValidationError as exc:
            add_service_errors(form, _service_errors(exc))
        else:
            messages.success(request, gettext("停用检修已登记，停用范围内的排查任务暂停"))
            return HttpResponseRedirect(reverse("hazards:shutdown", args=[row.pk]))
    context = {
        "title": gettext("登记停用检修"),
        "form": form,
        "enterprise": enterprise,
        "managed": managed if len(managed) > 1 else [],
        "cancel_url": reverse("hazards:shutdowns"),
        "intro": NOTE,
    }
    return render(request, "hazards/shutdowns/form.html", context, status=422 if form.errors else 200)


@login_required
def shutdown_detail(request: HttpRequest, pk: int) -> HttpResponse:
    row = sel.shutdown_get(request.user, pk)  # out of scope: 404
    can_end = row.end is None and permissions.is_manager(request.user, row.enterprise_id)
    form = ShutdownEndForm(request.POST or None) if can_end else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(gettext("只有企业管理人员可以结束未恢复的停用检修"))
        if form.is_valid():
            assert isinstance(request.user, User)
            try:
                inspections.shutdown_end(actor=request.user, shutdown=row, end=form.cleaned_data["end"])
            except ValidationError as exc:
                add_service_errors(form, _service_errors(exc))
            else:
                messages.success(request, gettext("停用检修已结束，排查任务恢复"))
                return HttpResponseRedirect(reverse("hazards:shutdown", args=[row.pk]))
    label, css = state_of(row)
    context = {
        "title": gettext("停用检修"),
        "row": row,
        "unit": _unit(row),
        "state": label,
        "state_css": css,
        "form": form,
    }
    return render(
        request, "hazards/shutdowns/detail.html", context, status=422 if form and form.errors else 200
    )
