"""/api/v1/major-hazards, /api/v1/special-works, /api/v1/commitments (mounted by safegrid.apiroot)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from safegrid.api.auth import current_user
from safegrid.api.pagination import paginate
from safegrid.api.permissions import require
from safegrid.api.references import References
from safegrid.api.schemas import (
    READ_ERRORS,
    WRITE_ERRORS,
    Id,
    InputSchema,
    Latitude,
    Longitude,
    LongText,
    Page,
    PageParams,
)
from safegrid.core.scoping import get_scoped_or_404
from safegrid.enterprises import selectors as ent_selectors

from .models import HazardUnit
from .models.work import SpecialWorkStatus, WorkGrade, WorkType
from .rules import work as work_rules
from .selectors import work as work_sel
from .services import work as work_services

router = Router(tags=["重大危险源"])


# ==== work: special-work filings (GB 30871-2022) and daily safety commitments ==============================


def _aware(value: dt.datetime) -> dt.datetime:
    """A time without an offset is the county's local time."""
    return timezone.make_aware(value, work_services.county_tz()) if timezone.is_naive(value) else value


class GasAnalysisOut(Schema):
    id: int
    at: dt.datetime
    location: str
    result: str
    qualified: bool
    analyst: str


class PauseOut(Schema):
    start: dt.datetime
    end: dt.datetime | None
    reason: str


class SpecialWorkOut(Schema):
    id: int
    enterprise: int = Field(validation_alias="enterprise_id")
    enterprise_name: str = Field(validation_alias="enterprise.name")
    unit: int | None = Field(validation_alias="unit_id")
    work_type: str = Field(
        description="hot 动火 / confined 受限空间 / blind_plate 盲板抽堵 / height 高处 / "
        "lifting 吊装 / temp_power 临时用电 / excavation 动土 / road_closure 断路"
    )
    grade: str = Field(description="special 特级 / 1 一级 / 2 二级 / 3 三级 / 4 四级 / '' 无分级")
    type_label: str
    high_risk: bool = Field(description="特级/一级动火或受限空间作业")
    content: str
    place: str
    latitude: float | None
    longitude: float | None
    start: dt.datetime
    end: dt.datetime
    permit_number: str
    watcher_name: str
    watcher_phone: str
    video_channel: str
    status: str = Field(
        description="filed 已报备 / in_progress 作业中 / paused 作业中断 / completed 已完工 / cancelled 已取消"
    )
    filed_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    analyses: list[GasAnalysisOut]
    pauses: list[PauseOut]

    @staticmethod
    def resolve_analyses(obj: Any) -> list[Any]:
        return list(work_sel.analyses_of(obj))

    @staticmethod
    def resolve_pauses(obj: Any) -> list[Any]:
        return list(work_sel.pauses_of(obj))


class SpecialWorkFilters(InputSchema):
    enterprise: Id | None = None
    day: dt.date | None = Field(None, description="作业时段涉及的日期（县时区）")
    work_type: WorkType | None = None
    status: SpecialWorkStatus | None = None
    high_risk: bool | None = None


class SpecialWorkIn(InputSchema):
    enterprise: Id
    unit: Id | None = Field(None, description="所在重大危险源辨识单元")
    work_type: WorkType
    grade: WorkGrade = Field(WorkGrade.NONE, description="动火：special/1/2；高处：1–4；吊装：1–3；其他：''")
    content: str = Field(min_length=1, max_length=200)
    place: str = Field(min_length=1, max_length=200)
    latitude: Latitude | None = None
    longitude: Longitude | None = None
    start: dt.datetime = Field(description="无时区时按县时区")
    end: dt.datetime
    permit_number: str = Field(min_length=1, max_length=60)
    watcher_name: str = Field(min_length=1, max_length=40)
    watcher_phone: str = Field("", max_length=20)
    video_channel: str = Field("", max_length=100)


def _work(request: HttpRequest, special_work_id: int) -> tuple[Any, Any]:
    user = current_user(request)
    return user, work_sel.special_work_get(user, special_work_id)


