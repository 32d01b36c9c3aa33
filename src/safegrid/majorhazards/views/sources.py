"""Pages of the GB 18218 area: the major hazard sources in scope, a unit (its substances, the grade explained
line by line, the requirements checklist, the grading history), an enterprise's units with their forms and
the population, the substance table, and the map layer "重大危险源" (JSON for risks' map)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, QuerySet, Subquery
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from safegrid.core import panels
from safegrid.core.forms import add_service_errors
from safegrid.core.lists import Column, Filter, ScopedListView
from safegrid.core.models import User
from safegrid.core.scoping import scope_for
from safegrid.enterprises import selectors as ent_selectors
from safegrid.regions.selectors import division_choices, division_get, sector_choices

from ..choices import SourceGrade
from ..forms.sources import LineForm, PopulationForm, SubstanceForm, UnitForm
from ..models import HazardUnit, UnitGrading
from ..rules import gb18218
from ..selectors import sources as selectors
from ..services import sources as services
from . import lifecycle, responsibility

# Grade colours: badge classes on pages, fills on the map (grade 1 red … grade 4 blue).
GRADE_STYLE: dict[int, tuple[str, str]] = {
    1: ("bg-red text-red-fg", "#d63939"),
    2: ("bg-orange text-orange-fg", "#f76707"),
    3: ("bg-yellow text-yellow-fg", "#f59f00"),
    4: ("bg-blue text-blue-fg", "#4299e1"),
}
YES_NO = [("yes", _("有")), ("no", _("无"))]


def _actor(request: HttpRequest) -> User:
    """The signed-in user (every view here is behind login_required)."""
    assert isinstance(request.user, User)
    return request.user


def grade_badge(grade: int | None, is_major: bool = True) -> SafeString:
    if not is_major:
        return format_html('<span class="badge bg-secondary-lt">{}</span>', gettext("不构成"))
    if grade is None:
        return format_html('<span class="badge bg-secondary-lt">{}</span>', gettext("待分级"))
    return format_html('<span class="badge {}">{}</span>', GRADE_STYLE[grade][0], SourceGrade(grade).label)


def _grade_text(u: HazardUnit) -> str:
    if not u.is_major:
        return gettext("不构成")
    return str(SourceGrade(u.grade).label) if u.grade else gettext("待分级")


def _gaps_html(u: HazardUnit) -> SafeString:
    if u.requirement_gaps:
        return format_html(
            '<span class="badge bg-red-lt">{}</span>', gettext("%(n)s 项未落实") % {"n": u.requirement_gaps}
        )
    return format_html('<span class="text-secondary">{}</span>', gettext("无"))


def _r_text(u: Any) -> str:
    return gb18218.shown(u.latest_r) if getattr(u, "latest_r", None) is not None else "—"


def _gaps_filter(qs: QuerySet[Any], value: str) -> QuerySet[Any]:
    return qs.filter(requirement_gaps__gt=0) if value == "yes" else qs.filter(requirement_gaps=0)


def _with_r(qs: QuerySet[HazardUnit]) -> QuerySet[HazardUnit]:
    latest = UnitGrading.objects.filter(unit=OuterRef("pk")).order_by("-computed_at", "-pk")
    return qs.annotate(latest_r=Subquery(latest.values("r")[:1]))


def _majors(user: Any) -> QuerySet[HazardUnit]:
    return _with_r(selectors.major_list(user))


class SourceListView(ScopedListView):
    """The major hazard sources (S ≥ 1) in the user's scope, with their grade and requirement gaps."""

    selector = _majors
    title = _("重大危险源")
    template_name = "majorhazards/sources/list.html"
    detail_url_name = "majorhazards:unit"
    export_basename = "major-hazard-sources"
    related = ("enterprise", "enterprise__division")
    default_sort = "grade"
    search_fields = ("name__icontains", "code__icontains", "enterprise__name__icontains")
    search_placeholder = _("单元名称、编码或企业名称")
    columns = (
        Column(
            "name", _("单元"), value=lambda u: f"{u.code} {u.name}", sort="code", link=True, css="sg-wrap"
        ),
        Column("enterprise", _("企业"), attr="enterprise.name", sort="enterprise__name", css="sg-wrap"),
        Column("kind", _("单元类型"), attr="get_kind_display", sort="kind", css="d-none d-md-table-cell"),
        Column("grade", _("等级"), value=_grade_text, html=lambda u: grade_badge(u.grade), sort="grade"),
        Column("r", _("R值"), value=_r_text, css="d-none d-md-table-cell"),
        Column(
            "gaps",
            _("设施要求"),
            value=lambda u: u.requirement_gaps,
            html=_gaps_html,
            sort="requirement_gaps",
        ),
        Column("town", _("区划"), attr="enterprise.division.name", css="d-none d-lg-table-cell"),
        Column("graded_at", _("分级时间"), sort="graded_at", css="d-none d-lg-table-cell"),
    )
    filters = (
        Filter("town", _("区划"), "enterprise__division__code__startswith", choices=division_choices),
        Filter("sector", _("行业领域"), "enterprise__sectors__code", choices=sector_choices),
        Filter("grade", _("等级"), "grade", choices=lambda user: SourceGrade.choices),
        Filter("gaps", _("设施要求未落实"), _gaps_filter, choices=lambda user: YES_NO),
        Filter("enterprise", _("企业"), "enterprise_id", integer=True, hidden=True),
    )

    def get_extra_context(self) -> dict[str, Any]:
        user: Any = self.request.user
        counts = selectors.grade_counts(selectors.major_list(user))
        own = sorted(scope_for(user).enterprises_with(services.MANAGER_ROLES))
        return {
            "grade_counts": [
                {"grade": g, "label": SourceGrade(g).label, "n": counts[g], "css": GRADE_STYLE[g][0]}
                for g in (1, 2, 3, 4)
            ],
            "total": sum(counts.values()),
            "own_enterprises": list(ent_selectors.enterprise_list(user).filter(pk__in=own).order_by("name")),
        }


