"""Excel template, export and import of one enterprise's whole risk register (风险清单导入导出).

Built on the Excel kit (`safegrid.core.excel`): this module declares the sheets and columns, checks
rows against the enterprise's org chart, people and the county's assessment tables, and maps the
checked rows onto `risks.services`; the kit reads, reports (sheet/row/column/value/message), writes
the workbook (drop-downs, 代码表, 说明, formula-neutralised cells) and runs the import all or nothing.

One workbook format serves all three: the template is the export of an empty register, and an
export imports back unchanged. Sheets: 说明 (instructions and the enterprise the file belongs to),
风险点, 危险源 (with the initial and optional residual assessment), 管控措施, 管控责任, 代码表.

What an import replaces: the risk points the file names (listed in 风险点, or referred to by another
sheet) are upserted by code — created when new, their fields updated when listed in 风险点 — and
THEIR hazard factors (with assessments), control measures and responsibility tiers are replaced by
the file's rows: what the file leaves out for such a point is removed. Points the file does not
name are left alone. A retired point listed in 风险点 is reactivated. Assessments are graded anew
with the county's current configuration. Every write goes through the services (validated again,
audited); one summary audit entry (action *import*, ``risks.register_import``) closes the import.
The upload page runs it on the worker (`risks.jobs`, kind ``risks.import_register``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext as _

from safegrid.core import audit, excel
from safegrid.core.audit import Actor
from safegrid.core.choices import AuditAction
from safegrid.core.excel import (
    CODES_SHEET,
    EXAMPLE_MARK,
    HELP_SHEET,
    CodeList,
    Column,
    HelpText,
    Importer,
    ImportResult,
    Kind,
    ProgressSink,
    Row,
    RowChecker,
    RowError,
    RowsRefused,
    SheetData,
    SheetError,
    SheetSpec,
    cell_text,
    choice_label,
)
from safegrid.enterprises import selectors as ent_selectors
from safegrid.enterprises.choices import OrgUnitKind
from safegrid.enterprises.models import Enterprise, OrgUnit, Person

from ..choices import (
    AccidentType,
    AssessmentKind,
    CheckCycleUnit,
    Classify1,
    Classify2,
    ControlTier,
    DataSource,
    HazardCategory,
    IdentificationMethod,
    MeasureKind,
    RiskPointType,
    WorkDayType,
    classify2_parent,
)
from ..models import TIER_UNIT_KIND, ControlMeasure, HazardFactor, RiskPoint
from ..rules import assessment as rules
from ..rules import methods
from ..selectors import points as selectors
from ..services import points as services

__all__ = ["CODES_SHEET", "EXAMPLE_MARK", "HELP_SHEET"]

MAX_ROWS_PER_SHEET = 5_000
POINTS_SHEET = "风险点"
FACTORS_SHEET = "危险源"
MEASURES_SHEET = "管控措施"
TIERS_SHEET = "管控责任"
USCC_LABEL = "企业统一社会信用代码"
INPUT_NAMES = ("L", "E", "C", "S", "M")
LONG_TEXT = 5_000

_PATH_SPLIT = re.compile(r"\s*[/／]\s*")
_CLASSIFY2_CODE = re.compile(r"^\s*(\d-\d)(?!\d)")


def _max_length(model: Any, name: str) -> int:
    return int(model._meta.get_field(name).max_length or LONG_TEXT)


# ---------------------------------------------------------------------------------------------
# The sheets: fixed Chinese headers (a data format), so a file imports under either UI language.


def _choice(
    key: str, header: str, choices: Any, width: int = 12, note: str = "见代码表", **more: Any
) -> Column:
    """A code-list column; its drop-down is the code list named like the column."""
    more.setdefault("required", True)
    return Column(key, header, Kind.CHOICE, width=width, note=note, choices=choices, codes=key, **more)


def _text(key: str, header: str, width: int, model: Any = None, **more: Any) -> Column:
    """A text column, as long as the model field allows (LONG_TEXT for text fields)."""
    limit = _max_length(model, key) if model is not None else LONG_TEXT
    more.setdefault("multiline", model is None)  # a text field: line breaks are kept
    return Column(key, header, width=width, max_length=limit, **more)


def _ref(key: str, header: str, width: int, note: str, **more: Any) -> Column:
    """A path, name or code the checks resolve against the enterprise (kept as text in Excel)."""
    return Column(key, header, Kind.REFERENCE, width=width, note=note, **more)


POINT_REF = _ref("point", "风险点编号", 14, "须在“风险点”表中列出，或系统中已有", required=True)
ORG_PATH = "组织架构路径，如：合成车间 或 合成车间/甲班"


def _assessment_columns(prefix: str, title: str, required: bool) -> tuple[Column, ...]:
    method = Column(
        f"{prefix}_method",
        f"{title}评价方法",
        required=required,
        width=12,
        note="LEC、LS 或 MES",
        codes="assessment",
    )
    inputs = (
        Column(f"{prefix}_{n}", f"{title}{n}", width=7, note=f"{n} 的取值，见代码表") for n in INPUT_NAMES
    )
    return (method, *inputs)


POINTS = SheetSpec(
    POINTS_SHEET,
    (
        _text(
            "code",
            "风险点编号",
            14,
            RiskPoint,
            required=True,
            text_format=True,
            note="企业内唯一；已有编号的风险点按本文件更新",
        ),
        _text("name", "风险点名称", 24, RiskPoint, required=True),
        _choice("type", "风险点类型", RiskPointType.choices, 20),
        _ref("org_unit", "所属车间/部门", 24, ORG_PATH, codes="org_unit", strict=False),
        _text("location", "位置", 20, RiskPoint),
        Column("lat", "纬度", Kind.FLOAT, False, 10, "十进制度；与经度同时填写或同时留空", low=-90, high=90),
        Column("lon", "经度", Kind.FLOAT, False, 10, "十进制度", low=-180, high=180),
    ),
    MAX_ROWS_PER_SHEET,
)
FACTORS = SheetSpec(
    FACTORS_SHEET,
    (
        POINT_REF,
        _choice("method", "辨识方法", IdentificationMethod.choices, 10, "SCL 或 JHA"),
        Column(
            "step_no",
            "作业步骤序号",
            Kind.INT,
            False,
            10,
            "JHA 必填 1–10，每个风险点最多 10 个步骤；SCL 留空",
            low=1,
            high=10_000,
        ),
        _text("step_name", "作业步骤/检查项目", 20, HazardFactor),
        _text("description", "危险源或潜在事件", 30, required=True),
        _choice("category", "类别（GB/T 13861）", HazardCategory.choices, 14),
        _choice(
            "accident_types",
            "事故类型（GB 6441）",
            AccidentType.choices,
            20,
            "见代码表；多个用“、”分隔",
            required=False,
            many=True,
            strict=False,
        ),
        _text("consequences", "可能后果", 20),
        _text("existing_controls", "现有管控措施", 24),
        *_assessment_columns("initial", "初始", True),
        *_assessment_columns("residual", "剩余", False),
    ),
    MAX_ROWS_PER_SHEET,
)
MEASURES = SheetSpec(
    MEASURES_SHEET,
    (
        POINT_REF,
        _ref("factor", "对应危险源", 16, "可空；填该风险点危险源的步骤序号、项目名称或危险源描述"),
        _choice("kind", "措施类别", MeasureKind.choices, note="见代码表（六类）"),
        _choice("classify1", "管控方式一级", Classify1.choices),
        Column(
            "classify2",
            "管控方式二级代码",
            required=True,
            text_format=True,
            note="如 1-4，须属于所填一级分类",
            codes="classify2",
        ),
        _text("classify3", "管控方式三级", 14, ControlMeasure),
        _text("description", "管控措施", 30, required=True),
        _text("check_content", "排查内容", 30, required=True),
        Column("check_cycle", "排查周期", Kind.INT, True, 9, "正整数", low=1, high=1_000_000),
        _choice("check_cycle_unit", "周期单位", CheckCycleUnit.choices, 9, "小时、天、月、年"),
        _choice(
            "work_day_type",
            "工作日类型",
            WorkDayType.choices,
            note="空为“每天”",
            required=False,
            default=WorkDayType.EVERY_DAY,
        ),
        _choice(
            "data_src",
            "数据来源",
            DataSource.choices,
            note="空为“隐患排查”",
            required=False,
            default=DataSource.INSPECTION,
        ),
        _ref(
            "responsible_post",
            "责任岗位",
            30,
            "岗位的组织架构路径，如：合成车间/甲班/反应釜操作岗",
            required=True,
            codes="responsible_post",
        ),
    ),
    MAX_ROWS_PER_SHEET,
)
TIERS = SheetSpec(
    TIERS_SHEET,
    (
        POINT_REF,
        _choice("tier", "管控层级", ControlTier.choices, 10, "公司级、车间级、班组级、岗位级"),
        _ref(
            "person",
            "责任人",
            12,
            "本企业人员姓名；同名时用责任单位区分",
            required=True,
            codes="person",
            strict=False,
        ),
        _ref(
            "org_unit",
            "责任单位",
            30,
            "组织架构路径，层级须与管控层级一致；公司级填公司名称",
            codes="org_unit",
            strict=False,
        ),
    ),
    MAX_ROWS_PER_SHEET,
)
SPECS: tuple[SheetSpec, ...] = (POINTS, FACTORS, MEASURES, TIERS)
SHEETS: dict[str, tuple[Column, ...]] = {spec.name: spec.columns for spec in SPECS}


# ---------------------------------------------------------------------------------------------
# The enterprise's org units and people, by the paths the sheets use.


def _split_path(text: str) -> tuple[str, ...]:
    return tuple(name for name in _PATH_SPLIT.split(text.strip()) if name)


@dataclass
class OrgTree:
    """Org units by their path below the company ("合成车间/甲班"); the company by its own name."""

    units: dict[tuple[str, ...], OrgUnit]
    path_of: dict[int, str]
    company: OrgUnit | None

    @classmethod
    def load(cls, user: Any, enterprise: Enterprise) -> OrgTree:
        units: dict[tuple[str, ...], OrgUnit] = {}
        names: dict[int, tuple[str, ...]] = {}
        path_of: dict[int, str] = {}
        company: OrgUnit | None = None
        # Ordered by the materialised path, so a parent always comes before its children.
        for unit in ent_selectors.org_unit_list(user).filter(enterprise=enterprise).order_by("path"):
            if unit.parent_id is None:
                company, names[unit.pk] = unit, ()
                path_of[unit.pk] = unit.name
                continue
            names[unit.pk] = (*names.get(unit.parent_id, ()), unit.name)
            units[names[unit.pk]] = unit
            path_of[unit.pk] = "/".join(names[unit.pk])
        return cls(units, path_of, company)

    def find(self, text: str) -> OrgUnit | None:
        names = _split_path(text)
        if not names:
            return None
        if names in self.units:
            return self.units[names]
        if self.company is not None and names[0] == self.company.name:
            return self.company if len(names) == 1 else self.units.get(names[1:])
        return None

    def path(self, unit: OrgUnit | None) -> str:
        return self.path_of.get(unit.pk, "") if unit is not None else ""

    def within(self, unit: OrgUnit | None, ancestor: OrgUnit) -> bool:
        return unit is not None and (unit.pk == ancestor.pk or unit.path.startswith(ancestor.path))


# ---------------------------------------------------------------------------------------------
# Checking the whole file into a plan.


@dataclass
class FactorPlan:
    row: int
    data: dict[str, Any]
    assessments: list[tuple[str, str, dict[str, Any]]]  # (kind, method, inputs)


@dataclass
class MeasurePlan:
    row: int
    data: dict[str, Any]
    factor_index: int | None  # index into the point's FactorPlan list


@dataclass
class TierPlan:
    row: int
    tier: str
    person: Person
    org_unit: OrgUnit | None


@dataclass
class PointPlan:
    code: str
    row: int | None  # the 风险点 row; None when only other sheets name an existing point
    data: dict[str, Any] | None
    existing: RiskPoint | None
    factors: list[FactorPlan] = field(default_factory=list)
    measures: list[MeasurePlan] = field(default_factory=list)
    tiers: list[TierPlan] = field(default_factory=list)
    factor_rows_failed: int = 0  # rows of 危险源 for this point that have errors (reported there)

    @property
    def rows(self) -> int:
        return (self.row is not None) + len(self.factors) + len(self.measures) + len(self.tiers)


@dataclass
class Lookups:
    """What the rows are checked against, fetched once before the first row."""

    tree: OrgTree
    existing: dict[str, RiskPoint]
    people: dict[str, list[Person]]
    config: rules.RiskConfig
    listed: set[str] = field(default_factory=set)  # codes named in 风险点 (even on a failed row)
    plans: dict[str, PointPlan] = field(default_factory=dict)


def _check_point(c: RowChecker, look: Lookups, seen: dict[str, int]) -> None:
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


def _check_factor(c: RowChecker, look: Lookups, steps: dict[str, list[int]], seen: dict[Any, int]) -> None:
    plan = _point_for(c, look)
    data = c.values(
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
    if c.failed:
        plan.factor_rows_failed += 1
    else:
        plan.factors.append(FactorPlan(c.row.number, data, assessments))


def _factor_index(c: RowChecker, plan: PointPlan, reference: str) -> int | None:
    """The file's factor of the point that a measure names, by step number, item name or description.

    When some of the point's 危险源 rows have errors (already reported), an unmatched reference is
    not reported again: it may name one of those rows.
    """
    ambiguous: list[int] = []
    for attribute in ("step_no", "step_name", "description"):
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
        c.error("factor", _("该风险点在“危险源”表中没有这个步骤序号、项目名称或危险源描述"))
    return None


def _classify2(c: RowChecker, classify1: Any) -> str:
    text = c.value("classify2")
    match = _CLASSIFY2_CODE.match(text)
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


def _check_measure(c: RowChecker, look: Lookups, seen: dict[Any, int]) -> None:
    plan = _point_for(c, look)
    data = c.values(
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


def _check_tier(c: RowChecker, look: Lookups, seen: dict[Any, int]) -> None:
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


# ---------------------------------------------------------------------------------------------
# Writing the plan through the services.


@dataclass
class ImportSummary:
    points_created: int = 0
    points_updated: int = 0
    factors_removed: int = 0
    factors: int = 0
    assessments: int = 0
    measures_removed: int = 0
    measures: int = 0
    tiers_removed: int = 0
    tiers: int = 0

    def as_dict(self) -> dict[str, int]:
        return dataclasses.asdict(self)


def _assessment_fields(kind: str) -> dict[str, str]:
    """A refused assessment's field names -> its columns (anything but an input: the method column)."""
    names = {name: f"{kind}_{name}" for name in INPUT_NAMES}
    return names | dict.fromkeys(("method", "inputs", "kind", "level", "score"), f"{kind}_method")


