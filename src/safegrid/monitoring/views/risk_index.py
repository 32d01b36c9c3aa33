"""The enterprises' dynamic risk index (动态风险指数): /monitoring/risk-index/ (ranked list with town, sector
and colour filters, the colour counts and the enterprises drawn by their coordinates in their colour),
/monitoring/risk-index/<enterprise>/ (the index explained term by term), and the layer "动态风险指数" of
the county's four-colour map (/risks/map/, registered from `register_map_layer`)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from safegrid.core.lists import Column, Filter, ScopedListView
from safegrid.core.scoping import scope_for
from safegrid.regions.selectors import division_get, division_list, sector_choices
from safegrid.risks import map_layers
from safegrid.risks.rules import levels

from ..config_index import risk_index_config
from ..models import EnterpriseRiskIndex, RiskIndexColour
from ..rules import risk_index as rules
from ..selectors import risk_index as sel

COLOUR_CSS = {
    rules.RED: "bg-red text-red-fg",
    rules.ORANGE: "bg-orange text-orange-fg",
    rules.YELLOW: "bg-yellow text-yellow-fg",
    rules.BLUE: "bg-blue text-blue-fg",
}
MAX_POINTS = 5000  # enterprises drawn on the page's chart (highest index first)
MAX_MARKERS = 3000  # markers of the map layer (highest index first)
MAX_ITEMS = 50


def _index_html(row: EnterpriseRiskIndex) -> SafeString:
    return format_html(
        '<span class="badge {}">{} · {}</span>',
        COLOUR_CSS.get(row.colour, "bg-secondary-lt"),
        row.value,
        row.get_colour_display(),
    )


def _level(row: EnterpriseRiskIndex) -> str:
    return gettext(levels.look(row.static_level).name)


def _towns(user: Any) -> list[tuple[str, str]]:
    return list(division_list(user).filter(level="town").order_by("code").values_list("code", "name"))


class RiskIndexListView(ScopedListView):
    selector = sel.index_list
    title = _("企业动态风险指数")
    export_basename = "risk-index"
    detail_url_name = "monitoring:risk_index_detail"
    default_sort = "-value"
    template_name = "monitoring/risk_index/list.html"
    search_fields = ("enterprise__name__icontains",)
    search_placeholder = _("企业名称")
    columns = (
        Column(
            "enterprise", _("企业"), attr="enterprise.name", sort="enterprise__name", link=True, css="sg-wrap"
        ),
        Column("division", _("所在区划"), attr="enterprise.division.name", css="d-none d-md-table-cell"),
        Column("value", _("动态风险指数"), attr="value", html=_index_html, sort="value"),
        Column("static_level", _("固有风险等级"), value=_level, sort="static_level"),
        Column("open_major", _("未销号重大隐患"), sort="open_major"),
        Column("open_general", _("未销号一般隐患"), sort="open_general", css="d-none d-md-table-cell"),
        Column("active_alarms", _("报警中"), sort="active_alarms"),
        Column("unacknowledged_alarms", _("未确认报警"), sort="unacknowledged_alarms"),
        Column("overdue", _("逾期未整改隐患"), sort="overdue"),
        Column(
            "computed_at",
            _("计算时间"),
            value=lambda r: timezone.localtime(r.computed_at).strftime("%m-%d %H:%M"),
            css="d-none d-lg-table-cell",
        ),
    )
    filters = (
        Filter("town", _("镇街"), "division_code__startswith", choices=_towns),
        Filter("sector", _("行业领域"), "enterprise__sectors__code", choices=sector_choices),
        Filter("colour", _("预警颜色"), "colour", choices=lambda user: RiskIndexColour.choices),
    )

    def get_extra_context(self) -> dict[str, Any]:
        user = self.request.user
        bound = {b.name: b.value for b in self.bind_filters()}
        rows = sel.index_list(user, town=bound.get("town", ""), sector=bound.get("sector", ""))
        counts = sel.colour_counts(rows)
        config = risk_index_config()
        placed = rows.filter(enterprise__lat__isnull=False, enterprise__lon__isnull=False)
        chart = {
            "points": [
                {
                    "name": name,
                    "value": [lon, lat, value],
                    "colour": colour,
                    "url": reverse(self.detail_url_name, args=[pk]),
                }
                for pk, name, lat, lon, value, colour in placed.values_list(
                    "enterprise_id",
                    "enterprise__name",
                    "enterprise__lat",
                    "enterprise__lon",
                    "value",
                    "colour",
                )[:MAX_POINTS]
            ],
            "hex": rules.COLOUR_HEX,
            "text": {"index": gettext("动态风险指数")},
        }
        return {
            "counts": [
                (colour, gettext(rules.COLOUR_NAMES[colour]), COLOUR_CSS[colour], counts[colour])
                for colour in rules.COLOURS
            ],
            "chart_data": chart,
            "config": config,
            "map_url": reverse("risks:map"),
        }


TERM_FIELDS = {
    rules.STATIC: "static_points",
    rules.HAZARDS: "hazard_points",
    rules.ALARMS: "alarm_points",
    rules.OVERDUE: "overdue_points",
    rules.ENFORCEMENT: "enforcement_points",
}
TERM_NOTES = {
    rules.STATIC: _(
        "风险清单中在用风险点的最高等级：重大 %(l1)s，较大 %(l2)s，一般 %(l3)s，低 %(l4)s，未定级 %(none)s"
    ),
    rules.HAZARDS: _("一般隐患每项 %(general)s，重大隐患每项 %(major)s，上限 %(cap)s"),
    rules.ALARMS: _("报警中每条 %(active)s，未确认每条 %(unack)s（报警中且未确认的两项都计），上限 %(cap)s"),
    rules.OVERDUE: _("超过整改期限仍未销号的隐患每项 %(overdue)s，上限 %(cap)s"),
    rules.ENFORCEMENT: _("近 12 个月执法记录每条 %(case)s，上限 %(cap)s；执法模块尚未建设，暂计 0"),
}


def _note(key: str, config: rules.RiskIndexConfig) -> str:
    values = {
        "l1": config.level_points[0],
        "l2": config.level_points[1],
        "l3": config.level_points[2],
        "l4": config.level_points[3],
        "none": config.ungraded,
        "general": config.general_hazard,
        "major": config.major_hazard,
        "active": config.active_alarm,
        "unack": config.unacknowledged_alarm,
        "overdue": config.overdue_hazard,
        "case": config.enforcement_case,
    }
    cap = {
        rules.HAZARDS: config.hazard_cap,
        rules.ALARMS: config.alarm_cap,
        rules.OVERDUE: config.overdue_cap,
        rules.ENFORCEMENT: config.enforcement_cap,
    }.get(key)
    return str(TERM_NOTES[key]) % {**values, "cap": cap}


@require_safe
@login_required
def risk_index_detail(request: HttpRequest, pk: int) -> HttpResponse:
    row = sel.index_get(request.user, pk)  # out of scope: 404
    config = risk_index_config()
    worked = sel.explain(row)
    terms = [
        {
            "label": gettext(rules.TERM_LABELS[term.key]),
            "detail": term.detail,
            "raw": term.raw,
            "capped": term.capped,
            "stored": getattr(row, TERM_FIELDS[term.key]),
            "note": _note(term.key, config),
        }
        for term in worked.terms
    ]
    context = {
        "title": gettext("%(name)s 动态风险指数") % {"name": row.enterprise.name},
        "row": row,
        "terms": terms,
        "index_css": COLOUR_CSS.get(row.colour, ""),
        "config": config,
        "level_name": gettext(levels.look(row.static_level).name),
        # the method in force would give another value (settings changed since the last recompute)
        "stale": worked.value != row.value or worked.version != row.version,
        "worked": worked,
        "thresholds": [
            (gettext(rules.COLOUR_NAMES[rules.RED]), f"≥ {config.red}"),
            (gettext(rules.COLOUR_NAMES[rules.ORANGE]), f"{config.orange} – {config.red - 1}"),
            (gettext(rules.COLOUR_NAMES[rules.YELLOW]), f"{config.yellow} – {config.orange - 1}"),
            (gettext(rules.COLOUR_NAMES[rules.BLUE]), f"< {config.yellow}"),
        ],
    }
    return render(request, "monitoring/risk_index/detail.html", context)


# ---- the layer of the four-colour map ----------------------------------------------------------------


def _layer_visible(user: Any) -> bool:
    scope = scope_for(user)
    return bool(scope.is_government or scope.own_enterprise_ids or scope.superuser)


def register_map_layer() -> None:
    map_layers.register(
        map_layers.MapLayer(
            key="risk-index",
            label=_("动态风险指数"),
            url_name="monitoring:risk_index_layer",
            colour="#f76707",
            symbol="circle",
            order=30,
            visible=_layer_visible,
        )
    )


@require_safe
@login_required
def risk_index_layer(request: HttpRequest) -> JsonResponse:
    user = request.user
    code = request.GET.get("division", "")
    rows = sel.index_list(user)
    if code:
        if not (code.isascii() and code.isdigit() and len(code) <= 12):
            raise Http404(gettext("不存在或无权查看"))
        division = division_get(user, code)  # 404 when out of scope
        rows = rows.filter(division_code__startswith=division.code)
    found = list(rows[:MAX_MARKERS])
    markers, unplaced = [], 0
    for row in found:
        enterprise = row.enterprise
        if enterprise.lat is None or enterprise.lon is None:
            unplaced += 1
            continue
        markers.append(
            {
                "name": enterprise.name,
                "lat": enterprise.lat,
                "lon": enterprise.lon,
                "url": reverse("monitoring:risk_index_detail", args=[row.pk]),
                "colour": rules.COLOUR_HEX.get(row.colour, "#868e96"),
                "lines": [
                    enterprise.name,
                    gettext("动态风险指数 %(value)s（%(colour)s）")
                    % {"value": row.value, "colour": row.get_colour_display()},
                    gettext("重大隐患 %(major)s，一般隐患 %(general)s，逾期 %(overdue)s")
                    % {"major": row.open_major, "general": row.open_general, "overdue": row.overdue},
                    gettext("报警中 %(active)s，未确认 %(unack)s")
                    % {"active": row.active_alarms, "unack": row.unacknowledged_alarms},
                ],
            }
        )
    items = [
        {
            "text": f"{row.enterprise.name} {row.value}",
            "note": row.get_colour_display(),
            "url": reverse("monitoring:risk_index_detail", args=[row.pk]),
        }
        for row in found[:MAX_ITEMS]
    ]
    return JsonResponse(
        {"markers": markers, "items": items, "unplaced": unplaced},
        json_dumps_params={"ensure_ascii": False, "separators": (",", ":")},
    )
