"""Self-report API (/api/v1/hazard-self-reports): a regulator's system pulls the reports in its scope; the
principal's own system (or app) signs and submits a draft.

Reads are scoped like the pages (out of scope: 404). Submitting is the same service as the sign page
(`selfreports.selfreport_submit`): the signer's own token and password, the `fingerprint` of the figures
and statement they were shown (from GET), 403 for anyone but the principal or their delegate, field-named
422 otherwise; safe to retry with the API base's Idempotency-Key. A regulator whose scope reaches the
enterprise receives (`/receive`, 查收) or returns (`/return`, comment required) a submitted report through
the page's services (`selfreport_receive` / `selfreport_return`): 403 for anyone else, 422 for a report
not waiting to be received or a return without a comment.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from safegrid.api.auth import current_user
from safegrid.api.pagination import paginate
from safegrid.api.permissions import require
from safegrid.api.schemas import (
    READ_ERRORS,
    WRITE_ERRORS,
    Id,
    InputSchema,
    LongText,
    Page,
    PageParams,
    Secret,
)

from . import permissions, selfreports
from . import selfreport_selectors as sel
from .models_selfreport import SelfReportKind, SelfReportStatus
from .rules import selfreport as rules

router = Router(tags=["hazard self-reports"])


class SelfReportOut(Schema):
    id: int
    enterprise: int = Field(validation_alias="enterprise_id")
    enterprise_name: str = Field(validation_alias="enterprise.name")
    period: str = Field(description="2026-Q3 季度 / 2026-Y 年度")
    period_kind: str
    year: int
    quarter: int = Field(description="年度报告为 0")
    period_start: dt.date
    period_end: dt.date
    due_date: dt.date
    status: str = Field(description="draft 草稿 / submitted 已签署报送 / received 已查收 / returned 已退回")
    figures: dict[str, Any]
    figures_at: dt.datetime
    method_version: str
    statement: str
    signer_name: str
    signed_at: dt.datetime | None
    first_submitted_at: dt.datetime | None
    days_late: int = Field(description="首次报送晚于截止日的天数，0 为按时")
    reviewed_at: dt.datetime | None
    review_comment: str
    fingerprint: str = Field(description="签署时须回传：数据和说明未变")

    @staticmethod
    def resolve_period(obj: Any) -> str:
        return str(obj.period.key)

    @staticmethod
    def resolve_fingerprint(obj: Any) -> str:
        return selfreports.fingerprint(obj)


class SelfReportFilters(InputSchema):
    enterprise: Id | None = None
    period: str | None = Field(
        None, max_length=7, pattern=r"^\d{4}-(Q[1-4]|Y)$", description="2026-Q3 或 2026-Y"
    )
    kind: SelfReportKind | None = None
    status: SelfReportStatus | None = None
    late: bool | None = Field(None, description="true：逾期报送；false：按时报送")


@router.get(
    "/hazard-self-reports", response={200: Page[SelfReportOut], **READ_ERRORS}, summary="自查自报列表"
)
def self_report_list(
    request: HttpRequest, filters: Query[SelfReportFilters], page: Query[PageParams]
) -> dict[str, Any]:
    qs = sel.report_list(current_user(request))
    if filters.enterprise is not None:
        qs = qs.filter(enterprise_id=filters.enterprise)
    period = rules.parse_period(filters.period or "")
    if filters.period:
        qs = qs.filter(sel.period_q(period)) if period else qs.none()
    if filters.kind:
        qs = qs.filter(period_kind=filters.kind)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.late is not None:
        qs = (
            qs.filter(days_late__gt=0)
            if filters.late
            else qs.filter(first_submitted_at__isnull=False, days_late=0)
        )
    return paginate(qs.order_by("-period_end", "id"), page)


@router.get(
    "/hazard-self-reports/{report_id}", response={200: SelfReportOut, **READ_ERRORS}, summary="自查自报详情"
)
def self_report_detail(request: HttpRequest, report_id: Id) -> Any:
    return sel.report_get(current_user(request), report_id)


class SelfReportSubmitIn(InputSchema):
    password: Secret = Field(description="签署人本人的登录密码")
    fingerprint: str = Field(max_length=64, description="GET 返回的 fingerprint")


@router.post(
    "/hazard-self-reports/{report_id}/submit",
    response={200: SelfReportOut, **WRITE_ERRORS},
    summary="签署报送自查自报",
)
def self_report_submit(request: HttpRequest, report_id: Id, payload: SelfReportSubmitIn) -> Any:
    user = current_user(request)
    report = sel.report_get(user, report_id)
    require(
        permissions.can_sign_self_report(user, report.enterprise_id),
        "自查自报须由主要负责人（法定代表人）本人或其书面委托的签署人签署报送",
    )
    selfreports.selfreport_submit(
        actor=user, report=report, password=payload.password, fingerprint_seen=payload.fingerprint
    )
    return sel.report_get(user, report_id)


class SelfReportReviewIn(InputSchema):
    comment: LongText = Field("", description="意见；退回时必填，说明需要修改的内容")


@router.post(
    "/hazard-self-reports/{report_id}/receive",
    response={200: SelfReportOut, **WRITE_ERRORS},
    summary="查收（签收）自查自报",
)
def self_report_receive(request: HttpRequest, report_id: Id, payload: SelfReportReviewIn) -> Any:
    """A regulator whose scope reaches the enterprise receives a submitted report (same service as the page)."""
    user = current_user(request)
    report = sel.report_get(user, report_id)
    selfreports.selfreport_receive(actor=user, report=report, comment=payload.comment)
    return sel.report_get(user, report_id)


@router.post(
    "/hazard-self-reports/{report_id}/return",
    response={200: SelfReportOut, **WRITE_ERRORS},
    summary="退回自查自报",
)
def self_report_return(request: HttpRequest, report_id: Id, payload: SelfReportReviewIn) -> Any:
    """A regulator returns a submitted report with a comment (required) saying what must change."""
    user = current_user(request)
    report = sel.report_get(user, report_id)
    selfreports.selfreport_return(actor=user, report=report, comment=payload.comment)
    return sel.report_get(user, report_id)
