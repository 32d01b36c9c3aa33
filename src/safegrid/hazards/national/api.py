"""National-format API (/api/v1/national/…): an enterprise's data out, a payload in, per target profile.

Export is read-only and scoped (another enterprise is a 404; a user of the enterprise who is not a manager,
or a regulator outside it, 403). Import checks the whole payload first: any problem is a 422 whose `fields`
name each one by path (`hazards[3].riskMeasureId` → "unknown parent id…"), and nothing is written. Retries are
safe with the API base's Idempotency-Key, and a re-import of the same payload updates nothing.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Body, Field, Query, Router, Schema

from safegrid.api.auth import current_user
from safegrid.api.permissions import require
from safegrid.api.schemas import READ_ERRORS, WRITE_ERRORS, Id, InputSchema
from safegrid.enterprises import selectors as ent_selectors

from .. import permissions
from . import export, importer
from .profiles import profile_get, profiles

router = Router(tags=["national"])


class ProfileOut(Schema):
    key: str
    name: str
    company_code: str = Field(description="uscc 统一社会信用代码 / hazchem 危险化学品登记编号")
    levels: str = Field(description="zero_major: 0 重大…3 低 / one_major: 1 重大…4 低")
    date_format: str
    source: str


class EnterpriseParam(InputSchema):
    enterprise: Id = Field(description="企业 id")


class SectionCounts(Schema):
    units: int
    events: int
    measures: int
    tasks: int
    records: int
    hazards: int
    shutdowns: int


class ImportOut(Schema):
    created: SectionCounts
    updated: SectionCounts
    unchanged: SectionCounts


@router.get("/profiles", response={200: list[ProfileOut], **READ_ERRORS}, summary="国家平台格式的上报目标")
def profile_list(request: HttpRequest) -> list[Any]:
    current_user(request)
    return list(profiles().values())


@router.get(
    "/{profile}/export", response={200: dict[str, Any], **READ_ERRORS}, summary="导出国家平台格式数据"
)
def national_export(request: HttpRequest, profile: str, params: Query[EnterpriseParam]) -> Any:
    """风险分析单元、风险事件、管控措施、排查任务、排查记录、隐患、停用检修记录，照片为 base64 JPEG（≤ 5 MB）。"""
    user = current_user(request)
    target = profile_get(profile)
    enterprise = ent_selectors.enterprise_get(user, params.enterprise)
    require(permissions.can_national_export(user, enterprise.pk), "只有本企业的管理人员和监管部门可以导出")
    return export.build(user, enterprise, target).payload


@router.post("/{profile}/import", response={200: ImportOut, **WRITE_ERRORS}, summary="导入国家平台格式数据")
def national_import(
    request: HttpRequest,
    profile: str,
    params: Query[EnterpriseParam],
    payload: Body[dict[str, Any]],
) -> Any:
    user = current_user(request)
    target = profile_get(profile)
    enterprise = ent_selectors.enterprise_get(user, params.enterprise)
    require(permissions.can_national_import(user, enterprise.pk), "只有本企业的管理员或安全管理员可以导入")
    return importer.national_import(
        actor=user, enterprise=enterprise, profile=target, payload=payload
    ).as_dict()
