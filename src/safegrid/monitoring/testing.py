"""The monitoring app's part of the test world (see safegrid.testworld).

ingest: a point of enterprise B and a message its account sent over HTTP (through the service), with one
good reading and one for a code B has no point for, so B has a reading, a latest value and a dead letter
whose payload carries a marker; the scope walk checks none of it reaches a user of town A.

alarms (`_alarms`): a point of enterprise A and two of enterprise B (markers in their names), each with an
active alarm raised by the engine as the ingest would hand the readings on; B's alarm carries a comment; a
bypass of B's second point requested by B's safety manager and approved by the county, and one still
waiting. The scope walk checks none of B's reaches a user of town A (pages, panels, API).
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

from django.utils import timezone

from safegrid.core.testing import Leaks
from safegrid.enterprises.models import Enterprise

from .alarm_engine import AlarmEngine
from .ingest.sinks import AcceptedReading
from .models import Alarm, MonitoringPoint
from .rules.ingest import epoch_ms
from .services import alarms as alarm_services
from .services import readings as reading_services
from .testing_events import add_events
from .testing_index import add_index
from .testing_points import add_points

if TYPE_CHECKING:
    from safegrid.testworld import World

POINT_CODE = "B-MON-LT-7d2e"
POINT_NAME = "乙储罐液位（监测测试标记）"
UNKNOWN_CODE = "B-MON-LEAK-5a91"


def _ingest(world: World) -> Leaks:
    MonitoringPoint.objects.create(enterprise=world.ent_b, code=POINT_CODE, name=POINT_NAME, kind="level")
    now = epoch_ms(dt.datetime.now(dt.UTC))
    body = {
        "readings": [
            {"point": POINT_CODE, "ts": now, "value": 4.2},
            {"point": UNKNOWN_CODE, "ts": now, "value": 1.0},
        ]
    }
    reading_services.readings_submit(
        actor=world.user("ent_b"), enterprise=world.ent_b, payload=json.dumps(body).encode()
    )
    return Leaks(markers=[POINT_CODE, POINT_NAME, UNKNOWN_CODE])


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
    leaks = Leaks()
    for part in (_ingest(world), _alarms(world)):
        leaks.markers.extend(part.markers)
        leaks.area_markers.extend(part.area_markers)
        for name, values in part.ids.items():
            leaks.add_ids(name, *values)
    add_points(world, leaks)  # points: the points' and limit changes' pages and API
    add_index(world, leaks)  # alarm quality and the risk index (testing_index.py)
    add_events(world, leaks)  # video and positioning events and their alarms (testing_events.py)
    return leaks
