"""Comparing a checked register file with the enterprise's register: what importing it would change.

Matching (`rules.register_diff`): a point by its code; a hazard factor or control measure by its code
within the point, or — for a row without a code (a new row, or a file from before codes) — an
unclaimed item in use with the same identity (factor: method, step, item and description; measure:
description and check content); a tier by the tier. A matched item is updated when a value differs (a
retired one is brought back) and unchanged otherwise; a row that matches nothing is created (numbered
when it has no code); an item in use that no row of its point matches is deactivated, never deleted.
Points the file does not name are deactivated only when the person said the file is the whole register
(`retire_missing`); otherwise they are left as they are.

Assessments are history: a factor whose file values (method and L/E/C/S/M) equal its current assessment
keeps it; different values add a new assessment, graded with the county's current configuration. A
residual assessment cannot be removed by leaving its cells empty (reported on the row).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.db import models

from safegrid.core.excel import RowError, SheetSpec, choice_label

from ...choices import AssessmentKind, ControlTier
from ...models import ControlMeasure, HazardFactor, ResponsibilityAssignment
from ...rules import assessment as assessment_rules
from ...rules import register_diff as rules
from ...rules.register_diff import CREATED, DEACTIVATED, UNCHANGED, UPDATED
from ...selectors.points import PointItems
from ...services.register_apply import FACTOR, MEASURE, POINT, TIER, Change, PointChanges, RegisterChanges
from .columns import (
    FACTORS,
    FACTORS_SHEET,
    MEASURES,
    MEASURES_SHEET,
    POINTS,
    POINTS_SHEET,
    TIERS,
    TIERS_SHEET,
)
from .plan import FactorPlan, Lookups, PointPlan

POINT_FIELDS = ("code", "name", "type", "org_unit", "location", "lat", "lon")
FACTOR_FIELDS = (
    "method",
    "step_no",
    "step_name",
    "description",
    "category",
    "accident_types",
    "consequences",
    "existing_controls",
)
MEASURE_FIELDS = (
    "kind",
    "classify1",
    "classify2",
    "classify3",
    "description",
    "check_content",
    "check_cycle",
    "check_cycle_unit",
    "work_day_type",
    "data_src",
    "responsible_post",
)
TIER_FIELDS = ("person", "org_unit")
REVIVED = "恢复使用"  # the "field" of a retired item the file brings back
ASSESSMENT_COLUMNS = {AssessmentKind.INITIAL: "初始评价", AssessmentKind.RESIDUAL: "剩余评价"}
RESIDUAL_KEPT = (
    "该危险源已有剩余风险评价（%(method)s），评价记录不能通过导入删除；"
    "请按导出文件填写剩余评价，或填写新的剩余评价"
)


def _value(value: Any) -> Any:
    return value.pk if isinstance(value, models.Model) else value


def _stored(obj: models.Model, names: Iterable[str]) -> dict[str, Any]:
    meta = obj._meta
    return {name: getattr(obj, getattr(meta.get_field(name), "attname", name)) for name in names}


def _compare(
    change: Change, obj: Any, given: Mapping[str, Any], names: Sequence[str], spec: SheetSpec
) -> None:
    """Fill an existing item's change with the values that differ (and revival); set its action."""
    keys = rules.changed_keys(_stored(obj, names), {name: _value(given[name]) for name in names})
    change.data = {key: given[key] for key in keys}
    change.fields = [spec.header(key) or key for key in keys]
    if not obj.active:
        change.data["active"] = True
        change.fields.append(REVIVED)
    change.action = UPDATED if change.data else UNCHANGED


def _text(*parts: Any) -> str:
    return " ".join(str(p).strip() for p in parts if p not in (None, "")).strip()


def _factor_identity(method: Any, step_no: Any, step_name: Any, description: Any) -> tuple[Any, ...]:
    return (str(method), step_no, str(step_name or "").strip(), str(description or "").strip())


def _match(
    rows: Sequence[Mapping[str, Any]],
    existing: Sequence[Any],
    identity_of_row: Any,
    identity_of_item: Any,
) -> list[Any]:
    """The existing item each row updates: by code first, then rows without a code by identity among
    the unclaimed items in use (one item per row)."""
    by_code = {item.code: item for item in existing}
    matched: list[Any] = [by_code.get(row["code"]) if row["code"] else None for row in rows]
    claimed = {item.pk for item in matched if item is not None}
    for index, row in enumerate(rows):
        if row["code"] or matched[index] is not None:
            continue
        wanted = identity_of_row(row)
        for item in existing:
            if item.active and item.pk not in claimed and identity_of_item(item) == wanted:
                matched[index] = item
                claimed.add(item.pk)
                break
    return matched


