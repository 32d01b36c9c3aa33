"""API for enterprises, their org units, people and certificates.

Reads go through `selectors` (out of scope = 404), writes through `services` (validated whole,
atomic, audited), and who may write is decided by `enterprises.permissions` (the same rules as the web pages) (403 on an object
the user can see but may not change). Objects named in a request body (a division, a grid, a
parent unit, a person) are looked up through the same selectors; one the user cannot see is
refused as a 422 naming the field, without saying whether it exists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from pydantic import field_validator

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
    Page,
    PageParams,
    PatchSchema,
)
from safegrid.core.models import User
from safegrid.regions import selectors as region_selectors

from . import permissions, rules, selectors, services
from .choices import CertificateKind, ChemicalPark, EnterpriseScale, EnterpriseStatus, OrgUnitKind
from .models import Certificate, Enterprise, OrgUnit, Person

router = Router(tags=["企业"])

STAFF_ONLY = services.STAFF_ONLY
MAX_EMPLOYEES = 10_000_000  # as the Excel import: more is a typo


# --- schemas -------------------------------------------------------------------------------------


def _clean_uscc(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    code = value.strip().upper()
    problem = rules.uscc_problem(code)
    if problem:
        raise ValueError(problem)
    return code


class EnterpriseOut(Schema):
    id: int
    name: str
    uscc: str = Field(description="统一社会信用代码")
    hazchem_code: str = Field(description="危险化学品登记编号（9 位，可为空）")
    sectors: list[str] = Field(description="行业领域代码")
    industry: str
    scale: EnterpriseScale
    employees: int
    address: str
    lat: float | None
    lon: float | None
    division: str = Field(validation_alias="division_id", description="所属区划代码")
    division_name: str
    grid: int | None = Field(validation_alias="grid_id", description="所属网格 id")
    grid_name: str | None
    status: EnterpriseStatus
    chemical_park: ChemicalPark
    legal_rep: str
    legal_rep_phone: str
    principal: str
    principal_phone: str
    safety_manager: str
    safety_manager_phone: str
    created_at: dt.datetime
    updated_at: dt.datetime

    @staticmethod
    def resolve_sectors(obj: Enterprise) -> list[str]:
        return [s.code for s in obj.sectors.all()]

    @staticmethod
    def resolve_division_name(obj: Enterprise) -> str:
        return obj.division.name

    @staticmethod
    def resolve_grid_name(obj: Enterprise) -> str | None:
        return obj.grid.name if obj.grid_id and obj.grid else None


def _max(model: Any, name: str) -> int:
    """A text field's length limit, read from the model: one rule per field through every door."""
    return int(model._meta.get_field(name).max_length)


NAME = _max(Enterprise, "name")
CONTACT = _max(Enterprise, "legal_rep")
PHONE = _max(Enterprise, "legal_rep_phone")


class EnterpriseIn(InputSchema):
    name: str = Field(min_length=1, max_length=NAME)
    uscc: str = Field(description="统一社会信用代码（18 位，GB 32100-2015）")
    hazchem_code: str = Field("", max_length=9, description="危险化学品登记编号（9 位数字，可为空）")
    sectors: list[str] = Field(min_length=1, description="行业领域代码")
    division: str = Field(description="所属区划代码（镇/街道或村/社区，不能是县）")
    grid: Id | None = Field(None, description="所属网格 id")
    industry: str = Field("", max_length=_max(Enterprise, "industry"))
    scale: EnterpriseScale = EnterpriseScale.SMALL
    employees: int = Field(0, ge=0, le=MAX_EMPLOYEES)
    address: str = Field("", max_length=_max(Enterprise, "address"))
    lat: Latitude | None = None
    lon: Longitude | None = None
    status: EnterpriseStatus = EnterpriseStatus.OPERATING
    chemical_park: ChemicalPark = ChemicalPark.NONE
    legal_rep: str = Field(min_length=1, max_length=CONTACT)
    legal_rep_phone: str = Field("", max_length=PHONE)
    principal: str = Field("", max_length=CONTACT)
    principal_phone: str = Field("", max_length=PHONE)
    safety_manager: str = Field("", max_length=CONTACT)
    safety_manager_phone: str = Field("", max_length=PHONE)

    _uscc = field_validator("uscc", mode="before")(_clean_uscc)


