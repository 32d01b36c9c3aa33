"""/api/v1/monitoring/alarms: the scoped list (filters: state, severity, rule, enterprise), one alarm with its
timeline and comments, and one POST per move (mounted by safegrid.apiroot)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from safegrid.api.auth import current_user
from safegrid.api.pagination import paginate
from safegrid.api.schemas import READ_ERRORS, WRITE_ERRORS, Id, InputSchema, LongText, Page, PageParams
from safegrid.core.models import User
from safegrid.enterprises import selectors as ent_selectors

from .choices import AlarmRule, AlarmSeverity, DisposalCause
from .selectors import alarms as sel
from .services import alarms as services

router = Router(tags=["在线监测预警"])

StateFilter = Literal["open", "active", "unacknowledged", "cleared", "closed"]


class AlarmTransitionOut(Schema):
    action: str
    from_status: str
    to_status: str
    actor: str = Field(validation_alias="actor_label")
    at: dt.datetime
    comment: str


class AlarmCommentOut(Schema):
    id: int
    author: str = Field(validation_alias="author_label")
    at: dt.datetime
    text: str


class AlarmOut(Schema):
    id: int
    enterprise: int = Field(validation_alias="enterprise_id")
    point: int = Field(validation_alias="point_id")
    point_code: str = Field(validation_alias="point.code")
    point_name: str = Field(validation_alias="point.name")
    measure_unit: str = Field(validation_alias="point.measure_unit")
    rule: str = Field(description="high 高限 / low 低限 / rate 变化速率 / offline 离线")
    severity: str = Field(description="H / HH / L / LL / RATE / OFFLINE")
    status: str = Field(
        description="active_unack 报警中·未确认 / active_ack 报警中·已确认 / cleared_unack 已恢复·未确认 / "
        "cleared_ack 已恢复·已确认 / closed 已消警"
    )
    active: bool
    limit_value: float | None
    first_at: dt.datetime
    first_value: float | None
    last_at: dt.datetime
    last_value: float | None
    peak_value: float | None
    repeat_count: int
    cleared_at: dt.datetime | None
    acknowledged_at: dt.datetime | None
    assignee: int | None = Field(validation_alias="assignee_id")
    level: int = Field(description="推送层级：0 企业 / 1 镇街 / 2 县级")
    disposal_cause: str
    disposal_note: str
    closed_at: dt.datetime | None
    hazard: int | None = Field(validation_alias="hazard_id")


class AlarmDetailOut(AlarmOut):
    timeline: list[AlarmTransitionOut] = Field(validation_alias="timeline_rows")
    comments: list[AlarmCommentOut] = Field(validation_alias="comment_rows")


class AlarmFilters(InputSchema):
    state: StateFilter | None = Field(
        None, description="open 未消警 / active / unacknowledged / cleared / closed"
    )
    severity: AlarmSeverity | None = None
    rule: AlarmRule | None = None
    enterprise: Id | None = None


class AlarmMoveIn(InputSchema):
    comment: LongText = Field("", max_length=500)


class AlarmAssignIn(InputSchema):
    assignee: Id = Field(description="该企业人员的用户 id")
    comment: LongText = Field("", max_length=500)


class AlarmCommentIn(InputSchema):
    text: LongText = Field(min_length=1, max_length=2000)


class AlarmDisposeIn(InputSchema):
    cause: DisposalCause = Field(
        description="real 真实超限 / instrument 仪表故障 / maintenance 检维修 / "
        "false_alarm 误报 / communication 通讯中断"
    )
    note: LongText = Field("", max_length=2000)


class AlarmToHazardIn(InputSchema):
    title: str = Field("", max_length=100)
    hazard_type: int = Field(2, ge=1, le=8, description="隐患类别 1–8（默认 2 工艺）")


def _alarm(request: HttpRequest, alarm_id: int) -> tuple[User, Any]:
    user = current_user(request)
    return user, sel.alarm_get(user, alarm_id)


def _detail(user: User, alarm_id: int) -> Any:
    alarm = sel.alarm_get(user, alarm_id)
    alarm.timeline_rows = list(sel.alarm_timeline(user, alarm))  # type: ignore[attr-defined]
    alarm.comment_rows = list(sel.alarm_comments(user, alarm))  # type: ignore[attr-defined]
    return alarm


@router.get("/monitoring/alarms", response={200: Page[AlarmOut], **READ_ERRORS}, summary="监测报警列表")
def alarm_list(request: HttpRequest, filters: Query[AlarmFilters], page: Query[PageParams]) -> dict[str, Any]:
    qs = sel.alarm_list(current_user(request))
    if filters.state:
        qs = qs.filter(status__in=sel.STATE_FILTERS[filters.state])
    if filters.severity:
        qs = qs.filter(severity=filters.severity)
    if filters.rule:
        qs = qs.filter(rule=filters.rule)
    if filters.enterprise is not None:
        qs = qs.filter(enterprise_id=filters.enterprise)
    return paginate(qs.order_by("-first_at", "-id"), page)


@router.get(
    "/monitoring/alarms/{alarm_id}", response={200: AlarmDetailOut, **READ_ERRORS}, summary="监测报警详情"
)
def alarm_detail(request: HttpRequest, alarm_id: Id) -> Any:
    return _detail(current_user(request), alarm_id)


@router.post(
    "/monitoring/alarms/{alarm_id}/acknowledge",
    response={200: AlarmDetailOut, **WRITE_ERRORS},
    summary="确认报警",
)
def alarm_acknowledge(request: HttpRequest, alarm_id: Id, payload: AlarmMoveIn) -> Any:
    user, alarm = _alarm(request, alarm_id)
    services.alarm_acknowledge(actor=user, alarm=alarm, comment=payload.comment)
    return _detail(user, alarm_id)


@router.post(
    "/monitoring/alarms/{alarm_id}/assign",
    response={200: AlarmDetailOut, **WRITE_ERRORS},
    summary="指派处置人",
)
def alarm_assign(request: HttpRequest, alarm_id: Id, payload: AlarmAssignIn) -> Any:
    user, alarm = _alarm(request, alarm_id)
    assignee = ent_selectors.enterprise_users(user, alarm.enterprise_id).filter(pk=payload.assignee).first()
    if assignee is None:
        raise ValidationError({"assignee": "处置人不存在或不是该企业人员"})
    services.alarm_assign(actor=user, alarm=alarm, assignee=assignee, comment=payload.comment)
    return _detail(user, alarm_id)


@router.post(
    "/monitoring/alarms/{alarm_id}/comment",
    response={201: AlarmDetailOut, **WRITE_ERRORS},
    summary="评论报警",
)
def alarm_comment(request: HttpRequest, alarm_id: Id, payload: AlarmCommentIn) -> Any:
    user, alarm = _alarm(request, alarm_id)
    services.alarm_comment(actor=user, alarm=alarm, text=payload.text)
    return Status(201, _detail(user, alarm_id))


@router.post(
    "/monitoring/alarms/{alarm_id}/dispose",
    response={200: AlarmDetailOut, **WRITE_ERRORS},
    summary="登记报警处置（报警原因）",
)
def alarm_dispose(request: HttpRequest, alarm_id: Id, payload: AlarmDisposeIn) -> Any:
    user, alarm = _alarm(request, alarm_id)
    services.alarm_dispose(actor=user, alarm=alarm, cause=str(payload.cause), note=payload.note)
    return _detail(user, alarm_id)


@router.post(
    "/monitoring/alarms/{alarm_id}/close",
    response={200: AlarmDetailOut, **WRITE_ERRORS},
    summary="消警（须已恢复并已登记处置）",
)
def alarm_close(request: HttpRequest, alarm_id: Id, payload: AlarmMoveIn) -> Any:
    user, alarm = _alarm(request, alarm_id)
    services.alarm_close(actor=user, alarm=alarm, comment=payload.comment)
    return _detail(user, alarm_id)


@router.post(
    "/monitoring/alarms/{alarm_id}/to-hazard",
    response={201: AlarmDetailOut, **WRITE_ERRORS},
    summary="报警转为隐患",
)
def alarm_to_hazard(request: HttpRequest, alarm_id: Id, payload: AlarmToHazardIn) -> Any:
    user, alarm = _alarm(request, alarm_id)
    services.alarm_to_hazard(
        actor=user, alarm=alarm, data={"title": payload.title, "hazard_type": payload.hazard_type}
    )
    return Status(201, _detail(user, alarm_id))
