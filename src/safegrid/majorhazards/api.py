"""/api/v1/major-hazards, /api/v1/special-works, /api/v1/commitments (mounted by safegrid.apiroot)."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Router, Schema

from safegrid.api.auth import current_user
from safegrid.api.schemas import READ_ERRORS, WRITE_ERRORS, Id, InputSchema, LongText

router = Router(tags=["重大危险源"])


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


def _filings_out(user: Any, unit_id: int) -> dict[str, Any]:
    from .selectors import lifecycle as selectors

    unit = selectors.unit_get(user, unit_id)
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
    "/major-hazards/{unit_id}/filings", response={200: FilingsOut, **READ_ERRORS}, summary="重大危险源的备案"
)
def filings(request: HttpRequest, unit_id: int) -> Any:
    return _filings_out(current_user(request), unit_id)


@router.post(
    "/major-hazards/{unit_id}/filings", response={200: FilingsOut, **WRITE_ERRORS}, summary="填写并报送备案"
)
def filing_post(request: HttpRequest, unit_id: int, payload: FilingIn) -> Any:
    from .selectors import lifecycle as selectors
    from .services import lifecycle as services

    user = current_user(request)
    unit = selectors.unit_get(user, unit_id)
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
    return _filings_out(user, unit_id)


def _renamed(exc: ValidationError, names: dict[str, str]) -> ValidationError:
    if not hasattr(exc, "error_dict"):
        return exc
    return ValidationError({names.get(k, k): v for k, v in exc.message_dict.items()})


def _persons_out(user: Any, unit_id: int) -> dict[str, Any]:
    from .selectors import lifecycle as selectors

    unit = selectors.unit_get(user, unit_id)
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
    "/major-hazards/{unit_id}/responsible-persons",
    response={200: PersonsOut, **READ_ERRORS},
    summary="重大危险源的包保责任人",
)
def responsible_persons(request: HttpRequest, unit_id: int) -> Any:
    return _persons_out(current_user(request), unit_id)


@router.post(
    "/major-hazards/{unit_id}/responsible-persons",
    response={200: PersonsOut, **WRITE_ERRORS},
    summary="指定包保责任人（生成其排查任务）",
)
def responsible_person_post(request: HttpRequest, unit_id: int, payload: PersonIn) -> Any:
    from safegrid.enterprises.models import Person

    from .selectors import lifecycle as selectors
    from .services import responsibility as services

    user = current_user(request)
    unit = selectors.unit_get(user, unit_id)
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
    return _persons_out(user, unit_id)