class EnterprisePatch(PatchSchema):
    """Only the fields sent change; null clears `grid` and the coordinates and is refused elsewhere."""

    nullable = frozenset({"grid", "lat", "lon"})

    name: str | None = Field(None, min_length=1, max_length=NAME)
    uscc: str | None = None
    hazchem_code: str | None = Field(None, max_length=9)
    sectors: list[str] | None = Field(None, min_length=1)
    division: str | None = None
    grid: Id | None = None
    industry: str | None = Field(None, max_length=_max(Enterprise, "industry"))
    scale: EnterpriseScale | None = None
    employees: int | None = Field(None, ge=0, le=MAX_EMPLOYEES)
    address: str | None = Field(None, max_length=_max(Enterprise, "address"))
    lat: Latitude | None = None
    lon: Longitude | None = None
    status: EnterpriseStatus | None = None
    chemical_park: ChemicalPark | None = None
    legal_rep: str | None = Field(None, min_length=1, max_length=CONTACT)
    legal_rep_phone: str | None = Field(None, max_length=PHONE)
    principal: str | None = Field(None, max_length=CONTACT)
    principal_phone: str | None = Field(None, max_length=PHONE)
    safety_manager: str | None = Field(None, max_length=CONTACT)
    safety_manager_phone: str | None = Field(None, max_length=PHONE)

    _uscc = field_validator("uscc", mode="before")(_clean_uscc)


class EnterpriseFilters(PageParams):
    division: str | None = Field(None, max_length=12, description="区划代码（含下级区划）")
    sector: str | None = Field(None, max_length=32, description="行业领域代码")
    status: EnterpriseStatus | None = None
    q: str | None = Field(None, max_length=64, description="按名称或统一社会信用代码搜索")


class OrgUnitOut(Schema):
    id: int
    enterprise: int = Field(validation_alias="enterprise_id")
    parent: int | None = Field(validation_alias="parent_id")
    kind: OrgUnitKind
    name: str
    path: str = Field(description="物化路径（各级 id，父级在前）")
    is_key_post: bool
    required_certificate: str


class OrgUnitIn(InputSchema):
    parent: Id = Field(description="上级单元 id")
    kind: OrgUnitKind
    name: str = Field(min_length=1, max_length=_max(OrgUnit, "name"))
    is_key_post: bool = False
    required_certificate: CertificateKind | None = None


class PersonOut(Schema):
    id: int
    enterprise: int = Field(validation_alias="enterprise_id")
    enterprise_name: str
    org_unit: int | None = Field(validation_alias="org_unit_id")
    org_unit_name: str | None
    name: str
    job_title: str
    phone: str
    active: bool

    @staticmethod
    def resolve_enterprise_name(obj: Any) -> str:
        return str(obj.enterprise.name)

    @staticmethod
    def resolve_org_unit_name(obj: Any) -> str | None:
        return obj.org_unit.name if obj.org_unit_id else None


class PersonIn(InputSchema):
    enterprise: Id
    org_unit: Id | None = None
    name: str = Field(min_length=1, max_length=_max(Person, "name"))
    job_title: str = Field("", max_length=_max(Person, "job_title"))
    phone: str = Field("", max_length=_max(Person, "phone"))
    active: bool = True


class PersonPatch(PatchSchema):
    nullable = frozenset({"org_unit"})

    org_unit: Id | None = None
    name: str | None = Field(None, min_length=1, max_length=_max(Person, "name"))
    job_title: str | None = Field(None, max_length=_max(Person, "job_title"))
    phone: str | None = Field(None, max_length=_max(Person, "phone"))
    active: bool | None = None


class PersonFilters(PageParams):
    enterprise: Id | None = None
    org_unit: Id | None = Field(None, description="组织单元 id（含下级单元）")
    active: bool | None = None
    q: str | None = Field(None, max_length=_max(Person, "name"), description="按姓名搜索")


