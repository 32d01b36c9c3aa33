"""/api/v1/monitoring/readings (send readings) and /api/v1/monitoring/points/{monitoring_point_id}/readings (read a
range), mounted by safegrid.apiroot. The payload is the MQTT one (docs/monitoring.md)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from safegrid.api.auth import current_user
from safegrid.api.pagination import paginate
from safegrid.api.schemas import READ_ERRORS, WRITE_ERRORS, Id, InputSchema, Page, PageParams

from .rules.ingest import MAX_SERIES_SPAN
from .selectors import readings as reading_selectors
from .services import readings as reading_services

router = Router(tags=["在线监测"])


class MonitoringReadingIn(InputSchema):
    point: str = Field(min_length=1, max_length=64, description="点位编码")
    ts: int | str = Field(description="采集时间：毫秒时间戳，或带时区的 RFC 3339 字符串")
    value: float = Field(description="监测值")


class MonitoringReadingsIn(InputSchema):
    readings: list[MonitoringReadingIn] = Field(max_length=10_000)
    publisher: str | None = Field(default=None, max_length=100, description="发布端编号（可选）")
    seq: int | None = Field(default=None, ge=0, le=2**62, description="发布端报文序号（可选）")
    enterprise: str | None = Field(
        default=None, min_length=18, max_length=18, description="企业统一社会信用代码（管理多家企业时必填）"
    )


class MonitoringRejectOut(Schema):
    reason: str
    reason_label: str
    payload: str
    detail: str


class MonitoringReadingsOut(Schema):
    enterprise: str
    accepted: int
    duplicates: int
    rejected: list[MonitoringRejectOut]


@router.post(
    "/monitoring/readings",
    response={200: MonitoringReadingsOut, **WRITE_ERRORS},
    summary="上报监测数据（与 MQTT 报文相同；拒收的数据记入拒收表并在应答中列出）",
)
def readings_post(request: HttpRequest, payload: MonitoringReadingsIn) -> Any:
    from .models import DeadLetterReason

    user = current_user(request)
    enterprise = reading_services.sending_enterprise(actor=user, uscc=payload.enterprise)
    body = json.dumps(payload.model_dump(exclude={"enterprise"}, exclude_none=True), allow_nan=True).encode()
    outcome = reading_services.readings_submit(actor=user, enterprise=enterprise, payload=body)
    labels = dict(DeadLetterReason.choices)
    return {
        "enterprise": enterprise.uscc,
        "accepted": outcome.accepted,
        "duplicates": outcome.duplicates,
        "rejected": [
            {
                "reason": r.reason,
                "reason_label": str(labels[r.reason]),
                "payload": r.payload,
                "detail": r.detail,
            }
            for r in outcome.rejected
        ],
    }


class MonitoringRangeParams(InputSchema):
    start: dt.datetime = Field(description="开始时间（含），带时区")
    end: dt.datetime = Field(description="结束时间（不含），带时区")


class MonitoringSeriesRowOut(Schema):
    ts: dt.datetime
    value: float
    min: float | None
    max: float | None
    count: int | None


class MonitoringSeriesOut(Schema):
    point_id: int
    code: str
    unit: str
    resolution: Literal["raw", "1m", "1h"]
    truncated: bool
    rows: list[MonitoringSeriesRowOut]


@router.get(
    "/monitoring/points/{monitoring_point_id}/readings",
    response={200: MonitoringSeriesOut, **READ_ERRORS},
    summary="点位某时段的监测数据（6 小时内为原始数据，3 天内为 1 分钟汇总，更长为 1 小时汇总）",
)
def point_readings(
    request: HttpRequest, monitoring_point_id: Id, params: Query[MonitoringRangeParams]
) -> Any:
    start, end = params.start, params.end
    errors: dict[str, list[str]] = {}
    for name, value in (("start", start), ("end", end)):
        if value.tzinfo is None:
            errors[name] = ["请带时区，例如 2026-12-02T08:00:00+08:00"]
    if not errors and end <= start:
        errors["end"] = ["结束时间须晚于开始时间"]
    if not errors and end - start > MAX_SERIES_SPAN:
        errors["end"] = [f"时段最长 {MAX_SERIES_SPAN.days} 天"]
    if errors:
        raise ValidationError(errors)
    series = reading_selectors.reading_series(current_user(request), monitoring_point_id, start, end)
    return {
        "point_id": series.point.pk,
        "code": series.point.code,
        "unit": series.point.measure_unit,
        "resolution": series.resolution.value,
        "truncated": series.truncated,
        "rows": [
            {"ts": r.ts, "value": r.value, "min": r.min, "max": r.max, "count": r.count} for r in series.rows
        ],
    }


class MonitoringDeadLetterOut(Schema):
    id: int
    received_at: dt.datetime
    source: str
    enterprise_id: int | None
    reason: str
    reason_label: str
    payload: str
    detail: str

    @staticmethod
    def resolve_reason_label(obj: Any) -> str:
        return str(obj.get_reason_display())


class MonitoringDeadLetterFilters(InputSchema):
    reason: str | None = Field(None, max_length=24, description="拒收原因代码（见 docs/monitoring.md）")
    enterprise: int | None = Field(None, ge=1, description="企业编号")
    since: dt.datetime | None = Field(None, description="此时间（含）之后接收的，带时区")


@router.get(
    "/monitoring/dead-letters",
    response={200: Page[MonitoringDeadLetterOut], **READ_ERRORS},
    summary="拒收的监测数据（企业只能看到本企业的），最新的在前",
)
def dead_letter_list(
    request: HttpRequest, filters: Query[MonitoringDeadLetterFilters], page: Query[PageParams]
) -> dict[str, Any]:
    qs = reading_selectors.dead_letter_list(current_user(request))
    if filters.reason is not None:
        qs = qs.filter(reason=filters.reason)
    if filters.enterprise is not None:
        qs = qs.filter(enterprise_id=filters.enterprise)
    if filters.since is not None:
        qs = qs.filter(received_at__gte=filters.since)
    return paginate(qs, page)
