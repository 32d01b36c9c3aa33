"""Every write to enterprises, org units, people and certificates."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat, LPad

from safegrid.core import audit_bulk
from safegrid.core.audit import Actor
from safegrid.core.bulk import BATCH_SIZE, BulkRefused, create_many, insert_many
from safegrid.core.insert import insert_rows
from safegrid.core.services import authorize, object_create, object_delete, object_update
from safegrid.regions.models import Sector

from . import permissions
from .choices import ORG_UNIT_CHILD_KIND, OrgUnitKind
from .models import Certificate, Enterprise, EnterpriseSector, OrgUnit, Person

STAFF_ONLY = "只有本企业的管理员、安全管理员或县级管理员可以修改"


def _may_manage_staff(actor: Actor, enterprise_id: int) -> None:
    authorize(actor, lambda user: permissions.can_manage_staff(user, enterprise_id), STAFF_ONLY)


def _sectors(sectors: Iterable[Sector | int]) -> list[Sector | int]:
    values = list(sectors)
    if not values:
        raise ValidationError({"sectors": "至少选择一个行业领域"})
    return values


def enterprise_create(
    *, actor: Actor, data: Mapping[str, Any], sectors: Iterable[Sector | int], with_company_unit: bool = True
) -> Enterprise:
    """Create an enterprise and (by default) the root org unit for its company."""
    authorize(actor, permissions.can_create_enterprise, "只有县级管理员可以新建企业")
    sector_list = _sectors(sectors)
    with transaction.atomic():
        enterprise = object_create(actor=actor, model=Enterprise, data=data, m2m={"sectors": sector_list})
        if with_company_unit:
            org_unit_create(
                actor=actor,
                enterprise=enterprise,
                parent=None,
                data={"kind": OrgUnitKind.COMPANY, "name": enterprise.name},
            )
    return enterprise


def enterprise_update(
    *,
    actor: Actor,
    enterprise: Enterprise,
    data: Mapping[str, Any],
    sectors: Iterable[Sector | int] | None = None,
) -> Enterprise:
    fields = [*data, *(["sectors"] if sectors is not None else [])]
    authorize(
        actor,
        lambda user: permissions.can_change_enterprise(user, enterprise, fields),
        "无权修改该企业的这些信息",
    )
    m2m = {"sectors": _sectors(sectors)} if sectors is not None else None
    return object_update(actor=actor, obj=enterprise, data=data, m2m=m2m)


def enterprise_delete(*, actor: Actor, enterprise: Enterprise) -> None:
    authorize(actor, permissions.can_delete_enterprise, "只有县级管理员可以删除企业")
    object_delete(actor=actor, obj=enterprise)


def _check_parent(enterprise: Enterprise, parent: OrgUnit | None, kind: str) -> None:
    if parent is None:
        if kind != OrgUnitKind.COMPANY:
            raise ValidationError({"parent": "只有“公司”层级可以没有上级"})
        if OrgUnit.objects.filter(enterprise=enterprise, parent__isnull=True).exists():
            raise ValidationError({"parent": "该企业已有公司层级，请选择上级单元"})
        return
    if parent.enterprise_id != enterprise.pk:
        raise ValidationError({"parent": "上级单元不属于该企业"})
    expected = ORG_UNIT_CHILD_KIND.get(OrgUnitKind(parent.kind))
    if expected is None:
        raise ValidationError({"parent": "岗位下不能再设下级单元"})
    if kind != expected:
        raise ValidationError(
            {"kind": f"“{parent.get_kind_display()}”的下级应为“{OrgUnitKind(expected).label}”"}
        )


def org_unit_create(
    *, actor: Actor, enterprise: Enterprise, parent: OrgUnit | None, data: Mapping[str, Any]
) -> OrgUnit:
    _may_manage_staff(actor, enterprise.pk)
    kind = str(data.get("kind", ""))
    _check_parent(enterprise, parent, kind)
    with transaction.atomic():
        unit = OrgUnit(enterprise=enterprise, parent=parent, **data)
        # The path needs the primary key: save with a placeholder, then set it before auditing.
        unit.path = "~"
        unit.full_clean(exclude=["path"])
        unit.save(force_insert=True)
        unit.path = f"{parent.path if parent else ''}{unit.pk:08d}/"
        unit.save(update_fields=["path"])
        from safegrid.core import audit
        from safegrid.core.choices import AuditAction

        audit.record(actor=actor, action=AuditAction.CREATE, obj=unit, after=audit.snapshot(unit))
    return unit


def org_unit_update(*, actor: Actor, unit: OrgUnit, data: Mapping[str, Any]) -> OrgUnit:
    _may_manage_staff(actor, unit.enterprise_id)
    if "parent" in data or "kind" in data or "enterprise" in data:
        raise ValidationError({"parent": "组织单元的上级和类型创建后不能修改；请新建单元并迁移人员"})
    return object_update(actor=actor, obj=unit, data=data)


def org_unit_delete(*, actor: Actor, unit: OrgUnit) -> None:
    _may_manage_staff(actor, unit.enterprise_id)
    if unit.children.exists():
        raise ValidationError("该单元下仍有下级单元，不能删除")
    object_delete(actor=actor, obj=unit)


def person_create(*, actor: Actor, enterprise: Enterprise, data: Mapping[str, Any]) -> Person:
    _may_manage_staff(actor, enterprise.pk)
    return object_create(actor=actor, model=Person, data={**data, "enterprise": enterprise})


def person_update(*, actor: Actor, person: Person, data: Mapping[str, Any]) -> Person:
    _may_manage_staff(actor, person.enterprise_id)
    if "enterprise" in data:
        raise ValidationError({"enterprise": "人员所属企业不能修改"})
    return object_update(actor=actor, obj=person, data=data)


def person_delete(*, actor: Actor, person: Person) -> None:
    _may_manage_staff(actor, person.enterprise_id)
    object_delete(actor=actor, obj=person)


def certificate_create(*, actor: Actor, enterprise: Enterprise, data: Mapping[str, Any]) -> Certificate:
    _may_manage_staff(actor, enterprise.pk)
    return object_create(actor=actor, model=Certificate, data={**data, "enterprise": enterprise})


def certificate_update(*, actor: Actor, certificate: Certificate, data: Mapping[str, Any]) -> Certificate:
    _may_manage_staff(actor, certificate.enterprise_id)
    if "enterprise" in data:
        raise ValidationError({"enterprise": "证照所属企业不能修改"})
    return object_update(actor=actor, obj=certificate, data=data)


def certificate_delete(*, actor: Actor, certificate: Certificate) -> None:
    _may_manage_staff(actor, certificate.enterprise_id)
    object_delete(actor=actor, obj=certificate)


# ---------------------------------------------------------------------------------------------
# Bulk creation for imports: validated in memory, inserted in batches, one audit entry per object.
# The caller (enterprises.importing) has checked references, scope and uniqueness up front.


def _owner(obj: models.Model) -> tuple[int | None, str]:
    if isinstance(obj, Enterprise):
        return obj.pk, obj.division_id
    enterprise = obj.enterprise  # type: ignore[attr-defined]  # OrgUnit, Person, Certificate: set in memory
    return enterprise.pk, enterprise.division_id


def enterprise_create_many(
    *, actor: Actor, rows: Sequence[tuple[Mapping[str, Any], Sequence[Sector]]]
) -> list[Enterprise]:
    """Create enterprises with their sectors and company org unit; BulkRefused names the row index."""
    divisions = {str(getattr(data["division"], "pk", data["division"])) for data, _sectors in rows}
    authorize(
        actor,
        lambda user: all(map(permissions.reach_for(user).covers_division, divisions)),
        "只能导入本人辖区内的企业",
    )
    for index, (_data, sectors) in enumerate(rows):
        if not sectors:
            raise BulkRefused(index, ValidationError({"sectors": "至少选择一个行业领域"}), Enterprise)
    with transaction.atomic():
        enterprises = insert_many([Enterprise(**data) for data, _sectors in rows])
        sector_ids = {
            e.pk: [s.pk for s in sectors] for e, (_d, sectors) in zip(enterprises, rows, strict=True)
        }
        insert_rows(
            [EnterpriseSector(enterprise=e, sector_id=s) for e in enterprises for s in sector_ids[e.pk]],
            batch_size=BATCH_SIZE,
        )
        units = insert_many(
            [
                OrgUnit(enterprise=e, parent=None, kind=OrgUnitKind.COMPANY, name=e.name, path="~")
                for e in enterprises
            ],
            exclude=["path"],
        )
        # A company unit's path is its own zero-padded id: set in one UPDATE per batch.
        for unit in units:
            unit.path = f"{unit.pk:08d}/"
        for start in range(0, len(units), BATCH_SIZE):
            OrgUnit.objects.filter(pk__in=[u.pk for u in units[start : start + BATCH_SIZE]]).update(
                path=Concat(LPad(Cast("id", CharField()), 8, Value("0")), Value("/"))
            )
        audit_bulk.record_created(
            actor=actor,
            objects=enterprises,
            owner=_owner,
            snapshots=[audit_bulk.concrete_snapshot(e, sectors=sector_ids[e.pk]) for e in enterprises],
        )
        audit_bulk.record_created(actor=actor, objects=units, owner=_owner)
    return enterprises


def person_create_many(
    *, actor: Actor, rows: Sequence[tuple[Enterprise, Mapping[str, Any], Mapping[str, Any] | None]]
) -> list[Person]:
    """Create people, each with an optional certificate; BulkRefused names the row index."""
    enterprises = {e.pk: e for e, _data, _cert in rows}.values()
    authorize(
        actor,
        lambda user: all(map(permissions.reach_for(user).covers_enterprise, enterprises)),
        "只能导入本人辖区或本企业的人员",
    )
    kinds = {value: str(label) for value, label in Certificate._meta.get_field("kind").flatchoices}
    with transaction.atomic():
        people = create_many(
            actor=actor, objects=[Person(enterprise=e, **data) for e, data, _cert in rows], owner=_owner
        )
        held = [
            (index, person) for index, (person, row) in enumerate(zip(people, rows, strict=True)) if row[2]
        ]
        try:
            create_many(
                actor=actor,
                objects=[
                    Certificate(enterprise=p.enterprise, person=p, **(rows[i][2] or {})) for i, p in held
                ],
                owner=_owner,
                describe=lambda c: f"{kinds.get(c.kind, c.kind)} {c.number}",
            )
        except BulkRefused as exc:
            raise BulkRefused(held[exc.index][0], exc.error, Certificate) from None
    return people
