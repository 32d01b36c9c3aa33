"""Writes of monitoring points: create (with the first limits), edit the description, reactivate (taking a
point out of use is an approved deactivation: services/deactivations.py).

A point's limits are set once when it is created — the enterprise's process control limits with their
version and source, or for a gas detector given none the REFERENCE §6 defaults (`limits_source` says so) —
and from then on change only through an approved limit change (services/limits.py): `point_update` refuses
them. Who writes: the enterprise's administrators and safety managers, and the county admin. Codes are
unique in the enterprise; every refusal names its field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext

from safegrid.core.audit import Actor
from safegrid.core.services import authorize, object_create, object_update, writing_protected
from safegrid.enterprises.models import Enterprise
from safegrid.majorhazards.models import HazardUnit
from safegrid.risks.models import RiskPoint

from ..models import MonitoringPoint
from ..models.points import LIMIT_FIELDS
from ..rules.points import DEFAULT_UNIT, GAS_KINDS, Limits, PointKind, default_limits, limit_errors
from ..workflows_points import can_edit_points

POINT_FIELDS = (
    "code",
    "name",
    "kind",
    "unit",
    "risk_point",
    "measure_unit",
    "location",
    "oel_ppm",
    "expected_interval_s",
    "offline_timeout_s",
)
CREATE_LIMIT_FIELDS = ("ll", "l", "h", "hh", "rate_limit", "deadband", "limits_version", "limits_source")
DEFAULT_VERSION = "默认"
DEFAULT_SOURCE = "GB/T 50493-2019 默认报警值（企业未提供限值）"
DENIED = "只有本企业的管理员、安全管理员或县级管理员可以维护监测点位"


def _only(data: Mapping[str, Any], allowed: Sequence[str], *, limits_message: str = "") -> dict[str, Any]:
    errors: dict[str, str] = {}
    for name in sorted(set(data) - set(allowed)):
        if name in LIMIT_FIELDS and limits_message:
            errors[name] = limits_message
        else:
            errors[name] = gettext("不能修改此字段")
    if errors:
        raise ValidationError(errors)
    return dict(data)


def _refuse(actor: Actor, enterprise_id: int) -> None:
    authorize(actor, lambda user: can_edit_points(user, enterprise_id), gettext(DENIED))


def _check(enterprise_id: int, values: Mapping[str, Any], *, exclude_pk: int | None = None) -> None:
    errors: dict[str, str] = {}
    code = str(values.get("code") or "").strip()
    if code:
        taken = MonitoringPoint.objects.filter(enterprise_id=enterprise_id, code=code)
        if exclude_pk is not None:
            taken = taken.exclude(pk=exclude_pk)
        if taken.exists():
            errors["code"] = gettext("本企业已有编码为“%(code)s”的监测点位") % {"code": code}
    unit = values.get("unit")
    if unit is not None and (not isinstance(unit, HazardUnit) or unit.enterprise_id != enterprise_id):
        errors["unit"] = gettext("重大危险源单元须属于本企业")
    risk_point = values.get("risk_point")
    if risk_point is not None and (
        not isinstance(risk_point, RiskPoint) or risk_point.enterprise_id != enterprise_id
    ):
        errors["risk_point"] = gettext("风险分析单元须属于本企业")
    if errors:
        raise ValidationError(errors)


def limits_for_new(kind: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """The first limits of a new point: those given (version and source required with them), else the gas
    detector defaults. Raises ValidationError naming the field."""
    given = Limits(ll=values.get("ll"), l=values.get("l"), h=values.get("h"), hh=values.get("hh"))
    out = {name: values.get(name) for name in CREATE_LIMIT_FIELDS}
    out["deadband"] = values.get("deadband") or 0.0
    out["limits_version"] = str(values.get("limits_version") or "").strip()
    out["limits_source"] = str(values.get("limits_source") or "").strip()
    if given == Limits() and PointKind(kind) in GAS_KINDS:
        defaults = default_limits(PointKind(kind), oel_ppm=values.get("oel_ppm"))
        if defaults != Limits():
            out.update(ll=defaults.ll, l=defaults.l, h=defaults.h, hh=defaults.hh)
            out["limits_version"] = out["limits_version"] or DEFAULT_VERSION
            out["limits_source"] = out["limits_source"] or DEFAULT_SOURCE
            return out
    errors: dict[str, str] = {name: gettext(message) for name, message in limit_errors(given)}
    if given != Limits():
        if not out["limits_version"]:
            errors["limits_version"] = gettext("填写限值时须注明限值版本")
        if not out["limits_source"]:
            errors["limits_source"] = gettext("填写限值时须注明限值来源（如工艺控制指标文件名称）")
    if errors:
        raise ValidationError(errors)
    return out


def point_create(*, actor: Actor, enterprise: Enterprise, data: Mapping[str, Any]) -> MonitoringPoint:
    """A new point of the enterprise with its first limits (or the gas-detector defaults), audited."""
    _refuse(actor, enterprise.pk)
    values = _only(data, (*POINT_FIELDS, *CREATE_LIMIT_FIELDS))
    kind = str(values.get("kind") or "")
    if kind not in {k.value for k in PointKind}:
        raise ValidationError({"kind": gettext("请选择监测类型")})
    _check(enterprise.pk, values)
    limits = limits_for_new(kind, values)
    point_values = {name: values[name] for name in POINT_FIELDS if name in values}
    point_values["code"] = str(point_values.get("code") or "").strip()
    if not point_values.get("measure_unit"):
        point_values["measure_unit"] = DEFAULT_UNIT[PointKind(kind)]
    with transaction.atomic(), writing_protected(*LIMIT_FIELDS):
        return object_create(
            actor=actor, model=MonitoringPoint, data={**point_values, **limits, "enterprise": enterprise}
        )


def point_update(*, actor: Actor, point: MonitoringPoint, data: Mapping[str, Any]) -> MonitoringPoint:
    """Change a point's description (code, name, place, unit, intervals…); its limits only by a limit change."""
    _refuse(actor, point.enterprise_id)
    values = _only(data, POINT_FIELDS, limits_message=gettext("限值只能通过限值变更申请并经审批后修改"))
    if "code" in values:
        values["code"] = str(values["code"] or "").strip()
    _check(point.enterprise_id, values, exclude_pk=point.pk)
    if "kind" in values and values["kind"] != point.kind and point.limit_changes.exists():
        raise ValidationError({"kind": gettext("已有限值变更记录的点位不能修改监测类型")})
    return object_update(actor=actor, obj=point, data=values)


def write_active(*, actor: Actor, point: MonitoringPoint, active: bool) -> MonitoringPoint:
    """The only writer of `active` (a workflow field: the generic edit refuses it), an audited update; for
    this module and an approved deactivation (services/deactivations.py)."""
    with writing_protected("active"):
        return object_update(actor=actor, obj=point, data={"active": active})


def point_set_active(*, actor: Actor, point: MonitoringPoint, active: bool) -> MonitoringPoint:
    """Bring a point back into use (启用, audited). Taking it out of use (停用: no alarms, not on the wall)
    masks it, so it is refused here: it is a request another person approves (services/deactivations.py)."""
    _refuse(actor, point.enterprise_id)
    if not active:
        raise ValidationError({"active": gettext("停用点位须提出停用申请，经本企业另一名负责人批准后生效")})
    return write_active(actor=actor, point=point, active=True)
