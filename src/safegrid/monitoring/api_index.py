"""/api/v1/monitoring/risk-index: the enterprises' dynamic risk index, ranked (filters: town, sector,
colour), and one enterprise's index with each term (mounted by safegrid.apiroot)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from safegrid.api.auth import current_user
from safegrid.api.pagination import paginate
from safegrid.api.schemas import READ_ERRORS, Id, InputSchema, Page, PageParams

from .selectors import risk_index as sel

router = Router(tags=["在线监测预警"])

ColourFilter = Literal["red", "orange", "yellow", "blue"]


class RiskIndexOut(Schema):
    enterprise: int = Field(validation_alias="enterprise_id")
    enterprise_name: str = Field(validation_alias="enterprise.name")
    division_code: str
    value: int = Field(description="0–100")
    colour: str = Field(description="red 红 / orange 橙 / yellow 黄 / blue 蓝")
    version: str = Field(description="计算方法版本，如 RISKINDEX/1")
    static_level: int | None = Field(description="固有风险等级 1 重大 … 4 低；未定级为空")
    open_general: int
    open_major: int
    active_alarms: int
    unacknowledged_alarms: int
    overdue: int
    enforcement_cases: int = Field(description="执法记录（执法模块尚未建设，暂为 0）")
    static_points: int
    hazard_points: int
    alarm_points: int
    overdue_points: int
    enforcement_points: int
    computed_at: dt.datetime


class RiskIndexFilters(InputSchema):
    town: str | None = Field(None, max_length=12, pattern=r"^\d{1,12}$", description="区划代码前缀")
    sector: str | None = Field(None, max_length=32, description="行业领域代码")
    colour: ColourFilter | None = None


@router.get(
    "/monitoring/risk-index",
    response={200: Page[RiskIndexOut], **READ_ERRORS},
    summary="企业动态风险指数排名",
)
def risk_index_list(
    request: HttpRequest, filters: Query[RiskIndexFilters], page: Query[PageParams]
) -> dict[str, Any]:
    rows = sel.index_list(
        current_user(request),
        town=filters.town or "",
        sector=filters.sector or "",
        colour=filters.colour or "",
    )
    return paginate(rows, page)


@router.get(
    "/monitoring/risk-index/{enterprise_id}",
    response={200: RiskIndexOut, **READ_ERRORS},
    summary="某企业的动态风险指数及各项得分",
)
def risk_index_get(request: HttpRequest, enterprise_id: Id) -> Any:
    return sel.index_get(current_user(request), enterprise_id)