def _refused(
    spec: SheetSpec, row: int | None, exc: ValidationError, fields: Mapping[str, str] | None = None
) -> RowsRefused:
    return RowsRefused(excel.validation_errors(spec, row or 0, exc, fields))


class RegisterImporter:
    """The kit's `Importer` for one enterprise's register (see `core.excel.run_import`)."""

    sheets = SPECS

    def __init__(self, user: Any, enterprise: Enterprise, *, file_name: str, sha256: str) -> None:
        self.user = user
        self.enterprise = enterprise
        self.file_name = file_name[:200]
        self.sha256 = sha256
        self.summary = ImportSummary()

    def _lookups(self) -> Lookups:
        people: dict[str, list[Person]] = {}
        for person in ent_selectors.person_list(self.user).filter(enterprise=self.enterprise, active=True):
            people.setdefault(person.name, []).append(person)
        return Lookups(
            tree=OrgTree.load(self.user, self.enterprise),
            existing={
                p.code: p for p in selectors.risk_point_list(self.user).filter(enterprise=self.enterprise)
            },
            people=people,
            config=services.config_for_enterprise(self.enterprise),
        )

    def check(
        self, rows: Mapping[str, list[Row]], errors: list[RowError], on_row: Callable[[int], None]
    ) -> Lookups:
        look = self._lookups()
        look.listed = {cell_text(r.values.get("code")) for r in rows[POINTS_SHEET]} - {""}
        steps: dict[str, list[int]] = {}
        seen: dict[str, dict[Any, int]] = {spec.name: {} for spec in SPECS}
        checks: tuple[tuple[SheetSpec, Callable[[RowChecker], None]], ...] = (
            (POINTS, lambda c: _check_point(c, look, seen[POINTS_SHEET])),
            (FACTORS, lambda c: _check_factor(c, look, steps, seen[FACTORS_SHEET])),
            (MEASURES, lambda c: _check_measure(c, look, seen[MEASURES_SHEET])),
            (TIERS, lambda c: _check_tier(c, look, seen[TIERS_SHEET])),
        )
        done = 0
        for spec, check in checks:
            for row in rows[spec.name]:
                check(RowChecker(spec, row, errors))
                done += 1
                on_row(done)
        return look

    def write(self, plan: Lookups, on_rows: Callable[[int], None]) -> int:
        done = 0
        for point_plan in plan.plans.values():
            self._write_point(point_plan)
            done += point_plan.rows
            on_rows(done)
        audit.record(
            actor=self.user,
            action=AuditAction.IMPORT,
            obj=self.enterprise,
            object_type="risks.register_import",
            object_id=str(self.enterprise.pk),
            after={
                "file_name": self.file_name,
                "sha256": self.sha256,
                "points": sorted(plan.plans),
                **self.summary.as_dict(),
            },
            comment=_("Excel 导入风险清单：%(file)s（%(n)s 个风险点）")
            % {"file": self.file_name, "n": len(plan.plans)},
        )
        return done

    def _replace_lists(self, point: RiskPoint, plan: PointPlan) -> RiskPoint:
        actor: Actor = self.user
        if plan.data is not None:
            if not point.active:
                point = services.risk_point_reactivate(actor=actor, point=point)
            point = services.risk_point_update(actor=actor, point=point, data=plan.data)
            self.summary.points_updated += 1
        for measure in list(point.measures.all()):
            services.measure_remove(actor=actor, measure=measure)
            self.summary.measures_removed += 1
        for assignment in list(point.tiers.all()):
            services.tier_unassign(actor=actor, assignment=assignment)
            self.summary.tiers_removed += 1
        for old in list(point.factors.all()):
            services.hazard_factor_remove(actor=actor, factor=old)
            self.summary.factors_removed += 1
        point.refresh_from_db()
        return point

    def _write_point(self, plan: PointPlan) -> None:
        actor: Actor = self.user
        try:
            if plan.existing is None:
                assert plan.data is not None
                point = services.risk_point_create(actor=actor, enterprise=self.enterprise, data=plan.data)
                self.summary.points_created += 1
            else:
                point = self._replace_lists(plan.existing, plan)
        except ValidationError as exc:
            raise _refused(POINTS, plan.row, exc) from exc
        factors: list[HazardFactor] = []
        for item in plan.factors:
            try:
                factor = services.hazard_factor_add(actor=actor, point=point, data=item.data)
            except ValidationError as exc:
                raise _refused(FACTORS, item.row, exc) from exc
            factors.append(factor)
            self.summary.factors += 1
            for kind, method, inputs in item.assessments:
                try:
                    services.assess(actor=actor, factor=factor, kind=kind, method=method, inputs=inputs)
                except ValidationError as exc:
                    raise _refused(FACTORS, item.row, exc, _assessment_fields(kind)) from exc
                self.summary.assessments += 1
        for measure in plan.measures:
            data = dict(measure.data)
            if measure.factor_index is not None:
                data["hazard_factor"] = factors[measure.factor_index]
            try:
                services.measure_add(actor=actor, point=point, data=data)
            except ValidationError as exc:
                raise _refused(MEASURES, measure.row, exc, {"hazard_factor": "factor"}) from exc
            self.summary.measures += 1
        for tier in plan.tiers:
            try:
                services.tier_assign(
                    actor=actor, point=point, tier=tier.tier, person=tier.person, org_unit=tier.org_unit
                )
            except ValidationError as exc:
                raise _refused(TIERS, tier.row, exc) from exc
            self.summary.tiers += 1