class CertificateOut(Schema):
    id: int
    enterprise: int = Field(validation_alias="enterprise_id")
    enterprise_name: str
    person: int | None = Field(validation_alias="person_id")
    person_name: str | None
    kind: CertificateKind
    number: str
    issuer: str
    issued_on: dt.date | None
    expires_on: dt.date | None
    expiry_status: rules.ExpiryStatus = Field(description="valid / expiring / expired / no_expiry")

    @staticmethod
    def resolve_enterprise_name(obj: Any) -> str:
        return str(obj.enterprise.name)

    @staticmethod
    def resolve_person_name(obj: Any) -> str | None:
        return obj.person.name if obj.person_id else None

    @staticmethod
    def resolve_expiry_status(obj: Any) -> rules.ExpiryStatus:
        return rules.expiry_status(
            obj.expires_on, timezone.localdate(), settings.SAFEGRID_EXPIRY_WARNING_DAYS
        )


class CertificateIn(InputSchema):
    enterprise: Id
    person: Id | None = Field(None, description="持证人 id（企业证照留空）")
    kind: CertificateKind
    number: str = Field(min_length=1, max_length=_max(Certificate, "number"))
    issuer: str = Field("", max_length=_max(Certificate, "issuer"))
    issued_on: dt.date | None = None
    expires_on: dt.date | None = None


class CertificatePatch(PatchSchema):
    nullable = frozenset({"person", "issued_on", "expires_on"})

    person: Id | None = None
    kind: CertificateKind | None = None
    number: str | None = Field(None, min_length=1, max_length=_max(Certificate, "number"))
    issuer: str | None = Field(None, max_length=_max(Certificate, "issuer"))
    issued_on: dt.date | None = None
    expires_on: dt.date | None = None


class CertificateFilters(PageParams):
    enterprise: Id | None = None
    person: Id | None = None
    kind: CertificateKind | None = None
    expiring: bool = Field(False, description="只列已过期或即将过期（预警期内）的证照")


# --- helpers -------------------------------------------------------------------------------------


class _References(References):
    """Body references (`safegrid.api.references`), plus sector codes."""

    def sectors(self, codes: list[str]) -> list[Any]:
        wanted = list(dict.fromkeys(codes))
        found = {s.code: s for s in region_selectors.sector_list(self.user).filter(code__in=wanted)}
        missing = [c for c in wanted if c not in found]
        if missing:
            self.errors.setdefault("sectors", []).append(f"未知的行业领域代码：{'、'.join(missing)}")
        return [found[c] for c in wanted if c in found]


def _enterprise_data(user: User, payload: Mapping[str, Any]) -> tuple[dict[str, Any], list[Any] | None]:
    """Model field values and sectors for an enterprise from (partial) validated input."""
    refs = _References(user)
    data = dict(payload)
    sectors = refs.sectors(data.pop("sectors")) if "sectors" in data else None
    if "division" in data:
        data["division"] = refs.get("division", region_selectors.division_get, data["division"])
        if data["division"] is None and "division" not in refs.errors:
            refs.errors["division"] = ["此字段不能为空"]
    if "grid" in data:
        data["grid"] = refs.get("grid", region_selectors.grid_get, data["grid"])
    refs.raise_if_any()
    return data, sectors


def _staff_enterprise(user: User, enterprise_id: int) -> Enterprise:
    """The enterprise a new person/certificate goes under: visible (else 422) and manageable (else 403)."""
    refs = _References(user)
    enterprise = refs.get("enterprise", selectors.enterprise_get, enterprise_id)
    refs.raise_if_any()
    _require_staff(user, enterprise)
    return enterprise


def _require_staff(user: User, enterprise: Enterprise) -> None:
    require(permissions.can_manage_staff(user, enterprise.pk), STAFF_ONLY)


def _resolve_reference(user: User, data: dict[str, Any], field: str, getter: Any) -> None:
    """Swap a body id for the scoped object (422 naming the field when the user cannot see it).

    Whether it belongs to the same enterprise is the model's rule (Person/Certificate.clean), checked
    by the service like on the web form.
    """
    if field in data:
        refs = _References(user)
        data[field] = refs.get(field, getter, data[field])
        refs.raise_if_any()


def _present(payload: Schema) -> dict[str, Any]:
    return payload.dict(exclude_unset=True)


# --- enterprises ---------------------------------------------------------------------------------


@router.get("/enterprises", response={200: Page[EnterpriseOut], **READ_ERRORS}, summary="企业列表")
def enterprise_list(request: HttpRequest, filters: Query[EnterpriseFilters]) -> Any:
    qs = selectors.enterprise_list(current_user(request)).prefetch_related("sectors")
    if filters.division:
        qs = qs.filter(division__code__startswith=filters.division)
    if filters.sector:
        qs = qs.filter(sectors__code=filters.sector)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.q:
        term = filters.q.strip()
        qs = qs.filter(Q(name__icontains=term) | Q(uscc__icontains=term.upper()))
    return paginate(qs.order_by("name", "id"), filters)


