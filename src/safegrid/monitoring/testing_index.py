"""Alarm quality and the dynamic risk index in the test world (called by monitoring/testing.py).

Enterprise B gets a chattering point (three closed high alarms within a minute, a marker in its name) so
the quality page has a row of B's to leak, and every enterprise's index is computed (B's row is keyed by
B's id, which the scope walk fills into /monitoring/risk-index/<pk>/). None of it may reach town A.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from safegrid.core.testing import SYSTEM, Leaks

from .choices import AlarmRule, AlarmSeverity, AlarmStatus
from .models import Alarm, MonitoringPoint
from .services.risk_index import risk_index_recompute

if TYPE_CHECKING:
    from safegrid.testworld import World

CHATTER_POINT_B = "乙反应釜温度（振荡报警测试标记）"


def add_index(world: World, leaks: Leaks) -> None:
    point = MonitoringPoint.objects.create(
        enterprise=world.ent_b, code="B-TT-7c1a", name=CHATTER_POINT_B, kind="temperature", h=80.0, hh=90.0
    )
    start = timezone.now() - dt.timedelta(minutes=5)
    for n in range(3):
        at = start + dt.timedelta(seconds=20 * n)
        # closed alarms: past raises only; the open-alarm counters are not concerned
        Alarm.objects.create(
            point=point,
            enterprise=world.ent_b,
            rule=AlarmRule.HIGH,
            severity=AlarmSeverity.H,
            status=AlarmStatus.CLOSED,
            limit_value=80.0,
            first_at=at,
            first_value=81.0,
            last_at=at,
            last_value=81.0,
            cleared_at=at + dt.timedelta(seconds=5),
            closed_at=at + dt.timedelta(seconds=10),
        )
    risk_index_recompute(actor=SYSTEM)
    leaks.markers.append(CHATTER_POINT_B)
    leaks.add_ids("pk", world.ent_b.pk)