@dataclass
class ImportOutcome(ImportResult):
    """The kit's result with what the register import did."""

    summary: ImportSummary | None = None


class _Silent:
    def progress(self, done: int, total: int, message: str = "") -> None:
        return None


def file_uscc(content: bytes) -> str:
    """The USCC the file's 说明 sheet names ('' when none, or the file is unreadable)."""
    try:
        with excel.open_workbook(content) as workbook:
            return excel.labelled_value(workbook, HELP_SHEET, USCC_LABEL).upper()
    except SheetError:
        return ""


def import_register(
    *,
    user: Any,
    enterprise: Enterprise,
    file_name: str,
    content: bytes,
    ctx: ProgressSink | None = None,
    wrap: Callable[[Importer[Any]], Importer[Any]] | None = None,
) -> ImportOutcome:
    """Check the whole file, then write it all or nothing. The caller has checked `can_edit_register`.
    `wrap` lets the job add to the import's transaction (see `enterprises.import_jobs.MarkDone`)."""
    uscc = file_uscc(content)
    if uscc and uscc != enterprise.uscc:
        message = _("该文件属于另一家企业，不能导入到“%(name)s”") % {"name": enterprise.name}
        return ImportOutcome(
            False,
            errors=[RowError(HELP_SHEET, 0, USCC_LABEL, uscc, message)],
            message=_("文件与所选企业不符，未导入任何数据"),
        )
    importer = RegisterImporter(
        user, enterprise, file_name=file_name, sha256=hashlib.sha256(content).hexdigest()
    )
    result = excel.run_import(ctx or _Silent(), wrap(importer) if wrap else importer, content)
    fields = {f.name: getattr(result, f.name) for f in dataclasses.fields(ImportResult)}
    return ImportOutcome(**fields, summary=importer.summary if result.ok else None)


