"""Writes of units, their substances, the enterprise's population and the substance table; the grading.

Every write is atomic, audited through core's audited writes and checks its permission itself: an
enterprise's managers (legal representative, enterprise admin, safety manager) write their own units,
substance lines and population; the county admin adds substances to the reference table (shipped rows are
read-only). After every change the affected units are graded again (`regrade`): a `UnitGrading` row is
written when the result or its inputs differ from the last one, and the unit's `is_major`, `grade`,
`graded_at` and `requirement_gaps` are kept current. Bad input is refused whole (ValidationError naming
the field): a design quantity that is not positive, an unknown substance, a negative population.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from safegrid.core.audit import Actor
from safegrid.core.choices import Role
from safegrid.core.models import User
from safegrid.core.scoping import scope_for
from safegrid.core.services import (
    authorize,
    object_create,
    object_delete,
    object_update,
    writing_protected,
)
from safegrid.enterprises.models import Enterprise

from ..models import HazardUnit, SitePopulation, Substance, UnitGrading, UnitSubstance
from ..rules import gb18218, requirements

# Enterprise roles that keep the enterprise's units, substances and population.
MANAGER_ROLES = frozenset({Role.LEGAL_REP, Role.ENT_ADMIN, Role.SAFETY_MANAGER})
UNIT_FIELDS = (
    "code",
    "name",
    "kind",
    "location",
    "latitude",
    "longitude",
    "description",
    "esd_in_place",
    "esd_note",
    "sis_in_place",
    "sis_note",
    "cutoff_in_place",
    "cutoff_note",
    "video_in_place",
    "video_note",
)
LINE_FIELDS = ("substance", "design_quantity", "stock_quantity", "note")
SUBSTANCE_FIELDS = (
    "name",
    "variant",
    "aliases",
    "cas",
    "category",
    "critical_quantity",
    "toxic_gas",
    "liquefied_gas",
    "highly_toxic",
)


def can_edit_units(user: Any, enterprise_id: int | None) -> bool:
    """The enterprise's managers keep its units, substance lines and population."""
    return enterprise_id is not None and scope_for(user).has_role(*MANAGER_ROLES, enterprise_id=enterprise_id)


def can_edit_substances(user: Any) -> bool:
    """The county admin adds substances to the reference table."""
    return scope_for(user).is_county_admin


def _only(data: Mapping[str, Any], allowed: Sequence[str]) -> dict[str, Any]:
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise ValidationError({name: gettext("不能修改此字段") for name in unknown})
    return dict(data)


def _refuse_unit_permission(actor: Actor, enterprise_id: int) -> None:
    authorize(
        actor,
        lambda user: can_edit_units(user, enterprise_id),
        gettext("只有本企业的主要负责人、企业管理员或安全管理员可以维护重大危险源辨识单元"),
    )


# ---- grading -----------------------------------------------------------------------------------


def terms_of(lines: Iterable[UnitSubstance]) -> list[gb18218.TermIn]:
    return [
        gb18218.TermIn(
            substance=line.substance.label,
            q=line.design_quantity,
            critical=line.substance.critical_quantity,
            beta=line.substance.beta,
        )
        for line in lines
    ]


def population_of(enterprise_id: int) -> int | None:
    row = SitePopulation.objects.filter(enterprise_id=enterprise_id).only("people").first()
    return None if row is None else row.people


@dataclass(frozen=True)
class Result:
    """A unit's grading: the rules' result, or only S when the population is not recorded yet."""

    standard: str
    people_exposed: int | None
    s: Decimal
    is_major: bool
    alpha: Decimal | None
    r: Decimal | None
    grade: int | None
    terms: list[dict[str, str]]


def compute(lines: Sequence[UnitSubstance], people: int | None) -> Result:
    """Grade the lines; without a population S (and whether the unit is major) is known, the grade is not."""
    grading = gb18218.grade_unit(people if people is not None else 0, terms_of(lines))
    terms = [t.as_dict() for t in grading.terms]
    if people is None:
        return Result(grading.standard, None, grading.s, grading.is_major, None, None, None, terms)
    return Result(
        grading.standard,
        people,
        grading.s,
        grading.is_major,
        grading.alpha,
        grading.r,
        grading.grade,
        terms,
    )