@router.get("/special-works", response={200: Page[SpecialWorkOut], **READ_ERRORS}, summary="特殊作业报备列表")
def special_work_list(
    request: HttpRequest, filters: Query[SpecialWorkFilters], page: Query[PageParams]
) -> dict[str, Any]:
    qs = work_sel.special_work_list(current_user(request))
    if filters.enterprise is not None:
        qs = qs.filter(enterprise_id=filters.enterprise)
    if filters.day is not None:
        qs = work_sel.touching(qs, filters.day)
    if filters.work_type:
        qs = qs.filter(work_type=filters.work_type)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.high_risk is not None:
        qs = qs.filter(work_sel.HIGH_RISK_Q) if filters.high_risk else qs.exclude(work_sel.HIGH_RISK_Q)
    return paginate(qs.order_by("-start", "-id"), page)


@router.get(
    "/special-works/{special_work_id}",
    response={200: SpecialWorkOut, **READ_ERRORS},
    summary="特殊作业报备详情",
)
def special_work_detail(request: HttpRequest, special_work_id: Id) -> Any:
    return _work(request, special_work_id)[1]


@router.post("/special-works", response={201: SpecialWorkOut, **WRITE_ERRORS}, summary="报备特殊作业")
def special_work_create(request: HttpRequest, payload: SpecialWorkIn) -> Any:
    user = current_user(request)
    refs = References(user)
    enterprise = refs.get("enterprise", ent_selectors.enterprise_get, payload.enterprise)
    unit = None
    if payload.unit is not None:
        unit = refs.get(
            "unit", lambda u, pk: get_scoped_or_404(HazardUnit.objects.all(), u, pk=pk), payload.unit
        )
    refs.raise_if_any()
    require(work_services.can_manage_work(user, enterprise.pk), str(work_services.NOT_MANAGER))
    data = payload.model_dump(exclude={"enterprise", "unit"})
    data["start"], data["end"] = _aware(payload.start), _aware(payload.end)
    data["work_type"], data["grade"] = str(payload.work_type), str(payload.grade)
    data["unit"] = unit
    work = work_services.special_work_file(actor=user, enterprise=enterprise, data=data)
    return Status(201, work_sel.special_work_get(user, work.pk))


class GasAnalysisIn(InputSchema):
    at: dt.datetime = Field(description="分析时间；无时区时按县时区")
    location: str = Field(min_length=1, max_length=100)
    result: str = Field(min_length=1, max_length=200)
    qualified: bool
    analyst: str = Field(min_length=1, max_length=40)


class MoveIn(InputSchema):
    comment: LongText = Field("", max_length=500, description="说明（取消时必填；中断时为中断原因）")


def _manage(user: Any, work: Any) -> None:
    require(work_services.can_manage_work(user, work.enterprise_id), str(work_services.NOT_MANAGER))


@router.post(
    "/special-works/{special_work_id}/gas-analyses",
    response={201: SpecialWorkOut, **WRITE_ERRORS},
    summary="记录气体分析",
)
def special_work_gas_analysis(request: HttpRequest, special_work_id: Id, payload: GasAnalysisIn) -> Any:
    user, work = _work(request, special_work_id)
    _manage(user, work)
    work_services.gas_analysis_record(
        actor=user, work=work, **{**payload.model_dump(), "at": _aware(payload.at)}
    )
    return Status(201, work_sel.special_work_get(user, special_work_id))


def _move(request: HttpRequest, special_work_id: int, action: str, payload: MoveIn) -> Any:
    user, work = _work(request, special_work_id)
    _manage(user, work)
    work_services.special_work_move(actor=user, work=work, action=action, comment=payload.comment)
    return work_sel.special_work_get(user, special_work_id)


@router.post(
    "/special-works/{special_work_id}/start",
    response={200: SpecialWorkOut, **WRITE_ERRORS},
    summary="开始作业",
)
def special_work_start(request: HttpRequest, special_work_id: Id, payload: MoveIn) -> Any:
    return _move(request, special_work_id, "start", payload)


@router.post(
    "/special-works/{special_work_id}/pause",
    response={200: SpecialWorkOut, **WRITE_ERRORS},
    summary="作业中断",
)
def special_work_pause(request: HttpRequest, special_work_id: Id, payload: MoveIn) -> Any:
    return _move(request, special_work_id, "pause", payload)


@router.post(
    "/special-works/{special_work_id}/resume",
    response={200: SpecialWorkOut, **WRITE_ERRORS},
    summary="恢复作业（中断超过 30 分钟须先有中断后的合格气体分析）",
)
def special_work_resume(request: HttpRequest, special_work_id: Id, payload: MoveIn) -> Any:
    return _move(request, special_work_id, "resume", payload)