# ---------------------------------------------------------------------------------------------
# Writing the workbook: the template is the export of an empty register.


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _code_lists(tree: OrgTree, people: Sequence[Person]) -> list[CodeList]:
    def labels(choices: Any) -> list[str]:
        return list(excel.choice_labels(choices))

    units = sorted(tree.units.values(), key=lambda u: u.path)
    company = [tree.company.name] if tree.company is not None else []
    return [
        CodeList("type", "风险点类型", labels(RiskPointType.choices)),
        CodeList("method", "辨识方法", list(IdentificationMethod.values)),
        CodeList("category", "危险源类别（GB/T 13861）", labels(HazardCategory.choices)),
        CodeList("accident_types", "事故类型（GB 6441）", labels(AccidentType.choices)),
        CodeList("assessment", "评价方法", list(rules.METHODS)),
        CodeList("lec_l", "LEC：L", [_fmt(v) for v in methods.LEC_L]),
        CodeList("lec_e", "LEC：E", [_fmt(v) for v in methods.LEC_E]),
        CodeList("lec_c", "LEC：C", [_fmt(v) for v in methods.LEC_C]),
        CodeList("ls_l", "LS：L", [str(v) for v in methods.LS_L]),
        CodeList("ls_s", "LS：S", [str(v) for v in methods.LS_S]),
        CodeList("mes_m", "MES：M", [str(v) for v in methods.MES_M]),
        CodeList("mes_e", "MES：E", [_fmt(v) for v in methods.MES_E]),
        CodeList("mes_s", "MES：S", [str(v) for v in methods.MES_S]),
        CodeList("kind", "措施类别", labels(MeasureKind.choices)),
        CodeList("classify1", "管控方式一级", labels(Classify1.choices)),
        CodeList("classify2", "管控方式二级代码", list(Classify2.values)),
        CodeList("classify2_name", "二级分类名称", labels(Classify2.choices)),
        CodeList("check_cycle_unit", "周期单位", labels(CheckCycleUnit.choices)),
        CodeList("work_day_type", "工作日类型", labels(WorkDayType.choices)),
        CodeList("data_src", "数据来源", labels(DataSource.choices)),
        CodeList("tier", "管控层级", labels(ControlTier.choices)),
        CodeList("org_unit", "组织单元路径", company + [tree.path(u) for u in units]),
        CodeList("responsible_post", "岗位路径", [tree.path(u) for u in units if u.kind == OrgUnitKind.POST]),
        CodeList("person", "人员姓名", [p.name for p in people]),
        CodeList("person_unit", "人员所在岗位/部门", [tree.path(p.org_unit) for p in people]),
    ]


