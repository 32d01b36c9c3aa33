"""Hazard API (/api/v1/hazards): scoped reads, reporting, and each workflow move as a POST.

Writes follow the pages: the hazard in the path through a selector (404 out of scope), the same services
(permission 403, field-named 422), every write idempotent through the API base's Idempotency-Key.
Photos travel as base64 (the national format does the same); each is checked as on the pages.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from safegrid.api.auth import current_user
from safegrid.api.pagination import paginate
from safegrid.api.references import References
from safegrid.api.schemas import READ_ERRORS, WRITE_ERRORS, InputSchema, Page, PageParams
from safegrid.enterprises import selectors as ent_selectors
from safegrid.hazards import selectors, services
from safegrid.hazards.choices import HazardLevel, HazardStatus, RejectReason
from safegrid.hazards.services import PhotoIn
from safegrid.risks.selectors import points as risk_selectors

router = Router(tags=["hazards"])


class PhotoB64(InputSchema):
    name: str = Field("photo.jpg", max_length=100)
    data: str = Field(description="图片内容，base64（JPEG/PNG/WebP，≤ 10 MB）")
    device_time: dt.datetime | None = Field(None, description="设备拍摄时间（服务器另记上传时间）")


class HazardOut(Schema):
    id: int
    enterprise: int = Field(validation_alias="enterprise_id")
    risk_point: int | None = Field(None, validation_alias="risk_point_id")
    origin: str
    source: int
    hazard_type: int
    title: str
    location: str
    description: str
    cause: str
    level: str
    major_criteria: list[str]
    major_proposed: bool
    handling: str
    status: str
    reporter_name: str
    reported_at: dt.datetime
    responsible_person: int | None = Field(None, validation_alias="responsible_person_id")
    measures: str
    funds: Decimal | None
    deadline: dt.date | None
    plan: str
    interim_measures: str
    extension_deadline: dt.date | None
    rectification_note: str
    accepted_at: dt.datetime | None
    acceptance_comment: str
    closed_at: dt.datetime | None
    days_to_close: int | None
    reopen_count: int
    photos: list[dict[str, Any]]

    @staticmethod
    def resolve_photos(obj: Any) -> list[dict[str, Any]]:
        return [
            {
                "id": p.pk,
                "kind": p.kind,
                "sha256": p.sha256,
                "server_time": p.server_time,
                "device_time": p.device_time,
            }
            for p in obj.photos.all()
        ]


class HazardFilters(InputSchema):
    status: HazardStatus | None = None
    level: HazardLevel | None = None
    enterprise: int | None = None
    overdue: bool | None = None


class HazardIn(InputSchema):
    enterprise: int
    risk_point: int | None = None
    title: str = Field(min_length=1, max_length=100)
    location: str = Field(min_length=1, max_length=200)
    description: str = Field(min_length=1)
    cause: str = ""
    source: int = Field(ge=1, le=10, description="dangerSrc 1–10")
    hazard_type: int = Field(ge=1, le=8, description="hazardDangerType 1–8")
    level: HazardLevel | None = Field(None, description="只有监管部门可直接定为 major")
    major_criteria: list[str] = Field(
        default_factory=list, description="符合的重大隐患判定标准代码，如 HC-02"
    )
    photos: list[PhotoB64] = Field(default_factory=list, description="整改前照片")
    fixed_on_the_spot: bool = Field(False, description="即查即改：须同时给出 measures 和 after_photos")
    measures: str = ""
    after_photos: list[PhotoB64] = Field(default_factory=list)


def _decode(photos: list[PhotoB64], kind: str, field: str) -> list[PhotoIn]:
    out = []
    for p in photos:
        try:
            content = base64.b64decode(p.data, validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError({field: [f"{p.name}：不是有效的 base64"]}) from None
        out.append(PhotoIn(content, p.name, kind, p.device_time))
    return out


def _out(user: Any, pk: int) -> Any:
    hazard = selectors.hazard_get(user, pk)
    return hazard


@router.get("", response={200: Page[HazardOut], **READ_ERRORS}, summary="隐患列表")
def hazard_list(
    request: HttpRequest, filters: Query[HazardFilters], page: Query[PageParams]
) -> dict[str, Any]:
    qs = selectors.hazard_list(current_user(request)).prefetch_related("photos")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.enterprise is not None:
        qs = qs.filter(enterprise_id=filters.enterprise)
    if filters.overdue is not None:
        qs = qs.filter(selectors.overdue_q()) if filters.overdue else qs.exclude(selectors.overdue_q())
    return paginate(qs.order_by("-reported_at", "id"), page)


@router.get("/{hazard_id}", response={200: HazardOut, **READ_ERRORS}, summary="隐患详情")
def hazard_detail(request: HttpRequest, hazard_id: int) -> Any:
    return _out(current_user(request), hazard_id)


@router.post("", response={201: HazardOut, **WRITE_ERRORS}, summary="登记隐患（或即查即改）")
def hazard_create(request: HttpRequest, payload: HazardIn) -> Any:
    user = current_user(request)
    refs = References(user)
    enterprise = refs.get("enterprise", ent_selectors.enterprise_get, payload.enterprise)
    point = refs.get("risk_point", risk_selectors.risk_point_get, payload.risk_point)
    refs.raise_if_any()
    data = payload.model_dump(
        include={"title", "location", "description", "cause", "source", "hazard_type", "major_criteria"}
    )
    data["risk_point"] = point
    if payload.level:
        data["level"] = payload.level
    before = _decode(payload.photos, "before", "photos")
    if payload.fixed_on_the_spot:
        after = _decode(payload.after_photos, "after", "after_photos")
        hazard = services.hazard_fix_on_spot(
            actor=user,
            enterprise=enterprise,
            data=data,
            measures=payload.measures,
            before=before,
            after=after,
        )
    else:
        hazard = services.hazard_report(actor=user, enterprise=enterprise, data=data, photos=before)
    return Status(201, _out(user, hazard.pk))


class ConfirmIn(InputSchema):
    level: HazardLevel
    interim_measures: str = ""
    comment: str = ""


class RejectIn(InputSchema):
    reason: RejectReason
    comment: str = ""


class AssignIn(InputSchema):
    responsible_person: int | None = None
    measures: str = ""
    funds: Decimal | None = Field(None, ge=0)
    deadline: dt.date | None = None
    plan: str = ""
    comment: str = ""


class SubmitIn(InputSchema):
    note: str = ""
    photos: list[PhotoB64] = Field(default_factory=list, description="整改后照片")


class CommentIn(InputSchema):
    comment: str = ""


class ExtensionIn(InputSchema):
    new_deadline: dt.date | None = None
    reason: str = ""


def _hazard(request: HttpRequest, hazard_id: int) -> tuple[Any, Any]:
    user = current_user(request)
    return user, selectors.hazard_get(user, hazard_id)


@router.post("/{hazard_id}/confirm", response={200: HazardOut, **WRITE_ERRORS}, summary="确认隐患")
def confirm(request: HttpRequest, hazard_id: int, payload: ConfirmIn) -> Any:
    user, hazard = _hazard(request, hazard_id)
    services.hazard_confirm(actor=user, hazard=hazard, **payload.model_dump())
    return _out(user, hazard_id)


@router.post(
    "/{hazard_id}/reject", response={200: HazardOut, **WRITE_ERRORS}, summary="驳回（不构成隐患/重复）"
)
def reject(request: HttpRequest, hazard_id: int, payload: RejectIn) -> Any:
    user, hazard = _hazard(request, hazard_id)
    services.hazard_reject(actor=user, hazard=hazard, reason=payload.reason, comment=payload.comment)
    return _out(user, hazard_id)


@router.post("/{hazard_id}/assign", response={200: HazardOut, **WRITE_ERRORS}, summary="落实整改（五落实）")
def assign(request: HttpRequest, hazard_id: int, payload: AssignIn) -> Any:
    user, hazard = _hazard(request, hazard_id)
    refs = References(user)
    person = refs.get("responsible_person", ent_selectors.person_get, payload.responsible_person)
    refs.raise_if_any()
    services.hazard_assign(
        actor=user,
        hazard=hazard,
        responsible_person=person,
        **payload.model_dump(exclude={"responsible_person"}),
    )
    return _out(user, hazard_id)


@router.post("/{hazard_id}/submit", response={200: HazardOut, **WRITE_ERRORS}, summary="提交验收")
def submit(request: HttpRequest, hazard_id: int, payload: SubmitIn) -> Any:
    user, hazard = _hazard(request, hazard_id)
    photos = _decode(payload.photos, "after", "photos")
    services.hazard_submit(actor=user, hazard=hazard, note=payload.note, photos=photos)
    return _out(user, hazard_id)


@router.post("/{hazard_id}/accept", response={200: HazardOut, **WRITE_ERRORS}, summary="验收销号")
def accept(request: HttpRequest, hazard_id: int, payload: CommentIn) -> Any:
    user, hazard = _hazard(request, hazard_id)
    services.hazard_accept(actor=user, hazard=hazard, comment=payload.comment)
    return _out(user, hazard_id)


@router.post("/{hazard_id}/send_back", response={200: HazardOut, **WRITE_ERRORS}, summary="退回整改")
def send_back(request: HttpRequest, hazard_id: int, payload: CommentIn) -> Any:
    user, hazard = _hazard(request, hazard_id)
    services.hazard_send_back(actor=user, hazard=hazard, comment=payload.comment)
    return _out(user, hazard_id)


@router.post("/{hazard_id}/request_extension", response={200: HazardOut, **WRITE_ERRORS}, summary="申请延期")
def request_extension(request: HttpRequest, hazard_id: int, payload: ExtensionIn) -> Any:
    user, hazard = _hazard(request, hazard_id)
    services.hazard_request_extension(
        actor=user, hazard=hazard, new_deadline=payload.new_deadline, reason=payload.reason
    )
    return _out(user, hazard_id)


@router.post("/{hazard_id}/approve_extension", response={200: HazardOut, **WRITE_ERRORS}, summary="批准延期")
def approve_extension(request: HttpRequest, hazard_id: int, payload: CommentIn) -> Any:
    user, hazard = _hazard(request, hazard_id)
    services.hazard_decide_extension(actor=user, hazard=hazard, approve=True, comment=payload.comment)
    return _out(user, hazard_id)


@router.post("/{hazard_id}/refuse_extension", response={200: HazardOut, **WRITE_ERRORS}, summary="不批准延期")
def refuse_extension(request: HttpRequest, hazard_id: int, payload: CommentIn) -> Any:
    user, hazard = _hazard(request, hazard_id)
    services.hazard_decide_extension(actor=user, hazard=hazard, approve=False, comment=payload.comment)
    return _out(user, hazard_id)


@router.post("/{hazard_id}/reopen", response={200: HazardOut, **WRITE_ERRORS}, summary="重新打开")
def reopen(request: HttpRequest, hazard_id: int, payload: CommentIn) -> Any:
    user, hazard = _hazard(request, hazard_id)
    services.hazard_reopen(actor=user, hazard=hazard, comment=payload.comment)
    return _out(user, hazard_id)


# The major-hazard moves register on this router.
from . import api_major as api_major  # noqa: E402
