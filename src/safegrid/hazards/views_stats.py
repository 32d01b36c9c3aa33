"""/hazards/stats/: the hidden-hazard statistics of the user's scope (KPI cards, charts, table, Excel).

Read from the rollups through `stats` (scoped: a town, enterprise or year outside the user's reach is a
404 or falls back to the defaults); the Excel file is written by the core Excel kit's writer.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import escape_uri_path
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from safegrid.core.excel import XLSX_TYPE
from safegrid.core.excel.columns import Column, Kind, SheetSpec
from safegrid.core.excel.writer import HelpText, SheetData, build_workbook
from safegrid.core.scoping import scope_for
from safegrid.regions.selectors import division_list

from . import stats
from .choices import HazardLevel

# (key, the selector's label, what one row of the table is)
BREAKDOWNS = (
    (stats.BY_TOWN, _("按镇街"), _("镇/街道")),
    (stats.BY_VILLAGE, _("按村居"), _("村/社区")),
    (stats.BY_SECTOR, _("按行业领域"), _("行业领域")),
    (stats.BY_ENTERPRISE, _("按企业"), _("企业")),
)
SHEET_NAMES = {
    stats.BY_TOWN: "按镇街",
    stats.BY_VILLAGE: "按村居",
    stats.BY_SECTOR: "按行业领域",
    stats.BY_ENTERPRISE: "按企业",
}


def _year(request: HttpRequest, years: list[int]) -> int:
    raw = request.GET.get("year", "")
    if raw.isascii() and raw.isdigit() and int(raw) in years:
        return int(raw)
    return timezone.localdate().year


def _number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _chart_data(result: stats.Statistics) -> dict[str, Any]:
    groups = result.groups[:20]
    return {
        "groups": {
            "names": [g.name for g in groups],
            "general": [g.open_general for g in groups],
            "major": [g.open_major for g in groups],
            "overdue": [g.overdue_now for g in groups],
        },
        "months": {
            "names": [m.key[5:] for m in result.months],
            "reported": [m.count("reported") for m in result.months],
            "closed": [m.count("closed") for m in result.months],
            "rectification": [_number(m.rectification_rate) for m in result.months],
            "onTime": [_number(m.on_time_rate) for m in result.months],
        },
        "text": {
            "general": gettext("一般隐患"),
            "major": gettext("重大隐患"),
            "overdue": gettext("逾期未整改"),
            "reported": gettext("登记"),
            "closed": gettext("销号"),
            "rectification": gettext("整改率（%）"),
            "onTime": gettext("按时排查率（%）"),
            "count": gettext("隐患数"),
            "percent": gettext("百分比"),
        },
    }


@require_safe
@login_required
def stats_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    scope = scope_for(user)
    if not (scope.is_government or scope.own_enterprise_ids or scope.superuser):
        raise Http404(gettext("不存在或无权查看"))
    years = stats.years(user)
    year = _year(request, years)
    choices = [(k, str(label)) for k, label, _noun in BREAKDOWNS]
    if not scope.is_government and not scope.superuser:
        choices = [(k, label) for k, label in choices if k == stats.BY_ENTERPRISE]
    by = request.GET.get("by", "")
    if by not in dict(choices):
        by = stats.default_breakdown(user)
    town = None
    town_code = request.GET.get("town", "")
    if town_code:
        if not (town_code.isascii() and town_code.isdigit() and len(town_code) == stats.TOWN_CODE_LENGTH):
            raise Http404(gettext("不存在或无权查看"))
        town = stats.town_in_scope(user, town_code)
    result = stats.statistics(user, year=year, by=by, town=town)
    if request.GET.get("format") == "xlsx":
        return _xlsx(result)
    towns = list(division_list(user).filter(level="town").order_by("code").values_list("code", "name"))
    context = {
        "title": gettext("隐患统计"),
        "result": result,
        "total": result.total,
        "years": years,
        "year": year,
        "by": by,
        "breakdowns": choices,
        "towns": towns if scope.is_government or scope.superuser else [],
        "town": town,
        "levels": HazardLevel.choices,
        "open_states": stats.OPEN_STATE_LABELS,
        "chart_data": _chart_data(result),
        "list_url": reverse("hazards:list"),
        "group_label": next(str(noun) for k, _label, noun in BREAKDOWNS if k == by),
        "today": timezone.localdate(),
    }
    return render(request, "hazards/stats/stats.html", context)


GROUP_COLUMNS = (
    Column("name", "名称", width=28),
    Column("open_general", "未销号一般隐患", Kind.INT),
    Column("open_major", "未销号重大隐患", Kind.INT),
    Column("overdue_now", "当前逾期", Kind.INT),
    Column("reported", "本年登记", Kind.INT),
    Column("confirmed", "本年确认", Kind.INT),
    Column("closed", "本年销号", Kind.INT),
    Column("rectification_rate", "整改率（%）", Kind.DECIMAL),
    Column("overdue_rate", "逾期率（%）", Kind.DECIMAL),
    Column("average_days", "平均整改天数", Kind.DECIMAL),
    Column("inspections_due", "应排查次数", Kind.INT),
    Column("on_time_rate", "按时排查率（%）", Kind.DECIMAL),
)
MONTH_COLUMNS = (
    Column("name", "月份", width=12),
    *(c for c in GROUP_COLUMNS if c.key in ("reported", "confirmed", "closed", "rectification_rate")),
    Column("average_days", "平均整改天数", Kind.DECIMAL),
    Column("inspections_due", "应排查次数", Kind.INT),
    Column("on_time_rate", "按时排查率（%）", Kind.DECIMAL),
)


def _row(fig: stats.Figures) -> dict[str, Any]:
    return {
        "name": fig.name,
        "open_general": fig.open_general,
        "open_major": fig.open_major,
        "overdue_now": fig.overdue_now,
        "reported": fig.count("reported"),
        "confirmed": fig.count("confirmed"),
        "closed": fig.count("closed"),
        "rectification_rate": fig.rectification_rate,
        "overdue_rate": fig.overdue_rate,
        "average_days": fig.average_days,
        "inspections_due": fig.inspections_due,
        "on_time_rate": fig.on_time_rate,
    }


def _xlsx(result: stats.Statistics) -> HttpResponse:
    """The same numbers as the page: the breakdown with its total, then the monthly trend."""
    label = SHEET_NAMES[result.by]
    groups = SheetSpec(f"{result.year}年{label}", GROUP_COLUMNS)
    months = SheetSpec(f"{result.year}年逐月", MONTH_COLUMNS)
    where = f"{result.town.name}，" if result.town else ""
    help_text = HelpText(
        title="隐患统计",
        pairs=(("统计年度", str(result.year)), ("导出时间", f"{timezone.localtime():%Y-%m-%d %H:%M}")),
        lines=(
            f"{where}未销号与当前逾期为导出时的状态；其余为 {result.year} 年登记的隐患和该年的排查任务。",
            "整改率 = 销号 / 确认；逾期率 = (逾期销号 + 逾期未销号) / 有整改期限的隐患；"
            "按时排查率 = 按时完成 / 应排查（不含停用检修暂停）。无分母时留空。",
            "一家企业属于多个行业领域时，在每个领域中各计一次。",
        ),
        column_notes=False,
    )
    body = build_workbook(
        [
            SheetData(groups, [*(_row(g) for g in result.groups), _row(result.total)]),
            SheetData(months, [_row(m) for m in result.months]),
        ],
        help_text=help_text,
    )
    response = HttpResponse(body, content_type=XLSX_TYPE)
    name = f"hazard-stats-{result.year}-{result.by}-{dt.date.today():%Y%m%d}.xlsx"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{escape_uri_path(name)}"
    return response
