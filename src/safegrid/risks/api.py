"""Risk API: the live assessment preview and scoped reads of risk points with their two lists."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from safegrid.api.auth import current_user
from safegrid.api.pagination import paginate
from safegrid.api.schemas import READ_ERRORS, Page, PageParams

from .choices import ControlTier
from .rules import assessment as rules
from .selectors import points as selectors
from .services import points as services

router = Router(tags=["risks"])

NumberIn = float | int


class AssessIn(Schema):
    method: Literal["LEC", "LS", "MES"] = Field(
        description="评价方法：LEC（L、E、C）、LS（L、S）、MES（M、E、S）"
    )
    L: NumberIn | None = Field(None, description="LEC：10/6/3/1/0.5/0.2/0.1；LS：1–5")
    E: NumberIn | None = Field(None, description="LEC/MES 暴露频率：10/6/3/2/1/0.5")
    C: NumberIn | None = Field(None, description="LEC 后果：100/40/15/7/3/1")
    S: NumberIn | None = Field(None, description="LS：1–5；MES：1/2/4/8/10")
    M: NumberIn | None = Field(None, description="MES 控制措施状态：5/3/1")
    variant: Literal["A", "B", "C"] | None = Field(None, description="LS 分级方案；缺省用本县设置")
    enterprise: int | None = Field(None, description="企业 ID：按该企业所在县的分级设置计算")


class AssessOut(Schema):
    score: float | int = Field(description="风险值 D 或 R")
    level: int = Field(description="风险等级 1 重大 … 4 低")
    colour: Literal["red", "orange", "yellow", "blue"]
    level_name: str
    method_version: str = Field(description="方法及标准版本，如 LEC/DB37T2882-2016")


@router.post("/assess", response={200: AssessOut, **READ_ERRORS}, summary="风险评价预览（不保存）")
def assess_preview(request: HttpRequest, payload: AssessIn) -> dict[str, Any]:
    user = current_user(request)
    config = selectors.risk_config_for(user, payload.enterprise)
    fields = rules.METHOD_FIELDS[payload.method]
    values = payload.model_dump()
    try:
        result = rules.assess(payload.method, {f: values[f] for f in fields}, config, variant=payload.variant)
    except rules.InvalidInput as exc:
        raise ValidationError({exc.field: [exc.message]})
    return {
        "score": rules.number(result.score),
        "level": result.level,
        "colour": result.colour,
        "level_name": result.level_name,
        "method_version": result.method_version,
    }


class PointFilters(Schema):
    enterprise: int | None = Field(None, description="企业 ID")
    level: int | None = Field(None, ge=1, le=4, description="风险等级 1–4")
    active: bool | None = Field(True, description="只列在用的风险点（缺省）；false 只列已停用的")


class PointOut(Schema):
    id: int
    enterprise: int = Field(validation_alias="enterprise_id")
    enterprise_name: str
    org_unit: int | None = Field(None, validation_alias="org_unit_id")
    code: str
    name: str
    type: str
    location: str
    lat: float | None = None
    lon: float | None = None
    plan_x: float | None = None
    plan_y: float | None = None
    level: int | None = Field(None, description="风险等级 1–4（未评价为空）")
    colour: str
    level_method_version: str
    active: bool

    @staticmethod
    def resolve_enterprise_name(obj: Any) -> str:
        return str(obj.enterprise.name)


class AssessmentOut(Schema):
    id: int
    kind: str
    method: str
    inputs: dict[str, float | int]
    score: float | int
    level: int
    colour: str
    method_version: str
    assessed_at: dt.datetime

    @staticmethod
    def resolve_score(obj: Any) -> float | int:
        return obj.score_number


class FactorOut(Schema):
    id: int
    method: str
    step_no: int | None
    step_name: str
    description: str
    category: str
    accident_types: list[str]
    consequences: str
    existing_controls: str
    level: int | None
    initial: AssessmentOut | None
    residual: AssessmentOut | None


class MeasureOut(Schema):
    id: int
    hazard_factor: int | None = Field(None, validation_alias="hazard_factor_id")
    kind: str
    classify1: int
    classify2: str
    classify3: str
    description: str
    check_content: str
    check_cycle: int
    check_cycle_unit: str
    work_day_type: int
    data_src: int
    responsible_post: int = Field(validation_alias="responsible_post_id")
    responsible_post_name: str
    active: bool

    @staticmethod
    def resolve_responsible_post_name(obj: Any) -> str:
        return str(obj.responsible_post.name)


class TierOut(Schema):
    tier: str
    tier_name: str
    person: int = Field(validation_alias="person_id")
    person_name: str
    org_unit: int | None = Field(None, validation_alias="org_unit_id")

    @staticmethod
    def resolve_tier_name(obj: Any) -> str:
        return str(ControlTier(obj.tier).label)

    @staticmethod
    def resolve_person_name(obj: Any) -> str:
        return str(obj.person.name)


class PointDetailOut(PointOut):
    description: str
    factors: list[FactorOut]
    measures: list[MeasureOut]
    tiers: list[TierOut]
    missing_tiers: list[str] = Field(description="按等级应设而未设的管控层级")

    @staticmethod
    def resolve_factors(obj: Any) -> list[dict[str, Any]]:
        return [
            {
                **_factor_fields(view.factor),
                "level": view.level,
                "initial": view.initial,
                "residual": view.residual,
            }
            for view in selectors.factor_views(obj)
        ]

    @staticmethod
    def resolve_measures(obj: Any) -> list[Any]:
        return list(obj.measures.all())

    @staticmethod
    def resolve_tiers(obj: Any) -> list[Any]:
        return list(obj.tiers.all())

    @staticmethod
    def resolve_missing_tiers(obj: Any) -> list[str]:
        return list(services.missing_tiers(obj))


@router.get("/points", response={200: Page[PointOut], **READ_ERRORS}, summary="风险点列表")
def point_list(request: HttpRequest, filters: Query[PointFilters], page: Query[PageParams]) -> dict[str, Any]:
    qs = selectors.risk_point_list(current_user(request))
    if filters.enterprise is not None:
        qs = qs.filter(enterprise_id=filters.enterprise)
    if filters.level is not None:
        qs = qs.filter(level=filters.level)
    if filters.active is not None:
        qs = qs.filter(active=filters.active)
    return paginate(qs.order_by("enterprise_id", "code", "id"), page)


@router.get(
    "/points/{point_id}", response={200: PointDetailOut, **READ_ERRORS}, summary="风险点详情（含两单）"
)
def point_detail(request: HttpRequest, point_id: int) -> Any:
    return selectors.risk_point_detail(current_user(request), point_id)


def _factor_fields(factor: Any) -> dict[str, Any]:
    return {
        name: getattr(factor, name)
        for name in (
            "id",
            "method",
            "step_no",
            "step_name",
            "description",
            "category",
            "accident_types",
            "consequences",
            "existing_controls",
        )
    }
