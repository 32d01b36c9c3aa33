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
from safegrid.api.references import References
from safegrid.api.schemas import READ_ERRORS, WRITE_ERRORS, Id, InputSchema, LongText, Page, PageParams
from safegrid.enterprises import selectors as ent_selectors

from .choices import UnitKind
from .models import UnitGrading, UnitSubstance
from .rules import gb18218
from .selectors import sources as source_selectors
from .services import sources as source_services

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


class DocumentB64(InputSchema):
    name: str = Field(max_length=100)
    data: str = Field(description="文件内容，base64（PDF/JPG/PNG，≤ 20 MB）")


class FilingIn(InputSchema):
    assessing_org: str = ""
    assessed_on: dt.date | None = None
    report_summary: LongText = ""
    document: DocumentB64 | None = None
    submit: bool = Field(True, description="true：填写后直接报送县级应急管理部门；false：只保存草稿")


class PersonOut(Schema):
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
    persons: list[PersonOut] = Field(description="现任的包保责任人（未指定的角色不列出）")


class PersonIn(InputSchema):
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
def responsible_person_post(request: HttpRequest, hazard_unit_id: int, payload: PersonIn) -> Any:
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
