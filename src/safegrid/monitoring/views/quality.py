"""/monitoring/quality/: alarm quality of the last 24 h or 7 d in the user's scope — floods per enterprise
and per major hazard source, chattering points, the offline rate per enterprise, alarms per day (ECharts
fed through json_script, static/monitoring/quality.js). Definitions: `rules.quality`."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from safegrid.core.scoping import Scope, scope_for

from ..rules import quality as rules
from ..selectors import quality as sel

PERIOD_LABELS = {"24h": _("最近 24 小时"), "7d": _("最近 7 天")}


def sees_quality(scope: Scope) -> bool:
    """Regulators see their area; an enterprise's people see their own enterprise."""
    return bool(scope.is_government or scope.superuser or scope.own_enterprise_ids)


@require_safe
@login_required
def quality_page(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not sees_quality(scope_for(user)):
        raise Http404(gettext("不存在或无权查看"))
    period = request.GET.get("period", sel.DEFAULT_PERIOD)
    report = sel.quality_report(user, period)
    data: dict[str, Any] = sel.chart_data(report)
    data["text"] = {"alarms": gettext("报警次数")}
    context = {
        "title": _("报警质量"),
        "report": report,
        "periods": list(PERIOD_LABELS.items()),
        "period_label": PERIOD_LABELS[report.period],
        "chart_data": data,
        "day_rows": [
            (day, [counts.get(series["rule"], 0) for series in data["series"]]) for day, counts in report.days
        ],
        "flood_count": rules.FLOOD_COUNT,
        "flood_minutes": int(rules.FLOOD_WINDOW.total_seconds() // 60),
        "chatter_count": rules.CHATTER_COUNT,
        "chatter_seconds": int(rules.CHATTER_WINDOW.total_seconds()),
        "offline_percent": None if report.offline_rate is None else round(report.offline_rate * 100, 1),
    }
    return render(request, "monitoring/quality/quality.html", context)