@router.post("/enterprises", response={201: EnterpriseOut, **WRITE_ERRORS}, summary="新建企业")
def enterprise_create(request: HttpRequest, payload: EnterpriseIn) -> Any:
    user = current_user(request)
    require(permissions.can_create_enterprise(user), "只有县级管理员可以新建企业")
    data, sectors = _enterprise_data(user, payload.dict())
    enterprise = services.enterprise_create(actor=user, data=data, sectors=sectors or [])
    return Status(201, selectors.enterprise_get(user, enterprise.pk))


@router.get("/enterprises/{enterprise_id}", response={200: EnterpriseOut, **READ_ERRORS}, summary="企业详情")
def enterprise_detail(request: HttpRequest, enterprise_id: int) -> Any:
    return selectors.enterprise_get(current_user(request), enterprise_id)


@router.patch(
    "/enterprises/{enterprise_id}", response={200: EnterpriseOut, **WRITE_ERRORS}, summary="修改企业"
)
def enterprise_update(request: HttpRequest, enterprise_id: int, payload: EnterprisePatch) -> Any:
    user = current_user(request)
    enterprise = selectors.enterprise_get(user, enterprise_id)
    changes = _present(payload)
    require(permissions.can_change_enterprise(user, enterprise, changes), "无权修改该企业的这些信息")
    data, sectors = _enterprise_data(user, changes)
    services.enterprise_update(actor=user, enterprise=enterprise, data=data, sectors=sectors)
    return selectors.enterprise_get(user, enterprise.pk)


@router.delete("/enterprises/{enterprise_id}", response={204: None, **WRITE_ERRORS}, summary="删除企业")
def enterprise_delete(request: HttpRequest, enterprise_id: int) -> Any:
    user = current_user(request)
    enterprise = selectors.enterprise_get(user, enterprise_id)
    require(permissions.can_delete_enterprise(user), "只有县级管理员可以删除企业")
    services.enterprise_delete(actor=user, enterprise=enterprise)
    return Status(204, None)


# --- org units -----------------------------------------------------------------------------------


@router.get(
    "/enterprises/{enterprise_id}/org-units",
    response={200: list[OrgUnitOut], **READ_ERRORS},
    summary="企业组织单元（公司/车间/班组/岗位）",
)
def org_unit_list(request: HttpRequest, enterprise_id: int) -> Any:
    user = current_user(request)
    enterprise = selectors.enterprise_get(user, enterprise_id)
    return selectors.org_unit_list(user).filter(enterprise=enterprise).order_by("path")


@router.post(
    "/enterprises/{enterprise_id}/org-units",
    response={201: OrgUnitOut, **WRITE_ERRORS},
    summary="在上级单元下新建组织单元",
)
def org_unit_create(request: HttpRequest, enterprise_id: int, payload: OrgUnitIn) -> Any:
    user = current_user(request)
    enterprise = selectors.enterprise_get(user, enterprise_id)
    _require_staff(user, enterprise)
    refs = _References(user)
    parent = refs.get("parent", selectors.org_unit_get, payload.parent)
    refs.raise_if_any()
    data = {
        "kind": payload.kind,
        "name": payload.name,
        "is_key_post": payload.is_key_post,
        "required_certificate": payload.required_certificate or "",
    }
    unit = services.org_unit_create(actor=user, enterprise=enterprise, parent=parent, data=data)
    return Status(201, unit)


# --- people --------------------------------------------------------------------------------------


@router.get("/people", response={200: Page[PersonOut], **READ_ERRORS}, summary="人员列表")
def person_list(request: HttpRequest, filters: Query[PersonFilters]) -> Any:
    user = current_user(request)
    qs = selectors.person_list(user)
    if filters.enterprise is not None:
        qs = qs.filter(enterprise_id=filters.enterprise)
    if filters.org_unit is not None:
        unit = (
            selectors.org_unit_list(user).filter(pk=filters.org_unit).values_list("path", flat=True).first()
        )
        qs = qs.filter(org_unit__path__startswith=unit) if unit else qs.none()
    if filters.active is not None:
        qs = qs.filter(active=filters.active)
    if filters.q:
        qs = qs.filter(name__icontains=filters.q.strip())
    return paginate(qs.order_by("enterprise_id", "name", "id"), filters)


