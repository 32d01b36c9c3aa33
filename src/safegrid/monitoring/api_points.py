"""/api/v1/monitoring/points, …/limit-changes and …/deactivations (mounted by safegrid.apiroot).

Reads go through the scoped selectors (out of scope: 404); writes through the same services as the pages:
a point is created with its first limits (gas detectors default per REFERENCE §6); its limits then change
only by a limit-change request that another person of the enterprise approves (`…/approve`, `…/reject`).
Taking a point out of use is likewise a deactivation request (`…/points/{id}/deactivations`) another person
approves; bringing it back is direct (`…/points/{id}/reactivate`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import FiniteFloat

from safegrid.api.auth import current_user
from safegrid.api.pagination import paginate
from safegrid.api.permissions import require
from safegrid.api.references import References
from safegrid.api.schemas import READ_ERRORS, WRITE_ERRORS, Id, InputSchema, LongText, Page, PageParams
from safegrid.enterprises import selectors as ent_selectors
from safegrid.majorhazards.selectors import sources as unit_selectors
from safegrid.risks.selectors import points as risk_selectors

from .models import (
    DeactivationStatus,
    LimitChange,
    LimitChangeKind,
    LimitChangeStatus,
    MonitoringPoint,
    PointDeactivation,
)
from .rules.limits import LimitSet
from .rules.points import PointKind
from .selectors import points as selectors
from .services import deactivations as deactivation_services
from .services import limits as limit_services
from .services import points as point_services
from .workflows_points import can_edit_points

router = Router(tags=["在线监测"])

Limit = float | None
LimitIn = FiniteFloat | None  # JSON's Infinity/NaN are refused (422) before the service sees them


class MonitoringLatestOut(Schema):
    ts: dt.datetime
    value: float
    received_at: dt.datetime


class MonitoringPointOut(Schema):
    id: int
    enterprise_id: int
    enterprise_name: str = Field(alias="enterprise.name")
    enterprise_uscc: str = Field(alias="enterprise.uscc")
    unit_id: int | None
    risk_point_id: int | None
    code: str
    name: str
    kind: str
    measure_unit: str
    location: str
    ll: Limit
    l: Limit  # noqa: E741 - the standard's name
    h: Limit
    hh: Limit
    rate_limit: Limit
    deadband: float
    limits_version: str
    limits_source: str
    oel_ppm: Limit
    expected_interval_s: int
    offline_timeout_s: int
    active: bool


class MonitoringPointDetailOut(MonitoringPointOut):
    latest: MonitoringLatestOut | None

    @staticmethod
    def resolve_latest(obj: Any) -> Any:
        return selectors.latest_of(obj)


class MonitoringPointFilters(InputSchema):
    enterprise: Id | None = Field(None, description="企业 id")
    unit: Id | None = Field(None, description="重大危险源单元 id")
    risk_point: Id | None = Field(None, description="风险分析单元（风险点）id")
    kind: PointKind | None = Field(None, description="监测类型")
    active: bool | None = Field(None, description="是否在用")


@router.get(
    "/points", response={200: Page[MonitoringPointOut], **READ_ERRORS}, summary="监测点位列表（含报警限值）"
)
def point_list(
    request: HttpRequest, filters: Query[MonitoringPointFilters], page: Query[PageParams]
) -> dict[str, Any]:
    qs = selectors.point_list(current_user(request))
    if filters.enterprise is not None:
        qs = qs.filter(enterprise_id=filters.enterprise)
    if filters.unit is not None:
        qs = qs.filter(unit_id=filters.unit)
    if filters.risk_point is not None:
        qs = qs.filter(risk_point_id=filters.risk_point)
    if filters.kind is not None:
        qs = qs.filter(kind=filters.kind)
    if filters.active is not None:
        qs = qs.filter(active=filters.active)
    return paginate(qs.order_by("enterprise_id", "code", "id"), page)


@router.get(
    "/points/{monitoring_point_id}",
    response={200: MonitoringPointDetailOut, **READ_ERRORS},
    summary="监测点位详情",
)
def point_detail(request: HttpRequest, monitoring_point_id: Id) -> Any:
    return selectors.point_get(current_user(request), monitoring_point_id)


class MonitoringPointIn(InputSchema):
    enterprise: Id = Field(description="企业 id")
    code: str = Field(min_length=1, max_length=64, description="企业内唯一的点位编码，与网关上报一致")
    name: str = Field(min_length=1, max_length=100)
    kind: PointKind
    unit: Id | None = Field(None, description="重大危险源单元 id（本企业的）")
    risk_point: Id | None = Field(
        None, description="风险分析单元（风险点）id（本企业的）：其停用检修期间本点位暂停报警"
    )
    measure_unit: str = Field("", max_length=16, description="空为该类型的默认单位")
    location: str = Field("", max_length=200)
    ll: LimitIn = None
    l: LimitIn = None  # noqa: E741 - the standard's name
    h: LimitIn = None
    hh: LimitIn = None
    rate_limit: LimitIn = Field(None, ge=0)
    deadband: FiniteFloat = Field(0.0, ge=0)
    limits_version: str = Field("", max_length=40, description="填写限值时必填")
    limits_source: str = Field("", max_length=200, description="填写限值时必填：工艺控制指标文件名称")
    oel_ppm: LimitIn = Field(None, ge=0, description="有毒气体的职业接触限值（ppm）")
    expected_interval_s: int = Field(10, ge=1, le=86_400)
    offline_timeout_s: int = Field(300, ge=1, le=864_000)


@router.post("/points", response={201: MonitoringPointDetailOut, **WRITE_ERRORS}, summary="新建监测点位")
def point_create(request: HttpRequest, payload: MonitoringPointIn) -> Any:
    user = current_user(request)
    refs = References(user)
    enterprise = refs.get("enterprise", ent_selectors.enterprise_get, payload.enterprise)
    unit = refs.get("unit", unit_selectors.unit_get, payload.unit) if payload.unit is not None else None
    risk_point = (
        refs.get("risk_point", risk_selectors.risk_point_get, payload.risk_point)
        if payload.risk_point is not None
        else None
    )
    refs.raise_if_any()
    require(can_edit_points(user, enterprise.pk), point_services.DENIED)
    data = payload.model_dump(exclude={"enterprise", "unit", "risk_point"})
    point = point_services.point_create(
        actor=user, enterprise=enterprise, data={**data, "unit": unit, "risk_point": risk_point}
    )
    return Status(201, selectors.point_get(user, point.pk))


class LimitChangeOut(Schema):
    id: int
    point_id: int
    point_code: str = Field(alias="point.code")
    kind: LimitChangeKind
    status: LimitChangeStatus
    ll: Limit
    l: Limit  # noqa: E741 - the standard's name
    h: Limit
    hh: Limit
    rate_limit: Limit
    deadband: float
    version: str
    source: str
    reason: str
    old_ll: Limit
    old_l: Limit
    old_h: Limit
    old_hh: Limit
    old_version: str
    requested_by: str = Field(alias="requested_by_name")
    requested_at: dt.datetime
    approved_by: str = Field(alias="approved_by_name")
    decided_at: dt.datetime | None
    effective_from: dt.datetime
    expires_at: dt.datetime | None
    applied_at: dt.datetime | None
    ended_at: dt.datetime | None


class LimitChangeIn(InputSchema):
    kind: LimitChangeKind = Field(
        description="permanent：长期变更（新版工艺控制指标）；temporary：临时变更（须设到期时间）"
    )
    ll: LimitIn = None
    l: LimitIn = None  # noqa: E741 - the standard's name
    h: LimitIn = None
    hh: LimitIn = None
    rate_limit: LimitIn = Field(None, ge=0)
    deadband: FiniteFloat = Field(0.0, ge=0)
    version: str = Field(max_length=40, description="限值版本；长期变更须为新版本号")
    source: str = Field(max_length=200, description="限值来源，如工艺控制指标文件名称")
    reason: LongText = Field(description="变更原因")
    effective_from: dt.datetime | None = Field(None, description="生效时间；空为批准后立即生效")
    expires_at: dt.datetime | None = Field(None, description="到期时间；临时变更必填")


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None or timezone.is_aware(value):
        return value
    return timezone.make_aware(value)


@router.get(
    "/points/{monitoring_point_id}/limit-changes",
    response={200: list[LimitChangeOut], **READ_ERRORS},
    summary="监测点位的限值变更记录",
)
def point_limit_changes(request: HttpRequest, monitoring_point_id: Id) -> Any:
    return selectors.changes_of(selectors.point_get(current_user(request), monitoring_point_id))


@router.post(
    "/points/{monitoring_point_id}/limit-changes",
    response={201: LimitChangeOut, **WRITE_ERRORS},
    summary="申请变更监测点位的限值（经本企业另一名负责人批准后生效）",
)
def limit_change_request(request: HttpRequest, monitoring_point_id: Id, payload: LimitChangeIn) -> Any:
    user = current_user(request)
    point: MonitoringPoint = selectors.point_get(user, monitoring_point_id)
    require(can_edit_points(user, point.enterprise_id), point_services.DENIED)
    values = LimitSet(
        ll=payload.ll,
        l=payload.l,
        h=payload.h,
        hh=payload.hh,
        rate_limit=payload.rate_limit,
        deadband=payload.deadband,
        version=payload.version,
        source=payload.source,
    )
    change = limit_services.limit_change_request(
        actor=user,
        point=point,
        kind=payload.kind,
        values=values,
        reason=payload.reason,
        effective_from=_aware(payload.effective_from),
        expires_at=_aware(payload.expires_at),
    )
    return Status(201, selectors.limit_change_get(user, change.pk))


@router.get(
    "/limit-changes/{limit_change_id}", response={200: LimitChangeOut, **READ_ERRORS}, summary="限值变更详情"
)
def limit_change_detail(request: HttpRequest, limit_change_id: Id) -> Any:
    return selectors.limit_change_get(current_user(request), limit_change_id)


class LimitChangeDecisionIn(InputSchema):
    comment: LongText = Field("", description="审批意见；驳回时必填")


def _decided(request: HttpRequest, limit_change_id: int) -> tuple[Any, LimitChange]:
    user = current_user(request)
    return user, selectors.limit_change_get(user, limit_change_id)


@router.post(
    "/limit-changes/{limit_change_id}/approve",
    response={200: LimitChangeOut, **WRITE_ERRORS},
    summary="批准限值变更（申请人以外的本企业安全管理员、主要负责人或企业管理员）",
)
def limit_change_approve(request: HttpRequest, limit_change_id: Id, payload: LimitChangeDecisionIn) -> Any:
    user, change = _decided(request, limit_change_id)
    limit_services.limit_change_approve(actor=user, change=change, comment=payload.comment)
    return selectors.limit_change_get(user, limit_change_id)


@router.post(
    "/limit-changes/{limit_change_id}/reject",
    response={200: LimitChangeOut, **WRITE_ERRORS},
    summary="驳回限值变更（须填写意见）",
)
def limit_change_reject(request: HttpRequest, limit_change_id: Id, payload: LimitChangeDecisionIn) -> Any:
    user, change = _decided(request, limit_change_id)
    limit_services.limit_change_reject(actor=user, change=change, comment=payload.comment)
    return selectors.limit_change_get(user, limit_change_id)


# ---- taking a point out of use ---------------------------------------------------------------------------


class DeactivationOut(Schema):
    id: int
    point_id: int
    point_code: str = Field(alias="point.code")
    status: DeactivationStatus
    reason: str
    requested_by: str = Field(alias="requested_by_name")
    requested_at: dt.datetime
    approved_by: str = Field(alias="approved_by_name")
    decided_at: dt.datetime | None


class DeactivationIn(InputSchema):
    reason: LongText = Field(min_length=1, description="停用原因（如传感器拆除、装置停产）")


@router.get(
    "/points/{monitoring_point_id}/deactivations",
    response={200: list[DeactivationOut], **READ_ERRORS},
    summary="监测点位的停用申请记录",
)
def point_deactivations(request: HttpRequest, monitoring_point_id: Id) -> Any:
    return selectors.deactivations_of(selectors.point_get(current_user(request), monitoring_point_id))


@router.post(
    "/points/{monitoring_point_id}/deactivations",
    response={201: DeactivationOut, **WRITE_ERRORS},
    summary="申请停用监测点位（经本企业另一名负责人批准后停用）",
)
def deactivation_request(request: HttpRequest, monitoring_point_id: Id, payload: DeactivationIn) -> Any:
    user = current_user(request)
    point: MonitoringPoint = selectors.point_get(user, monitoring_point_id)
    require(can_edit_points(user, point.enterprise_id), point_services.DENIED)
    made = deactivation_services.deactivation_request(actor=user, point=point, reason=payload.reason)
    return Status(201, selectors.deactivation_get(user, made.pk))


@router.post(
    "/points/{monitoring_point_id}/reactivate",
    response={200: MonitoringPointDetailOut, **WRITE_ERRORS},
    summary="重新启用监测点位",
)
def point_reactivate(request: HttpRequest, monitoring_point_id: Id) -> Any:
    user = current_user(request)
    point: MonitoringPoint = selectors.point_get(user, monitoring_point_id)
    point_services.point_set_active(actor=user, point=point, active=True)
    return selectors.point_get(user, monitoring_point_id)


@router.get(
    "/deactivations/{deactivation_id}", response={200: DeactivationOut, **READ_ERRORS}, summary="停用申请详情"
)
def deactivation_detail(request: HttpRequest, deactivation_id: Id) -> Any:
    return selectors.deactivation_get(current_user(request), deactivation_id)


def _deactivation(request: HttpRequest, deactivation_id: int) -> tuple[Any, PointDeactivation]:
    user = current_user(request)
    return user, selectors.deactivation_get(user, deactivation_id)


@router.post(
    "/deactivations/{deactivation_id}/approve",
    response={200: DeactivationOut, **WRITE_ERRORS},
    summary="批准停用（申请人以外的本企业安全管理员、主要负责人或企业管理员）",
)
def deactivation_approve(request: HttpRequest, deactivation_id: Id, payload: LimitChangeDecisionIn) -> Any:
    user, found = _deactivation(request, deactivation_id)
    deactivation_services.deactivation_approve(actor=user, request=found, comment=payload.comment)
    return selectors.deactivation_get(user, deactivation_id)


@router.post(
    "/deactivations/{deactivation_id}/reject",
    response={200: DeactivationOut, **WRITE_ERRORS},
    summary="驳回停用申请（须填写意见）",
)
def deactivation_reject(request: HttpRequest, deactivation_id: Id, payload: LimitChangeDecisionIn) -> Any:
    user, found = _deactivation(request, deactivation_id)
    deactivation_services.deactivation_reject(actor=user, request=found, comment=payload.comment)
    return selectors.deactivation_get(user, deactivation_id)
