"""Checklist API (/api/v1/checklists): an enterprise's own system reads the checklists it may use and keeps
its own ones in step.

Reads are scoped like the checklist pages: the county's checklists (no enterprise) are read by everyone, an
enterprise's by it and its regulators (out of scope: 404). Writes are the page's service
(`checklists.checklist_save`): create a county checklist (county admin/officers) or an enterprise's (its
managers), PUT replaces the fields and the items, PATCH the fields given — and the items, replaced whole,
when `items` is given. Shipped checklists are read-only. Refusals are field-named 422s (`items` names the
item: "第 2 项：…"); 403 for a user who may not edit it; safe to retry with the API base's Idempotency-Key.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from safegrid.api.auth import current_user
from safegrid.api.pagination import paginate
from safegrid.api.references import References
from safegrid.api.schemas import READ_ERRORS, WRITE_ERRORS, Id, InputSchema, LongText, Page, PageParams
from safegrid.enterprises import selectors as ent_selectors

from . import checklists
from . import inspection_selectors as sel
from .choices import ChecklistOwner
from .models import ChecklistTemplate
from .rules.checklists import ItemIn

router = Router(tags=["checklists"])


class ItemOut(Schema):
    number: int
    code: str
    text: str
    basis: str
    criterion: str | None = Field(None, description="不合格即为重大隐患时的判定标准代码（如 HC-05）")

    @staticmethod
    def resolve_criterion(obj: Any) -> str | None:
        return obj.criterion.code if obj.criterion_id and obj.criterion else None


class ChecklistOut(Schema):
    id: int
    owner: str = Field(description="county 县级 / enterprise 企业")
    enterprise: int | None = Field(None, validation_alias="enterprise_id")
    name: str
    sector_code: str
    kind: int = Field(description="dangerSrc 排查类型 1–10")
    basis: str
    description: str
    shipped: bool = Field(description="内置检查表（只读）")
    active: bool
    updated_at: dt.datetime

    @staticmethod
    def resolve_shipped(obj: Any) -> bool:
        return bool(obj.shipped_code)


class ChecklistDetailOut(ChecklistOut):
    items: list[ItemOut]

    @staticmethod
    def resolve_items(obj: Any) -> list[Any]:
        return list(sel.checklist_items(obj))


class ChecklistFilters(InputSchema):
    owner: ChecklistOwner | None = None
    enterprise: Id | None = None
    kind: int | None = Field(None, ge=1, le=10)
    active: bool | None = None


@router.get("/checklists", response={200: Page[ChecklistOut], **READ_ERRORS}, summary="检查表列表")
def checklist_list(
    request: HttpRequest, filters: Query[ChecklistFilters], page: Query[PageParams]
) -> dict[str, Any]:
    qs = sel.checklists(current_user(request))
    if filters.owner is not None:
        qs = qs.filter(enterprise__isnull=filters.owner == ChecklistOwner.COUNTY)
    if filters.enterprise is not None:
        qs = qs.filter(enterprise_id=filters.enterprise)
    if filters.kind is not None:
        qs = qs.filter(kind=filters.kind)
    if filters.active is not None:
        qs = qs.filter(active=filters.active)
    return paginate(qs.order_by("enterprise_id", "name", "id"), page)


@router.get(
    "/checklists/{checklist_template_id}",
    response={200: ChecklistDetailOut, **READ_ERRORS},
    summary="检查表详情（含检查项）",
)
def checklist_detail(request: HttpRequest, checklist_template_id: Id) -> Any:
    return sel.checklist_get(current_user(request), checklist_template_id)


class ItemIn_(InputSchema):
    code: str = Field(min_length=1, max_length=32)
    text: str = Field(min_length=1, max_length=500)
    basis: str = Field("", max_length=200)
    criterion: str = Field("", max_length=16, description="重大隐患判定标准代码，可空")


class ChecklistPatch(InputSchema):
    name: str | None = Field(None, min_length=1, max_length=100)
    sector_code: str | None = Field(None, max_length=32)
    kind: int | None = Field(None, ge=1, le=10)
    basis: str | None = Field(None, max_length=200)
    description: LongText | None = None
    active: bool | None = None
    items: list[ItemIn_] | None = Field(None, max_length=200, description="给出时整体替换全部检查项")


class ChecklistPut(InputSchema):
    name: str = Field(min_length=1, max_length=100)
    sector_code: str = Field("", max_length=32)
    kind: int = Field(3, ge=1, le=10)
    basis: str = Field("", max_length=200)
    description: LongText = ""
    active: bool = True
    items: list[ItemIn_] = Field(max_length=200, description="检查项（至少一项），整体替换")


class ChecklistIn(InputSchema):
    enterprise: Id | None = Field(None, description="所属企业；空为县级检查表（县级管理人员）")
    name: str = Field(min_length=1, max_length=100)
    sector_code: str = Field("", max_length=32)
    kind: int = Field(3, ge=1, le=10)
    basis: str = Field("", max_length=200)
    description: LongText = ""
    active: bool = True
    items: list[ItemIn_] = Field(max_length=200, description="检查项（至少一项）")


def _items(items: list[ItemIn_]) -> list[ItemIn]:
    return [ItemIn(i.code, i.text, i.basis, i.criterion) for i in items]


FIELDS = ("name", "sector_code", "kind", "basis", "description", "active")


@router.post("/checklists", response={201: ChecklistDetailOut, **WRITE_ERRORS}, summary="新建检查表")
def checklist_create(request: HttpRequest, payload: ChecklistIn) -> Any:
    user = current_user(request)
    refs = References(user)
    enterprise = refs.get("enterprise", ent_selectors.enterprise_get, payload.enterprise)
    refs.raise_if_any()
    saved = checklists.checklist_save(
        actor=user,
        data={k: getattr(payload, k) for k in FIELDS},
        items=_items(payload.items),
        enterprise=enterprise,
    )
    return Status(201, sel.checklist_get(user, saved.pk))


def _update(request: HttpRequest, pk: int, data: dict[str, Any], items: list[ItemIn_] | None) -> Any:
    user = current_user(request)
    template: ChecklistTemplate = sel.checklist_get(user, pk)
    saved = checklists.checklist_save(
        actor=user,
        data=data,
        items=_items(items) if items is not None else checklists.items_of(template),
        template=template,
    )
    return sel.checklist_get(user, saved.pk)


@router.put(
    "/checklists/{checklist_template_id}",
    response={200: ChecklistDetailOut, **WRITE_ERRORS},
    summary="修改检查表（整体替换，含全部检查项）",
)
def checklist_replace(request: HttpRequest, checklist_template_id: Id, payload: ChecklistPut) -> Any:
    data = {k: getattr(payload, k) for k in FIELDS}
    return _update(request, checklist_template_id, data, payload.items)


@router.patch(
    "/checklists/{checklist_template_id}",
    response={200: ChecklistDetailOut, **WRITE_ERRORS},
    summary="修改检查表（给出的字段；items 给出时整体替换）",
)
def checklist_patch(request: HttpRequest, checklist_template_id: Id, payload: ChecklistPatch) -> Any:
    data = {k: v for k in FIELDS if (v := getattr(payload, k)) is not None}
    return _update(request, checklist_template_id, data, payload.items)