def _explain(row: UnitGrading | None) -> dict[str, Any] | None:
    """The stored grading as lines: each term q, Q, β, q/Q, βq/Q, then Σ, α with its band, R and the grade."""
    if row is None:
        return None
    lines = []
    weighted_sum = Decimal(0)
    for term in row.terms:
        q_over = Decimal(term["q_over_Q"])
        weighted = Decimal(term["beta"]) * q_over
        weighted_sum += weighted
        lines.append(
            {
                "substance": term["substance"],
                "q": gb18218.plain(Decimal(term["q"])),
                "Q": gb18218.plain(Decimal(term["Q"])),
                "beta": gb18218.plain(Decimal(term["beta"])),
                "q_over_Q": gb18218.shown(q_over),
                "weighted": gb18218.shown(weighted),
            }
        )
    return {
        "row": row,
        "lines": lines,
        "s": gb18218.shown(row.s),
        "weighted_sum": gb18218.shown(weighted_sum),
        "alpha": None if row.alpha is None else f"{row.alpha:.1f}",
        "band": None if row.people_exposed is None else gb18218.population_band(row.people_exposed),
        "r": None if row.r is None else gb18218.shown(row.r),
        "grade": grade_badge(row.grade, row.is_major),
    }


@require_safe
@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = selectors.unit_get(request.user, pk)
    lines = selectors.lines_of(unit)
    history = selectors.gradings_of(unit)
    checklist = services.checklist_of(unit, lines)
    return render(
        request,
        "majorhazards/sources/unit.html",
        {
            "title": f"{unit.code} {unit.name}",
            "unit": unit,
            "lines": [
                {
                    "line": line,
                    "q": gb18218.plain(line.design_quantity),
                    "stock": None if line.stock_quantity is None else gb18218.plain(line.stock_quantity),
                }
                for line in lines
            ],
            "explain": _explain(history[0] if history else None),
            "history": history,
            "checklist": checklist,
            "gap_count": sum(1 for item in checklist if item.is_gap),
            "population": selectors.population_of(unit.enterprise_id),
            "grade_badge": grade_badge(unit.grade, unit.is_major),
            "can_edit": services.can_edit_units(request.user, unit.enterprise_id),
            # the lifecycle and responsibility panels (their own areas' views say what they need)
            **lifecycle.panel_context(request.user, unit),
            **responsibility.panel_context(request.user, unit),
            # cards apps above this one add to the unit's page (slot "hazard_unit_detail": monitoring alarms)
            "panels": panels.render("hazard_unit_detail", request, unit),
        },
    )


