"""Checklist, checkpoint, check-record and use-metric pages.

- /hazards/checklists/ list, detail, new, edit, Excel export (import on the new/edit form), and "安排排查"
  (an ad-hoc inspection of an enterprise from a checklist);
- /hazards/checkpoints/ the risk points the user reaches with their checkpoint QR code (print it, or write
  its URL to an NFC tag), issue/reissue; /hazards/scan/<token>/ what a scanned code opens;
- /hazards/checks/records/ the check records with their trust flags (filter), one record's page;
- /hazards/metrics/ per-enterprise use metrics for the enterprise and its regulators.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from safegrid.core.excel import XLSX_TYPE
from safegrid.core.forms import add_service_errors
from safegrid.core.lists import Column, Filter, ScopedListView
from safegrid.core.models import User
from safegrid.core.scoping import restrict, scope_for
from safegrid.enterprises.models import Enterprise, OrgUnit
from safegrid.regions.selectors import sector_choices
from safegrid.risks.documents.qr import qr_png
from safegrid.risks.rules.cards import absolute_url

from . import checklists, permissions
from . import inspection_selectors as sel
from .choices import DANGER_SOURCE_CHOICES, Presence, TrustFlag
from .forms_inspection import ChecklistForm, InspectionPlanForm, item_lines, parse_item_lines
from .views_inspection import remember_scan


def _actor(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # login_required
    return request.user


# ---- checklists -------------------------------------------------------------------------------------


def _owner_html(t: Any) -> SafeString:
    if t.enterprise_id is None:
        return format_html('<span class="badge bg-blue-lt">{}</span>', gettext("县级"))
    return format_html("{}", t.enterprise.name)


class ChecklistListView(ScopedListView):
    selector = sel.checklists
    title = _("检查表")
    export_basename = "checklists"
    detail_url_name = "hazards:checklist"
    default_sort = "name"
    search_fields = ("name__icontains", "basis__icontains")
    search_placeholder = _("名称或依据")
    columns = (
        Column("name", _("检查表名称"), sort="name", link=True, css="sg-wrap"),
        Column(
            "owner",
            _("所属"),
            html=_owner_html,
            value=lambda t: t.enterprise.name if t.enterprise else gettext("县级"),
        ),
        Column("kind", _("排查类型"), attr="get_kind_display", css="d-none d-md-table-cell"),
        Column("basis", _("依据"), css="d-none d-lg-table-cell sg-wrap"),
    )
    filters = (
        Filter(
            "owner",
            _("所属"),
            lambda qs, v: qs.filter(enterprise__isnull=(v == "county")),
            choices=lambda user: [("county", gettext("县级")), ("enterprise", gettext("企业"))],
        ),
        Filter(
            "kind",
            _("排查类型"),
            "kind",
            choices=lambda user: [(str(k), v) for k, v in DANGER_SOURCE_CHOICES],
        ),
    )

    def create_url(self) -> str | None:
        return reverse("hazards:checklist_new") if _editable_owners(self.request.user) else None


def _editable_owners(user: Any) -> list[tuple[str, str]]:
    """Where the user may create a checklist: the county (county roles) and the enterprises they manage."""
    scope = scope_for(user)
    owners: list[tuple[str, str]] = []
    if permissions.can_edit_checklist(user, None):
        owners.append(("", gettext("县级检查表")))
    managed = scope.enterprises_with(permissions.MANAGER_ROLES)
    owners += [
        (str(pk), name) for pk, name in Enterprise.objects.filter(pk__in=managed).values_list("pk", "name")
    ]
    return owners


@login_required
def checklist_detail(request: HttpRequest, pk: int) -> HttpResponse:
    template = sel.checklist_get(request.user, pk)
    if request.GET.get("export") == "xlsx":  # the list's own export parameter, as on every list page
        return _export(template)
    can_edit = not template.shipped_code and permissions.can_edit_checklist(
        request.user, template.enterprise_id
    )
    plannable = _plannable_enterprises(request.user, template)
    return render(
        request,
        "hazards/checklists/detail.html",
        {
            "title": template.name,
            "template": template,
            "items": sel.checklist_items(template),
            "can_edit": can_edit,
            "can_plan": bool(plannable),
        },
    )


def _save_checklist(
    request: HttpRequest, form: ChecklistForm, template: Any, enterprise: Enterprise | None
) -> Any:
    """Save from the form: items from the uploaded workbook (checked whole) or from the lines."""
    actor = _actor(request)
    upload = form.cleaned_data.get("file")
    if upload:
        outcome = checklists.checklist_import(
            actor=actor,
            content=upload.read(),
            file_name=upload.name,
            template=template,
            enterprise=enterprise,
            data=form.template_data(),
        )
        if not outcome.result.ok:
            lines = [outcome.result.message] + [
                f"{e.sheet} {gettext('第 %(n)s 行') % {'n': e.row}} {e.column}：{e.message}"
                for e in outcome.result.errors[:20]
            ]
            raise ValidationError({"file": [line for line in lines if line]})
        return outcome.template
    return checklists.checklist_save(
        actor=actor,
        data=form.template_data(),
        items=parse_item_lines(form.cleaned_data["items"]),
        template=template,
        enterprise=enterprise,
    )


@login_required
def checklist_new(request: HttpRequest) -> HttpResponse:
    owners = _editable_owners(request.user)
    if not owners:
        raise PermissionDenied(gettext("您不能新建检查表"))
    form = ChecklistForm(request.POST or None, request.FILES or None, sectors=sector_choices(request.user))
    form.fields["owner"] = _owner_field(owners)
    form.order_fields(["owner"])
    if request.method == "POST" and form.is_valid():
        owner = form.cleaned_data["owner"]
        enterprise = (
            restrict(Enterprise.objects.filter(pk=int(owner)), request.user).first() if owner else None
        )
        try:
            saved = _save_checklist(request, form, None, enterprise)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, gettext("检查表已保存"))
            return HttpResponseRedirect(reverse("hazards:checklist", args=[saved.pk]))
    return render(
        request,
        "hazards/checklists/form.html",
        {"title": gettext("新建检查表"), "form": form, "cancel_url": reverse("hazards:checklists")},
        status=422 if form.errors else 200,
    )


def _owner_field(owners: list[tuple[str, str]]) -> Any:
    from django import forms

    field = forms.ChoiceField(label=_("所属"), choices=owners, required=False)
    field.widget.attrs["class"] = "form-select"
    return field


@login_required
def checklist_edit(request: HttpRequest, pk: int) -> HttpResponse:
    template = sel.checklist_get(request.user, pk)
    if template.shipped_code or not permissions.can_edit_checklist(request.user, template.enterprise_id):
        raise PermissionDenied(gettext("您不能修改该检查表"))
    initial = {
        "name": template.name,
        "kind": template.kind,
        "sector_code": template.sector_code,
        "basis": template.basis,
        "description": template.description,
        "active": template.active,
        "items": item_lines(checklists.items_of(template)),
    }
    form = ChecklistForm(
        request.POST or None, request.FILES or None, initial=initial, sectors=sector_choices(request.user)
    )
    if request.method == "POST" and form.is_valid():
        try:
            _save_checklist(request, form, template, None)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, gettext("检查表已保存"))
            return HttpResponseRedirect(reverse("hazards:checklist", args=[template.pk]))
    return render(
        request,
        "hazards/checklists/form.html",
        {
            "title": gettext("修改检查表"),
            "form": form,
            "template": template,
            "cancel_url": reverse("hazards:checklist", args=[template.pk]),
        },
        status=422 if form.errors else 200,
    )


def _export(template: Any) -> HttpResponse:
    response = HttpResponse(checklists.checklist_export(template), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="checklist-{template.pk}.xlsx"'
    return response


def _plannable_enterprises(user: Any, template: Any) -> list[tuple[int, str]]:
    """Enterprises the user manages where this checklist may be used."""
    managed = scope_for(user).enterprises_with(permissions.MANAGER_ROLES)
    if template.enterprise_id is not None:
        managed = managed & {template.enterprise_id}
    return list(
        restrict(Enterprise.objects.filter(pk__in=managed), user).order_by("name").values_list("pk", "name")
    )


@login_required
def inspection_plan(request: HttpRequest, pk: int) -> HttpResponse:
    template = sel.checklist_get(request.user, pk)
    enterprises = _plannable_enterprises(request.user, template)
    if not enterprises:
        raise PermissionDenied(gettext("只有企业管理人员可以安排排查"))
    ids = [pk for pk, _ in enterprises]
    points = sel.risk_points(request.user).filter(enterprise_id__in=ids).order_by("enterprise_id", "code")
    posts = restrict(OrgUnit.objects.filter(enterprise_id__in=ids, kind="post"), request.user).order_by(
        "path"
    )
    kinds = [(k, v) for k, v in DANGER_SOURCE_CHOICES if k in checklists.ADHOC_KINDS]
    now = timezone.localtime().replace(second=0, microsecond=0)
    form = InspectionPlanForm(
        request.POST or None,
        initial={
            "enterprise": ids[0],
            "kind": template.kind if template.kind in checklists.ADHOC_KINDS else 3,
            "title": template.name,
            "window_start": now,
            "window_end": now + dt.timedelta(days=1),
        },
        enterprises=enterprises,
        kinds=kinds,
        points=[(p.pk, f"{p.code} {p.name}") for p in points],
        posts=[(u.pk, u.name) for u in posts],
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        enterprise = restrict(Enterprise.objects.filter(pk=data["enterprise"]), request.user).get()
        point = points.filter(pk=data["risk_point"]).first() if data["risk_point"] else None
        post = posts.filter(pk=data["responsible_post"]).first() if data["responsible_post"] else None
        try:
            occurrence = checklists.inspection_from_checklist(
                actor=_actor(request),
                template=template,
                enterprise=enterprise,
                data={
                    "title": data["title"],
                    "kind": data["kind"],
                    "window_start": data["window_start"],
                    "window_end": data["window_end"],
                    "risk_point": point,
                    "responsible_post": post,
                },
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, gettext("排查任务已安排"))
            return HttpResponseRedirect(reverse("hazards:check", args=[occurrence.pk]))
    return render(
        request,
        "core/form.html",
        {
            "title": gettext("按检查表安排排查：%(name)s") % {"name": template.name},
            "form": form,
            "intro": gettext("检查表的每个检查项都会成为该次排查的勾选项；选择风险点后可扫码验证到位。"),
            "cancel_url": reverse("hazards:checklist", args=[template.pk]),
        },
        status=422 if form.errors else 200,
    )


# ---- checkpoints and scanning -----------------------------------------------------------------------


def checkpoint_url(request: HttpRequest, token: str) -> str:
    """The absolute URL printed as the QR code and written to an NFC tag (SAFEGRID_PUBLIC_URL when set)."""
    from django.conf import settings

    path = reverse("hazards:scan", args=[token])
    base = str(getattr(settings, "SAFEGRID_PUBLIC_URL", "") or "")
    return absolute_url(base, path) if base else request.build_absolute_uri(path)


class CheckpointListView(ScopedListView):
    selector = sel.risk_points
    title = _("巡检点二维码")
    export_basename = "checkpoints"
    detail_url_name = "hazards:checkpoint"
    default_sort = "code"
    search_fields = ("name__icontains", "code__icontains", "enterprise__name__icontains")
    search_placeholder = _("风险点名称、编号或企业")
    columns = (
        Column("code", _("编号"), sort="code"),
        Column("name", _("风险点"), sort="name", link=True, css="sg-wrap"),
        Column("enterprise", _("企业"), attr="enterprise.name", css="d-none d-md-table-cell sg-wrap"),
        Column(
            "checkpoint",
            _("二维码"),
            value=lambda p: gettext("已签发") if hasattr(p, "checkpoint") else gettext("未签发"),
        ),
    )
    filters = (
        Filter(
            "issued",
            _("二维码"),
            lambda qs, v: qs.filter(checkpoint__isnull=(v == "no")),
            choices=lambda user: [("yes", gettext("已签发")), ("no", gettext("未签发"))],
        ),
    )


@login_required
def checkpoint_detail(request: HttpRequest, pk: int) -> HttpResponse:
    point = sel.risk_point_get(request.user, pk)
    checkpoint = getattr(point, "checkpoint", None)
    can_issue = permissions.can_plan_inspection(request.user, point.enterprise_id)
    # Only the point's managers see the code (it is the proof of presence); drawn inline, not a download.
    url = checkpoint_url(request, checkpoint.token) if checkpoint and can_issue else ""
    return render(
        request,
        "hazards/checkpoints/detail.html",
        {
            "title": gettext("巡检点：%(name)s") % {"name": point.name},
            "point": point,
            "checkpoint": checkpoint,
            "url": url,
            "qr": "data:image/png;base64," + base64.b64encode(qr_png(url)).decode() if url else "",
            "can_issue": can_issue,
        },
    )


@login_required
@require_POST
def checkpoint_issue(request: HttpRequest, pk: int) -> HttpResponse:
    point = sel.risk_point_get(request.user, pk)
    checklists.checkpoint_issue(actor=_actor(request), risk_point=point)
    messages.success(request, gettext("巡检点二维码已签发，请打印并张贴（或写入 NFC 标签）"))
    return HttpResponseRedirect(reverse("hazards:checkpoint", args=[point.pk]))


@login_required
def scan(request: HttpRequest, token: str) -> HttpResponse:
    """A scanned checkpoint: the scan is kept (server time) and the point's open checks offered."""
    checkpoint = sel.checkpoint_by_token(request.user, token)
    remember_scan(request, checkpoint)
    open_ = sel.open_at_point(request.user, checkpoint.risk_point_id)
    if len(open_) == 1:
        return HttpResponseRedirect(reverse("hazards:check", args=[open_[0].pk]))
    return render(
        request,
        "hazards/checkpoints/scanned.html",
        {"title": checkpoint.risk_point.name, "checkpoint": checkpoint, "rows": open_},
    )


