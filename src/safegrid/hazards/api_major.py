"""Major-hazard API on the hazards router (/api/v1/hazards/{id}/…): the treatment plan, the report to the
regulator and its acknowledgement, the suspension order and its close-out steps, and one read of them all.

As the other moves: the hazard through a selector (404 out of scope), the same services as the pages
(permission 403, field-named 422), every POST idempotent through the API base's Idempotency-Key.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Schema

from safegrid.api.auth import current_user
from safegrid.api.schemas import READ_ERRORS, WRITE_ERRORS, InputSchema

from . import selectors, selectors_major, services_major
from .api import router
from .choices import MajorReportStatus, ReviewResult, SuspensionStatus
from .rules import major


class PlanOut(Schema):
    version: int
    targets: str
    methods: str
    funds_materials: str
    organisation: str
    time_requirements: str
    safety_emergency: str
    written_at: dt.datetime


class ReportOut(Schema):
    id: int
    status: MajorReportStatus
    state_and_cause: str
    severity_and_difficulty: str
    plan_version: int
    interim_measures: list[str]
    interim_other: str
    departments: list[int]
    submitted_at: dt.datetime
    acknowledged_at: dt.datetime | None
    acknowledge_comment: str


class SuspensionOut(Schema):
    id: int
    status: SuspensionStatus
    document_number: str
    ordered_on: dt.date
    ends_on: dt.date
    scope_text: str
    evaluator: str
    evaluation_summary: str
    has_evaluation_file: bool
    application_text: str
    applied_on: dt.date | None
    review_due: dt.date | None
    reviewed_on: dt.date | None
    review_result: str
    review_comment: str
    resumed_at: dt.datetime | None


class MajorOut(Schema):
    hazard: int
    plan: PlanOut | None
    plan_versions: int
    plan_missing: list[str] = Field(description="治理方案尚缺的部分（六项之名）")
    report: ReportOut | None
    suspension: SuspensionOut | None


def _major_out(user: Any, hazard_id: int) -> dict[str, Any]:
    hazard = selectors.hazard_get(user, hazard_id)
    versions = selectors_major.plan_versions(user, hazard)
    plan = versions[0] if versions else None
    report = selectors_major.report_of(user, hazard)
    order = selectors_major.suspension_of(user, hazard)
    return {
        "hazard": hazard.pk,
        "plan": plan,
        "plan_versions": len(versions),
        "plan_missing": list(major.missing_plan_parts(services_major.plan_parts(plan))),
        "report": None
        if report is None
        else {
            **{f: getattr(report, f) for f in ReportOut.model_fields if hasattr(report, f)},
            "plan_version": report.plan.version,
            "departments": [d.pk for d in report.departments.all()],
        },
        "suspension": None
        if order is None
        else {
            **{f: getattr(order, f) for f in SuspensionOut.model_fields if hasattr(order, f)},
            "has_evaluation_file": bool(order.evaluation_file),
        },
    }


class PlanIn(InputSchema):
    targets: str = ""
    methods: str = ""
    funds_materials: str = ""
    organisation: str = ""
    time_requirements: str = ""
    safety_emergency: str = ""


class MajorReportIn(InputSchema):
    state_and_cause: str = ""
    severity_and_difficulty: str = ""
    interim_measures: list[str] = Field(
        default_factory=list, description="withdraw_workers, cordon_area, stop_equipment"
    )
    interim_other: str = ""


class MajorCommentIn(InputSchema):
    comment: str = ""


class SuspensionIn(InputSchema):
    document_number: str = ""
    ordered_on: dt.date | None = None
    ends_on: dt.date | None = Field(None, description="不晚于责令日期后的配置月数（默认 6 个月）")
    scope_text: str = ""


class MajorDocumentB64(InputSchema):
    name: str = Field(max_length=100)
    data: str = Field(description="文件内容，base64（PDF/JPG/PNG，≤ 20 MB）")


class EvaluationIn(InputSchema):
    evaluator: str = ""
    summary: str = ""
    document: MajorDocumentB64 | None = None


class ApplicationIn(InputSchema):
    application_text: str = ""
    applied_on: dt.date | None = Field(None, description="默认今天")


class ReviewIn(InputSchema):
    reviewed_on: dt.date | None = None
    comment: str = ""


def _hazard(request: HttpRequest, hazard_id: int) -> tuple[Any, Any]:
    user = current_user(request)
    return user, selectors.hazard_get(user, hazard_id)


def _order(user: Any, hazard: Any) -> Any:
    found = selectors_major.suspension_of(user, hazard)
    if found is None:
        raise ValidationError({"hazard": ["该隐患没有停产停业整改记录"]})
    return found


@router.get(
    "/{hazard_id}/major",
    response={200: MajorOut, **READ_ERRORS},
    summary="重大隐患：治理方案、报告、停产整改",
)
def major_detail(request: HttpRequest, hazard_id: int) -> Any:
    return _major_out(current_user(request), hazard_id)


@router.post(
    "/{hazard_id}/treatment_plan", response={200: MajorOut, **WRITE_ERRORS}, summary="编制治理方案（新版本）"
)
def treatment_plan(request: HttpRequest, hazard_id: int, payload: PlanIn) -> Any:
    user, hazard = _hazard(request, hazard_id)
    services_major.plan_save(actor=user, hazard=hazard, parts=payload.model_dump())
    return _major_out(user, hazard_id)


@router.post("/{hazard_id}/submit_report", response={200: MajorOut, **WRITE_ERRORS}, summary="报告监管部门")
def submit_report(request: HttpRequest, hazard_id: int, payload: MajorReportIn) -> Any:
    user, hazard = _hazard(request, hazard_id)
    services_major.major_report_submit(actor=user, hazard=hazard, **payload.model_dump())
    return _major_out(user, hazard_id)


@router.post(
    "/{hazard_id}/acknowledge_report", response={200: MajorOut, **WRITE_ERRORS}, summary="签收重大隐患报告"
)
def acknowledge_report(request: HttpRequest, hazard_id: int, payload: MajorCommentIn) -> Any:
    user, hazard = _hazard(request, hazard_id)
    report = selectors_major.report_of(user, hazard)
    if report is None:
        raise ValidationError({"hazard": ["该隐患尚未报告监管部门"]})
    services_major.major_report_acknowledge(actor=user, report=report, comment=payload.comment)
    return _major_out(user, hazard_id)


@router.post(
    "/{hazard_id}/order_suspension", response={200: MajorOut, **WRITE_ERRORS}, summary="责令停产停业整改"
)
def order_suspension(request: HttpRequest, hazard_id: int, payload: SuspensionIn) -> Any:
    user, hazard = _hazard(request, hazard_id)
    services_major.suspension_order(actor=user, hazard=hazard, **payload.model_dump())
    return _major_out(user, hazard_id)


@router.post(
    "/{hazard_id}/submit_evaluation", response={200: MajorOut, **WRITE_ERRORS}, summary="提交评估报告"
)
def submit_evaluation(request: HttpRequest, hazard_id: int, payload: EvaluationIn) -> Any:
    user, hazard = _hazard(request, hazard_id)
    document = None
    if payload.document is not None:
        try:
            content = base64.b64decode(payload.document.data, validate=True)
        except (binascii.Error, ValueError):
            raise ValidationError({"document": [f"{payload.document.name}：不是有效的 base64"]}) from None
        document = services_major.FileIn(content, payload.document.name)
    services_major.suspension_evaluate(
        actor=user,
        order=_order(user, hazard),
        evaluator=payload.evaluator,
        summary=payload.summary,
        document=document,
    )
    return _major_out(user, hazard_id)


@router.post(
    "/{hazard_id}/apply_resumption", response={200: MajorOut, **WRITE_ERRORS}, summary="书面申请恢复生产"
)
def apply_resumption(request: HttpRequest, hazard_id: int, payload: ApplicationIn) -> Any:
    user, hazard = _hazard(request, hazard_id)
    services_major.suspension_apply(actor=user, order=_order(user, hazard), **payload.model_dump())
    return _major_out(user, hazard_id)


def _review(request: HttpRequest, hazard_id: int, payload: ReviewIn, result: str) -> Any:
    user, hazard = _hazard(request, hazard_id)
    services_major.suspension_review(
        actor=user,
        order=_order(user, hazard),
        passed=result == ReviewResult.PASS,
        reviewed_on=payload.reviewed_on,
        comment=payload.comment,
    )
    return _major_out(user, hazard_id)


@router.post("/{hazard_id}/pass_review", response={200: MajorOut, **WRITE_ERRORS}, summary="现场审查合格")
def pass_review(request: HttpRequest, hazard_id: int, payload: ReviewIn) -> Any:
    return _review(request, hazard_id, payload, ReviewResult.PASS)


@router.post("/{hazard_id}/fail_review", response={200: MajorOut, **WRITE_ERRORS}, summary="现场审查不合格")
def fail_review(request: HttpRequest, hazard_id: int, payload: ReviewIn) -> Any:
    return _review(request, hazard_id, payload, ReviewResult.FAIL)
