"""Event sources and event payloads for the event tests."""

from __future__ import annotations

import json
from typing import Any

from safegrid.monitoring.models import EventSource, MonitoringPoint


def make_source(enterprise: Any, code: str, kind: str = "zone", **zone: Any) -> MonitoringPoint:
    point = MonitoringPoint.objects.create(enterprise=enterprise, code=code, name=f"事件源 {code}", kind=kind)
    EventSource.objects.create(point=point, enterprise=enterprise, **zone)
    return point


def events(*items: dict[str, Any]) -> bytes:
    return json.dumps({"events": list(items)}).encode()
