"""Inspection API (/api/v1/inspection-tasks, /api/v1/check-records): an enterprise's own system (or an
offline phone) pulls the tasks it must check with their open occurrences, and pushes check records.

Reads are scoped like the pages. A check is the same service as the check form (`inspections.check_record`):
permission 403, field-named 422; retried pushes are safe with the API base's Idempotency-Key. Presence: a
`checkpoint_token` (read from the point's QR code or NFC tag by the device) that is the task's checkpoint
makes the record `scanned` at the server's receipt time; the device's own time is kept beside it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, Q
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from safegrid.api.auth import current_user
from safegrid.api.pagination import paginate
from safegrid.api.references import References
from safegrid.api.schemas import READ_ERRORS, WRITE_ERRORS, Id, InputSchema, LongText, Page, PageParams
from safegrid.core.scoping import restrict
from safegrid.enterprises import selectors as ent_selectors
from safegrid.hazards import config, inspections
from safegrid.hazards import inspection_selectors as sel
from safegrid.hazards.api import PhotoB64, _decode
from safegrid.hazards.choices import CheckResult, OccurrenceStatus, Presence, TrustFlag
from safegrid.hazards.models import InspectionTask, TaskOccurrence

router = Router(tags=["inspections"])


class OccurrenceOut(Schema):
    id: int
    window_start: dt.datetime
    window_end: dt.datetime
    status: str


class TaskOut(Schema):
    id: int
    enterprise: int = Field(validation_alias="enterprise_id")
    risk_point: int | None = Field(None, validation_alias="risk_point_id")
    measure: int | None = Field(None, validation_alias="measure_id")
    checklist: int | None = Field(None, validation_alias="checklist_id")
    kind: int = Field(description="dangerSrc 1–10")
    title: str
    check_content: str
    check_items: list[str]
    item_criteria: dict[str, str] = Field(description="检查项 → 重大隐患判定标准代码")
    cycle_every: int
    cycle_unit: str
    work_day_type: int
    anchor_day: int | None = Field(
        None, description="按月/按年任务的每期排查日（1–31，当月无此日为月末）；空：同开始日期"
    )
    anchor_month: int | None = Field(None, description="按年任务的排查月份（1–12）；空：同开始日期")
    one_off: bool
    active: bool
    open_occurrences: list[OccurrenceOut] = Field(description="现在可以检查的周期（待检查或宽限期内）")

    @staticmethod
    def resolve_open_occurrences(obj: Any) -> list[Any]:
        return list(getattr(obj, "open_now", []))


class TaskFilters(InputSchema):
    enterprise: Id | None = None
    one_off: bool | None = None
    active: bool | None = None


@router.get("/inspection-tasks", response={200: Page[TaskOut], **READ_ERRORS}, summary="排查任务列表")
def task_list(request: HttpRequest, filters: Query[TaskFilters], page: Query[PageParams]) -> dict[str, Any]:
    user = current_user(request)
    now = timezone.now()
    open_now = restrict(
        TaskOccurrence.objects.filter(
            status=OccurrenceStatus.DUE, window_start__lte=now, window_end__gt=now - config.inspection_grace()
        ),
        user,
    ).order_by("window_end", "id")
    qs = restrict(InspectionTask.objects.all(), user).prefetch_related(
        Prefetch("occurrences", queryset=open_now, to_attr="open_now")
    )
    if filters.enterprise is not None:
        qs = qs.filter(enterprise_id=filters.enterprise)
    if filters.one_off is not None:
        qs = qs.filter(one_off=filters.one_off)
    if filters.active is not None:
        qs = qs.filter(active=filters.active)
    return paginate(qs.order_by("enterprise_id", "id"), page)


class CheckItemOut(Schema):
    item: str
    ok: bool


class CheckRecordOut(Schema):
    id: int
    occurrence: int = Field(validation_alias="occurrence_id")
    task: int = Field(validation_alias="task_id")
    enterprise: int = Field(validation_alias="enterprise_id")
    items: list[CheckItemOut]
    note: str
    result: str
    presence: str = Field(description="scanned 扫码到位 / gps 仅 GPS / none 未验证")
    scanned_at: dt.datetime | None
    server_time: dt.datetime
    device_time: dt.datetime | None
    device_id: str
    lat: float | None
    lon: float | None
    accuracy: float | None
    distance_m: float | None
    photo_sha256: str
    flags: list[str] = Field(description="photo_seen 照片重复使用 / far 远离风险点 / batch 集中补录")
    hazards: list[int]

    @staticmethod
    def resolve_hazards(obj: Any) -> list[int]:
        return [h.pk for h in obj.hazards.all()]


class RecordFilters(InputSchema):
    enterprise: Id | None = None
    presence: Presence | None = None
    flag: TrustFlag | None = None
    flagged: bool | None = Field(None, description="带任一标记")


@router.get("/check-records", response={200: Page[CheckRecordOut], **READ_ERRORS}, summary="排查记录列表")
def record_list(
    request: HttpRequest, filters: Query[RecordFilters], page: Query[PageParams]
) -> dict[str, Any]:
    qs = sel.records(current_user(request)).prefetch_related("hazards")
    if filters.enterprise is not None:
        qs = qs.filter(enterprise_id=filters.enterprise)
    if filters.presence:
        qs = qs.filter(presence=filters.presence)
    if filters.flag:
        field = {
            TrustFlag.PHOTO_SEEN: "flag_photo_seen",
            TrustFlag.FAR: "flag_far",
            TrustFlag.BATCH: "flag_batch",
        }
        qs = qs.filter(**{field[TrustFlag(filters.flag)]: True})
    any_flag = Q(flag_photo_seen=True) | Q(flag_far=True) | Q(flag_batch=True)
    if filters.flagged is not None:
        qs = qs.filter(any_flag) if filters.flagged else qs.exclude(any_flag)
    return paginate(qs.order_by("-server_time", "id"), page)


class CheckItemIn(InputSchema):
    item: str = Field(min_length=1, max_length=500)
    ok: bool


class FindingIn(InputSchema):
    title: str = Field(min_length=1, max_length=100)
    description: LongText = Field(min_length=1)
    location: str = Field("", max_length=200)
    cause: LongText = ""
    hazard_type: int = Field(8, ge=1, le=8)


class CheckRecordIn(InputSchema):
    occurrence: Id
    items: list[CheckItemIn] = Field(max_length=200, description="每个检查项及是否合格")
    result: CheckResult
    note: LongText = ""
    checkpoint_token: str | None = Field(None, max_length=64, description="扫描巡检点二维码/NFC 得到的令牌")
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    accuracy: float | None = Field(None, ge=0)
    device_time: dt.datetime | None = None
    device_id: str = Field("", max_length=64)
    photo: PhotoB64 | None = None
    hazard: FindingIn | None = Field(None, description="result=finding 时登记的隐患")


@router.post("/check-records", response={201: CheckRecordOut, **WRITE_ERRORS}, summary="提交排查记录")
def record_create(request: HttpRequest, payload: CheckRecordIn) -> Any:
    user = current_user(request)
    refs = References(user)
    occurrence = refs.get("occurrence", sel.occurrence_get, payload.occurrence)
    checkpoint = refs.get("checkpoint_token", sel.checkpoint_by_token, payload.checkpoint_token or None)
    refs.raise_if_any()
    photos = _decode([payload.photo], "before", "photo") if payload.photo else []
    record = inspections.check_record(
        actor=user,
        occurrence=occurrence,
        check=inspections.CheckIn(
            items={i.item: i.ok for i in payload.items},
            result=payload.result,
            note=payload.note,
            scan=inspections.Scan(checkpoint, timezone.now()) if checkpoint else None,
            lat=payload.lat,
            lon=payload.lon,
            accuracy=payload.accuracy,
            device_time=payload.device_time,
            device_id=payload.device_id,
            user_agent=request.headers.get("User-Agent", ""),
            photo=photos[0] if photos else None,
            hazard=payload.hazard.model_dump() if payload.hazard else None,
        ),
    )
    return Status(201, sel.records(user).prefetch_related("hazards").get(pk=record.pk))


# ---- shutdowns (停用检修) -----------------------------------------------------------------------------


class ShutdownOut(Schema):
    id: int
    enterprise: int = Field(validation_alias="enterprise_id")
    risk_point: int | None = Field(None, validation_alias="risk_point_id", description="空：全厂（整个企业）")
    start: dt.datetime
    planned_end: dt.datetime | None
    end: dt.datetime | None = Field(description="实际恢复时间；空：仍在停用")
    reason: str
    approver: str
    recorded_at: dt.datetime


class ShutdownFilters(InputSchema):
    enterprise: Id | None = None
    running: bool | None = Field(None, description="true：未恢复的；false：已恢复的")


@router.get("/shutdowns", response={200: Page[ShutdownOut], **READ_ERRORS}, summary="停用检修记录列表")
def shutdown_list(
    request: HttpRequest, filters: Query[ShutdownFilters], page: Query[PageParams]
) -> dict[str, Any]:
    qs = sel.shutdowns(current_user(request))
    if filters.enterprise is not None:
        qs = qs.filter(enterprise_id=filters.enterprise)
    if filters.running is not None:
        qs = qs.filter(end__isnull=filters.running)
    return paginate(qs.order_by("-start", "id"), page)


class ShutdownIn(InputSchema):
    enterprise: Id
    risk_point: Id | None = Field(None, description="空：全厂（整个企业）")
    start: dt.datetime
    planned_end: dt.datetime
    reason: str = Field(min_length=1, max_length=200)
    approver: str = Field(min_length=1, max_length=50)


@router.post("/shutdowns", response={201: ShutdownOut, **WRITE_ERRORS}, summary="登记停用检修")
def shutdown_create(request: HttpRequest, payload: ShutdownIn) -> Any:
    user = current_user(request)
    refs = References(user)
    enterprise = refs.get("enterprise", ent_selectors.enterprise_get, payload.enterprise)
    point = refs.get("risk_point", sel.risk_point_get, payload.risk_point)
    refs.raise_if_any()
    row = inspections.shutdown_record(
        actor=user,
        enterprise=enterprise,
        risk_point=point,
        start=payload.start,
        end=None,
        planned_end=payload.planned_end,
        reason=payload.reason,
        approver=payload.approver,
    )
    return Status(201, row)


class ShutdownEndIn(InputSchema):
    end: dt.datetime = Field(description="恢复使用时间（不晚于现在）")


@router.post(
    "/shutdowns/{shutdown_record_id}/end", response={200: ShutdownOut, **WRITE_ERRORS}, summary="结束停用检修"
)
def shutdown_finish(request: HttpRequest, shutdown_record_id: int, payload: ShutdownEndIn) -> Any:
    user = current_user(request)
    row = sel.shutdown_get(user, shutdown_record_id)
    return inspections.shutdown_end(actor=user, shutdown=row, end=payload.end)