# ---- check records and their flags ------------------------------------------------------------------


def _flags_html(r: Any) -> SafeString:
    labels = r.flag_labels()
    if not labels:
        return format_html("{}", "")
    return format_html_join(" ", '<span class="badge bg-orange-lt">{}</span>', ((label,) for label in labels))


def _by_flag(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    if value == "any":
        return qs.filter(Q(flag_photo_seen=True) | Q(flag_far=True) | Q(flag_batch=True))
    field = {
        TrustFlag.PHOTO_SEEN: "flag_photo_seen",
        TrustFlag.FAR: "flag_far",
        TrustFlag.BATCH: "flag_batch",
    }
    return qs.filter(**{field[TrustFlag(value)]: True})


def _by_enterprise(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    return qs.filter(enterprise_id=int(value))


class CheckRecordListView(ScopedListView):
    selector = sel.records
    title = _("排查记录")
    export_basename = "check-records"
    detail_url_name = "hazards:record"
    default_sort = "-server_time"
    search_fields = ("task__title__icontains", "enterprise__name__icontains")
    search_placeholder = _("任务或企业")
    columns = (
        Column("server_time", _("记录时间"), sort="server_time", link=True),
        Column("task", _("排查任务"), attr="task.title", css="sg-wrap"),
        Column("enterprise", _("企业"), attr="enterprise.name", css="d-none d-md-table-cell sg-wrap"),
        Column("result", _("结果"), attr="get_result_display", css="d-none d-md-table-cell"),
        Column("presence", _("到位验证"), attr="get_presence_display"),
        Column("flags", _("标记"), html=_flags_html, value=lambda r: "、".join(r.flag_labels())),
        Column("checked_by", _("检查人"), attr="checked_by", css="d-none d-lg-table-cell"),
        Column("distance_m", _("距风险点（米）"), table=False),
        Column("device_time", _("设备时间"), table=False),
        Column("photo_sha256", _("照片摘要 SHA-256"), table=False),
    )
    filters = (
        Filter(
            "flag",
            _("标记"),
            _by_flag,
            choices=lambda user: [("any", gettext("任一标记")), *TrustFlag.choices],
        ),
        Filter("presence", _("到位验证"), "presence", choices=lambda user: Presence.choices),
        Filter("enterprise", _("企业"), _by_enterprise, hidden=True, integer=True),
    )


@login_required
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = sel.record_get(request.user, pk)
    return render(
        request,
        "hazards/checks/record.html",
        {
            "title": gettext("排查记录"),
            "record": record,
            "hazards": record.hazards.all(),
            "seen": record.flag_detail.get(TrustFlag.PHOTO_SEEN, {}),
            "batch": record.flag_detail.get(TrustFlag.BATCH, {}),
        },
    )


@login_required
def record_photo(request: HttpRequest, pk: int) -> FileResponse:
    record = sel.record_get(request.user, pk)
    if not record.photo:
        raise Http404(gettext("没有照片"))
    try:
        handle = record.photo.open("rb")
    except FileNotFoundError:
        raise Http404(gettext("照片文件缺失")) from None
    return FileResponse(handle)


# ---- use metrics ------------------------------------------------------------------------------------


@login_required
def metrics(request: HttpRequest) -> HttpResponse:
    value = request.GET.get("enterprise", "")
    ids = [int(value)] if value.isdigit() and len(value) < 18 else None
    rows = sel.use_metrics(request.user, ids)
    return render(
        request,
        "hazards/metrics.html",
        {
            "title": gettext("系统使用情况"),
            "rows": rows,
            "days": sel.METRIC_DAYS,
            "single": ids is not None,
        },
    )
