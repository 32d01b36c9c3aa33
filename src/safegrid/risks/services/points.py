"""Every write to risk points, hazard factors, assessments, measures and responsibility tiers.

Each function validates the whole change first, writes inside one transaction and leaves an audit
entry (through `core.services`). A risk point's level is derived data: only
`risk_point_recompute_level` writes it, and every change that can move it calls that function.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from safegrid.core import audit
from safegrid.core.audit import Actor
from safegrid.core.choices import AuditAction
from safegrid.core.models import User
from safegrid.core.services import authorize, object_create, object_delete, object_update, writing_protected
from safegrid.enterprises.models import Enterprise, OrgUnit, Person

from ..choices import AssessmentKind, ControlTier, IdentificationMethod
from ..models import (
    ControlMeasure,
    HazardFactor,
    ResponsibilityAssignment,
    RiskAssessment,
    RiskPoint,
    RiskSettings,
)
from ..models.siteplan import EnterpriseSitePlan
from ..permissions import can_configure_regional_risk, can_edit_register
from ..rules import assessment as rules
from ..rules import register_diff as diff_rules
from ..rules import tiers as tier_rules
from ..selectors import points as selectors

DERIVED_POINT_FIELDS = frozenset({"level", "level_method_version", "qr_token", "enterprise"})


def _may_edit(actor: Actor, enterprise_id: int) -> None:
    authorize(
        actor,
        lambda user: can_edit_register(user, enterprise_id),
        "只有本企业的管理员、安全管理员或县级管理员可以修改风险台账",
    )


def _refuse_fields(data: Mapping[str, Any], fields: frozenset[str], message: str) -> None:
    bad = sorted(fields & set(data))
    if bad:
        raise ValidationError({bad[0]: message})


# --- Settings -----------------------------------------------------------------------------------


def config_for_enterprise(enterprise: Enterprise) -> rules.RiskConfig:
    return selectors.config_for_division(enterprise.division_id)


def risk_settings_save(*, actor: Actor, county_code: str, data: Mapping[str, Any]) -> RiskSettings:
    """Create or change a county's grading configuration (one row per county)."""
    authorize(actor, can_configure_regional_risk, "只有县级管理员可以修改风险分级设置")
    existing = RiskSettings.objects.filter(county_id=county_code).first()
    if existing is None:
        return object_create(actor=actor, model=RiskSettings, data={**data, "county_id": county_code})
    return object_update(actor=actor, obj=existing, data=data)


# --- Risk points --------------------------------------------------------------------------------


def risk_point_create(*, actor: Actor, enterprise: Enterprise, data: Mapping[str, Any]) -> RiskPoint:
    _may_edit(actor, enterprise.pk)
    _refuse_fields(data, DERIVED_POINT_FIELDS, "该字段由系统维护，不能直接填写")
    if RiskPoint.objects.filter(enterprise=enterprise, code=data.get("code", "")).exists():
        raise ValidationError({"code": "该企业已有相同编号的风险点"})
    return object_create(actor=actor, model=RiskPoint, data={**data, "enterprise": enterprise})


def risk_point_update(*, actor: Actor, point: RiskPoint, data: Mapping[str, Any]) -> RiskPoint:
    _may_edit(actor, point.enterprise_id)
    _refuse_fields(data, DERIVED_POINT_FIELDS, "该字段由系统维护，不能直接修改")
    code = data.get("code")
    if (
        code is not None
        and RiskPoint.objects.filter(enterprise_id=point.enterprise_id, code=code)
        .exclude(pk=point.pk)
        .exists()
    ):
        raise ValidationError({"code": "该企业已有相同编号的风险点"})
    return object_update(actor=actor, obj=point, data=data)


def risk_point_plan_place(*, actor: Actor, point: RiskPoint, x: Any, y: Any) -> RiskPoint:
    """Place a point on its enterprise's site plan where the user clicked (fractions of width and height).

    The plan position is not part of the filed book (its snapshot holds lat/lon, not the plan), so this
    write does not count as a register change: a filed book does not become outdated because a dot moved
    on the picture. Saved with one UPDATE (no change signal) and audited here.
    """
    _may_edit(actor, point.enterprise_id)
    if not EnterpriseSitePlan.objects.filter(enterprise_id=point.enterprise_id).exists():
        raise ValidationError({"plan_x": "该企业尚未上传厂区平面图，请先上传再标注风险点位置"})
    position: dict[str, float] = {}
    for field, value in (("plan_x", x), ("plan_y", y)):
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ValidationError({field: "位置须为数字"}) from None
        if not 0 <= number <= 1:
            raise ValidationError({field: "位置须在平面图范围内（0–1）"})
        position[field] = round(number, 4)
    with transaction.atomic():
        locked = RiskPoint.objects.select_for_update().get(pk=point.pk)
        before = {"plan_x": locked.plan_x, "plan_y": locked.plan_y}
        RiskPoint.objects.filter(pk=locked.pk).update(**position)
        audit.record(actor=actor, action=AuditAction.UPDATE, obj=locked, before=before, after=position)
    point.plan_x, point.plan_y = position["plan_x"], position["plan_y"]
    return point