@router.post(
    "/special-works/{special_work_id}/complete",
    response={200: SpecialWorkOut, **WRITE_ERRORS},
    summary="完工",
)
def special_work_complete(request: HttpRequest, special_work_id: Id, payload: MoveIn) -> Any:
    return _move(request, special_work_id, "complete", payload)


@router.post(
    "/special-works/{special_work_id}/cancel",
    response={200: SpecialWorkOut, **WRITE_ERRORS},
    summary="取消作业",
)
def special_work_cancel(request: HttpRequest, special_work_id: Id, payload: MoveIn) -> Any:
    return _move(request, special_work_id, "cancel", payload)


class CommitmentOut(Schema):
    id: int
    enterprise: int = Field(validation_alias="enterprise_id")
    enterprise_name: str = Field(validation_alias="enterprise.name")
    day: dt.date
    units_total: int
    units_running: int
    units_stopped: int
    units_maintenance: int
    hot_special: int
    hot_one: int
    hot_two: int
    confined_space: int
    other_special: int
    trial_production: bool
    startup_shutdown: bool
    sources_safe: bool
    commitment_text: str
    principal_name: str
    filed_counts: dict[str, int] = Field(description="发布时由当日特殊作业报备得出的数量")
    differences: list[str] = Field(description="与报备不一致的数量字段")
    explanation: str
    posted_at: dt.datetime
    late: bool


class CommitmentFilters(InputSchema):
    enterprise: Id | None = None
    day: dt.date | None = None
    late: bool | None = None
    differs: bool | None = Field(None, description="true：填报数量与报备不一致")


class CommitmentIn(InputSchema):
    enterprise: Id
    day: dt.date | None = Field(None, description="承诺日期，默认今天（县时区）")
    units_total: int | None = Field(None, ge=0, le=999, description="省略时按本企业重大危险源单元数")
    units_running: int | None = Field(None, ge=0, le=999)
    units_stopped: int | None = Field(None, ge=0, le=999)
    units_maintenance: int | None = Field(None, ge=0, le=999)
    hot_special: int | None = Field(None, ge=0, le=999, description="省略时按当日报备数量")
    hot_one: int | None = Field(None, ge=0, le=999)
    hot_two: int | None = Field(None, ge=0, le=999)
    confined_space: int | None = Field(None, ge=0, le=999)
    other_special: int | None = Field(None, ge=0, le=999)
    trial_production: bool = False
    startup_shutdown: bool = False
    sources_safe: bool = True
    commitment_text: LongText = Field(min_length=1, max_length=1000)
    principal_name: str = Field(min_length=1, max_length=40)
    explanation: LongText = Field("", max_length=1000, description="数量与报备不一致时必填")


@router.get("/commitments", response={200: Page[CommitmentOut], **READ_ERRORS}, summary="安全承诺公告列表")
def commitment_list(
    request: HttpRequest, filters: Query[CommitmentFilters], page: Query[PageParams]
) -> dict[str, Any]:
    qs = work_sel.commitment_list(current_user(request))
    if filters.enterprise is not None:
        qs = qs.filter(enterprise_id=filters.enterprise)
    if filters.day is not None:
        qs = qs.filter(day=filters.day)
    if filters.late is not None:
        qs = qs.filter(late=filters.late)
    if filters.differs is not None:
        qs = qs.exclude(differences=[]) if filters.differs else qs.filter(differences=[])
    return paginate(qs.order_by("-day", "enterprise_id"), page)


@router.post("/commitments", response={201: CommitmentOut, **WRITE_ERRORS}, summary="发布安全承诺公告")
def commitment_create(request: HttpRequest, payload: CommitmentIn) -> Any:
    user = current_user(request)
    refs = References(user)
    enterprise = refs.get("enterprise", ent_selectors.enterprise_get, payload.enterprise)
    refs.raise_if_any()
    require(work_services.can_post_commitment(user, enterprise.pk), str(work_services.NOT_PRINCIPAL))
    day = payload.day or timezone.localdate()
    prefill = work_services.commitment_prefill(enterprise, day)
    data = payload.model_dump(exclude={"enterprise", "day"})
    for name in (
        "units_total",
        "units_running",
        "units_stopped",
        "units_maintenance",
        *work_rules.COUNT_FIELDS,
    ):
        if data[name] is None:
            data[name] = prefill[name]
    commitment = work_services.commitment_post(actor=user, enterprise=enterprise, day=day, data=data)
    return Status(201, work_sel.commitment_get(user, commitment.pk))
