"""Checking each row of the four sheets against the enterprise (org chart, people, existing points)
and the county's assessment tables, into the plan (`plan.Lookups`); problems go to the kit's errors."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _

from safegrid.core import excel
from safegrid.core.excel import (
    RowChecker,
    cell_text,
    choice_label,
)
from safegrid.enterprises.choices import OrgUnitKind
from safegrid.enterprises.models import OrgUnit, Person

from ...choices import (
    AssessmentKind,
    Classify1,
    Classify2,
    ControlTier,
    IdentificationMethod,
    classify2_parent,
)
from ...models import TIER_UNIT_KIND
from ...rules import assessment as rules
from ...rules import methods
from .columns import INPUT_NAMES
from .org_paths import OrgTree
from .plan import FactorPlan, Lookups, MeasurePlan, PointPlan, TierPlan

CLASSIFY2_CODE = re.compile(r"^\s*(\d-\d)(?!\d)")


def check_point(c: RowChecker, look: Lookups, seen: dict[str, int]) -> None:
    data = c.values("code", "name", "type", "location")
    code = data["code"]
    if code:
        c.duplicate("code", code, seen)
    data["org_unit"] = c.lookup(
        "org_unit", look.tree.find, _("本企业组织架构中没有这个车间/部门，请按代码表中的路径填写")
    )
    lat_given, lon_given = c.text("lat") != "", c.text("lon") != ""
    if lat_given != lon_given:
        c.error("lon" if lat_given else "lat", _("经度和纬度须同时填写或同时留空"))
    data["lat"], data["lon"] = c.value("lat"), c.value("lon")
    if code and seen.get(code) == c.row.number and not c.failed:
        look.plans[code] = PointPlan(code, c.row.number, data, look.existing.get(code))


def _point_for(c: RowChecker, look: Lookups) -> PointPlan | None:
    """The plan of the point a row refers to; an existing point not listed in 风险点 joins the plan."""
    code = c.value("point")
    if not code:
        return None
    if code in look.plans:
        return look.plans[code]
    if code in look.listed:  # listed, but its 风险点 row has errors (reported there)
        return None
    point = look.existing.get(code)
    if point is None:
        c.error("point", _("“风险点”表中没有这个编号，系统中也没有该企业的这个风险点"))
        return None
    if not point.active:
        c.error("point", _("该风险点已停用；如需恢复，请在“风险点”表中列出它"))
        return None
    look.plans[code] = PointPlan(code, None, None, point)
    return look.plans[code]


def _check_assessment(
    c: RowChecker, prefix: str, config: rules.RiskConfig, *, required: bool
) -> tuple[str, dict[str, Any]] | None:
    method = c.text(f"{prefix}_method").upper()
    given = [name for name in INPUT_NAMES if c.text(f"{prefix}_{name}")]
    if not method:
        if required:
            c.error(f"{prefix}_method", _("必填项不能为空"))
        elif given:
            c.error(f"{prefix}_method", _("填写了评价取值时，评价方法必填"))
        return None
    if method not in rules.METHOD_FIELDS:
        c.error(f"{prefix}_method", _("评价方法须为：%(m)s") % {"m": "、".join(rules.METHODS)})
        return None
    used = rules.METHOD_FIELDS[method]
    for name in given:
        if name not in used:
            c.error(
                f"{prefix}_{name}",
                _("%(method)s 法不使用 %(name)s，请留空") % {"method": method, "name": name},
            )
    inputs = {name: c.raw(f"{prefix}_{name}") for name in used}
    try:
        # The same check (and message) as the assessment service, with the county's configuration.
        rules.assess(method, inputs, config)
    except rules.InvalidInput as exc:
        c.error(f"{prefix}_{exc.field}" if exc.field in INPUT_NAMES else f"{prefix}_method", exc.message)
        return None
    return method, {name: cell_text(value) for name, value in inputs.items()}


def check_factor(c: RowChecker, look: Lookups, steps: dict[str, list[int]], seen: dict[Any, int]) -> None:
    plan = _point_for(c, look)
    data = c.values(
        "code",
        "method",
        "step_no",
        "step_name",
        "description",
        "category",
        "accident_types",
        "consequences",
        "existing_controls",
    )
    method, step_no = data["method"], data["step_no"]
    if method == IdentificationMethod.JHA and plan is not None:
        if c.text("step_no") == "":
            c.error(
                "step_no", _("JHA 辨识的危险源须填写作业步骤序号（1–%(n)s）") % {"n": methods.JHA_MAX_STEPS}
            )
        elif step_no is not None:
            point_steps = steps.setdefault(plan.code, [])
            problem = rules.jha_step_problem(step_no, point_steps)
            if problem:
                c.error("step_no", problem)
            else:
                point_steps.append(step_no)
    elif method == IdentificationMethod.SCL and c.text("step_no"):
        c.error("step_no", _("SCL 辨识的危险源不填写作业步骤序号"))
    if method != IdentificationMethod.JHA:
        data["step_no"] = None
    assessments: list[tuple[str, str, dict[str, Any]]] = []
    for kind, required in ((AssessmentKind.INITIAL, True), (AssessmentKind.RESIDUAL, False)):
        checked = _check_assessment(c, kind, look.config, required=required)
        if checked is not None:
            assessments.append((kind, *checked))
    if plan is None:
        return
    identity = (plan.code, method, data["step_no"], data["step_name"], data["description"])
    c.duplicate("description", identity, seen)
    if data["code"]:
        c.duplicate("code", (plan.code, "code", data["code"]), seen)
    if c.failed:
        plan.factor_rows_failed += 1
    else:
        plan.factors.append(FactorPlan(c.row.number, data, assessments))


def _factor_index(c: RowChecker, plan: PointPlan, reference: str) -> int | None:
    """The file's factor of the point that a measure names, by code, step number, item name or description.

    When some of the point's 危险源 rows have errors (already reported), an unmatched reference is
    not reported again: it may name one of those rows.
    """
    ambiguous: list[int] = []
    for attribute in ("code", "step_no", "step_name", "description"):
        matches = [i for i, f in enumerate(plan.factors) if cell_text(f.data[attribute]) == reference]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1 and not ambiguous:
            ambiguous = matches
    if ambiguous:
        rows = "、".join(str(plan.factors[i].row) for i in ambiguous)
        c.error(
            "factor", _("对应到“危险源”表的多个危险源（第 %(rows)s 行），请改填危险源描述") % {"rows": rows}
        )
    elif plan.factor_rows_failed:
        c.failed = True
    elif not plan.factors:
        c.error("factor", _("“危险源”表中没有该风险点的危险源，无法对应"))
    else:
        c.error("factor", _("该风险点在“危险源”表中没有这个编号、步骤序号、项目名称或危险源描述"))
    return None


def _classify2(c: RowChecker, classify1: Any) -> str:
    text = c.value("classify2")
    match = CLASSIFY2_CODE.match(text)
    code = match.group(1) if match else excel.choice_labels(Classify2.choices).get(text, "")
    if not text:
        return ""
    if code not in Classify2.values:
        c.error("classify2", _("不是有效的二级分类代码，请按代码表填写（如 1-4）"))
    elif classify1 is not None and classify2_parent(code) != classify1:
        c.error(
            "classify2",
            _("二级分类 %(c2)s 不属于一级分类“%(c1)s”")
            % {"c2": code, "c1": choice_label(Classify1.choices, classify1)},
        )
    return code


def _post(c: RowChecker, tree: OrgTree) -> OrgUnit | None:
    post = c.lookup(
        "responsible_post", tree.find, _("本企业组织架构中没有这个岗位，请按代码表中的岗位路径填写")
    )
    if post is not None and post.kind != OrgUnitKind.POST:
        c.error(
            "responsible_post",
            _("责任岗位须是“岗位”层级的组织单元（这是%(kind)s）") % {"kind": post.get_kind_display()},
        )
    return post


def check_measure(c: RowChecker, look: Lookups, seen: dict[Any, int]) -> None:
    plan = _point_for(c, look)
    data = c.values(
        "code",
        "kind",
        "classify1",
        "classify3",
        "description",
        "check_content",
        "check_cycle",
        "check_cycle_unit",
        "work_day_type",
        "data_src",
    )
    data["classify2"] = _classify2(c, data["classify1"])
    data["responsible_post"] = _post(c, look.tree)
    if plan is None:
        return
    reference = c.value("factor")
    factor_index = _factor_index(c, plan, reference) if reference else None
    c.duplicate("description", (plan.code, data["description"], data["check_content"]), seen)
    if data["code"]:
        c.duplicate("code", (plan.code, "code", data["code"]), seen)
    if not c.failed:
        plan.measures.append(MeasurePlan(c.row.number, data, factor_index))


def _tier_unit(c: RowChecker, tree: OrgTree, tier: Any) -> OrgUnit | None:
    unit = c.lookup("org_unit", tree.find, _("本企业组织架构中没有这个单位，请按代码表中的路径填写"))
    if unit is None or tier is None:
        return unit
    wanted = TIER_UNIT_KIND[ControlTier(tier)]
    if unit.kind != wanted:
        c.error(
            "org_unit",
            _("%(tier)s的责任单位须是“%(kind)s”层级（这是%(actual)s）")
            % {
                "tier": choice_label(ControlTier.choices, tier),
                "kind": choice_label(OrgUnitKind.choices, wanted),
                "actual": unit.get_kind_display(),
            },
        )
        return None
    return unit


def _tier_person(c: RowChecker, look: Lookups, unit: OrgUnit | None) -> Person | None:
    name = c.value("person")
    if not name:
        return None
    candidates = look.people.get(name, [])
    if len(candidates) > 1 and unit is not None:
        candidates = [p for p in candidates if look.tree.within(p.org_unit, unit)]
    if not candidates:
        c.error("person", _("本企业没有这个人员（或不在所填责任单位内），请先在人员名单中登记"))
    elif len(candidates) > 1:
        c.error("person", _("本企业有 %(n)s 位同名人员，请填写责任单位以区分") % {"n": len(candidates)})
    else:
        return candidates[0]
    return None


def check_tier(c: RowChecker, look: Lookups, seen: dict[Any, int]) -> None:
    plan = _point_for(c, look)
    tier = c.value("tier")
    unit = _tier_unit(c, look.tree, tier)
    person = _tier_person(c, look, unit)
    if plan is None or tier is None:
        return
    first = seen.setdefault((plan.code, tier), c.row.number)
    if first != c.row.number:
        c.error("tier", _("该风险点的这一管控层级已在本表第 %(row)s 行填写") % {"row": first})
    if not c.failed and person is not None:
        plan.tiers.append(TierPlan(c.row.number, tier, person, unit))