def _assessment_cells(prefix: str, assessment: Any) -> dict[str, Any]:
    if assessment is None:
        return {}
    cells: dict[str, Any] = {f"{prefix}_method": assessment.method}
    for name, value in (assessment.inputs or {}).items():
        cells[f"{prefix}_{name}"] = value
    return cells


def _unique_reference(factor: HazardFactor, factors: Sequence[HazardFactor]) -> str:
    """The shortest reference naming this factor alone among its point's factors ('' if none does)."""
    for attribute in ("step_no", "step_name", "description"):
        value = cell_text(getattr(factor, attribute))
        if value and sum(1 for f in factors if cell_text(getattr(f, attribute)) == value) == 1:
            return value
    return ""


_FACTOR_FIELDS = (
    "method",
    "step_no",
    "step_name",
    "description",
    "category",
    "accident_types",
    "consequences",
    "existing_controls",
)
_MEASURE_FIELDS = (
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
)


def _register_rows(points: Sequence[RiskPoint], tree: OrgTree) -> dict[str, list[dict[str, Any]]]:
    """Stored values by column key; the kit writes choice labels and neutralises text."""
    rows: dict[str, list[dict[str, Any]]] = {spec.name: [] for spec in SPECS}
    order = {tier: i for i, tier in enumerate(methods.TIERS)}
    for point in points:
        rows[POINTS_SHEET].append(
            {
                "code": point.code,
                "name": point.name,
                "type": point.type,
                "org_unit": tree.path(point.org_unit),
                "location": point.location,
                "lat": point.lat,
                "lon": point.lon,
            }
        )
        views = selectors.factor_views(point)
        factors = [view.factor for view in views]
        for view in views:
            rows[FACTORS_SHEET].append(
                {
                    "point": point.code,
                    **{name: getattr(view.factor, name) for name in _FACTOR_FIELDS},
                    **_assessment_cells("initial", view.initial),
                    **_assessment_cells("residual", view.residual),
                }
            )
        for measure in point.measures.all():
            if not measure.active:
                continue
            factor = measure.hazard_factor
            rows[MEASURES_SHEET].append(
                {
                    "point": point.code,
                    "factor": _unique_reference(factor, factors) if factor is not None else "",
                    **{name: getattr(measure, name) for name in _MEASURE_FIELDS},
                    "responsible_post": tree.path(measure.responsible_post),
                }
            )
        for assignment in sorted(point.tiers.all(), key=lambda a: order.get(a.tier, 9)):
            rows[TIERS_SHEET].append(
                {
                    "point": point.code,
                    "tier": assignment.tier,
                    "person": assignment.person.name,
                    "org_unit": tree.path(assignment.org_unit),
                }
            )
    return rows