def risk_point_deactivate(*, actor: Actor, point: RiskPoint) -> RiskPoint:
    """Retire a risk point; its history (factors, assessments) stays for the record."""
    _may_edit(actor, point.enterprise_id)
    return object_update(actor=actor, obj=point, data={"active": False})


def risk_point_reactivate(*, actor: Actor, point: RiskPoint) -> RiskPoint:
    _may_edit(actor, point.enterprise_id)
    return object_update(actor=actor, obj=point, data={"active": True})


def _current(assessments: list[RiskAssessment], kind: str) -> RiskAssessment | None:
    of_kind = [a for a in assessments if a.kind == kind]
    return max(of_kind, key=lambda a: (a.assessed_at, a.pk)) if of_kind else None


def factor_current_assessment(factor: HazardFactor) -> RiskAssessment | None:
    """The assessment that sets the factor's level now: the current residual one, else the initial."""
    assessments = list(factor.assessments.all())
    residual = _current(assessments, AssessmentKind.RESIDUAL)
    return residual if residual is not None else _current(assessments, AssessmentKind.INITIAL)


def _deciding(factors: Iterable[HazardFactor]) -> dict[str, Any]:
    deciding: RiskAssessment | None = None
    for factor in factors:
        current = factor_current_assessment(factor)
        if current is None:
            continue
        if deciding is None or (current.level, -current.assessed_at.timestamp()) < (
            deciding.level,
            -deciding.assessed_at.timestamp(),
        ):
            deciding = current
    level = rules.point_level([deciding.level] if deciding else [])
    return {"level": level, "level_method_version": deciding.method_version if deciding else ""}


def risk_point_level_now(point_id: int) -> dict[str, Any]:
    """The level and method version the point's active factors give it now (level None if none):
    the most dangerous current assessment decides, the latest of equals."""
    return risk_point_levels_now([point_id])[point_id]


