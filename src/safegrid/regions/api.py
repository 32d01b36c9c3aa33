"""API for the reference geography: divisions, grids, departments, sectors (read-only, scoped)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from safegrid.api.auth import current_user
from safegrid.api.schemas import READ_ERRORS, InputSchema

from . import selectors
from .choices import DivisionLevel

router = Router(tags=["区划与网格"])


class DivisionOut(Schema):
    code: str = Field(description="区划代码（6 位县、9 位镇街、12 位村社区）")
    name: str
    level: DivisionLevel
    parent: str | None = Field(None, validation_alias="parent_id", description="上级区划代码")
    lat: float | None = None
    lon: float | None = None


class DivisionDetailOut(DivisionOut):
    parent_name: str | None = None
    boundary: dict[str, Any] | None = Field(None, description="边界 GeoJSON")
    boundary_illustrative: bool = Field(description="边界为示意")

    @staticmethod
    def resolve_parent_name(obj: Any) -> str | None:
        return obj.parent.name if obj.parent_id else None


class DivisionFilters(InputSchema):
    parent: str | None = Field(None, max_length=12, description="上级区划代码（只列直接下级）")
    level: DivisionLevel | None = Field(None, description="层级")
    within: str | None = Field(None, max_length=12, description="区划代码：列出该区划下的所有区划（含自身）")


class GridOut(Schema):
    id: int
    code: str
    name: str
    division: str = Field(validation_alias="division_id", description="所属区划代码")
    division_name: str
    worker_name: str
    worker_phone: str

    @staticmethod
    def resolve_division_name(obj: Any) -> str:
        return str(obj.division.name)


class GridFilters(InputSchema):
    division: str | None = Field(None, max_length=12, description="区划代码（含下级）")


class SectorOut(Schema):
    id: int
    code: str
    name: str


class DepartmentOut(Schema):
    id: int
    code: str
    name: str
    short_name: str
    is_safety_office: bool
    phone: str
    sectors: list[str] = Field(description="牵头领域代码")

    @staticmethod
    def resolve_sectors(obj: Any) -> list[str]:
        return [s.code for s in obj.sectors.all()]


@router.get("/divisions", response={200: list[DivisionOut], **READ_ERRORS}, summary="行政区划列表")
def division_list(request: HttpRequest, filters: Query[DivisionFilters]) -> Any:
    qs = selectors.division_list(current_user(request))
    if filters.parent:
        qs = qs.filter(parent_id=filters.parent)
    if filters.level:
        qs = qs.filter(level=filters.level)
    if filters.within:
        qs = qs.filter(code__startswith=filters.within)
    return qs.order_by("code")


@router.get("/divisions/{code}", response={200: DivisionDetailOut, **READ_ERRORS}, summary="行政区划详情")
def division_detail(request: HttpRequest, code: str) -> Any:
    return selectors.division_get(current_user(request), code)


@router.get("/grids", response={200: list[GridOut], **READ_ERRORS}, summary="网格列表")
def grid_list(request: HttpRequest, filters: Query[GridFilters]) -> Any:
    qs = selectors.grid_list(current_user(request))
    if filters.division:
        qs = qs.filter(division__code__startswith=filters.division)
    return qs.order_by("code")


@router.get("/grids/{grid_id}", response={200: GridOut, **READ_ERRORS}, summary="网格详情")
def grid_detail(request: HttpRequest, grid_id: int) -> Any:
    return selectors.grid_get(current_user(request), grid_id)


@router.get("/departments", response={200: list[DepartmentOut], **READ_ERRORS}, summary="部门列表")
def department_list(request: HttpRequest) -> Any:
    return selectors.department_list(current_user(request))


@router.get("/sectors", response={200: list[SectorOut], **READ_ERRORS}, summary="行业领域列表")
def sector_list(request: HttpRequest) -> Any:
    return selectors.sector_list(current_user(request))