_EXAMPLE_CODE = f"{EXAMPLE_MARK}RP-001"
_EXAMPLES: dict[str, dict[str, Any]] = {
    POINTS_SHEET: {
        "code": _EXAMPLE_CODE,
        "name": "氯乙烯合成反应釜（示例行不会导入）",
        "type": RiskPointType.choices[0][0],
        "org_unit": "合成车间",
        "location": "合成车间一楼",
    },
    FACTORS_SHEET: {
        "point": _EXAMPLE_CODE,
        "method": "SCL",
        "step_name": "反应釜",
        "description": "反应釜超温超压",
        "category": "物的因素",
        "accident_types": "容器爆炸、火灾",
        "consequences": "容器爆炸、火灾",
        "existing_controls": "温度压力联锁",
        "initial_method": "LEC",
        "initial_L": 3,
        "initial_E": 6,
        "initial_C": 15,
    },
    MEASURES_SHEET: {
        "point": _EXAMPLE_CODE,
        "factor": "反应釜",
        "kind": "自动化控制",
        "classify1": "工程技术",
        "classify2": "1-4",
        "description": "反应釜温度、压力高高联锁切断进料",
        "check_content": "联锁投用状态、仪表示值是否正常",
        "check_cycle": 2,
        "check_cycle_unit": "小时",
        "work_day_type": "每天",
        "data_src": "隐患排查",
        "responsible_post": "合成车间/甲班/反应釜操作岗",
    },
    TIERS_SHEET: {"point": _EXAMPLE_CODE, "tier": "岗位级", "person": "王操作", "org_unit": ""},
}

