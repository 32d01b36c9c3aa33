"""What monitoring adds to other pages: the open alarms on the enterprise page (slot "enterprise_detail") and
on a major hazard unit's page (slot "hazard_unit_detail"), and the home page's to-do (alarms to acknowledge).
Imported by navigation.py."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from safegrid.core import todos
from safegrid.core.panels import register
from safegrid.core.scoping import scope_for
from safegrid.hazards.permissions import REGULATOR_ROLES

from . import panels_points  # noqa: F401 - registers the limit changes' to-do (points area)
from .permissions import DUTY_ROLES
from .selectors import alarms as sel

PANEL_ROWS = 5


def _panel(request: HttpRequest, alarms: Any, title: Any, more_url: str) -> str | None:
    rows = list(alarms[: PANEL_ROWS + 1])
    return render_to_string(
        "monitoring/panels/_open_alarms.html",
        {"alarms": rows[:PANEL_ROWS], "more": len(rows) > PANEL_ROWS, "title": title, "more_url": more_url},
        request=request,
    )


@register("enterprise_detail", order=50)
def enterprise_alarms_panel(request: HttpRequest, enterprise: Any) -> str | None:
    alarms = sel.enterprise_open_alarms(request.user, enterprise.pk).select_related("point")
    url = f"{reverse('monitoring:alarms')}?state=open&enterprise={enterprise.pk}"
    return _panel(request, alarms, _("未消警的监测报警"), url)


@register("hazard_unit_detail", order=10)
def unit_alarms_panel(request: HttpRequest, unit: Any) -> str | None:
    alarms = sel.unit_open_alarms(request.user, unit.pk).select_related("point")
    url = f"{reverse('monitoring:alarms')}?state=open&enterprise={unit.enterprise_id}"
    return _panel(request, alarms, _("本单元未消警的监测报警"), url)


@todos.register(order=60)
def alarm_todos(request: HttpRequest, today: dt.date) -> list[todos.Todo]:
    """Alarms nobody acknowledged yet, for whoever may acknowledge them — the enterprise's people on duty
    and its regulators, not grid workers (counted from the counters: one SUM)."""
    scope = scope_for(request.user)
    if not (scope.superuser or scope.has_role(*REGULATOR_ROLES) or scope.enterprises_with(DUTY_ROLES)):
        return []
    counts = sel.alarm_counts(request.user)
    return [
        todos.Todo(
            _("监测报警待确认"),
            counts["unacknowledged"],
            f"{reverse('monitoring:alarms')}?state=unacknowledged",
            todos.Urgency.OVERDUE,
            "bell-ringing",
        )
    ]
