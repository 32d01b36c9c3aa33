"""Test helpers for alarms: points with limits, readings as the ingest hands them on."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from safegrid.monitoring.ingest.sinks import AcceptedReading
from safegrid.monitoring.models import MonitoringPoint

T0 = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)


def make_point(enterprise: Any, code: str = "T101-LT-01", **fields: Any) -> MonitoringPoint:
    values: dict[str, Any] = {
        "name": f"储罐液位{code}",
        "kind": "level",
        "measure_unit": "m",
        "ll": 1.0,
        "l": 2.0,
        "h": 8.0,
        "hh": 9.0,
        "deadband": 0.5,
        "offline_timeout_s": 300,
    }
    values.update(fields)
    return MonitoringPoint.objects.create(enterprise=enterprise, code=code, **values)


def reading(
    point: MonitoringPoint, seconds: float, value: float, *, now: dt.datetime | None = None
) -> AcceptedReading:
    ts = T0 + dt.timedelta(seconds=seconds)
    return AcceptedReading(point.pk, point.enterprise_id, ts, value, now or timezone.now())