def _new_code(given: str, prefix: str, used: set[str]) -> str:
    code = given or rules.next_code(prefix, used)
    used.add(code)
    return code


def _retired(kind: str, sheet: str, point_code: str, items: Iterable[Any], claimed: set[int]) -> list[Change]:
    return [
        Change(kind, DEACTIVATED, sheet, None, point_code, _code_of(item), _label_of(item), obj=item)
        for item in items
        if item.active and item.pk not in claimed
    ]


def _code_of(item: Any) -> str:
    return item.tier if isinstance(item, ResponsibilityAssignment) else item.code


def _label_of(item: Any) -> str:
    if isinstance(item, HazardFactor):
        return _text(item.step_name, item.description)
    if isinstance(item, ControlMeasure):
        return item.description
    return _text(choice_label(ControlTier.choices, item.tier), item.person.name)


def _assessments_to_add(
    change: Change, factor: HazardFactor, plan: FactorPlan, errors: list[RowError]
) -> None:
    current = {a.kind: a for a in getattr(factor, "current_assessments", [])}
    given = {kind: (method, inputs) for kind, method, inputs in plan.assessments}
    for kind in (AssessmentKind.INITIAL, AssessmentKind.RESIDUAL):
        now, new = current.get(kind), given.get(kind)
        if new is None:
            if now is not None:
                values = " ".join(f"{k}={v}" for k, v in now.inputs.items())
                message = RESIDUAL_KEPT % {"method": f"{now.method} {values}"}
                errors.append(
                    RowError(FACTORS_SHEET, plan.row, FACTORS.header(f"{kind}_method"), "", message)
                )
            continue
        if now is None or now.method != new[0] or not rules.same_inputs(now.inputs, new[1]):
            change.assessments.append((kind, *new))
            change.fields.append(ASSESSMENT_COLUMNS[kind])
    if change.assessments:
        change.action = UPDATED


def _factor_changes(
    plan: PointPlan, existing: Sequence[HazardFactor], errors: list[RowError]
) -> tuple[list[Change], list[Change]]:
    """The changes of the file's factors (in file order) and of the factors the file leaves out."""
    rows = [f.data for f in plan.factors]
    matched = _match(
        rows,
        existing,
        lambda r: _factor_identity(r["method"], r["step_no"], r["step_name"], r["description"]),
        lambda f: _factor_identity(f.method, f.step_no, f.step_name, f.description),
    )
    used = {f.code for f in existing} | {r["code"] for r in rows if r["code"]}
    changes: list[Change] = []
    for item, factor in zip(plan.factors, matched, strict=True):
        label = _text(item.data["step_name"], item.data["description"])
        if factor is None:
            code = _new_code(item.data["code"], rules.FACTOR_PREFIX, used)
            data = {**item.data, "code": code}
            change = Change(FACTOR, CREATED, FACTORS_SHEET, item.row, plan.code, code, label, data=data)
            change.assessments = list(item.assessments)
        else:
            change = Change(
                FACTOR, UNCHANGED, FACTORS_SHEET, item.row, plan.code, factor.code, label, obj=factor
            )
            _compare(change, factor, item.data, FACTOR_FIELDS, FACTORS)
            _assessments_to_add(change, factor, item, errors)
        changes.append(change)
    claimed = {f.pk for f in matched if f is not None}
    return changes, _retired(FACTOR, FACTORS_SHEET, plan.code, existing, claimed)


def _aimed_at(measure: ControlMeasure) -> HazardFactor | None:
    """The factor in use a measure is aimed at (one aimed at a retired factor is aimed at none)."""
    factor = measure.hazard_factor if measure.hazard_factor_id else None
    return factor if factor is not None and factor.active else None


def _measure_changes(
    plan: PointPlan, existing: Sequence[ControlMeasure], factors: Sequence[Change]
) -> tuple[list[Change], list[Change]]:
    rows = [m.data for m in plan.measures]
    matched = _match(
        rows,
        existing,
        lambda r: (str(r["description"]).strip(), str(r["check_content"]).strip()),
        lambda m: (m.description.strip(), m.check_content.strip()),
    )
    used = {m.code for m in existing} | {r["code"] for r in rows if r["code"]}
    changes: list[Change] = []
    for item, measure in zip(plan.measures, matched, strict=True):
        factor = factors[item.factor_index] if item.factor_index is not None else None
        label = str(item.data["description"])
        if measure is None:
            code = _new_code(item.data["code"], rules.MEASURE_PREFIX, used)
            data = {**item.data, "code": code}
            change = Change(MEASURE, CREATED, MEASURES_SHEET, item.row, plan.code, code, label, data=data)
        else:
            change = Change(
                MEASURE, UNCHANGED, MEASURES_SHEET, item.row, plan.code, measure.code, label, obj=measure
            )
            _compare(change, measure, item.data, MEASURE_FIELDS, MEASURES)
            now = _aimed_at(measure)
            new_factor = factor is not None and factor.obj is None
            target = factor.obj.pk if factor is not None and factor.obj is not None else None
            if new_factor or (now.pk if now else None) != target:
                change.data["hazard_factor"] = None  # set to the factor's row once it is written
                change.fields.append(MEASURES.header("factor"))
                change.action = UPDATED
        change.factor = factor
        changes.append(change)
    claimed = {m.pk for m in matched if m is not None}
    return changes, _retired(MEASURE, MEASURES_SHEET, plan.code, existing, claimed)