def _same(last: UnitGrading | None, result: Result) -> bool:
    if last is None:
        return False
    return (
        last.standard == result.standard
        and last.people_exposed == result.people_exposed
        and last.s == gb18218.stored(result.s)
        and last.is_major == result.is_major
        and last.alpha == result.alpha
        and last.r == (None if result.r is None else gb18218.stored(result.r))
        and last.grade == result.grade
        and last.terms == result.terms
    )


def facility_state(unit: HazardUnit) -> dict[str, tuple[bool, str]]:
    return {
        key: (bool(getattr(unit, done)), str(getattr(unit, note)))
        for key, (done, note) in HazardUnit.FACILITY_FIELDS.items()
    }


def checklist_of(unit: HazardUnit, lines: Iterable[UnitSubstance]) -> list[requirements.CheckItem]:
    """The facilities the unit's current grade requires, each with its state (rules.requirements)."""
    flags = [
        requirements.SubstanceFlags(
            line.substance.toxic_gas, line.substance.liquefied_gas, line.substance.highly_toxic
        )
        for line in lines
    ]
    needed = requirements.required(is_major=unit.is_major, grade=unit.grade, kind=unit.kind, substances=flags)
    return requirements.checklist(needed, facility_state(unit))


def regrade(*, actor: Actor, unit: HazardUnit, reason: str = "") -> UnitGrading | None:
    """Grade the unit from its lines and its enterprise's population; write a UnitGrading row when the result
    or its inputs changed, and keep the unit's current result and gap count. Returns the new row or None."""
    with transaction.atomic():
        unit = HazardUnit.objects.select_for_update().get(pk=unit.pk)
        lines = list(unit.lines.select_related("substance").order_by("substance__name", "pk"))
        result = compute(lines, population_of(unit.enterprise_id))
        last = unit.gradings.order_by("-computed_at", "-pk").first()
        row: UnitGrading | None = None
        now = timezone.now()
        if not _same(last, result):
            row = object_create(
                actor=actor,
                model=UnitGrading,
                data={
                    "unit": unit,
                    "standard": result.standard,
                    "people_exposed": result.people_exposed,
                    "s": gb18218.stored(result.s),
                    "is_major": result.is_major,
                    "alpha": result.alpha,
                    "r": None if result.r is None else gb18218.stored(result.r),
                    "grade": result.grade,
                    "terms": result.terms,
                    "computed_at": now,
                    "computed_by": actor if isinstance(actor, User) else None,
                    "computed_by_name": str(actor) if isinstance(actor, User) else actor.label,
                    "reason": reason[:100],
                },
            )
        graded = HazardUnit(
            pk=unit.pk,
            enterprise_id=unit.enterprise_id,
            kind=unit.kind,
            is_major=result.is_major,
            grade=result.grade,
            **{f: getattr(unit, f) for pair in HazardUnit.FACILITY_FIELDS.values() for f in pair},
        )
        gaps = len(requirements.gaps(checklist_of(graded, lines)))
        changes: dict[str, Any] = {}
        if unit.is_major != result.is_major or unit.grade != result.grade:
            changes.update(is_major=result.is_major, grade=result.grade)
        if row is not None or unit.graded_at is None:
            changes["graded_at"] = now
        if unit.requirement_gaps != gaps:
            changes["requirement_gaps"] = gaps
        if changes:
            with writing_protected(*changes):
                object_update(actor=actor, obj=unit, data=changes)
        return row


def _regrade_all(actor: Actor, enterprise_id: int, reason: str) -> None:
    for unit in HazardUnit.objects.filter(enterprise_id=enterprise_id).order_by("pk"):
        regrade(actor=actor, unit=unit, reason=reason)


# ---- units -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineIn:
    substance: Substance
    design_quantity: Decimal
    stock_quantity: Decimal | None = None
    note: str = ""


