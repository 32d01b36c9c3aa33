"""/api/v1/monitoring/events (send video and positioning events, the MQTT payload of
`safegrid/events/<USCC>`) and /api/v1/monitoring/event-sources (video channels and positioning zones),
mounted by safegrid.apiroot. docs/monitoring.md, "Events"."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from safegrid.api.auth import current_user
from safegrid.api.pagination import paginate
from safegrid.api.permissions import require
from safegrid.api.references import References
from safegrid.api.schemas import READ_ERRORS, WRITE_ERRORS, Id, InputSchema, Page, PageParams
from safegrid.enterprises import selectors as ent_selectors
from safegrid.majorhazards.selectors import sources as unit_selectors

from .models import DeadLetterReason
from .selectors import events as selectors
from .services import events as event_services
from .services import points as point_services
from .services import readings as reading_services
from .workflows_points import can_edit_points

router = Router(tags=["在线监测"])


class MonitoringEventIn(InputSchema):
    source: str = Field(min_length=1, max_length=64, description="事件源（视频通道/定位区域）编码")
    ts: int | str = Field(description="事件时间：毫秒时间戳，或带时区的 RFC 3339 字符串")
    type: str = Field(
        max_length=40,
        description="video_offline|video_online|headcount|enter|leave|motionless|moving（未知类型记入拒收表）",
    )
    value: float | None = Field(None, description="headcount 的人数；motionless 的已静止秒数（可选）")
    person: str | None = Field(
        None, max_length=64, description="定位标签编号（enter/leave/motionless/moving）"
    )


class MonitoringEventsIn(InputSchema):
    events: list[MonitoringEventIn] = Field(max_length=10_000)
    enterprise: str | None = Field(
        default=None, min_length=18, max_length=18, description="企业统一社会信用代码（管理多家企业时必填）"
    )


class MonitoringEventRejectOut(Schema):
    reason: str
    reason_label: str
    payload: str
    detail: str


class MonitoringEventsOut(Schema):
    enterprise: str
    accepted: int
    duplicates: int
    rejected: list[MonitoringEventRejectOut]
    alarm_ids: list[int]


@router.post(
    "/monitoring/events",
    response={201: MonitoringEventsOut, **WRITE_ERRORS},
    summary="上报视频/人员定位事件（与 MQTT 报文相同；拒收的事件记入拒收表并在应答中列出）",
)
def events_post(request: HttpRequest, payload: MonitoringEventsIn) -> Any:
    user = current_user(request)
    enterprise = reading_services.sending_enterprise(actor=user, uscc=payload.enterprise)
    body = json.dumps(payload.model_dump(exclude={"enterprise"}, exclude_none=True)).encode()
    outcome = event_services.events_submit(actor=user, enterprise=enterprise, payload=body)
    labels = dict(DeadLetterReason.choices)
    return Status(
        201,
        {
            "enterprise": enterprise.uscc,
            "accepted": outcome.accepted,
            "duplicates": outcome.duplicates,
            "rejected": [
                {
                    "reason": r.reason,
                    "reason_label": str(labels.get(r.reason, r.reason)),
                    "payload": r.payload,
                    "detail": r.detail,
                }
                for r in outcome.rejected
            ],
            "alarm_ids": sorted(set(outcome.alarm_ids)),
        },
    )


class MonitoringEventSourceOut(Schema):
    point_id: int
    enterprise_id: int
    code: str = Field(alias="point.code")
    name: str = Field(alias="point.name")
    kind: str = Field(alias="point.kind")
    unit_id: int | None = Field(alias="point.unit_id")
    location: str = Field(alias="point.location")
    active: bool = Field(alias="point.active")
    rated_headcount: int | None
    max_stay_minutes: int | None
    motionless_seconds: int | None


class MonitoringEventSourceFilters(InputSchema):
    enterprise: Id | None = Field(None, description="企业 id")
    kind: Literal["video", "zone"] | None = Field(None, description="video：视频通道；zone：人员定位区域")


@router.get(
    "/monitoring/event-sources",
    response={200: Page[MonitoringEventSourceOut], **READ_ERRORS},
    summary="事件源（视频通道、人员定位区域）列表",
)
def source_list(
    request: HttpRequest, filters: Query[MonitoringEventSourceFilters], page: Query[PageParams]
) -> dict[str, Any]:
    qs = selectors.source_list(current_user(request))
    if filters.enterprise is not None:
        qs = qs.filter(enterprise_id=filters.enterprise)
    if filters.kind is not None:
        qs = qs.filter(point__kind=filters.kind)
    return paginate(qs.order_by("enterprise_id", "point__code", "pk"), page)


@router.get(
    "/monitoring/event-sources/{monitoring_point_id}",
    response={200: MonitoringEventSourceOut, **READ_ERRORS},
    summary="事件源详情",
)
def source_detail(request: HttpRequest, monitoring_point_id: Id) -> Any:
    return selectors.source_get(current_user(request), monitoring_point_id)


class MonitoringEventSourceIn(InputSchema):
    enterprise: Id = Field(description="企业 id")
    kind: Literal["video", "zone"] = Field(description="video：视频通道；zone：人员定位区域")
    code: str = Field(min_length=1, max_length=64, description="企业内唯一的编码，与事件报文的 source 一致")
    name: str = Field(min_length=1, max_length=100)
    unit: Id | None = Field(None, description="重大危险源单元 id（本企业的）")
    location: str = Field("", max_length=200)
    rated_headcount: int | None = Field(None, ge=1, le=100_000, description="额定人数（定位区域）")
    max_stay_minutes: int | None = Field(None, ge=1, le=100_000, description="最长滞留时间，分钟（定位区域）")
    motionless_seconds: int | None = Field(None, ge=1, le=86_400, description="静止报警阈值，秒（定位区域）")


@router.post(
    "/monitoring/event-sources",
    response={201: MonitoringEventSourceOut, **WRITE_ERRORS},
    summary="新建事件源（视频通道或人员定位区域）",
)
def source_create(request: HttpRequest, payload: MonitoringEventSourceIn) -> Any:
    user = current_user(request)
    refs = References(user)
    enterprise = refs.get("enterprise", ent_selectors.enterprise_get, payload.enterprise)
    unit = refs.get("unit", unit_selectors.unit_get, payload.unit) if payload.unit is not None else None
    refs.raise_if_any()
    require(can_edit_points(user, enterprise.pk), point_services.DENIED)
    data = payload.model_dump(exclude={"enterprise", "unit"})
    source = event_services.event_source_create(
        actor=user, enterprise=enterprise, data={**data, "unit": unit}
    )
    return Status(201, selectors.source_get(user, source.pk))


class MonitoringSourceEventOut(Schema):
    id: int
    point_id: int
    type: str
    ts: dt.datetime
    person: str
    value: float | None
    received_at: dt.datetime


@router.get(
    "/monitoring/event-sources/{monitoring_point_id}/events",
    response={200: Page[MonitoringSourceEventOut], **READ_ERRORS},
    summary="事件源收到的事件，最新的在前",
)
def source_events(request: HttpRequest, monitoring_point_id: Id, page: Query[PageParams]) -> dict[str, Any]:
    user = current_user(request)
    source = selectors.source_get(user, monitoring_point_id)
    return paginate(selectors.event_list(user).filter(point_id=source.pk), page)
