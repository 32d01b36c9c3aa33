"""The live monitoring wall (监测预警大屏).

/monitoring/wall/ — the regulators' wall: open alarms per town and enterprise (from the counters), the
active alarms and points offline, refreshed every 2 s by htmx polling of …/live/; an enterprise's own
people are sent to their enterprise's wall.
/monitoring/wall/enterprises/<id>/ — each point of the enterprise by major hazard unit with its latest
value, limits and state colour, and the enterprise's active alarms (acknowledge in place), live as above.
/monitoring/points/<id>/trend/ — the point's trend (ECharts) for 1 h / 24 h / 7 d from …/trend/data/.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from safegrid.core.choices import ENTERPRISE_ROLES, Role
from safegrid.core.scoping import scope_for

from .. import permissions
from ..choices import AlarmRule
from ..models import Alarm
from ..rules.ingest import epoch_ms
from ..rules.wall import PauseKind, PauseReason, WallState, by_point, worst_severity
from ..selectors import readings as reading_selectors
from ..selectors import wall as sel
from .alarms import SEVERITY_CSS, STATUS_CSS

_DUTY = frozenset({*ENTERPRISE_ROLES, Role.UNIT_USER})
POLL_SECONDS = 2

STATE_LABELS: dict[str, Any] = {
    WallState.NORMAL: _("正常"),
    WallState.H: _("高报"),
    WallState.HH: _("高高报"),
    WallState.L: _("低报"),
    WallState.LL: _("低低报"),
    WallState.OFFLINE: _("离线"),
    WallState.BYPASSED: _("旁路"),
}
STATE_CSS: dict[str, str] = {
    WallState.NORMAL: "bg-green text-white",
    WallState.H: "bg-orange text-white",
    WallState.HH: "bg-red text-white",
    WallState.L: "bg-yellow text-dark",
    WallState.LL: "bg-red text-white",
    WallState.OFFLINE: "bg-secondary text-white",
    WallState.BYPASSED: "bg-purple text-white",
}

# the left border of a wall alarm row: its point's worst active severity
ROW_CSS: dict[str, str] = {
    "HH": "border-start border-4 border-danger",
    "LL": "border-start border-4 border-danger",
    "H": "border-start border-4 border-warning",
    "L": "border-start border-4 border-warning",
    "RATE": "border-start border-4 border-info",
    "OFFLINE": "border-start border-4 border-secondary",
}

# range → span of the trend; the resolution follows the span (rules.ingest.series_resolution):
# 1 h raw readings, 24 h 1-minute rollups, 7 d hourly rollups
RANGES: dict[str, dt.timedelta] = {
    "1h": dt.timedelta(hours=1),
    "24h": dt.timedelta(hours=24),
    "7d": dt.timedelta(days=7),
}
RANGE_LABELS = {"1h": _("近1小时"), "24h": _("近24小时"), "7d": _("近7天")}


def _alarm_rows(request: HttpRequest, alarms: list[Alarm]) -> list[dict[str, Any]]:
    """One row per point with all its active alarms (H and rate of change at once are one row), the row
    coloured by the worst severity."""
    user = request.user
    may: dict[int, bool] = {}
    rows = []
    for group in by_point(alarms, lambda a: a.point_id, lambda a: a.severity):
        first = group[0]
        if first.enterprise_id not in may:
            may[first.enterprise_id] = permissions.can_acknowledge(user, first.enterprise_id)
        worst = worst_severity(a.severity for a in group) or ""
        rows.append(
            {
                "point": first.point,
                "enterprise": first.enterprise,
                "severity": worst,
                "row_css": ROW_CSS.get(worst, ""),
                "alarms": [
                    {
                        "alarm": a,
                        "severity_css": SEVERITY_CSS.get(a.severity, ""),
                        "status_css": STATUS_CSS.get(a.status, ""),
                        "can_acknowledge": may[a.enterprise_id] and a.status == "active_unack",
                    }
                    for a in group
                ],
            }
        )
    return rows


def _when(at: dt.datetime | None) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M") if at is not None else ""


def pause_text(reason: PauseReason) -> str:
    """Why a point's alarms are paused, in words (the wall's point cards, the event-source page)."""
    period = {"since": _when(reason.since), "until": _when(reason.until) or gettext("未定")}
    if reason.kind is PauseKind.DEACTIVATED:
        return gettext("点位已停用（停用申请已批准），不再报警")
    if reason.kind is PauseKind.SHUTDOWN:
        return gettext("全企业停产/停用检修 %(since)s 至 %(until)s，暂停报警") % period
    if reason.kind is PauseKind.RISK_POINT_SHUTDOWN:
        return gettext("风险分析单元“%(name)s”停用检修 %(since)s 至 %(until)s，暂停报警") % {
            **period,
            "name": reason.detail,
        }
    if reason.detail:
        rule = dict(AlarmRule.choices).get(reason.detail, reason.detail)
        return gettext("旁路（%(rule)s）已批准，至 %(until)s 暂停该项报警") % {
            "rule": rule,
            "until": period["until"],
        }
    return gettext("点位旁路已批准，至 %(until)s 暂停报警") % {"until": period["until"]}


def _county_context(request: HttpRequest) -> dict[str, Any]:
    enterprises = sel.wall_enterprises(request.user)
    return {
        "enterprises": enterprises,
        "towns": sel.wall_towns(request.user, enterprises),
        "totals": sel.wall_totals(enterprises),
        "alarms": _alarm_rows(request, sel.active_alarms(request.user)),
        "now": timezone.now(),
        "poll_seconds": POLL_SECONDS,
    }


def _own_enterprise(request: HttpRequest) -> int | None:
    scope = scope_for(request.user)
    if scope.is_government or scope.superuser:
        return None
    mine = scope.enterprises_with(_DUTY)
    if not mine:
        raise Http404
    return min(mine)


@login_required
@require_safe
def wall(request: HttpRequest) -> HttpResponse:
    own = _own_enterprise(request)
    if own is not None:
        return HttpResponseRedirect(reverse("monitoring:wall_enterprise", args=[own]))
    context = _county_context(request)
    context["title"] = gettext("监测预警大屏")
    return render(request, "monitoring/wall/county.html", context)


@login_required
@require_safe
def wall_live(request: HttpRequest) -> HttpResponse:
    if _own_enterprise(request) is not None:
        raise Http404
    return render(request, "monitoring/wall/_county_live.html", _county_context(request))


def _enterprise_context(request: HttpRequest, pk: int) -> dict[str, Any]:
    enterprise = sel.wall_enterprise(request.user, pk)
    groups = sel.enterprise_points(request.user, enterprise)
    return {
        "enterprise": enterprise,
        "groups": [
            {
                "unit_id": g.unit_id,
                "name": g.name,
                "points": [
                    {
                        "row": r,
                        "label": STATE_LABELS[r.state],
                        "css": STATE_CSS[r.state],
                        "pauses": [(p.kind.value, pause_text(p)) for p in r.pauses],
                    }
                    for r in g.points
                ],
            }
            for g in groups
        ],
        "states": [
            (state, STATE_LABELS[state], STATE_CSS[state], n) for state, n in sel.state_counts(groups).items()
        ],
        "alarms": _alarm_rows(request, sel.active_alarms(request.user, enterprise_id=enterprise.pk)),
        "retired": sel.retired_points(request.user, enterprise),
        "now": timezone.now(),
        "poll_seconds": POLL_SECONDS,
        "is_regulator": scope_for(request.user).is_government or scope_for(request.user).superuser,
    }


@login_required
@require_safe
def wall_enterprise(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    context = _enterprise_context(request, enterprise_id)
    context["title"] = gettext("%(name)s 监测预警") % {"name": context["enterprise"].name}
    return render(request, "monitoring/wall/enterprise.html", context)


@login_required
@require_safe
def wall_enterprise_live(request: HttpRequest, enterprise_id: int) -> HttpResponse:
    return render(
        request, "monitoring/wall/_enterprise_live.html", _enterprise_context(request, enterprise_id)
    )


@login_required
@require_safe
def point_trend(request: HttpRequest, pk: int) -> HttpResponse:
    point = sel.trend_point(request.user, pk)
    chosen = request.GET.get("range", "1h")
    if chosen not in RANGES:
        chosen = "1h"
    return render(
        request,
        "monitoring/wall/trend.html",
        {
            "title": gettext("趋势：%(point)s") % {"point": f"{point.code} {point.name}"},
            "point": point,
            "ranges": [(key, RANGE_LABELS[key]) for key in RANGES],
            "chosen": chosen,
            "data_url": reverse("monitoring:point_trend_data", args=[point.pk]),
            "chart_text": {
                "value": gettext("监测值"),
                "min": gettext("最小值"),
                "max": gettext("最大值"),
                "ll": gettext("低低限 LL"),
                "l": gettext("低限 L"),
                "h": gettext("高限 H"),
                "hh": gettext("高高限 HH"),
                "empty": gettext("该时段没有监测数据"),
            },
        },
    )


@login_required
@require_safe
def point_trend_data(request: HttpRequest, pk: int) -> JsonResponse:
    """The chart's data: [epoch ms, value] (and the bucket's min and max for rollups), with the limits."""
    chosen = request.GET.get("range", "1h")
    if chosen not in RANGES:
        return JsonResponse({"range": [gettext("可选 1h、24h、7d")]}, status=422)
    end = timezone.now()
    series = reading_selectors.reading_series(request.user, pk, end - RANGES[chosen], end)  # type: ignore[arg-type]
    point = series.point
    return JsonResponse(
        {
            "point": {"id": point.pk, "code": point.code, "name": point.name, "unit": point.measure_unit},
            "range": chosen,
            "resolution": series.resolution.value,
            "start": epoch_ms(end - RANGES[chosen]),
            "end": epoch_ms(end),
            "limits": {"ll": point.ll, "l": point.l, "h": point.h, "hh": point.hh},
            "values": [[epoch_ms(r.ts), r.value] for r in series.rows],
            "min": [[epoch_ms(r.ts), r.min] for r in series.rows if r.min is not None],
            "max": [[epoch_ms(r.ts), r.max] for r in series.rows if r.max is not None],
            "truncated": series.truncated,
        }
    )
