"""The four-colour risk map (风险四色图), its JSON layers and site plans (regional risk: `views.regional`).

Reads go through `selectors.map`/`selectors.regional` (scoped: out of scope = 404); writes through
`services.regional` (atomic, audited); `permissions` decides who may write (in scope but not allowed = 403).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from safegrid.core.models import User
from safegrid.core.params import optional_id
from safegrid.core.scoping import scope_for
from safegrid.core.views import ServiceFormView
from safegrid.enterprises.selectors import enterprise_get
from safegrid.regions import selectors as region_selectors

from .. import map_layers
from ..forms.map import SitePlanForm
from ..models.siteplan import EnterpriseSitePlan
from ..permissions import can_edit_register
from ..rules import levels
from ..selectors import map as map_data
from ..selectors import points as point_selectors
from ..selectors import regional as regional_selectors
from ..services import points as point_services
from ..services import regional as regional_services

COMPACT_JSON = {"ensure_ascii": False, "separators": (",", ":")}


def _year(request: HttpRequest) -> int:
    value = request.GET.get("year", "")
    if len(value) == 4 and value.isascii() and value.isdigit() and 2000 <= int(value) <= 2100:
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
    requested = optional_id(request.GET.get("enterprise"))
    if requested is not None:
        start_enterprise = enterprise_get(user, requested).pk  # 404 when out of scope
    elif not roots and own:
        start_enterprise = own[0]
    if not roots and start_enterprise is None:
        raise Http404(gettext("没有可显示的区域"))
    year = _year(request)
    years = sorted({year, timezone.localdate().year, *regional_selectors.regional_years(user)}, reverse=True)
    division = request.GET.get("division", "")
    config = {
        "urls": {
            "divisions": reverse("risks:map_divisions"),
            "enterprises": reverse("risks:map_enterprises"),
            "points": reverse("risks:map_points"),
            "enterpriseList": reverse("enterprises:enterprise_list"),
            "regionalList": reverse("risks:regional_list"),
        },
        # Layers other apps add (e.g. open major hidden hazards), switched on by default.
        "layers": map_layers.layers_for(user),
        "root": roots[0] if roots else None,
        "start": division
        if division.isdigit() and map_data.in_roots(division, roots)
        else (roots[0] if roots else None),
        "startEnterprise": start_enterprise,
        # ?place=<point>: open the enterprise's plan ready to place that point (from the point's page)
        "placePoint": int(request.GET["place"]) if request.GET.get("place", "").isdigit() else None,
        "year": year,
        "levels": [
            {
                "value": look.level,
                "label": gettext(look.name),
                "short": gettext(look.short),
                "hex": look.hex,
                "textHex": look.text_hex,
                "areaHex": look.area_hex,
            }
            for look in levels.LOOKS.values()
        ],
        "notGraded": {
            "hex": levels.NOT_GRADED.hex,
            "textHex": levels.NOT_GRADED.text_hex,
            "areaHex": levels.NOT_GRADED.area_hex,
        },
        "text": {
            "none": gettext("未评定"),
            "enterprises": gettext("企业"),
            "points": gettext("风险点"),
            "noPlan": gettext("该企业尚未上传厂区平面图，风险点按经纬度显示。"),
            "noPoints": gettext("该企业暂无在用风险点。"),
            "noCoords": gettext("个风险点没有经纬度，未在图上显示，仅列于右侧。"),
            "offPlan": gettext("个风险点尚未在平面图上标注"),
            "placeHint": gettext("：点击右侧列表中的“标注”，再在平面图上点击其位置。"),
            "neither": gettext("个风险点既无平面图位置也无经纬度。"),
            "notOnPlan": gettext("未在平面图上标注"),
            "noLatLon": gettext("无经纬度"),
            "place": gettext("标注"),
            "move": gettext("改位置"),
            "clickPlan": gettext("请在平面图上点击“%(point)s”的位置（按 Esc 取消）。"),
            "placed": gettext("已保存“%(point)s”在平面图上的位置。"),
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
            "layerEmpty": gettext("当前区域没有"),
            "layerUnplaced": gettext("处无经纬度，未在图上显示"),
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
    return render(request, "risks/map/map.html", context)


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
def map_enterprises(request: HttpRequest) -> HttpResponse:
    try:
        body = map_data.enterprises_json(
            request.user,
            request.GET.get("division", ""),
            sector=request.GET.get("sector", "")[:32],
            level=request.GET.get("level", ""),
        )
    except LookupError:
        raise Http404(gettext("不存在或无权查看"))
    except map_data.MapRequestError as exc:
        return _bad_request(str(exc))
    return HttpResponse(body, content_type="application/json")


@require_safe
@login_required
def map_points(request: HttpRequest) -> JsonResponse:
    enterprise = optional_id(request.GET.get("enterprise"))
    if enterprise is None:
        return _bad_request("enterprise")
    return JsonResponse(map_data.points_payload(request.user, enterprise), json_dumps_params=COMPACT_JSON)


@require_POST
@login_required
def point_plan_place(request: HttpRequest, pk: int) -> JsonResponse:
    """Save where an editor clicked a risk point on the site plan (x, y: fractions of the picture)."""
    point = point_selectors.risk_point_get(request.user, pk)  # out of scope: 404 first
    if not can_edit_register(request.user, point.enterprise_id):
        raise PermissionDenied(gettext("您没有修改该企业风险清单的权限"))
    user = request.user
    assert isinstance(user, User)
    try:
        point = point_services.risk_point_plan_place(
            actor=user, point=point, x=request.POST.get("x"), y=request.POST.get("y")
        )
    except ValidationError as exc:
        return JsonResponse({"errors": exc.message_dict}, status=422, json_dumps_params=COMPACT_JSON)
    return JsonResponse({"id": point.pk, "x": point.plan_x, "y": point.plan_y})


# ---- site plans ----------------------------------------------------------------------------------


@require_safe
@login_required
def site_plan_image(request: HttpRequest, enterprise_id: int) -> FileResponse:
    """The site plan picture, served only to users who may see the enterprise."""
    plan = regional_selectors.site_plan_for(request.user, enterprise_id)
    if plan is None or not plan.image:
        raise Http404(gettext("不存在或无权查看"))
    response = FileResponse(plan.image.open("rb"))
    response["Cache-Control"] = "private, max-age=300"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class SitePlanUploadView(ServiceFormView):
    form_class = SitePlanForm
    template_name = "risks/map/site_plan_form.html"
    title = _("上传厂区平面图")
    success_message = _("平面图已保存")

    def get_object(self) -> Any:
        return enterprise_get(self.request.user, self.kwargs["enterprise_id"])

    def has_permission(self, obj: Any) -> bool:
        return can_edit_register(self.request.user, obj.pk)

    def save(self, form: Any, obj: Any) -> Any:
        regional_services.site_plan_upload(
            actor=self.actor(), enterprise=obj, image=form.cleaned_data["image"]
        )
        return obj

    def success_url(self, obj: Any) -> str:
        return f"{reverse('risks:map')}?enterprise={obj.pk}"

    def get_context(self, form: Any, obj: Any) -> dict[str, Any]:
        context = super().get_context(form, obj)
        context["current_plan"] = EnterpriseSitePlan.objects.filter(enterprise=obj).first()
        context["title"] = f"{obj.name} · {self.title}"
        return context