def _check_quantity(value: Any, field: str, *, allow_zero: bool = False) -> Decimal | None:
    if value is None:
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: gettext("请输入数字（吨）")}) from None
    if not amount.is_finite() or amount < 0 or (amount == 0 and not allow_zero):
        message = gettext("不能为负数") if allow_zero else gettext("须大于0吨")
        raise ValidationError({field: message})
    return amount


def unit_create(
    *, actor: Actor, enterprise: Enterprise, data: Mapping[str, Any], lines: Sequence[LineIn] = ()
) -> HazardUnit:
    """A new unit of the enterprise, with its substance lines (all or nothing), graded."""
    _refuse_unit_permission(actor, enterprise.pk)
    values = _only(data, UNIT_FIELDS)
    errors: dict[str, list[str]] = {}
    seen: set[int] = set()
    for i, line in enumerate(lines):
        try:
            _check_quantity(line.design_quantity, f"lines[{i}].design_quantity")
            _check_quantity(line.stock_quantity, f"lines[{i}].stock_quantity", allow_zero=True)
        except ValidationError as exc:
            for k, v in exc.message_dict.items():
                errors.setdefault(k, []).extend(v)
        if line.substance.pk in seen:
            errors.setdefault(f"lines[{i}].substance", []).append(gettext("同一种危险化学品只能登记一行"))
        seen.add(line.substance.pk)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        unit = object_create(actor=actor, model=HazardUnit, data={**values, "enterprise": enterprise})
        for line in lines:
            object_create(
                actor=actor,
                model=UnitSubstance,
                data={
                    "unit": unit,
                    "substance": line.substance,
                    "design_quantity": line.design_quantity,
                    "stock_quantity": line.stock_quantity,
                    "note": line.note,
                },
            )
        regrade(actor=actor, unit=unit, reason=gettext("新建单元"))
    unit.refresh_from_db()
    return unit


def unit_update(*, actor: Actor, unit: HazardUnit, data: Mapping[str, Any]) -> HazardUnit:
    """Change a unit's description or facility state; its grade and gaps follow."""
    _refuse_unit_permission(actor, unit.enterprise_id)
    values = _only(data, UNIT_FIELDS)
    with transaction.atomic():
        object_update(actor=actor, obj=unit, data=values)
        regrade(actor=actor, unit=unit, reason=gettext("修改单元"))
    unit.refresh_from_db()
    return unit


def unit_delete(*, actor: Actor, unit: HazardUnit) -> None:
    """Delete a unit with its substance lines and grading history (each line's deletion audited)."""
    _refuse_unit_permission(actor, unit.enterprise_id)
    with transaction.atomic():
        for line in unit.lines.all():
            object_delete(actor=actor, obj=line)
        object_delete(actor=actor, obj=unit)


# ---- substance lines ---------------------------------------------------------------------------


def _line_values(data: Mapping[str, Any]) -> dict[str, Any]:
    values = _only(data, LINE_FIELDS)
    if "substance" in values and not isinstance(values["substance"], Substance):
        raise ValidationError({"substance": gettext("未知的危险化学品")})
    if "design_quantity" in values:
        values["design_quantity"] = _check_quantity(values["design_quantity"], "design_quantity")
        if values["design_quantity"] is None:
            raise ValidationError({"design_quantity": gettext("请填写设计最大量")})
    if "stock_quantity" in values:
        values["stock_quantity"] = _check_quantity(
            values["stock_quantity"], "stock_quantity", allow_zero=True
        )
    return values


def line_add(*, actor: Actor, unit: HazardUnit, data: Mapping[str, Any]) -> UnitSubstance:
    _refuse_unit_permission(actor, unit.enterprise_id)
    values = _line_values(data)
    if "substance" not in values:
        raise ValidationError({"substance": gettext("请选择危险化学品")})
    if "design_quantity" not in values:
        raise ValidationError({"design_quantity": gettext("请填写设计最大量")})
    with transaction.atomic():
        line = object_create(actor=actor, model=UnitSubstance, data={**values, "unit": unit})
        regrade(actor=actor, unit=unit, reason=gettext("增加危险化学品"))
    return line


