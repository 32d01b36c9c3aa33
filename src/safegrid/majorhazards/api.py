"""/api/v1/major-hazards, /api/v1/special-works, /api/v1/commitments (mounted by safegrid.apiroot)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Prefetch
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

from .choices import UnitKind
from .models import HazardUnit, UnitGrading, UnitSubstance
from .models.work import SpecialWorkStatus, WorkGrade, WorkType
from .rules import gb18218
from .rules import work as work_rules
from .selectors import sources as source_selectors
from .selectors import work as work_sel
from .services import sources as source_services
from .services import work as work_services

router = Router(tags=["重大危险源"])


# ---- sources: GB 18218 units, substances and grading ---------------------------------------------
# Decimals travel as strings (at most 6 decimal places, as stored), so nothing is lost to floats.


def _dec(value: Decimal | None) -> str | None:
    return None if value is None else f"{gb18218.stored(value).normalize():f}"


def _term(term: dict[str, str]) -> dict[str, str]:
    return {k: (v if k == "substance" else _dec(Decimal(v)) or "") for k, v in term.items()}


class SubstanceLineOut(Schema):
    id: int
    substance: str
    cas: str
    category: str
    Q: str
    beta: str
    design_quantity_t: str
    stock_quantity_t: str | None
    note: str


class TermOut(Schema):
    substance: str
    q: str
    Q: str
    beta: str
    q_over_Q: str


class GradingOut(Schema):
    standard: str
    people_exposed: int | None
    S: str
    is_major: bool
    alpha: str | None
    R: str | None
    grade: int | None
    terms: list[TermOut]
    computed_at: dt.datetime


class RequirementOut(Schema):
    key: str
    label: str
    reason: str
    in_place: bool
    note: str


class UnitOut(Schema):
    id: int
    enterprise: int = Field(validation_alias="enterprise_id")
    code: str
    name: str
    kind: str
    location: str
    latitude: Decimal | None
    longitude: Decimal | None
    description: str
    is_major: bool
    grade: int | None
    graded_at: dt.datetime | None
    requirement_gaps: int
    substances: list[SubstanceLineOut]
    grading: GradingOut | None
    requirements: list[RequirementOut]

    @staticmethod
    def resolve_substances(obj: Any) -> list[dict[str, Any]]:
        return [
            {
                "id": line.pk,
                "substance": line.substance.label,
                "cas": line.substance.cas,
                "category": line.substance.category,
                "Q": _dec(line.substance.critical_quantity),
                "beta": _dec(line.substance.beta),
                "design_quantity_t": _dec(line.design_quantity),
                "stock_quantity_t": _dec(line.stock_quantity),
                "note": line.note,
            }
            for line in obj.lines.all()
        ]

    @staticmethod
    def resolve_grading(obj: Any) -> dict[str, Any] | None:
        rows = list(obj.gradings.all())
        if not rows:
            return None
        g = rows[0]
        return {
            "standard": g.standard,
            "people_exposed": g.people_exposed,
            "S": _dec(g.s),
            "is_major": g.is_major,
            "alpha": _dec(g.alpha),
            "R": _dec(g.r),
            "grade": g.grade,
            "terms": [_term(t) for t in g.terms],
            "computed_at": g.computed_at,
        }

    @staticmethod
    def resolve_requirements(obj: Any) -> list[dict[str, Any]]:
        return [
            {
                "key": item.requirement.key,
                "label": item.requirement.label,
                "reason": item.requirement.reason,
                "in_place": item.in_place,
                "note": item.note,
            }
            for item in source_services.checklist_of(obj, obj.lines.all())
        ]


def _units(user: Any) -> Any:
    return source_selectors.unit_list(user).prefetch_related(
        Prefetch("lines", queryset=UnitSubstance.objects.select_related("substance")),
        Prefetch("gradings", queryset=UnitGrading.objects.order_by("-computed_at", "-pk")),
    )


class UnitFilters(InputSchema):
    is_major: bool | None = None
    grade: int | None = Field(None, ge=1, le=4, description="重大危险源等级 1–4")
    enterprise: int | None = None


@router.get("/major-hazards", response={200: Page[UnitOut], **READ_ERRORS}, summary="重大危险源辨识单元列表")
def unit_list(request: HttpRequest, filters: Query[UnitFilters], page: Query[PageParams]) -> dict[str, Any]:
    qs = _units(current_user(request))
    if filters.is_major is not None:
        qs = qs.filter(is_major=filters.is_major)
    if filters.grade is not None:
        qs = qs.filter(grade=filters.grade)
    if filters.enterprise is not None:
        qs = qs.filter(enterprise_id=filters.enterprise)
    return paginate(qs.order_by("enterprise_id", "code", "id"), page)


# The preview is declared before /major-hazards/{hazard_unit_id}: Django matches URL patterns in order.


class PreviewSubstanceIn(InputSchema):
    name: str | None = Field(None, description="危险化学品名称或别名")
    cas: str | None = Field(None, description="CAS号")
    category: str | None = Field(None, description="GB 18218 危险性类别代码，如 W5.3、J1")
    quantity_t: Decimal | None = Field(None, description="设计最大量（吨），须大于0")


class PreviewIn(InputSchema):
    people_exposed: int = Field(description="厂区边界外500米范围内常住人口（人），不能为负数")
    substances: list[PreviewSubstanceIn]


class PreviewOut(Schema):
    S: str
    is_major: bool
    alpha: str
    R: str
    grade: int | None
    standard: str
    terms: list[TermOut]


@router.post(
    "/major-hazards/grade",
    response={200: PreviewOut, **WRITE_ERRORS},
    summary="GB 18218 辨识分级试算（不保存）",
)
def grade_preview(request: HttpRequest, payload: PreviewIn) -> Any:
    grading = source_services.preview(
        people_exposed=payload.people_exposed,
        items=[
            source_services.PreviewItem(s.name, s.cas, s.category, s.quantity_t) for s in payload.substances
        ],
    )
    return {
        "S": _dec(grading.s),
        "is_major": grading.is_major,
        "alpha": _dec(grading.alpha),
        "R": _dec(grading.r),
        "grade": grading.grade,
        "standard": grading.standard,
        "terms": [_term(t.as_dict()) for t in grading.terms],
    }


@router.get(
    "/major-hazards/{hazard_unit_id}",
    response={200: UnitOut, **READ_ERRORS},
    summary="辨识单元详情（含分级计算项）",
)
def unit_detail(request: HttpRequest, hazard_unit_id: Id) -> Any:
    return _units(current_user(request)).get(
        pk=source_selectors.unit_get(current_user(request), hazard_unit_id).pk
    )


class LineIn(InputSchema):
    name: str | None = Field(None, description="危险化学品名称或别名（与 cas 二选一）")
    cas: str | None = Field(None, description="CAS号")
    design_quantity_t: Decimal = Field(description="设计最大量（吨），须大于0；GB 18218 按此辨识和分级")
    stock_quantity_t: Decimal | None = Field(None, description="现有存量（吨），不参与分级")
    note: str = Field("", max_length=200)


class UnitIn(InputSchema):
    enterprise: int
    code: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=100)
    kind: UnitKind
    location: str = Field("", max_length=200)
    latitude: Decimal | None = Field(None, ge=-90, le=90)
    longitude: Decimal | None = Field(None, ge=-180, le=180)
    description: str = ""
    esd_in_place: bool = False
    sis_in_place: bool = False
    cutoff_in_place: bool = False
    video_in_place: bool = False
    substances: list[LineIn] = Field(default_factory=list)


def _api_field(name: str) -> str:
    if not name.startswith("lines["):
        return name
    name = name.replace("lines[", "substances[", 1)
    return name + "_t" if name.endswith("quantity") else name


@router.post("/major-hazards", response={201: UnitOut, **WRITE_ERRORS}, summary="新建辨识单元及其危险化学品")
def unit_create(request: HttpRequest, payload: UnitIn) -> Any:
    user = current_user(request)
    refs = References(user)
    enterprise = refs.get("enterprise", ent_selectors.enterprise_get, payload.enterprise)
    refs.raise_if_any()
    table = list(source_selectors.substance_list(user))
    errors: dict[str, list[str]] = {}
    lines = []
    for i, item in enumerate(payload.substances):
        try:
            substance = source_services.line_substance(item, f"substances[{i}]", table)
        except ValidationError as exc:
            for k, v in exc.message_dict.items():
                errors.setdefault(k, []).extend(v)
            continue
        lines.append(
            source_services.LineIn(substance, item.design_quantity_t, item.stock_quantity_t, item.note)
        )
    if errors:
        raise ValidationError(errors)
    data = payload.model_dump(exclude={"enterprise", "substances"})
    try:
        unit = source_services.unit_create(actor=user, enterprise=enterprise, data=data, lines=lines)
    except ValidationError as exc:
        # The service names lines `lines[i].design_quantity`; the API's field is `substances[i].design_quantity_t`.
        if hasattr(exc, "error_dict"):
            raise ValidationError({_api_field(k): v for k, v in exc.error_dict.items()}) from None
        raise
    return Status(201, _units(user).get(pk=unit.pk))


# ---- lifecycle (mhlife) ----------------------------------------------------------------------


# ---- lifecycle (mhlife): a unit's filings and its three responsible persons ---------------------------------


class FilingOut(Schema):
    id: int
    status: str = Field(description="draft 草稿 / submitted 待审核 / accepted 已备案 / returned 已退回")
    assessing_org: str
    assessed_on: dt.date
    report_summary: str
    has_report_file: bool
    grade_on_record: int | None
    filing_due: dt.date = Field(description="备案期限（评估日期 + 配置天数）")
    submitted_at: dt.datetime | None
    submitted_late: bool
    reviewed_at: dt.datetime | None
    review_comment: str


class FilingsOut(Schema):
    unit: int
    state: str = Field(description="unfiled 尚无备案 / ok / soon 临近 / due 今日到期 / overdue 逾期")
    reassessment_due: dt.date | None = Field(
        description="下次重新评估期限（三年或发生须重新评估的情形时即时到期）"
    )
    deregistered: bool
    filings: list[FilingOut]


class FilingDocumentB64(InputSchema):
    name: str = Field(max_length=100)
    data: str = Field(description="文件内容，base64（PDF/JPG/PNG，≤ 20 MB）")


class FilingIn(InputSchema):
    assessing_org: str = ""
    assessed_on: dt.date | None = None
    report_summary: LongText = ""
    document: FilingDocumentB64 | None = None
    submit: bool = Field(True, description="true：填写后直接报送县级应急管理部门；false：只保存草稿")


class ResponsiblePersonOut(Schema):
    role: int = Field(description="1 主要负责人 / 2 技术负责人 / 3 操作负责人（国家 workType）")
    role_label: str
    person_id: int
    name: str
    job_title: str
    phone: str
    duties: str
    valid_from: dt.date
    valid_to: dt.date | None
    task_id: int | None
    frequency: str
    checks_done: int
    checks_missed: int


class PersonsOut(Schema):
    unit: int
    persons: list[ResponsiblePersonOut] = Field(description="现任的包保责任人（未指定的角色不列出）")


class ResponsiblePersonIn(InputSchema):
    role: int = Field(description="1 主要负责人 / 2 技术负责人 / 3 操作负责人")
    person_id: Id
    valid_from: dt.date | None = Field(None, description="默认今天")
    phone: str = Field("", description="不填用人员档案中的电话")
    duties: LongText = Field("", description="不填按应急厅〔2021〕12号")


def _filings_out(user: Any, hazard_unit_id: int) -> dict[str, Any]:
    from .selectors import lifecycle as selectors

    unit = selectors.unit_get(user, hazard_unit_id)
    life = selectors.unit_lifecycle(user, unit, timezone.localdate())
    return {
        "unit": unit.pk,
        "state": life.state,
        "reassessment_due": life.reassessment_due,
        "deregistered": life.deregistered,
        "filings": [
            {
                **{f: getattr(x, f) for f in FilingOut.model_fields if hasattr(x, f)},
                "has_report_file": bool(x.report_file),
            }
            for x in life.history
        ],
    }


@router.get(
    "/major-hazards/{hazard_unit_id}/filings",
    response={200: FilingsOut, **READ_ERRORS},
    summary="重大危险源的备案",
)
def filings(request: HttpRequest, hazard_unit_id: int) -> Any:
    return _filings_out(current_user(request), hazard_unit_id)


@router.post(
    "/major-hazards/{hazard_unit_id}/filings",
    response={200: FilingsOut, **WRITE_ERRORS},
    summary="填写并报送备案",
)
def filing_post(request: HttpRequest, hazard_unit_id: int, payload: FilingIn) -> Any:
    from .selectors import lifecycle as selectors
    from .services import lifecycle as services

    user = current_user(request)
    unit = selectors.unit_get(user, hazard_unit_id)
    document = None
    if payload.document is not None:
        try:
            content = base64.b64decode(payload.document.data, validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError({"document": [f"{payload.document.name}：不是有效的 base64"]}) from None
        document = services.FileIn(content, payload.document.name)
    data = payload.model_dump(exclude={"document", "submit"})
    try:
        if payload.submit:
            services.filing_file(actor=user, unit=unit, data=data, document=document)
        else:
            services.filing_draft(actor=user, unit=unit, data=data, document=document)
    except ValidationError as exc:
        raise _renamed(exc, {"report_file": "document"}) from None
    return _filings_out(user, hazard_unit_id)


def _renamed(exc: ValidationError, names: dict[str, str]) -> ValidationError:
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError({names.get(k, k): v for k, v in exc.message_dict.items()})


def _persons_out(user: Any, hazard_unit_id: int) -> dict[str, Any]:
    from .selectors import lifecycle as selectors

    unit = selectors.unit_get(user, hazard_unit_id)
    rows = []
    for r in selectors.role_checks(unit):
        p = r.person
        if p is None:
            continue
        rows.append(
            {
                "role": r.role,
                "role_label": r.label,
                "person_id": p.person_id,
                "name": p.name,
                "job_title": p.job_title,
                "phone": p.phone,
                "duties": p.duties,
                "valid_from": p.valid_from,
                "valid_to": p.valid_to,
                "task_id": p.task_id,
                "frequency": r.frequency,
                "checks_done": r.done,
                "checks_missed": r.missed,
            }
        )
    return {"unit": unit.pk, "persons": rows}


@router.get(
    "/major-hazards/{hazard_unit_id}/responsible-persons",
    response={200: PersonsOut, **READ_ERRORS},
    summary="重大危险源的包保责任人",
)
def responsible_persons(request: HttpRequest, hazard_unit_id: int) -> Any:
    return _persons_out(current_user(request), hazard_unit_id)


@router.post(
    "/major-hazards/{hazard_unit_id}/responsible-persons",
    response={200: PersonsOut, **WRITE_ERRORS},
    summary="指定包保责任人（生成其排查任务）",
)
def responsible_person_post(request: HttpRequest, hazard_unit_id: int, payload: ResponsiblePersonIn) -> Any:
    from safegrid.enterprises.models import Person

    from .selectors import lifecycle as selectors
    from .services import responsibility as services

    user = current_user(request)
    unit = selectors.unit_get(user, hazard_unit_id)
    person = Person.objects.filter(pk=payload.person_id, enterprise_id=unit.enterprise_id).first()
    if person is None:
        raise ValidationError({"person_id": ["本企业没有该人员"]})
    try:
        services.responsible_name(
            actor=user,
            unit=unit,
            role=payload.role,
            person=person,
            valid_from=payload.valid_from or timezone.localdate(),
            phone=payload.phone,
            duties=payload.duties,
        )
    except ValidationError as exc:
        raise _renamed(exc, {"person": "person_id"}) from None
    return _persons_out(user, hazard_unit_id)


# ---- work (mhwork) ----------------------------------------------------------------------------


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
