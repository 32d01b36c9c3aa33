"""The monitoring app's part of the test world (see safegrid.testworld).

alarms (`_alarms`): a point of enterprise A and two of enterprise B (markers in their names), each with an
active alarm raised by the engine as the ingest would hand the readings on; B's alarm carries a comment; a
bypass of B's second point requested by B's safety manager and approved by the county, and one still
waiting. The scope walk checks none of B's reaches a user of town A (pages, panels, API).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils import timezone

from safegrid.core.testing import Leaks
from safegrid.enterprises.models import Enterprise

from .alarm_engine import AlarmEngine
from .ingest.sinks import AcceptedReading
from .models import Alarm, MonitoringPoint
from .services import alarms as alarm_services

if TYPE_CHECKING:
    from safegrid.testworld import World

ALARM_POINT_B = "乙储罐液位（报警测试标记）"
ALARM_CODE_B = "B-LT-9d2e"
BYPASS_POINT_B = "乙可燃气体探测器（旁路测试标记）"
BYPASS_REASON_B = "乙探测器标定（旁路测试标记）"
WAITING_REASON_B = "乙探测器更换（待批旁路测试标记）"
COMMENT_B = "乙罐液位高报已安排巡检（评论测试标记）"
ALARM_POINT_A = "甲储罐液位（报警测试）"

MOVES = ("acknowledge", "assign", "comment", "dispose", "close", "to_hazard", "approve", "reject", "revoke")


def _point(enterprise: Enterprise, code: str, name: str, **limits: float) -> MonitoringPoint:
    return MonitoringPoint.objects.create(
        enterprise=enterprise, code=code, name=name, kind="level", measure_unit="m", **limits
    )


def _alarms(world: World) -> Leaks:
    now = timezone.now()
    a = _point(world.ent_a, "A-LT-0001", ALARM_POINT_A, l=1.0, h=8.0, hh=9.0)
    b = _point(world.ent_b, ALARM_CODE_B, ALARM_POINT_B, l=1.0, h=8.0, hh=9.0)
    gas = MonitoringPoint.objects.create(
        enterprise=world.ent_b, code="B-GT-9d2f", name=BYPASS_POINT_B, kind="gas_combustible", h=25.0, hh=50.0
    )
    AlarmEngine().process(
        [
            AcceptedReading(a.pk, a.enterprise_id, now, 8.4, now),
            AcceptedReading(b.pk, b.enterprise_id, now, 9.3, now),
            AcceptedReading(gas.pk, gas.enterprise_id, now, 30.0, now),
        ]
    )
    alarm_b = Alarm.objects.get(point=b)
    alarm_services.alarm_comment(actor=world.user("ent_b"), alarm=alarm_b, text=COMMENT_B)
    bypass = alarm_services.bypass_request(
        actor=world.user("ent_b"),
        point=gas,
        rule="",
        reason=BYPASS_REASON_B,
        starts_at=now - dt.timedelta(minutes=1),
        ends_at=now + dt.timedelta(days=1),
    )
    alarm_services.bypass_approve(actor=world.user("county_admin"), bypass=bypass)
    waiting = alarm_services.bypass_request(
        actor=world.user("ent_b"),
        point=gas,
        rule="high",
        reason=WAITING_REASON_B,
        starts_at=now + dt.timedelta(days=1),
        ends_at=now + dt.timedelta(days=2),
    )
    leaks = Leaks(
        markers=[ALARM_POINT_B, ALARM_CODE_B, BYPASS_POINT_B, BYPASS_REASON_B, WAITING_REASON_B, COMMENT_B]
    )
    b_alarms = list(Alarm.objects.filter(enterprise=world.ent_b).values_list("pk", flat=True))
    leaks.add_ids("alarm_id", *b_alarms)
    leaks.add_ids("pk", *b_alarms, bypass.pk, waiting.pk)
    leaks.add_ids("action", *MOVES)
    return leaks


def extend_world(world: World) -> Leaks:
    return _alarms(world)