def line_update(*, actor: Actor, line: UnitSubstance, data: Mapping[str, Any]) -> UnitSubstance:
    _refuse_unit_permission(actor, line.unit.enterprise_id)
    values = _line_values(data)
    with transaction.atomic():
        line = object_update(actor=actor, obj=line, data=values)
        regrade(actor=actor, unit=line.unit, reason=gettext("修改危险化学品"))
    return line


def line_remove(*, actor: Actor, line: UnitSubstance) -> None:
    unit = line.unit
    _refuse_unit_permission(actor, unit.enterprise_id)
    with transaction.atomic():
        object_delete(actor=actor, obj=line)
        regrade(actor=actor, unit=unit, reason=gettext("删除危险化学品"))


# ---- population --------------------------------------------------------------------------------


def population_set(
    *, actor: Actor, enterprise: Enterprise, people: Any, basis: str, counted_on: dt.date | None
) -> SitePopulation:
    """Record the resident population within 500 m of the plant boundary; every unit is graded again."""
    _refuse_unit_permission(actor, enterprise.pk)
    if isinstance(people, bool) or not isinstance(people, int):
        raise ValidationError({"people": gettext("请填写整数人数")})
    if people < 0:
        raise ValidationError({"people": gettext("人数不能为负数")})
    if counted_on is None:
        raise ValidationError({"counted_on": gettext("请填写统计日期")})
    if counted_on > timezone.localdate():
        raise ValidationError({"counted_on": gettext("统计日期不能晚于今天")})
    data = {"people": people, "basis": basis, "counted_on": counted_on}
    with transaction.atomic():
        current = SitePopulation.objects.filter(enterprise=enterprise).first()
        if current is None:
            row = object_create(actor=actor, model=SitePopulation, data={**data, "enterprise": enterprise})
        else:
            row = object_update(actor=actor, obj=current, data=data)
        _regrade_all(actor, enterprise.pk, gettext("周边常住人口变化"))
    return row


# ---- the substance table -----------------------------------------------------------------------


def _check_cas(cas: str) -> None:
    if cas and not gb18218.cas_valid(cas):
        raise ValidationError({"cas": gettext("CAS号格式或校验位不正确（如 7782-50-5）")})


def substance_create(*, actor: Actor, data: Mapping[str, Any]) -> Substance:
    """A substance the county adds (with its CAS, Q and category); β from Table 3 by CAS or its category."""
    authorize(actor, can_edit_substances, gettext("只有县级管理员可以维护危险化学品临界量表"))
    values = _only(data, SUBSTANCE_FIELDS)
    _check_cas(values.get("cas", ""))
    category = values.get("category", "")
    if category not in gb18218.CATEGORY_BY_CODE:
        raise ValidationError({"category": gettext("请选择GB 18218的危险性类别")})
    values["beta"] = gb18218.substance_beta(values.get("cas", ""), category)
    return object_create(actor=actor, model=Substance, data=values)


def substance_update(*, actor: Actor, substance: Substance, data: Mapping[str, Any]) -> Substance:
    """Change a substance the county added (shipped rows are read-only); the units holding it are regraded."""
    authorize(actor, can_edit_substances, gettext("只有县级管理员可以维护危险化学品临界量表"))
    if substance.shipped:
        raise ValidationError(gettext("标准内置的危险化学品不能修改"))
    values = _only(data, SUBSTANCE_FIELDS)
    _check_cas(values.get("cas", ""))
    category = values.get("category", substance.category)
    if category not in gb18218.CATEGORY_BY_CODE:
        raise ValidationError({"category": gettext("请选择GB 18218的危险性类别")})
    values["beta"] = gb18218.substance_beta(values.get("cas", substance.cas), category)
    with transaction.atomic():
        saved = object_update(actor=actor, obj=substance, data=values)
        units = HazardUnit.objects.filter(lines__substance=saved).distinct().order_by("pk")
        for unit in units:
            regrade(actor=actor, unit=unit, reason=gettext("危险化学品临界量表变化"))
    return saved


