"""Risk API: the assessment preview, scoped reads of the register, and the register written by
enterprise systems (points, hazard factors, assessments, control measures, responsibility tiers).

Writes follow the register pages exactly: the object in the path is found through a selector (out of
scope = 404), `permissions.can_edit_register` decides who may change it (403), ids in the body go
through the user's selectors (`safegrid.api.references`: invisible = 422 naming the field), and the same
`services` save, validate and audit. Every write accepts `Idempotency-Key` (`safegrid.api.idempotency`).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
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
from safegrid.core.models import User
from safegrid.enterprises import selectors as ent_selectors
from safegrid.risks import permissions
from safegrid.risks.choices import (
    AccidentType,
    AssessmentKind,
    CheckCycleUnit,
    Classify1,
    Classify2,
    ControlTier,
    DataSource,
    HazardCategory,
    IdentificationMethod,
    MeasureKind,
    RiskPointType,
    WorkDayType,
)
from safegrid.risks.rules import assessment as rules
from safegrid.risks.selectors import points as selectors
from safegrid.risks.services import points as services

router = Router(tags=["risks"])

NumberIn = float | int


class AssessIn(InputSchema):
    method: Literal["LEC", "LS", "MES"] = Field(
        description="评价方法：LEC（L、E、C）、LS（L、S）、MES（M、E、S）"
    )
    L: NumberIn | None = Field(None, description="LEC：10/6/3/1/0.5/0.2/0.1；LS：1–5")
    E: NumberIn | None = Field(None, description="LEC/MES 暴露频率：10/6/3/2/1/0.5")
    C: NumberIn | None = Field(None, description="LEC 后果：100/40/15/7/3/1")
    S: NumberIn | None = Field(None, description="LS：1–5；MES：1/2/4/8/10")
    M: NumberIn | None = Field(None, description="MES 控制措施状态：5/3/1")
    variant: Literal["A", "B", "C"] | None = Field(None, description="LS 分级方案；缺省用本县设置")
    enterprise: Id | None = Field(None, description="企业 ID：按该企业所在县的分级设置计算")


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


class PointFilters(InputSchema):
    enterprise: Id | None = Field(None, description="企业 ID")
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
    code: str = Field(description="危险源编号（风险点内唯一，导入时据此更新）")
    method: str
    step_no: int | None
    step_name: str
    description: str
    category: str
    accident_types: list[str]
    consequences: str
    existing_controls: str
    active: bool = Field(description="停用的危险源（导入文件中不再出现）保留记录，不计入等级")
    level: int | None
    initial: AssessmentOut | None
    residual: AssessmentOut | None


class MeasureOut(Schema):
    id: int
    code: str = Field(description="措施编号（风险点内唯一，导入时据此更新）")
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
    id: int
    tier: str
    tier_name: str
    person: int = Field(validation_alias="person_id")
    person_name: str
    org_unit: int | None = Field(None, validation_alias="org_unit_id")
    active: bool = Field(description="停用的责任（导入文件中不再出现）保留记录，再次指定该层级时恢复")

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
            "code",
            "method",
            "step_no",
            "step_name",
            "description",
            "category",
            "accident_types",
            "consequences",
            "existing_controls",
            "active",
        )
    }


# --- writing the register ------------------------------------------------------------------------

EDITORS_ONLY = "只有本企业的管理员、安全管理员或县级管理员可以修改风险清单"
INACTIVE_PERSON = "责任人须为本企业在岗人员"

UnitFraction = Annotated[float, Field(ge=0, le=1, description="平面图坐标：0 最左/最上，1 最右/最下")]


class PointIn(InputSchema):
    enterprise: Id = Field(description="企业 ID")
    code: str = Field(min_length=1, max_length=32, description="风险点编号（企业内唯一）")
    name: str = Field(min_length=1, max_length=100)
    type: RiskPointType = Field(description="facility 设备设施/部位/场所/区域；activity 作业活动")
    org_unit: Id | None = Field(None, description="所属车间/部门（组织单元 ID）")
    location: str = Field("", max_length=200)
    lat: Latitude | None = None
    lon: Longitude | None = None
    plan_x: UnitFraction | None = None
    plan_y: UnitFraction | None = None
    description: LongText = ""


class PointPatch(InputSchema):
    code: str | None = Field(None, min_length=1, max_length=32)
    name: str | None = Field(None, min_length=1, max_length=100)
    type: RiskPointType | None = None
    org_unit: Id | None = None
    location: str | None = Field(None, max_length=200)
    lat: Latitude | None = None
    lon: Longitude | None = None
    plan_x: UnitFraction | None = None
    plan_y: UnitFraction | None = None
    description: LongText | None = None


CODE_NOTE = "编号（风险点内唯一，字母、数字和 . _ -）；不填则由系统按顺序编号"


class FactorIn(InputSchema):
    code: str = Field("", max_length=16, description=CODE_NOTE)
    method: IdentificationMethod = Field(description="SCL 安全检查表；JHA 工作危害分析（须填 step_no）")
    step_no: int | None = Field(None, ge=1, description="JHA 作业步骤序号（1–10）；SCL 不填")
    step_name: str = Field("", max_length=100)
    description: LongText = Field(min_length=1, description="危险源或潜在事件")
    category: HazardCategory = Field(description="类别（GB/T 13861）")
    accident_types: list[AccidentType] = Field(default_factory=list, description="事故类型（GB 6441）代码")
    consequences: LongText = ""
    existing_controls: LongText = ""


class FactorPatch(InputSchema):
    method: IdentificationMethod | None = None
    step_no: int | None = Field(None, ge=1)
    step_name: str | None = Field(None, max_length=100)
    description: LongText | None = Field(None, min_length=1)
    category: HazardCategory | None = None
    accident_types: list[AccidentType] | None = None
    consequences: LongText | None = None
    existing_controls: LongText | None = None


class AssessmentIn(InputSchema):
    kind: AssessmentKind = Field(description="initial 初始评价；residual 残余风险评价")
    method: Literal["LEC", "LS", "MES"]
    L: NumberIn | None = None
    E: NumberIn | None = None
    C: NumberIn | None = None
    S: NumberIn | None = None
    M: NumberIn | None = None


class MeasureIn(InputSchema):
    code: str = Field("", max_length=16, description=CODE_NOTE)
    hazard_factor: Id | None = Field(None, description="针对的危险源 ID（同一风险点）")
    kind: MeasureKind
    classify1: Classify1 = Field(description="管控方式一级分类")
    classify2: Classify2 = Field(description="管控方式二级分类（须属于一级分类）")
    classify3: str = Field("", max_length=100)
    description: LongText = Field(min_length=1)
    check_content: LongText = Field(min_length=1, description="排查内容")
    check_cycle: int = Field(ge=1, description="排查周期")
    check_cycle_unit: CheckCycleUnit
    work_day_type: WorkDayType = WorkDayType.EVERY_DAY
    data_src: DataSource = DataSource.INSPECTION
    responsible_post: Id = Field(description="责任岗位（“岗位”层级的组织单元 ID）")
    active: bool = True


class MeasurePatch(InputSchema):
    hazard_factor: Id | None = None
    kind: MeasureKind | None = None
    classify1: Classify1 | None = None
    classify2: Classify2 | None = None
    classify3: str | None = Field(None, max_length=100)
    description: LongText | None = Field(None, min_length=1)
    check_content: LongText | None = Field(None, min_length=1)
    check_cycle: int | None = Field(None, ge=1)
    check_cycle_unit: CheckCycleUnit | None = None
    work_day_type: WorkDayType | None = None
    data_src: DataSource | None = None
    responsible_post: Id | None = None
    active: bool | None = None


class TierIn(InputSchema):
    tier: ControlTier = Field(description="company 公司级；workshop 车间级；team 班组级；post 岗位级")
    person: Id = Field(description="责任人（本企业在岗人员 ID）")
    org_unit: Id | None = Field(None, description="责任单位（与管控层级对应的组织单元 ID）")


def _require_editor(user: User, enterprise_id: int) -> None:
    require(permissions.can_edit_register(user, enterprise_id), EDITORS_ONLY)


def _changes(payload: Schema, *, not_null: tuple[str, ...] = ()) -> dict[str, Any]:
    """The fields a PATCH sent, as plain values; an explicit null is refused where the model needs a value."""
    data = payload.model_dump(mode="json", exclude_unset=True)
    for name in not_null:
        if name in data and data[name] is None:
            raise ValidationError({name: "此字段不能为空"})
    return data


def _resolved(user: User, data: dict[str, Any], getters: dict[str, Any]) -> dict[str, Any]:
    refs = References(user)
    refs.resolve(data, getters)
    refs.raise_if_any()
    return data


def _point_out(user: User, point_id: int) -> Any:
    return selectors.risk_point_detail(user, point_id)


def _factor_out(user: User, factor: Any) -> dict[str, Any]:
    point = selectors.risk_point_detail(user, factor.risk_point_id)
    found = [v for v in selectors.factor_views(point) if v.factor.pk == factor.pk]
    view = found[0] if found else selectors.factor_view(factor)  # a retired factor is not in the register
    return {
        **_factor_fields(view.factor),
        "level": view.level,
        "initial": view.initial,
        "residual": view.residual,
    }


POINT_REFERENCES = {"org_unit": ent_selectors.org_unit_get}
POINT_REQUIRED: tuple[str, ...] = ("code", "name", "type", "location", "description")


@router.post("/points", response={201: PointDetailOut, **WRITE_ERRORS}, summary="新建风险点")
def point_create(request: HttpRequest, payload: PointIn) -> Any:
    user = current_user(request)
    refs = References(user)
    enterprise = refs.get("enterprise", ent_selectors.enterprise_get, payload.enterprise)
    refs.raise_if_any()
    _require_editor(user, enterprise.pk)
    data = _resolved(user, payload.model_dump(mode="json", exclude={"enterprise"}), POINT_REFERENCES)
    point = services.risk_point_create(actor=user, enterprise=enterprise, data=data)
    return Status(201, _point_out(user, point.pk))


@router.patch("/points/{point_id}", response={200: PointDetailOut, **WRITE_ERRORS}, summary="修改风险点")
def point_update(request: HttpRequest, point_id: int, payload: PointPatch) -> Any:
    user = current_user(request)
    point = selectors.risk_point_get(user, point_id)
    _require_editor(user, point.enterprise_id)
    data = _resolved(user, _changes(payload, not_null=POINT_REQUIRED), POINT_REFERENCES)
    services.risk_point_update(actor=user, point=point, data=data)
    return _point_out(user, point.pk)


@router.post(
    "/points/{point_id}/deactivate",
    response={200: PointDetailOut, **WRITE_ERRORS},
    summary="停用风险点（保留其危险源和评价记录）",
)
def point_deactivate(request: HttpRequest, point_id: int) -> Any:
    user = current_user(request)
    point = selectors.risk_point_get(user, point_id)
    _require_editor(user, point.enterprise_id)
    services.risk_point_deactivate(actor=user, point=point)
    return _point_out(user, point.pk)


@router.post(
    "/points/{point_id}/reactivate", response={200: PointDetailOut, **WRITE_ERRORS}, summary="恢复使用风险点"
)
def point_reactivate(request: HttpRequest, point_id: int) -> Any:
    user = current_user(request)
    point = selectors.risk_point_get(user, point_id)
    _require_editor(user, point.enterprise_id)
    services.risk_point_reactivate(actor=user, point=point)
    return _point_out(user, point.pk)


FACTOR_REQUIRED: tuple[str, ...] = ("method", "step_name", "description", "category", "accident_types")
FACTOR_REQUIRED += ("consequences", "existing_controls")


@router.post("/points/{point_id}/factors", response={201: FactorOut, **WRITE_ERRORS}, summary="新增危险源")
def factor_create(request: HttpRequest, point_id: int, payload: FactorIn) -> Any:
    user = current_user(request)
    point = selectors.risk_point_get(user, point_id)
    _require_editor(user, point.enterprise_id)
    factor = services.hazard_factor_add(actor=user, point=point, data=payload.model_dump(mode="json"))
    return Status(201, _factor_out(user, factor))


@router.patch("/factors/{factor_id}", response={200: FactorOut, **WRITE_ERRORS}, summary="修改危险源")
def factor_update(request: HttpRequest, factor_id: int, payload: FactorPatch) -> Any:
    user = current_user(request)
    factor = selectors.hazard_factor_get(user, factor_id)
    _require_editor(user, factor.risk_point.enterprise_id)
    factor = services.hazard_factor_update(
        actor=user, factor=factor, data=_changes(payload, not_null=FACTOR_REQUIRED)
    )
    return _factor_out(user, factor)


@router.delete(
    "/factors/{factor_id}",
    response={204: None, **WRITE_ERRORS},
    summary="删除危险源（连同其评价和针对它的管控措施）",
)
def factor_delete(request: HttpRequest, factor_id: int) -> Any:
    user = current_user(request)
    factor = selectors.hazard_factor_get(user, factor_id)
    _require_editor(user, factor.risk_point.enterprise_id)
    services.hazard_factor_remove(actor=user, factor=factor)
    return Status(204, None)


@router.post(
    "/factors/{factor_id}/assessments",
    response={201: AssessmentOut, **WRITE_ERRORS},
    summary="评价危险源（按本县分级设置定级，并重新确定风险点等级）",
)
def assessment_create(request: HttpRequest, factor_id: int, payload: AssessmentIn) -> Any:
    user = current_user(request)
    factor = selectors.hazard_factor_get(user, factor_id)
    _require_editor(user, factor.risk_point.enterprise_id)
    values = payload.model_dump()
    inputs = {name: values[name] for name in rules.METHOD_FIELDS[payload.method]}
    assessment = services.assess(
        actor=user, factor=factor, kind=payload.kind, method=payload.method, inputs=inputs
    )
    return Status(201, selectors.assessment_get(user, assessment.pk))


MEASURE_REFERENCES = {
    "hazard_factor": selectors.hazard_factor_get,
    "responsible_post": ent_selectors.org_unit_get,
}
MEASURE_REQUIRED: tuple[str, ...] = (
    "kind",
    "classify1",
    "classify2",
    "classify3",
    "description",
    "check_content",
)
MEASURE_REQUIRED += ("check_cycle", "check_cycle_unit", "work_day_type", "data_src", "responsible_post")
MEASURE_REQUIRED += ("active",)


@router.post(
    "/points/{point_id}/measures", response={201: MeasureOut, **WRITE_ERRORS}, summary="新增管控措施"
)
def measure_create(request: HttpRequest, point_id: int, payload: MeasureIn) -> Any:
    user = current_user(request)
    point = selectors.risk_point_get(user, point_id)
    _require_editor(user, point.enterprise_id)
    data = _resolved(user, payload.model_dump(mode="json"), MEASURE_REFERENCES)
    measure = services.measure_add(actor=user, point=point, data=data)
    return Status(201, selectors.measure_get(user, measure.pk))


@router.patch("/measures/{measure_id}", response={200: MeasureOut, **WRITE_ERRORS}, summary="修改管控措施")
def measure_update(request: HttpRequest, measure_id: int, payload: MeasurePatch) -> Any:
    user = current_user(request)
    measure = selectors.measure_get(user, measure_id)
    _require_editor(user, measure.risk_point.enterprise_id)
    data = _resolved(user, _changes(payload, not_null=MEASURE_REQUIRED), MEASURE_REFERENCES)
    services.measure_update(actor=user, measure=measure, data=data)
    return selectors.measure_get(user, measure.pk)


@router.delete("/measures/{measure_id}", response={204: None, **WRITE_ERRORS}, summary="删除管控措施")
def measure_delete(request: HttpRequest, measure_id: int) -> Any:
    user = current_user(request)
    measure = selectors.measure_get(user, measure_id)
    _require_editor(user, measure.risk_point.enterprise_id)
    services.measure_remove(actor=user, measure=measure)
    return Status(204, None)


@router.post(
    "/points/{point_id}/tiers",
    response={200: TierOut, **WRITE_ERRORS},
    summary="指定某一管控层级的责任人（替换原责任人）",
)
def tier_assign(request: HttpRequest, point_id: int, payload: TierIn) -> Any:
    user = current_user(request)
    point = selectors.risk_point_get(user, point_id)
    _require_editor(user, point.enterprise_id)
    refs = References(user)
    person = refs.get("person", ent_selectors.person_get, payload.person)
    org_unit = refs.get("org_unit", ent_selectors.org_unit_get, payload.org_unit)
    refs.raise_if_any()
    if not person.active:  # the page offers only people at work
        raise ValidationError({"person": INACTIVE_PERSON})
    assignment = services.tier_assign(
        actor=user, point=point, tier=payload.tier, person=person, org_unit=org_unit
    )
    return selectors.assignment_get(user, assignment.pk)


@router.delete("/tiers/{assignment_id}", response={204: None, **WRITE_ERRORS}, summary="撤销管控责任")
def tier_unassign(request: HttpRequest, assignment_id: int) -> Any:
    user = current_user(request)
    assignment = selectors.assignment_get(user, assignment_id)
    _require_editor(user, assignment.risk_point.enterprise_id)
    services.tier_unassign(actor=user, assignment=assignment)
    return Status(204, None)