@require_safe
@login_required
def enterprise_units(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = ent_selectors.enterprise_get(request.user, pk)
    units = list(_with_r(selectors.unit_list(request.user).filter(enterprise=enterprise)).order_by("code"))
    return render(
        request,
        "majorhazards/sources/enterprise.html",
        {
            "title": gettext("%(name)s：重大危险源辨识单元") % {"name": enterprise.name},
            "enterprise": enterprise,
            "units": [{"unit": u, "badge": grade_badge(u.grade, u.is_major), "r": _r_text(u)} for u in units],
            "population": selectors.population_of(enterprise.pk),
            "can_edit": services.can_edit_units(request.user, enterprise.pk),
        },
    )


@login_required
def my_units(request: HttpRequest) -> HttpResponse:
    """An enterprise user's own units page (the first of their enterprises); others go to the list."""
    own = sorted(scope_for(request.user).enterprise_ids)
    if own:
        return HttpResponseRedirect(reverse("majorhazards:enterprise_units", args=[own[0]]))
    return HttpResponseRedirect(reverse("majorhazards:list"))


def _form_page(request: HttpRequest, form: Any, title: str, cancel: str, intro: str = "") -> HttpResponse:
    return render(
        request,
        "core/form.html",
        {"form": form, "title": title, "cancel_url": cancel, "intro": intro},
        status=422 if form.errors else 200,
    )


def _require_editor(user: Any, enterprise_id: int) -> None:
    if not services.can_edit_units(user, enterprise_id):
        raise PermissionDenied(
            gettext("只有本企业的主要负责人、企业管理员或安全管理员可以维护重大危险源辨识单元")
        )


@login_required
def unit_new(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = ent_selectors.enterprise_get(request.user, pk)
    _require_editor(request.user, enterprise.pk)
    form = UnitForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            unit = services.unit_create(actor=_actor(request), enterprise=enterprise, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, gettext("单元已保存，请登记其危险化学品及设计最大量"))
            return HttpResponseRedirect(reverse("majorhazards:unit", args=[unit.pk]))
    return _form_page(
        request,
        form,
        gettext("新增辨识单元"),
        reverse("majorhazards:enterprise_units", args=[enterprise.pk]),
    )


@login_required
def unit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    unit = selectors.unit_get(request.user, pk)
    _require_editor(request.user, unit.enterprise_id)
    initial = {name: getattr(unit, name) for name in services.UNIT_FIELDS}
    form = UnitForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_update(actor=_actor(request), unit=unit, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, gettext("单元已保存"))
            return HttpResponseRedirect(reverse("majorhazards:unit", args=[unit.pk]))
    return _form_page(request, form, gettext("修改辨识单元"), reverse("majorhazards:unit", args=[unit.pk]))


@require_POST
@login_required
def unit_delete(request: HttpRequest, pk: int) -> HttpResponse:
    unit = selectors.unit_get(request.user, pk)
    _require_editor(request.user, unit.enterprise_id)
    try:
        services.unit_delete(actor=_actor(request), unit=unit)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return HttpResponseRedirect(reverse("majorhazards:unit", args=[unit.pk]))
    messages.success(request, gettext("单元已删除"))
    return HttpResponseRedirect(reverse("majorhazards:enterprise_units", args=[unit.enterprise_id]))


_LINE_INTRO = _("q 填设计最大量：储罐、容器、设备、仓库按设计最大储存（在线）量计，与现有存量分开填写。")


@login_required
def line_new(request: HttpRequest, pk: int) -> HttpResponse:
    unit = selectors.unit_get(request.user, pk)
    _require_editor(request.user, unit.enterprise_id)
    form = LineForm(request.POST or None, substances=selectors.substance_list(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.line_add(actor=_actor(request), unit=unit, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, gettext("危险化学品已登记，分级已重新计算"))
            return HttpResponseRedirect(reverse("majorhazards:unit", args=[unit.pk]))
    return _form_page(
        request,
        form,
        gettext("%(unit)s：登记危险化学品") % {"unit": unit.name},
        reverse("majorhazards:unit", args=[unit.pk]),
        str(_LINE_INTRO),
    )


@login_required
def line_edit(request: HttpRequest, pk: int) -> HttpResponse:
    line = selectors.line_get(request.user, pk)
    _require_editor(request.user, line.unit.enterprise_id)
    initial = {name: getattr(line, name) for name in services.LINE_FIELDS}
    form = LineForm(request.POST or None, initial=initial, substances=selectors.substance_list(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            services.line_update(actor=_actor(request), line=line, data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, gettext("危险化学品已保存，分级已重新计算"))
            return HttpResponseRedirect(reverse("majorhazards:unit", args=[line.unit_id]))
    return _form_page(
        request,
        form,
        gettext("%(unit)s：修改危险化学品") % {"unit": line.unit.name},
        reverse("majorhazards:unit", args=[line.unit_id]),
        str(_LINE_INTRO),
    )


@require_POST
@login_required
def line_delete(request: HttpRequest, pk: int) -> HttpResponse:
    line = selectors.line_get(request.user, pk)
    _require_editor(request.user, line.unit.enterprise_id)
    services.line_remove(actor=_actor(request), line=line)
    messages.success(request, gettext("危险化学品已删除，分级已重新计算"))
    return HttpResponseRedirect(reverse("majorhazards:unit", args=[line.unit_id]))


@login_required
def population(request: HttpRequest, pk: int) -> HttpResponse:
    enterprise = ent_selectors.enterprise_get(request.user, pk)
    _require_editor(request.user, enterprise.pk)
    current = selectors.population_of(enterprise.pk)
    initial = (
        {"people": current.people, "basis": current.basis, "counted_on": current.counted_on}
        if current
        else {}
    )
    form = PopulationForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.population_set(actor=_actor(request), enterprise=enterprise, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, gettext("周边常住人口已保存，各单元分级已重新计算"))
            return HttpResponseRedirect(reverse("majorhazards:enterprise_units", args=[enterprise.pk]))
    return _form_page(
        request,
        form,
        gettext("%(name)s：周边常住人口") % {"name": enterprise.name},
        reverse("majorhazards:enterprise_units", args=[enterprise.pk]),
        gettext("GB 18218-2018 表5：按厂区边界（不是单元边界）向外500米范围内的常住人口取校正系数α。"),
    )


def _flags_text(s: Any) -> str:
    return "、".join(s.flags)


class SubstanceListView(ScopedListView):
    """The GB 18218 substance table: the shipped rows of Table 1 and the substances the county added."""

    selector = selectors.substance_list
    title = _("危险化学品临界量表（GB 18218-2018）")
    template_name = "majorhazards/sources/substances.html"
    export_basename = "gb18218-substances"
    default_sort = "name"
    remember_filters = False
    search_fields = ("name__icontains", "aliases__icontains", "cas__icontains")
    search_placeholder = _("名称、别名或CAS号")
    columns = (
        Column("name", _("名称"), attr="label", sort="name", css="sg-wrap"),
        Column("cas", _("CAS号"), sort="cas"),
        Column("critical_quantity", _("临界量Q（吨）"), value=lambda s: gb18218.plain(s.critical_quantity)),
        Column("category", _("类别"), sort="category", css="d-none d-md-table-cell"),
        Column("beta", _("β"), value=lambda s: gb18218.plain(s.beta)),
        Column("flags", _("特性"), value=_flags_text, css="d-none d-md-table-cell"),
        Column(
            "shipped",
            _("来源"),
            value=lambda s: gettext("标准表1") if s.shipped else gettext("县级补充"),
            css="d-none d-lg-table-cell",
        ),
    )
    filters = (
        Filter(
            "category",
            _("类别"),
            "category",
            choices=lambda user: [(c.code, c.code) for c in gb18218.CATEGORIES],
        ),
    )

    def create_url(self) -> str | None:
        return (
            reverse("majorhazards:substance_new") if services.can_edit_substances(self.request.user) else None
        )

    def get_extra_context(self) -> dict[str, Any]:
        return {"categories": gb18218.CATEGORIES}


@login_required
def substance_new(request: HttpRequest) -> HttpResponse:
    if not services.can_edit_substances(request.user):
        raise PermissionDenied(gettext("只有县级管理员可以维护危险化学品临界量表"))
    form = SubstanceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.substance_create(actor=_actor(request), data=form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, gettext("危险化学品已添加"))
            return HttpResponseRedirect(reverse("majorhazards:substances"))
    return _form_page(
        request,
        form,
        gettext("添加危险化学品"),
        reverse("majorhazards:substances"),
        gettext(
            "未列入GB 18218表1的危险化学品按其危险性类别取临界量；β取表3（毒性气体，按CAS号）或其类别的值。"
        ),
    )


# ---- the map layer "重大危险源" (registered in apps.py with risks.map_layers) ------------------------

MAX_ITEMS = 300


def map_visible(user: Any) -> bool:
    scope = scope_for(user)
    return bool(scope.is_government or scope.own_enterprise_ids or scope.superuser)


@require_safe
@login_required
def map_sources_json(request: HttpRequest) -> JsonResponse:
    """The major hazard sources of the division asked for: a marker per unit (its own coordinates, else
    its enterprise's), coloured by grade; the list beside the map."""
    user = request.user
    code = request.GET.get("division", "")
    units = selectors.major_list(user)
    if code:
        if not (code.isascii() and code.isdigit() and len(code) <= 12):
            raise Http404(gettext("不存在或无权查看"))
        division = division_get(user, code)  # 404 when out of scope
        units = units.filter(enterprise__division__code__startswith=division.code)
    rows = list(units.order_by("grade", "enterprise__name", "code")[:MAX_ITEMS])
    markers, unplaced = [], 0
    for unit in rows:
        lat = unit.latitude if unit.latitude is not None else unit.enterprise.lat
        lon = unit.longitude if unit.longitude is not None else unit.enterprise.lon
        if lat is None or lon is None:
            unplaced += 1
            continue
        grade = str(SourceGrade(unit.grade).label) if unit.grade else gettext("待分级")
        markers.append(
            {
                "name": unit.name,
                "lat": float(lat),
                "lon": float(lon),
                "url": reverse("majorhazards:unit", args=[unit.pk]),
                "colour": GRADE_STYLE[unit.grade][1] if unit.grade else "#667382",
                "lines": [
                    unit.enterprise.name,
                    f"{unit.code} {unit.name}（{unit.get_kind_display()}）",
                    gettext("%(grade)s重大危险源") % {"grade": grade},
                ]
                + (
                    [gettext("设施要求 %(n)s 项未落实") % {"n": unit.requirement_gaps}]
                    if unit.requirement_gaps
                    else []
                ),
            }
        )
    items = [
        {
            "text": f"{unit.name}（{SourceGrade(unit.grade).label if unit.grade else gettext('待分级')}）",
            "note": unit.enterprise.name,
            "url": reverse("majorhazards:unit", args=[unit.pk]),
        }
        for unit in rows
    ]
    return JsonResponse(
        {"markers": markers, "items": items, "unplaced": unplaced},
        json_dumps_params={"ensure_ascii": False, "separators": (",", ":")},
    )
