"""The monitoring app's part of the test world (see safegrid.testworld).

ingest: a point of enterprise B and a message its account sent over HTTP (through the service), with one
good reading and one for a code B has no point for, so B has a reading, a latest value and a dead letter
whose payload carries a marker; the scope walk checks none of it reaches a user of town A.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

from safegrid.core.testing import Leaks

from .models import MonitoringPoint
from .rules.ingest import epoch_ms
from .services import readings as reading_services

if TYPE_CHECKING:
    from safegrid.testworld import World

POINT_CODE = "B-MON-LT-7d2e"
POINT_NAME = "乙储罐液位（监测测试标记）"
UNKNOWN_CODE = "B-MON-LEAK-5a91"


def extend_world(world: World) -> Leaks:
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
