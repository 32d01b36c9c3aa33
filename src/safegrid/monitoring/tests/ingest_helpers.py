"""Points and payloads for the ingest tests."""

from __future__ import annotations

import datetime as dt
import json

from safegrid.monitoring.models import MonitoringPoint


def make_point(enterprise, code: str, *, active: bool = True, **extra) -> MonitoringPoint:
    return MonitoringPoint.objects.create(
        enterprise=enterprise, code=code, name=f"点位 {code}", kind="level", active=active, **extra
    )


def ms(when: dt.datetime) -> int:
    return int(when.timestamp() * 1000)


def payload(*readings: tuple[str, object, object], **extra) -> bytes:
    return json.dumps(
        {"readings": [{"point": p, "ts": t, "value": v} for p, t, v in readings], **extra}
    ).encode()
