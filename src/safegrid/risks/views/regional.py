"""Regional risk pages: the yearly list, a county officer's adjustment, and the yearly proposal."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from safegrid.core.lists import Column, Filter, ScopedListView
from safegrid.core.models import User
from safegrid.core.views import ServiceFormView

from ..choices import RiskLevel
from ..forms.regional import RegionalAdjustForm, RegionalSettingsForm
from ..models import RegionalRisk, RiskSettings
from ..permissions import can_configure_regional_risk, can_set_regional_risk
from ..rules import levels
from ..rules import regional as rr
from ..selectors import regional as regional_selectors
from ..services import regional as regional_services
from ..templatetags.risk_levels import risk_badge

# REGIONAL/1 clauses, for rows proposed before REGIONAL/2 (their basis is shown as it was stored).
RULE_TEXT_V1 = {
    rr.Rule.LEVEL1_PRESENT: _("有重大风险企业"),
    rr.Rule.LEVEL2_PRESENT: _("有较大风险企业"),
    rr.Rule.LEVEL3_MANY: _("一般风险企业数达到阈值"),
    rr.Rule.LEVEL3_PRESENT: _("有一般风险企业"),
    rr.Rule.LOW_ONLY: _("仅有低风险企业"),
    rr.Rule.NO_DATA: _("无已评定企业（无数据）"),
}
COLOUR_NAME = {1: _("红"), 2: _("橙"), 3: _("黄"), 4: _("蓝")}
TERM_NAME = {rr.ExtraTerm.MAJOR_HAZARD_SOURCES: _("重大危险源"), rr.ExtraTerm.ACCIDENTS: _("事故")}


def _level_badge(level: int | None) -> SafeString:
    return risk_badge(level or None, empty=gettext("未评定"))


def _level_text(level: int | None) -> str:
    return str(RiskLevel(level).label) if level else gettext("未评定")


def _level_colour_text(level: int) -> str:
    return gettext("%(level)s（%(colour)s）") % {"level": _level_text(level), "colour": COLOUR_NAME[level]}


def _basis_text_v1(basis: dict[str, Any]) -> str:
    counts = basis.get("enterprises") or {}
    rule = basis.get("rule", "")
    try:
        rule_text = str(RULE_TEXT_V1[rr.Rule(rule)])
    except (ValueError, KeyError):
        rule_text = rule
    numbers = gettext("、").join(
        f"{gettext(levels.LOOKS[int(k)].short)} {v}" for k, v in sorted(counts.items()) if v
    )
    return gettext("%(rule)s（%(counts)s；未评定 %(unassessed)s）") % {
        "rule": rule_text,
        "counts": numbers or gettext("0 家"),
        "unassessed": basis.get("unassessed", 0),
    }


def _threshold_clause(index: str, index_level: int, thresholds: dict[str, str]) -> str:
    """ "风险指数 0.31 ≥ 橙色阈值 0.25" or, below every threshold, "风险指数 0.12 < 黄色阈值 0.2"."""
    if index_level in (1, 2, 3):
        return gettext("风险指数 %(index)s ≥ %(colour)s色阈值 %(threshold)s") % {
            "index": index,
            "colour": COLOUR_NAME[index_level],
            "threshold": thresholds.get(str(index_level), "?"),
        }
    return gettext("风险指数 %(index)s < 黄色阈值 %(threshold)s") % {
        "index": index,
        "threshold": thresholds.get("3", "?"),
    }


def _basis_text_v2(basis: dict[str, Any], level: int | None) -> str:
    counts = {int(k): int(v) for k, v in (basis.get("enterprises") or {}).items()}
    assessed = basis.get("assessed", sum(counts.values()))
    parts = [
        gettext("%(level)s %(n)s 家") % {"level": gettext(levels.LOOKS[lv].short), "n": counts.get(lv, 0)}
        for lv in rr.LEVELS
        if counts.get(lv, 0)
    ]
    if parts:
        text = gettext("辖区 %(n)s 家已评估企业中%(counts)s") % {
            "n": assessed,
            "counts": gettext("、").join(parts),
        }
    else:
        text = gettext("辖区 %(n)s 家已评估企业") % {"n": assessed}
    unassessed = basis.get("unassessed", 0)
    if unassessed:
        text += gettext("（另有未评估 %(n)s 家）") % {"n": unassessed}
    for term, value in (basis.get("terms") or {}).items():
        if isinstance(value, dict) and value.get("count"):
            try:
                name = str(TERM_NAME[rr.ExtraTerm(term)])
            except ValueError:
                name = term
            text += gettext("，%(name)s %(n)s 处（权重 %(w)s）") % {
                "name": name,
                "n": value["count"],
                "w": value.get("weight", "0"),
            }
    rule = basis.get("rule", "")
    if rule == rr.Rule.NO_DATA:
        return text + gettext("；无已评估企业（无数据）→ %(result)s") % {"result": _level_colour_text(4)}
    index_level = int(basis.get("index_level") or 4)
    clause = _threshold_clause(str(basis.get("index", "?")), index_level, basis.get("thresholds") or {})
    proposed = level or index_level
    if rule == rr.Rule.SERIOUS_PRESENT:
        return text + gettext("；%(clause)s，但有重大、较大风险企业 → 不低于%(result)s") % {
            "clause": clause,
            "result": _level_colour_text(proposed),
        }
    return text + gettext("；%(clause)s → %(result)s") % {
        "clause": clause,
        "result": _level_colour_text(proposed),
    }


def _basis_text(row: RegionalRisk) -> str:
    """The proposal basis in words a county officer reads, for the method the row was proposed with."""
    basis = row.proposal_basis or {}
    if basis.get("method") == rr.METHOD_VERSION:
        return _basis_text_v2(basis, row.proposed_level)
    return _basis_text_v1(basis)


def _method_note(basis: dict[str, Any]) -> str:
    """How the index was computed, for the adjust page (weights and the base floor)."""
    if basis.get("method") != rr.METHOD_VERSION:
        return ""
    weights = basis.get("weights") or {}
    return gettext(
        "风险指数 =（重大×%(w1)s + 较大×%(w2)s + 一般×%(w3)s + 低×%(w4)s）÷ 计算基数 %(base)s"
        "（已评估企业数，不少于 %(min_base)s 家）；阈值：红 %(t1)s、橙 %(t2)s、黄 %(t3)s，"
        "恰在阈值上的取较高等级；有重大、较大风险企业的区域不低于一般风险。"
    ) % {
        "w1": weights.get("1", "?"),
        "w2": weights.get("2", "?"),
        "w3": weights.get("3", "?"),
        "w4": weights.get("4", "?"),
        "base": basis.get("base", "?"),
        "min_base": basis.get("min_base", "?"),
        "t1": (basis.get("thresholds") or {}).get("1", "?"),
        "t2": (basis.get("thresholds") or {}).get("2", "?"),
        "t3": (basis.get("thresholds") or {}).get("3", "?"),
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
    today = timezone.localdate()
    if rr.is_overdue(row.next_review_on, today):
        return format_html(
            '<span class="text-danger fw-bold">{}</span> <span class="badge bg-red text-red-fg">{}</span>',
            row.next_review_on.isoformat(),
            gettext("已逾期"),
        )
    days = (row.next_review_on - today).days
    if rr.is_alert(row.level) and rr.review_reminder(days) is not None:
        return format_html(
            '<span class="fw-bold">{}</span> <span class="badge bg-orange-lt text-orange">{}</span>',
            row.next_review_on.isoformat(),
            gettext("今天到期") if days == 0 else gettext("%(n)s 天后到期") % {"n": days},
        )
    return format_html("{}", row.next_review_on.isoformat())


def _division_html(row: RegionalRisk, url: str | None) -> SafeString:
    """The region's name, linked (to the adjust form for those who decide levels), with its basis below
    on screens too narrow for the basis column."""
    name = (
        format_html('<a href="{}">{}</a>', url, row.division.name)
        if url
        else format_html("{}", row.division.name)
    )
    return format_html(
        '{}<div class="small text-secondary d-lg-none mt-1">{}</div>'
        '<div class="small d-md-none mt-1">{}{}</div>',
        name,
        _basis_text(row),
        gettext("下次复核："),
        _review_html(row),
    )


def _adjust_html(row: RegionalRisk) -> SafeString:
    return format_html(
        '<a class="btn btn-sm btn-outline-primary" href="{}" aria-label="{}">{}</a>',
        reverse("risks:regional_adjust", args=[row.pk]),
        gettext("调整 %(region)s 的区域风险等级") % {"region": row.division.name},
        gettext("确定/调整") if not row.adjusted else gettext("调整"),
    )


def _year_choices(user: Any) -> list[tuple[str, str]]:
    return [(str(y), str(y)) for y in regional_selectors.regional_years(user)]


def _division_kind_filter(qs: QuerySet[RegionalRisk], value: str) -> QuerySet[RegionalRisk]:
    return qs.filter(division__level=value)


def _alert_filter(qs: QuerySet[RegionalRisk], value: str) -> QuerySet[RegionalRisk]:
    if value == "alert":
        return qs.filter(level__in=sorted(rr.ALERT_LEVELS))
    if value == "overdue":
        return qs.filter(next_review_on__lt=timezone.localdate())
    if value == "due":
        return qs.filter(regional_selectors.review_due_q(timezone.localdate()))
    if value == "adjusted":
        return qs.filter(adjusted=True)
    return qs


def _division_filter(qs: QuerySet[RegionalRisk], value: str) -> QuerySet[RegionalRisk]:
    return qs.filter(Q(division_id=value) | Q(division__code__startswith=value)) if value.isdigit() else qs


class RegionalListView(ScopedListView):
    selector = regional_selectors.regional_risk_list
    title = _("区域风险")
    template_name = "risks/regional/list.html"
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
        Column(
            "decision",
            _("确定方式"),
            value=_decision_text,
            html=_decision_html,
            css="d-none d-md-table-cell sg-wrap",
        ),
        Column("basis", _("建议依据"), value=_basis_text, css="d-none d-lg-table-cell sg-wrap"),
        Column(
            "next_review_on",
            _("下次复核"),
            value=_review_text,
            html=_review_html,
            sort="next_review_on",
            css="d-none d-md-table-cell",
        ),
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
                ("due", gettext("即将到期复核")),
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

    def table_columns(self) -> list[Column]:
        """The region links to its adjust form (or the map), and an adjust button for those who decide."""
        columns = [
            replace(c, html=lambda r: _division_html(r, self.row_url(r))) if c.key == "division" else c
            for c in super().table_columns()
        ]
        if can_set_regional_risk(self.request.user):
            columns.append(Column("adjust", _("操作"), value=lambda r: "", html=_adjust_html, export=False))
        return columns

    def row_url(self, obj: Any) -> str | None:
        if can_set_regional_risk(self.request.user):
            return reverse("risks:regional_adjust", args=[obj.pk])
        return f"{reverse('risks:map')}?division={obj.division_id}&year={obj.year}"

    def get_extra_context(self) -> dict[str, Any]:
        return {
            "list_note": gettext(
                "区域风险按方法 %(method)s 提出建议：按辖区已评估企业的风险等级加权计算风险指数"
                "（重大、较大、一般、低风险企业按权重计，除以已评估企业数），指数达到红、橙、黄阈值分别为"
                "重大、较大、一般风险，有重大、较大风险企业的区域不低于一般风险；权重与阈值由县级管理员在"
                "“区域风险计算设置”中确定。重大、较大区域每季度分析一次，其余每年复核。"
            )
            % {"method": rr.METHOD_VERSION},
            "can_configure": can_configure_regional_risk(self.request.user),
            "can_propose": can_set_regional_risk(self.request.user),
            "propose_year": timezone.localdate().year,
        }


class RegionalAdjustView(ServiceFormView):
    form_class = RegionalAdjustForm
    template_name = "risks/regional/adjust.html"
    title = _("确定区域风险等级")
    success_message = _("区域风险等级已确定")

    def get_object(self) -> Any:
        return regional_selectors.regional_risk_get(self.request.user, self.kwargs["pk"])

    def has_permission(self, obj: Any) -> bool:
        return can_set_regional_risk(self.request.user)

    def get_form_kwargs(self, obj: Any) -> dict[str, Any]:
        return {"initial": {"level": obj.level or obj.proposed_level, "reason": obj.reason}}

    def save(self, form: Any, obj: Any) -> Any:
        return regional_services.regional_adjust(
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
        context["method_note"] = _method_note(obj.proposal_basis or {})
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
    year = (
        int(value) if len(value) == 4 and value.isascii() and value.isdigit() else timezone.localdate().year
    )
    try:
        result = regional_services.regional_propose(actor=user, year=year)
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


class RegionalSettingsView(ServiceFormView):
    """The county admin's REGIONAL/2 weights, thresholds and base floor for one county."""

    form_class = RegionalSettingsForm
    template_name = "risks/regional/settings.html"
    title = _("区域风险计算设置")
    success_message = _("区域风险计算设置已保存，下次提出年度建议时生效")

    def county_code(self) -> str:
        wanted = self.request.GET.get("county") or self.request.POST.get("county") or ""
        counties = regional_selectors.counties(self.request.user)
        codes = [c.code for c in counties]
        if wanted:
            if wanted not in codes:
                raise Http404(gettext("不存在或无权查看"))
            return wanted
        if not codes:
            raise Http404(gettext("不存在或无权查看"))
        return codes[0]

    def get_object(self) -> Any:
        code = self.county_code()
        return regional_selectors.regional_settings_for(self.request.user, code) or RiskSettings(
            county_id=code
        )

    def has_permission(self, obj: Any) -> bool:
        return can_configure_regional_risk(self.request.user)

    def get_form_kwargs(self, obj: Any) -> dict[str, Any]:
        return {"instance": obj}

    def save(self, form: Any, obj: Any) -> Any:
        return regional_services.regional_settings_save(
            actor=self.actor(),
            county_code=obj.county_id,
            data={name: form.cleaned_data[name] for name in RegionalSettingsForm.Meta.fields},
        )

    def success_url(self, obj: Any) -> str:
        return reverse("risks:regional_list")

    def get_context(self, form: Any, obj: Any) -> dict[str, Any]:
        context = super().get_context(form, obj)
        context["method"] = rr.METHOD_VERSION
        context["county_code"] = obj.county_id
        context["is_default"] = obj.regional_config().is_default
        return context