# ---- the preview (no unit stored) --------------------------------------------------------------


@dataclass(frozen=True)
class PreviewItem:
    """One substance of a preview: by name (or alias), CAS or category code, with its quantity (t)."""

    name: str | None = None
    cas: str | None = None
    category: str | None = None
    quantity_t: Any = None


def find_substance(table: Sequence[Substance], *, key: str, value: str, field: str) -> Substance:
    """The one substance of `table` whose name/label/alias (key "name") or CAS (key "cas") is `value`;
    ValidationError on `field.key` when none or several match."""
    where = f"{field}.{key}"
    if key == "cas":
        found = [s for s in table if s.cas and s.cas == value]
    else:
        wanted = gb18218.normalise(value)
        found = [
            s for s in table if wanted in {gb18218.normalise(n) for n in (s.name, s.label, *s.alias_list)}
        ]
    if not found:
        raise ValidationError({where: gettext("未知的危险化学品：%(v)s") % {"v": value}})
    if len(found) > 1:
        names = "、".join(s.label for s in found)
        raise ValidationError({where: gettext("对应多个条目（%(names)s），请用名称指明") % {"names": names}})
    return found[0]


def _one_key(item: Any, keys: Sequence[str], field: str) -> str:
    given = [k for k in keys if getattr(item, k)]
    if len(given) != 1:
        raise ValidationError({field: gettext("%(keys)s 须且只须给出一个") % {"keys": "、".join(keys)}})
    return given[0]


def _resolve(item: PreviewItem, field: str, table: list[Substance]) -> gb18218.TermIn:
    key = _one_key(item, ("name", "cas", "category"), field)
    value = str(getattr(item, key)).strip()
    if key == "category":
        category = gb18218.CATEGORY_BY_CODE.get(value.upper())
        if category is None:
            raise ValidationError({f"{field}.category": gettext("未知的危险性类别：%(v)s") % {"v": value}})
        return gb18218.TermIn(f"{category.code} {category.name}", Decimal(0), category.q, category.beta)
    s = find_substance(table, key=key, value=value, field=field)
    return gb18218.TermIn(s.label, Decimal(0), s.critical_quantity, s.beta)


def line_substance(item: Any, field: str, table: list[Substance]) -> Substance:
    """A stored line's substance named by `item.name` or `item.cas` (the API's unit create)."""
    key = _one_key(item, ("name", "cas"), field)
    return find_substance(table, key=key, value=str(getattr(item, key)).strip(), field=field)


def preview(*, people_exposed: Any, items: Sequence[PreviewItem]) -> gb18218.Grading:
    """Grade substances that are not stored as a unit (the API's preview); every problem named by field:
    `people_exposed`, `substances[i].name|cas|category`, `substances[i].quantity_t`."""
    errors: dict[str, list[str]] = {}
    if isinstance(people_exposed, bool) or not isinstance(people_exposed, int):
        errors["people_exposed"] = [gettext("请填写整数人数")]
    elif people_exposed < 0:
        errors["people_exposed"] = [gettext("人数不能为负数")]
    if not items:
        errors["substances"] = [gettext("至少给出一种危险化学品")]
    table = list(Substance.objects.all())
    terms: list[gb18218.TermIn] = []
    for i, item in enumerate(items):
        field = f"substances[{i}]"
        term = None
        try:
            term = _resolve(item, field, table)
        except ValidationError as exc:
            for k, v in exc.message_dict.items():
                errors.setdefault(k, []).extend(v)
        try:
            q = _check_quantity(item.quantity_t, f"{field}.quantity_t")
            if q is None:
                raise ValidationError({f"{field}.quantity_t": gettext("请填写数量（吨）")})
        except ValidationError as exc:
            for k, v in exc.message_dict.items():
                errors.setdefault(k, []).extend(v)
            continue
        if term is not None:
            terms.append(gb18218.TermIn(term.substance, q, term.critical, term.beta))
    if errors:
        raise ValidationError(errors)
    return gb18218.grade_unit(people_exposed, terms)
