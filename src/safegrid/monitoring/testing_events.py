"""The events' part of the test world (testing.py calls it): enterprise B gets a positioning zone (markers in
its code and name), a person in it, its events and an overcrowd and a motionless alarm raised from them
through the events service as the ingest would; the scope walk checks none reaches a user of town A."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

from safegrid.core.testing import Leaks

from .models import Alarm, EventSource, MonitoringPoint, SourceEvent
from .rules.ingest import epoch_ms
from .services import events as event_services

if TYPE_CHECKING:
    from safegrid.testworld import World

ZONE_CODE_B = "B-ZONE-3f8c"
ZONE_NAME_B = "乙罐区人员定位区域（事件测试标记）"
PERSON_B = "B-TAG-77e1"


def add_events(world: World, leaks: Leaks) -> None:
    point = MonitoringPoint.objects.create(
        enterprise=world.ent_b, code=ZONE_CODE_B, name=ZONE_NAME_B, kind="zone", measure_unit="人"
    )
    EventSource.objects.create(point=point, enterprise=world.ent_b, rated_headcount=3, motionless_seconds=60)
    now = epoch_ms(dt.datetime.now(dt.UTC))
    body = {
        "events": [
            {"source": ZONE_CODE_B, "ts": now, "type": "headcount", "value": 5},
            {"source": ZONE_CODE_B, "ts": now, "type": "enter", "person": PERSON_B},
            {"source": ZONE_CODE_B, "ts": now + 1, "type": "motionless", "value": 120, "person": PERSON_B},
        ]
    }
    event_services.events_submit(
        actor=world.user("ent_b"), enterprise=world.ent_b, payload=json.dumps(body).encode()
    )
    alarms = list(Alarm.objects.filter(point=point).values_list("pk", flat=True))
    assert len(alarms) == 2, "the world's event alarms were not raised"
    leaks.markers.extend([ZONE_CODE_B, ZONE_NAME_B, PERSON_B])
    leaks.add_ids("alarm_id", *alarms)
    leaks.add_ids(
        "pk", point.pk, *alarms, *SourceEvent.objects.filter(point=point).values_list("pk", flat=True)
    )