def _tier_changes(plan: PointPlan, existing: Sequence[ResponsibilityAssignment]) -> list[Change]:
    by_tier = {t.tier: t for t in existing}
    changes: list[Change] = []
    for item in plan.tiers:
        label = _text(choice_label(ControlTier.choices, item.tier), item.person.name)
        data: dict[str, Any] = {"person": item.person, "org_unit": item.org_unit}
        held = by_tier.get(item.tier)
        if held is None:
            data["tier"] = item.tier
            changes.append(
                Change(TIER, CREATED, TIERS_SHEET, item.row, plan.code, item.tier, label, data=data)
            )
            continue
        change = Change(TIER, UNCHANGED, TIERS_SHEET, item.row, plan.code, item.tier, label, obj=held)
        _compare(change, held, data, TIER_FIELDS, TIERS)
        changes.append(change)
    claimed = {by_tier[t.tier].pk for t in plan.tiers if t.tier in by_tier}
    return changes + _retired(TIER, TIERS_SHEET, plan.code, existing, claimed)


def _graded(factors: Sequence[Change], config: assessment_rules.RiskConfig) -> dict[str, Any] | None:
    """A new point's level from its new factors' current assessments (the residual where given),
    decided as `services.points.risk_point_level_now` decides it: among the most dangerous, the one
    assessed last — the writer stores every initial assessment, then every residual one, in file order."""
    graded: list[tuple[int, tuple[int, int], str]] = []  # (level, order written, method version)
    for index, change in enumerate(factors):
        by_kind = {kind: (method, inputs) for kind, method, inputs in change.assessments}
        residual = AssessmentKind.RESIDUAL in by_kind
        current = by_kind[AssessmentKind.RESIDUAL if residual else AssessmentKind.INITIAL]
        result = assessment_rules.assess(current[0], current[1], config)
        graded.append((result.level, (int(residual), index), result.method_version))
    if not graded:
        return None
    level = assessment_rules.point_level([g[0] for g in graded])
    deciding = max((g for g in graded if g[0] == level), key=lambda g: g[1])
    return {"level": level, "level_method_version": deciding[2]}


def _point_changes(plan: PointPlan, look: Lookups, errors: list[RowError]) -> PointChanges:
    point = plan.existing
    if point is None:
        assert plan.data is not None  # a new point is listed in 风险点
        change = Change(
            POINT,
            CREATED,
            POINTS_SHEET,
            plan.row,
            plan.code,
            plan.code,
            plan.data["name"],
            data=dict(plan.data),
        )
        items = PointItems([], [], [])
    else:
        name = plan.data["name"] if plan.data is not None else point.name
        change = Change(POINT, UNCHANGED, POINTS_SHEET, plan.row, plan.code, plan.code, name, obj=point)
        if plan.data is not None:
            _compare(change, point, plan.data, POINT_FIELDS, POINTS)
        items = look.items.get(point.pk, PointItems([], [], []))
    factors, retired_factors = _factor_changes(plan, items.factors, errors)
    measures, retired_measures = _measure_changes(plan, items.measures, factors)
    tiers = _tier_changes(plan, items.tiers)
    entry = PointChanges(
        change,
        [*factors, *retired_factors, *measures, *retired_measures, *tiers],
        listed=plan.data is not None,
        rows=plan.rows,
    )
    if point is None:
        entry.level = _graded(factors, look.config)
    return entry


def register_changes(look: Lookups, errors: list[RowError], *, retire_missing: bool) -> RegisterChanges:
    """What writing the checked plans would change (problems found on the way go to `errors`)."""
    points = [_point_changes(plan, look, errors) for plan in look.plans.values()]
    missing = [p for code, p in look.existing.items() if code not in look.plans and p.active]
    if retire_missing:
        points.extend(
            PointChanges(
                Change(POINT, DEACTIVATED, POINTS_SHEET, None, p.code, p.code, p.name, obj=p), listed=False
            )
            for p in missing
        )
        return RegisterChanges(points, retire_missing=True)
    return RegisterChanges(points, retire_missing=False, untouched=len(missing))