def risk_point_levels_now(point_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """`risk_point_level_now` for many points, in two queries."""
    by_point: dict[int, list[HazardFactor]] = {pk: [] for pk in point_ids}
    factors = HazardFactor.objects.filter(risk_point_id__in=list(point_ids), active=True)
    for factor in factors.order_by("risk_point_id", "step_no", "id").prefetch_related("assessments"):
        by_point[factor.risk_point_id].append(factor)
    return {pk: _deciding(found) for pk, found in by_point.items()}


def risk_point_recompute_level(*, actor: Actor, point: RiskPoint) -> RiskPoint:
    """Set the point's level to the most dangerous current level of its active factors (None if none)."""
    with transaction.atomic():
        derived = risk_point_level_now(point.pk)
        if point.level == derived["level"] and point.level_method_version == derived["level_method_version"]:
            return point
        with writing_protected("level", "level_method_version"):
            return object_update(actor=actor, obj=point, data=derived)


# --- Hazard factors -----------------------------------------------------------------------------


def _check_jha(point: RiskPoint, method: str, step_no: Any, exclude_pk: int | None = None) -> None:
    if method != IdentificationMethod.JHA:
        return
    others = HazardFactor.objects.filter(risk_point=point, method=IdentificationMethod.JHA, active=True)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    steps = [s for s in others.values_list("step_no", flat=True) if s is not None]
    problem = rules.jha_step_problem(step_no, steps)
    if problem:
        raise ValidationError({"step_no": problem})


def _item_code(model: type[HazardFactor | ControlMeasure], point: RiskPoint, data: Mapping[str, Any]) -> str:
    """The code a new factor or measure gets: the one given (checked), else the next free one.

    Call with the point row locked, so two adds never pick the same code."""
    used = model.objects.filter(risk_point=point).values_list("code", flat=True)
    given = str(data.get("code") or "").strip()
    if not given:
        prefix = diff_rules.FACTOR_PREFIX if model is HazardFactor else diff_rules.MEASURE_PREFIX
        return diff_rules.next_code(prefix, used)
    problem = diff_rules.code_problem(given)
    if problem is None and given in set(used):
        problem = "该风险点已有这个编号（编号不会重复使用，包括已停用的）"
    if problem:
        raise ValidationError({"code": problem})
    return given


def _lock(point: RiskPoint) -> None:
    RiskPoint.objects.select_for_update().filter(pk=point.pk).first()


def hazard_factor_add(*, actor: Actor, point: RiskPoint, data: Mapping[str, Any]) -> HazardFactor:
    """Add a factor to a point; it is numbered H01, H02… within the point unless `data` names a code."""
    _may_edit(actor, point.enterprise_id)
    if "risk_point" in data:
        raise ValidationError({"risk_point": "危险源所属风险点由系统指定"})
    if not point.active:
        raise ValidationError({"risk_point": "风险点已停用，不能增加危险源"})
    with transaction.atomic():
        _lock(point)  # serialise JHA step counting and numbering
        _check_jha(point, str(data.get("method", "")), data.get("step_no"))
        code = _item_code(HazardFactor, point, data)
        return object_create(
            actor=actor, model=HazardFactor, data={**data, "code": code, "risk_point": point}
        )


def hazard_factor_update(*, actor: Actor, factor: HazardFactor, data: Mapping[str, Any]) -> HazardFactor:
    _may_edit(actor, factor.risk_point.enterprise_id)
    if "risk_point" in data:
        raise ValidationError({"risk_point": "危险源所属风险点不能修改"})
    with transaction.atomic():
        RiskPoint.objects.select_for_update().filter(pk=factor.risk_point_id).first()
        method = str(data.get("method", factor.method))
        step_no = data.get("step_no", factor.step_no)
        _check_jha(factor.risk_point, method, step_no, exclude_pk=factor.pk)
        return object_update(actor=actor, obj=factor, data=data)


def hazard_factor_remove(*, actor: Actor, factor: HazardFactor) -> None:
    """Delete a factor with its assessments and measures, and regrade its risk point."""
    _may_edit(actor, factor.risk_point.enterprise_id)
    point = factor.risk_point
    with transaction.atomic():
        _lock(point)  # the point before its register counter, as every register write (its counts move)
        for measure in list(factor.measures.all()):
            object_delete(actor=actor, obj=measure)
        for assessment in list(factor.assessments.all()):
            object_delete(actor=actor, obj=assessment)
        object_delete(actor=actor, obj=factor)
        risk_point_recompute_level(actor=actor, point=RiskPoint.objects.get(pk=point.pk))


# --- Assessments --------------------------------------------------------------------------------


def assess(
    *,
    actor: Actor,
    factor: HazardFactor,
    kind: str,
    method: str,
    inputs: Mapping[str, Any],
    variant: str | None = None,
) -> RiskAssessment:
    """Grade a hazard factor with the county's configuration and regrade its risk point."""
    _may_edit(actor, factor.risk_point.enterprise_id)
    point = factor.risk_point
    config = config_for_enterprise(point.enterprise)
    with transaction.atomic():
        assessment = assessment_record(
            actor=actor,
            factor=factor,
            kind=kind,
            method=method,
            inputs=inputs,
            config=config,
            variant=variant,
        )
        risk_point_recompute_level(actor=actor, point=RiskPoint.objects.get(pk=point.pk))
    return assessment


def assessment_record(
    *,
    actor: Actor,
    factor: HazardFactor,
    kind: str,
    method: str,
    inputs: Mapping[str, Any],
    config: rules.RiskConfig,
    variant: str | None = None,
) -> RiskAssessment:
    """Store one graded assessment of a factor; the caller regrades the point (`assess` does)."""
    _may_edit(actor, factor.risk_point.enterprise_id)
    data = _assessment_data(actor, factor, kind, method, inputs, config, variant)
    return object_create(actor=actor, model=RiskAssessment, data=data)


def assessment_object(
    *,
    actor: Actor,
    factor: HazardFactor,
    kind: str,
    method: str,
    inputs: Mapping[str, Any],
    config: rules.RiskConfig,
) -> RiskAssessment:
    """A graded, unsaved assessment, for a bulk writer that saves and audits it (`core.bulk`)."""
    return RiskAssessment(**_assessment_data(actor, factor, kind, method, inputs, config, None))


def _assessment_data(
    actor: Actor,
    factor: HazardFactor,
    kind: str,
    method: str,
    inputs: Mapping[str, Any],
    config: rules.RiskConfig,
    variant: str | None,
) -> dict[str, Any]:
    if kind not in AssessmentKind.values:
        raise ValidationError({"kind": f"评价类型须为：{'、'.join(AssessmentKind.values)}"})
    try:
        result = rules.assess(method, inputs, config, variant=variant)
    except rules.InvalidInput as exc:
        raise ValidationError({exc.field: exc.message})
    return {
        "hazard_factor": factor,
        "kind": kind,
        "method": result.method,
        "inputs": result.inputs_json(),
        "score": result.score.quantize(Decimal("0.01")),
        "level": result.level,
        "colour": result.colour,
        "method_version": result.method_version,
        "assessed_by": actor if isinstance(actor, User) else None,
    }


# --- Control measures ---------------------------------------------------------------------------


def measure_add(*, actor: Actor, point: RiskPoint, data: Mapping[str, Any]) -> ControlMeasure:
    """Add a measure to a point; it is numbered M01, M02… within the point unless `data` names a code."""
    _may_edit(actor, point.enterprise_id)
    if "risk_point" in data:
        raise ValidationError({"risk_point": "管控措施所属风险点由系统指定"})
    with transaction.atomic():
        _lock(point)
        code = _item_code(ControlMeasure, point, data)
        return object_create(
            actor=actor, model=ControlMeasure, data={**data, "code": code, "risk_point": point}
        )


def measure_update(*, actor: Actor, measure: ControlMeasure, data: Mapping[str, Any]) -> ControlMeasure:
    _may_edit(actor, measure.risk_point.enterprise_id)
    if "risk_point" in data:
        raise ValidationError({"risk_point": "管控措施所属风险点不能修改"})
    with transaction.atomic():
        _lock(measure.risk_point)  # the point before its register counter (retiring moves its count)
        return object_update(actor=actor, obj=measure, data=data)


def measure_remove(*, actor: Actor, measure: ControlMeasure) -> None:
    _may_edit(actor, measure.risk_point.enterprise_id)
    with transaction.atomic():
        _lock(measure.risk_point)
        object_delete(actor=actor, obj=measure)


# --- Responsibility tiers -----------------------------------------------------------------------


def _unit(unit: OrgUnit | None) -> tier_rules.Unit | None:
    if unit is None:
        return None
    return tier_rules.Unit(unit.pk, unit.kind, unit.name, unit.path)


def _line(unit: OrgUnit | None) -> list[tier_rules.Unit]:
    """A unit and its ancestors (from its materialised path: one query)."""
    if unit is None:
        return []
    ids = [int(part) for part in unit.path.split("/") if part.isdigit()]
    ancestors = OrgUnit.objects.filter(pk__in=ids, enterprise_id=unit.enterprise_id)
    return [tier_rules.Unit(u.pk, u.kind, u.name, u.path) for u in ancestors]


def tier_assign(
    *,
    actor: Actor,
    point: RiskPoint,
    tier: str,
    person: Person,
    org_unit: OrgUnit | None = None,
) -> ResponsibilityAssignment:
    """Name the person responsible for a point at one tier (replacing whoever held it).

    Any of the four tiers may be assigned: those the level requires and, voluntarily, higher ones. The
    unit and the person must be on the point's line (`rules.tiers`); without a unit the tier takes the
    unit of its kind on the person's line. A retired assignment of the tier is revived (same row and id).
    """
    _may_edit(actor, point.enterprise_id)
    if tier not in ControlTier.values:
        raise ValidationError(
            {"tier": f"管控层级须为：{'、'.join(str(label) for label in ControlTier.labels)}"}
        )
    if person.enterprise_id != point.enterprise_id:
        raise ValidationError({"person": "责任人不属于该风险点所在企业"})
    if org_unit is not None and org_unit.enterprise_id != point.enterprise_id:
        raise ValidationError({"org_unit": "责任单位不属于该风险点所在企业"})
    check = tier_rules.check_tier(
        tier,
        point_unit=_unit(point.org_unit),
        unit=_unit(org_unit),
        person_name=person.name,
        person_line=_line(person.org_unit),
    )
    if not check.ok:
        raise ValidationError(dict(check.problems))
    if org_unit is None and check.unit is not None:
        org_unit = OrgUnit.objects.get(pk=check.unit.pk)  # the unit of the tier's kind on the person's line
    with transaction.atomic():
        existing = (
            ResponsibilityAssignment.objects.select_for_update().filter(risk_point=point, tier=tier).first()
        )
        if existing is not None:
            return object_update(
                actor=actor, obj=existing, data={"person": person, "org_unit": org_unit, "active": True}
            )
        return object_create(
            actor=actor,
            model=ResponsibilityAssignment,
            data={"risk_point": point, "tier": tier, "person": person, "org_unit": org_unit},
        )


def tier_unassign(*, actor: Actor, assignment: ResponsibilityAssignment) -> None:
    _may_edit(actor, assignment.risk_point.enterprise_id)
    object_delete(actor=actor, obj=assignment)


def missing_tiers(point: RiskPoint) -> tuple[str, ...]:
    """Tiers the point's level requires that nobody holds yet (company → post order)."""
    assigned = [a.tier for a in point.tiers.all() if a.active]
    return rules.missing_tiers(point.level, assigned)