@router.post("/people", response={201: PersonOut, **WRITE_ERRORS}, summary="新建人员")
def person_create(request: HttpRequest, payload: PersonIn) -> Any:
    user = current_user(request)
    enterprise = _staff_enterprise(user, payload.enterprise)
    data = payload.dict(exclude={"enterprise"})
    _resolve_reference(user, data, "org_unit", selectors.org_unit_get)
    person = services.person_create(actor=user, enterprise=enterprise, data=data)
    return Status(201, selectors.person_get(user, person.pk))


@router.get("/people/{person_id}", response={200: PersonOut, **READ_ERRORS}, summary="人员详情")
def person_detail(request: HttpRequest, person_id: int) -> Any:
    return selectors.person_get(current_user(request), person_id)


@router.patch("/people/{person_id}", response={200: PersonOut, **WRITE_ERRORS}, summary="修改人员")
def person_update(request: HttpRequest, person_id: int, payload: PersonPatch) -> Any:
    user = current_user(request)
    person = selectors.person_get(user, person_id)
    _require_staff(user, person.enterprise)
    data = _present(payload)
    _resolve_reference(user, data, "org_unit", selectors.org_unit_get)
    services.person_update(actor=user, person=person, data=data)
    return selectors.person_get(user, person.pk)


@router.delete("/people/{person_id}", response={204: None, **WRITE_ERRORS}, summary="删除人员")
def person_delete(request: HttpRequest, person_id: int) -> Any:
    user = current_user(request)
    person = selectors.person_get(user, person_id)
    _require_staff(user, person.enterprise)
    services.person_delete(actor=user, person=person)
    return Status(204, None)


# --- certificates --------------------------------------------------------------------------------


@router.get("/certificates", response={200: Page[CertificateOut], **READ_ERRORS}, summary="证照列表")
def certificate_list(request: HttpRequest, filters: Query[CertificateFilters]) -> Any:
    user = current_user(request)
    if filters.expiring:
        qs = selectors.certificates_attention(user)
    else:
        qs = selectors.certificate_list(user).order_by("expires_on", "id")
    if filters.enterprise is not None:
        qs = qs.filter(enterprise_id=filters.enterprise)
    if filters.person is not None:
        qs = qs.filter(person_id=filters.person)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return paginate(qs, filters)


@router.post("/certificates", response={201: CertificateOut, **WRITE_ERRORS}, summary="新建证照")
def certificate_create(request: HttpRequest, payload: CertificateIn) -> Any:
    user = current_user(request)
    enterprise = _staff_enterprise(user, payload.enterprise)
    data = payload.dict(exclude={"enterprise"})
    _resolve_reference(user, data, "person", selectors.person_get)
    certificate = services.certificate_create(actor=user, enterprise=enterprise, data=data)
    return Status(201, selectors.certificate_get(user, certificate.pk))


@router.get(
    "/certificates/{certificate_id}", response={200: CertificateOut, **READ_ERRORS}, summary="证照详情"
)
def certificate_detail(request: HttpRequest, certificate_id: int) -> Any:
    return selectors.certificate_get(current_user(request), certificate_id)


@router.patch(
    "/certificates/{certificate_id}", response={200: CertificateOut, **WRITE_ERRORS}, summary="修改证照"
)
def certificate_update(request: HttpRequest, certificate_id: int, payload: CertificatePatch) -> Any:
    user = current_user(request)
    certificate = selectors.certificate_get(user, certificate_id)
    _require_staff(user, certificate.enterprise)
    data = _present(payload)
    _resolve_reference(user, data, "person", selectors.person_get)
    services.certificate_update(actor=user, certificate=certificate, data=data)
    return selectors.certificate_get(user, certificate.pk)


@router.delete("/certificates/{certificate_id}", response={204: None, **WRITE_ERRORS}, summary="删除证照")
def certificate_delete(request: HttpRequest, certificate_id: int) -> Any:
    user = current_user(request)
    certificate = selectors.certificate_get(user, certificate_id)
    _require_staff(user, certificate.enterprise)
    services.certificate_delete(actor=user, certificate=certificate)
    return Status(204, None)
