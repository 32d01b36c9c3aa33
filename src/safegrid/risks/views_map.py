"""The four-colour risk map (风险四色图), its JSON layers, site plans and the regional risk list.

Reads go through `map_data`/`regional` (scoped: out of scope = 404); writes through the services in
`regional` (atomic, audited); `permissions` decides who may write (in scope but not allowed = 403).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from safegrid.core.lists import Column, Filter, ScopedListView
from safegrid.core.models import User
from safegrid.core.scoping import scope_for
from safegrid.core.views import ServiceFormView
from safegrid.enterprises.selectors import enterprise_get
from safegrid.regions import selectors as region_selectors

from . import map_data, regional
from . import regional_rules as rr
from .choices import RiskLevel
from .models import RegionalRisk
from .models_siteplan import EnterpriseSitePlan
from .permissions import can_edit_register, can_set_regional_risk

LEVEL_SHORT = {1: _("重大"), 2: _("较大"), 3: _("一般"), 4: _("低")}
COMPACT_JSON = {"ensure_ascii": False, "separators": (",", ":")}
RULE_TEXT = {
    rr.Rule.LEVEL1_PRESENT: _("有重大风险企业"),
    rr.Rule.LEVEL2_PRESENT: _("有较大风险企业"),
    rr.Rule.LEVEL3_MANY: _("一般风险企业数达到阈值"),
    rr.Rule.LEVEL3_PRESENT: _("有一般风险企业"),
    rr.Rule.LOW_ONLY: _("仅有低风险企业"),
    rr.Rule.NO_DATA: _("无已评定企业（无数据）"),
}


def _year(request: HttpRequest) -> int:
    value = request.GET.get("year", "")
    if value.isdigit() and 2000 <= int(value) <= 2100:
        return int(value)
    return timezone.localdate().year


def _bad_request(field: str) -> JsonResponse:
    return JsonResponse({"error": gettext("参数无效：%(field)s") % {"field": field}}, status=400)


# ---- the map page and its JSON layers -------------------------------------------------------------


@require_safe
@login_required
def map_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    scope = scope_for(user)
    roots = map_data.root_codes(user)
    own = sorted(scope.own_enterprise_ids)
    start_enterprise: int | None = None
    requested = request.GET.get("enterprise", "")
    if requested.isdigit():
        start_enterprise = enterprise_get(user, int(requested)).pk  # 404 when out of scope
    elif not roots and own:
        start_enterprise = own[0]
    if not roots and start_enterprise is None:
        raise Http404(gettext("没有可显示的区域"))
    year = _year(request)
    years = sorted({year, timezone.localdate().year, *regional.regional_years(user)}, reverse=True)
    division = request.GET.get("division", "")
    config = {
        "urls": {
            "divisions": reverse("risks:map_divisions"),
            "enterprises": reverse("risks:map_enterprises"),
            "points": reverse("risks:map_points"),
            "enterpriseList": reverse("enterprises:enterprise_list"),
            "regionalList": reverse("risks:regional_list"),
        },
        "root": roots[0] if roots else None,
        "start": division
        if division.isdigit() and map_data.in_roots(division, roots)
        else (roots[0] if roots else None),
        "startEnterprise": start_enterprise,
        "year": year,
        "levels": [
            {"value": int(v), "label": str(label), "short": str(LEVEL_SHORT[int(v)])}
            for v, label in RiskLevel.choices
        ],
        "text": {
            "none": gettext("未评定"),
            "enterprises": gettext("企业"),
            "points": gettext("风险点"),
            "noPlan": gettext("该企业尚未上传厂区平面图，风险点按经纬度显示。"),
            "noPoints": gettext("该企业暂无在用风险点。"),
            "noCoords": gettext("风险点既无平面图坐标也无经纬度，仅列于右侧。"),
            "noBoundary": gettext("暂无边界数据，企业按经纬度显示。"),
            "illustrative": gettext("镇村边界为示意"),
            "loading": gettext("加载中…"),
            "error": gettext("数据加载失败，请重试"),
            "regionalLevel": gettext("区域风险"),
            "notGraded": gettext("未评定"),
            "openList": gettext("查看企业列表"),
            "legendMap": gettext("区域风险 / 企业风险"),
            "legendPoints": gettext("风险点等级"),
            "openEnterprise": gettext("查看企业详情"),
            "unplaced": gettext("家企业无经纬度，未在图上显示"),
            "proposed": gettext("建议"),
            "adjusted": gettext("人工确定"),
            "level": gettext("等级"),
            "code": gettext("编号"),
            "name": gettext("名称"),
            "location": gettext("位置"),
        },
    }
    context = {
        "config": config,
        "sectors": list(region_selectors.sector_list(user).values_list("code", "name")),
        "levels": config["levels"],
        "years": years,
        "year": year,
        "is_government": scope.is_government,
        "can_upload_plan": start_enterprise is not None and can_edit_register(user, start_enterprise),
        "upload_enterprise": start_enterprise,
    }
    return render(request, "risks/map.html", context)


@require_safe
@login_required
def map_divisions(request: HttpRequest) -> JsonResponse:
    try:
        payload = map_data.divisions_payload(request.user, request.GET.get("division", ""), _year(request))
    except LookupError:
        raise Http404(gettext("不存在或无权查看"))
    except map_data.MapRequestError as exc:
        return _bad_request(str(exc))
    return JsonResponse(payload, json_dumps_params=COMPACT_JSON)


@require_safe
@login_required
def map_enterprises(request: HttpRequest) -> JsonResponse:
    try:
        payload = map_data.enterprises_payload(
            request.user,
            request.GET.get("division", ""),
            sector=request.GET.get("sector", "")[:32],
            level=request.GET.get("level", ""),
        )
    except LookupError:
        raise Http404(gettext("不存在或无权查看"))
    except map_data.MapRequestError as exc:
        return _bad_request(str(exc))
    return JsonResponse(payload, json_dumps_params=COMPACT_JSON)


@require_safe
@login_required
def map_points(request: HttpRequest) -> JsonResponse:
    enterprise = request.GET.get("enterprise", "")
    if not enterprise.isdigit():
        return _bad_request("enterprise")
    return JsonResponse(
        map_data.points_payload(request.user, int(enterprise)), json_dumps_params=COMPACT_JSON
    )


# ---- site plans ----------------------------------------------------------------------------------


@require_safe
@login_required
def site_plan_image(request: HttpRequest, enterprise_id: int) -> FileResponse:
    """The site plan picture, served only to users who may see the enterprise."""
    plan = regional.site_plan_for(request.user, enterprise_id)
    if plan is None or not plan.image:
        raise Http404(gettext("不存在或无权查看"))
    response = FileResponse(plan.image.open("rb"))
    response["Cache-Control"] = "private, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class SitePlanForm(forms.Form):
    image = forms.FileField(
        label=_("厂区平面图"),
        help_text=_("PNG 或 JPG，不超过 5 MB。上传后风险点按平面图坐标（0–1）标注。"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg"}),
    )


class SitePlanUploadView(ServiceFormView):
    form_class = SitePlanForm
    template_name = "risks/map_site_plan_form.html"
    title = _("上传厂区平面图")
    success_message = _("平面图已保存")

    def get_object(self) -> Any:
        return enterprise_get(self.request.user, self.kwargs["enterprise_id"])

    def has_permission(self, obj: Any) -> bool:
        return can_edit_register(self.request.user, obj.pk)

    def save(self, form: Any, obj: Any) -> Any:
        regional.site_plan_upload(actor=self.actor(), enterprise=obj, image=form.cleaned_data["image"])
        return obj

    def success_url(self, obj: Any) -> str:
        return f"{reverse('risks:map')}?enterprise={obj.pk}"

    def get_context(self, form: Any, obj: Any) -> dict[str, Any]:
        context = super().get_context(form, obj)
        context["current_plan"] = EnterpriseSitePlan.objects.filter(enterprise=obj).first()
        context["title"] = f"{obj.name} · {self.title}"
        return context


# ---- regional risk list, adjustment and yearly proposal --------------------------------------------


def _level_badge(level: int | None) -> SafeString:
    if not level:
        return format_html('<span class="badge bg-secondary-lt">{}</span>', gettext("未评定"))
    colour = {1: "red", 2: "orange", 3: "yellow", 4: "blue"}[level]
    return format_html(
        '<span class="badge bg-{} text-{}-fg sg-level-{}">{}</span>',
        colour,
        colour,
        level,
        RiskLevel(level).label,
    )


def _level_text(level: int | None) -> str:
    return str(RiskLevel(level).label) if level else gettext("未评定")


def _basis_text(row: RegionalRisk) -> str:
    basis = row.proposal_basis or {}
    counts = basis.get("enterprises") or {}
    rule = basis.get("rule", "")
    try:
        rule_text = str(RULE_TEXT[rr.Rule(rule)])
    except ValueError:
        rule_text = rule
    numbers = gettext("、").join(f"{LEVEL_SHORT[int(k)]} {v}" for k, v in sorted(counts.items()) if v)
    return gettext("%(rule)s（%(counts)s；未评定 %(unassessed)s）") % {
        "rule": rule_text,
        "counts": numbers or gettext("0 家"),
        "unassessed": basis.get("unassessed", 0),
    }


def _decision_text(row: RegionalRisk) -> str:
    if row.adjusted:
        return gettext("人工确定：%(reason)s") % {"reason": row.reason}
    return gettext("按建议")


def _decision_html(row: RegionalRisk) -> SafeString:
    if row.adjusted:
        return format_html(
            '<span class="badge bg-purple-lt">{}</span> <span class="small">{}</span>',
            gettext("人工确定"),
            row.reason,
        )
    return format_html('<span class="text-secondary small">{}</span>', gettext("按建议"))


def _review_text(row: RegionalRisk) -> str:
    return row.next_review_on.isoformat() if row.next_review_on else ""


def _review_html(row: RegionalRisk) -> SafeString:
    if row.next_review_on is None:
        return format_html("{}", "—")
    if rr.is_overdue(row.next_review_on, timezone.localdate()):
        return format_html(
            '<span class="text-danger fw-bold">{}</span> <span class="badge bg-red text-red-fg">{}</span>',
            row.next_review_on.isoformat(),
            gettext("已逾期"),
        )
    return format_html("{}", row.next_review_on.isoformat())


def _year_choices(user: Any) -> list[tuple[str, str]]:
    return [(str(y), str(y)) for y in regional.regional_years(user)]


def _division_kind_filter(qs: QuerySet[RegionalRisk], value: str) -> QuerySet[RegionalRisk]:
    return qs.filter(division__level=value)


def _alert_filter(qs: QuerySet[RegionalRisk], value: str) -> QuerySet[RegionalRisk]:
    if value == "alert":
        return qs.filter(level__in=sorted(rr.ALERT_LEVELS))
    if value == "overdue":
        return qs.filter(next_review_on__lt=timezone.localdate())
    if value == "adjusted":
        return qs.filter(adjusted=True)
    return qs


def _division_filter(qs: QuerySet[RegionalRisk], value: str) -> QuerySet[RegionalRisk]:
    return qs.filter(Q(division_id=value) | Q(division__code__startswith=value)) if value.isdigit() else qs


class RegionalListView(ScopedListView):
    selector = regional.regional_risk_list
    title = _("区域风险")
    template_name = "risks/regional_list.html"
    export_basename = "regional-risk"
    default_sort = "division"
    search_fields = ("division__name__icontains", "division__code__startswith")
    search_placeholder = _("镇/村名称或区划代码")
    columns = (
        Column("division", _("区域"), attr="division.name", sort="division_id", css="sg-wrap"),
        Column("code", _("区划代码"), attr="division_id", css="d-none d-xl-table-cell"),
        Column("year", _("年度"), sort="year", css="d-none d-md-table-cell"),
        Column(
            "proposed_level",
            _("建议等级"),
            value=lambda r: _level_text(r.proposed_level),
            html=lambda r: _level_badge(r.proposed_level),
            sort="proposed_level",
            css="d-none d-md-table-cell",
        ),
        Column(
            "level",
            _("区域风险等级"),
            value=lambda r: _level_text(r.level),
            html=lambda r: _level_badge(r.level),
            sort="level",
        ),
        Column("decision", _("确定方式"), value=_decision_text, html=_decision_html, css="sg-wrap"),
        Column("basis", _("建议依据"), value=_basis_text, css="d-none d-lg-table-cell sg-wrap"),
        Column("next_review_on", _("下次复核"), value=_review_text, html=_review_html, sort="next_review_on"),
        Column("decided_by", _("确定人"), attr="decided_by", table=False),
        Column("method_version", _("方法版本"), table=False),
    )
    filters = (
        Filter("year", _("年度"), "year", choices=_year_choices),
        Filter(
            "view",
            _("范围"),
            _alert_filter,
            choices=lambda user: [
                ("alert", gettext("预警清单（重大、较大）")),
                ("overdue", gettext("复核已逾期")),
                ("adjusted", gettext("人工确定")),
            ],
        ),
        Filter("level", _("区域风险等级"), "level", choices=lambda user: RiskLevel.choices),
        Filter(
            "kind",
            _("层级"),
            _division_kind_filter,
            choices=lambda user: [("town", gettext("镇/街道")), ("village", gettext("村/社区"))],
        ),
        Filter("division", _("区划"), _division_filter, hidden=True),
    )

    def row_url(self, obj: Any) -> str | None:
        if can_set_regional_risk(self.request.user):
            return reverse("risks:regional_adjust", args=[obj.pk])
        return f"{reverse('risks:map')}?division={obj.division_id}&year={obj.year}"

    def get_extra_context(self) -> dict[str, Any]:
        return {
            "list_note": gettext(
                "区域风险按方法 %(method)s 由辖区企业风险等级提出建议：有重大风险企业为红，有较大风险企业"
                "或一般风险企业达到 %(n)s 家为橙，有一般风险企业为黄，否则为蓝。重大、较大区域每季度分析一次，"
                "其余每年复核。"
            )
            % {"method": rr.METHOD_VERSION, "n": regional.level3_for_orange()},
            "can_propose": can_set_regional_risk(self.request.user),
            "propose_year": timezone.localdate().year,
        }


class RegionalAdjustForm(forms.Form):
    level = forms.TypedChoiceField(label=_("区域风险等级"), choices=RiskLevel.choices, coerce=int)
    reason = forms.CharField(
        label=_("确定或调整理由"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
        help_text=_("必填：说明依据（如辖区重大危险源、近期事故、专项整治情况）。"),
    )


class RegionalAdjustView(ServiceFormView):
    form_class = RegionalAdjustForm
    template_name = "risks/regional_adjust.html"
    title = _("确定区域风险等级")
    success_message = _("区域风险等级已确定")

    def get_object(self) -> Any:
        return regional.regional_risk_get(self.request.user, self.kwargs["pk"])

    def has_permission(self, obj: Any) -> bool:
        return can_set_regional_risk(self.request.user)

    def get_form_kwargs(self, obj: Any) -> dict[str, Any]:
        return {"initial": {"level": obj.level or obj.proposed_level, "reason": obj.reason}}

    def save(self, form: Any, obj: Any) -> Any:
        return regional.regional_adjust(
            actor=self.actor(),
            regional_risk=obj,
            level=form.cleaned_data["level"],
            reason=form.cleaned_data["reason"],
        )

    def success_url(self, obj: Any) -> str:
        return f"{reverse('risks:regional_list')}?year={obj.year}"

    def get_context(self, form: Any, obj: Any) -> dict[str, Any]:
        context = super().get_context(form, obj)
        context["title"] = f"{obj.division.name} {obj.year} · {self.title}"
        context["row"] = obj
        context["basis_text"] = _basis_text(obj)
        context["proposed_badge"] = _level_badge(obj.proposed_level)
        context["level_badge"] = _level_badge(obj.level)
        return context


@require_POST
@login_required
def regional_propose_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not can_set_regional_risk(user):
        raise PermissionDenied(gettext("您没有确定区域风险等级的权限"))
    assert isinstance(user, User)
    value = request.POST.get("year", "")
    year = int(value) if value.isdigit() else timezone.localdate().year
    try:
        result = regional.regional_propose(actor=user, year=year)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(
            request,
            gettext("已按 %(method)s 提出 %(year)s 年度建议：新建 %(c)s 条，更新 %(u)s 条，未变 %(n)s 条")
            % {
                "method": rr.METHOD_VERSION,
                "year": year,
                "c": result.created,
                "u": result.updated,
                "n": result.unchanged,
            },
        )
    return HttpResponseRedirect(f"{reverse('risks:regional_list')}?year={year}")