HELP_LINES = (
    "1. 本文件的格式同时用于模板、导出和导入；请勿修改工作表名称和表头文字，红色带 * 的列为必填。",
    f"2. 以“{EXAMPLE_MARK}”开头的示例行不会导入，可保留或删除。可选值见“{CODES_SHEET}”工作表。",
    "3. 风险点按“风险点编号”对应：编号已存在的风险点按本文件更新，新编号新建。",
    "4. 本文件中出现的每个风险点，其危险源（含评价）、管控措施和管控责任全部以本文件为准："
    "文件中没有的将被删除；文件中没有出现的风险点保持不变。",
    "5. 危险源：JHA 须填作业步骤序号（1–10），每个风险点最多 10 个步骤；SCL 不填步骤序号。",
    "6. 评价：LEC 填 L、E、C；LS 填 L、S；MES 填 M、E、S；取值须为代码表中的数值，"
    "等级按本县风险分级设置计算。剩余评价可空。",
    "7. 管控措施的“对应危险源”填该风险点危险源的步骤序号、项目名称或危险源描述；可空。",
    "8. 组织架构路径用“/”连接公司以下各级名称，如：合成车间/甲班/反应釜操作岗；公司本级填公司名称。",
    "9. 全部行校验通过才会导入；任何一处有错都不会导入任何数据，并列出工作表、行号、列名和原因。",
    "10. 文件在后台导入，页面显示进度；完成或失败时会收到通知。",
)


def build_workbook(user: Any, enterprise: Enterprise, points: Sequence[RiskPoint] | None) -> bytes:
    """The register workbook: the template when `points` is None, else the export of those points."""
    tree = OrgTree.load(user, enterprise)
    people = list(
        ent_selectors.person_list(user)
        .filter(enterprise=enterprise, active=True)
        .select_related("org_unit")
        .order_by("name", "id")
    )
    rows = _register_rows(points, tree) if points is not None else None
    with translation.override("zh-hans"):
        return excel.build_workbook(
            [
                SheetData(
                    spec,
                    rows=rows[spec.name] if rows is not None else (),
                    example=_EXAMPLES[spec.name] if rows is None else None,
                )
                for spec in SPECS
            ],
            code_lists=_code_lists(tree, people),
            help_text=HelpText(
                title="风险清单导入导出说明",
                pairs=(("企业名称", enterprise.name), (USCC_LABEL, enterprise.uscc)),
                lines=("", *HELP_LINES),
                first=True,
            ),
        )


def build_template(user: Any, enterprise: Enterprise) -> bytes:
    return build_workbook(user, enterprise, None)


def build_export(user: Any, enterprise: Enterprise) -> bytes:
    """The enterprise's current register (active points, current assessments) in the import format."""
    _enterprise, points = selectors.register(user, enterprise.pk)
    return build_workbook(user, enterprise, points)
