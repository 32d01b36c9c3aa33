"""Excel template, export and import of one enterprise's whole risk register (风险清单导入导出).

One workbook format serves all three: the template is the export of an empty register, and an
export imports back unchanged. Sheets: 说明 (instructions and the enterprise the file belongs to),
风险点, 危险源 (with the initial and optional residual assessment), 管控措施, 管控责任, and 代码表
(every valid value, feeding the drop-downs).

Import is all or nothing, in the manner of the enterprise import (`enterprises.importing`):

1. Every row of every sheet is checked against the file and the database (required fields, code
   lists, risk point references, org-unit paths, people, post kind, the method tables through
   `rules.assess` with the county's configuration, at most ten JHA steps per point, classify2 under
   classify1, duplicates). Any problem: nothing is written and each problem is reported with its
   sheet, Excel row, column header, value and a Chinese message.
2. Otherwise everything is written in ONE transaction through `risks.services`, so every write is
   validated again and audited, and one summary audit entry (action *import*, object type
   ``risks.register_import``) closes it. A refusal at that stage rolls the whole file back.

What an import replaces: the risk points the file names (listed in 风险点, or referred to by another
sheet) are upserted by code — created when new, their fields updated when listed in 风险点 — and
THEIR hazard factors (with assessments), control measures and responsibility tiers are replaced by
the file's rows: what the file leaves out for such a point is removed. Points the file does not
name are left alone. A retired point listed in 风险点 is reactivated. Assessments are graded anew
with the county's current configuration.

A register is a few hundred rows, so the import runs inside the request (no background job).
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from safegrid.core import audit
from safegrid.core.audit import Actor
from safegrid.core.choices import AuditAction
from safegrid.enterprises import selectors as ent_selectors
from safegrid.enterprises.choices import OrgUnitKind
from safegrid.enterprises.importing import EXAMPLE_MARK, SheetError, cell_text
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

MAX_ROWS_PER_SHEET = 5_000
VALIDATION_ROWS = 2_000
HELP_SHEET = "说明"
CODES_SHEET = "代码表"
POINTS_SHEET = "风险点"
FACTORS_SHEET = "危险源"
MEASURES_SHEET = "管控措施"
TIERS_SHEET = "管控责任"
USCC_LABEL = "企业统一社会信用代码"

_LIST_SPLIT = re.compile(r"[、,，;；]+")
_PATH_SPLIT = re.compile(r"\s*[/／]\s*")
_CLASSIFY2_CODE = re.compile(r"^\s*(\d-\d)(?!\d)")
_HEADER_FILL = PatternFill("solid", fgColor="DCE7F5")
_EXAMPLE_FONT = Font(italic=True, color="808080")
INPUT_NAMES = ("L", "E", "C", "S", "M")


# ---------------------------------------------------------------------------------------------
# The columns: fixed Chinese headers (a data format), so a file imports under either UI language.


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    width: int = 14
    text: bool = False  # keep as text in Excel (codes with leading zeros, paths)
    note: str = ""


def _assessment_columns(prefix: str, title: str, required: bool) -> tuple[Column, ...]:
    return (
        Column(f"{prefix}_method", f"{title}评价方法", required, 12, note="LEC、LS 或 MES"),
        *(
            Column(f"{prefix}_{name}", f"{title}{name}", False, 7, note=f"{name} 的取值，见代码表")
            for name in INPUT_NAMES
        ),
    )


POINT_COLUMNS: tuple[Column, ...] = (
    Column("code", "风险点编号", True, 14, True, "企业内唯一；已有编号的风险点按本文件更新"),
    Column("name", "风险点名称", True, 24),
    Column("type", "风险点类型", True, 20, note="见代码表"),
    Column("org_unit", "所属车间/部门", False, 24, True, "组织架构路径，如：合成车间 或 合成车间/甲班"),
    Column("location", "位置", False, 20),
    Column("lat", "纬度", False, 10, note="十进制度；与经度同时填写或同时留空"),
    Column("lon", "经度", False, 10, note="十进制度"),
)
FACTOR_COLUMNS: tuple[Column, ...] = (
    Column("point", "风险点编号", True, 14, True, "须在“风险点”表中列出，或系统中已有"),
    Column("method", "辨识方法", True, 10, note="SCL 或 JHA"),
    Column("step_no", "作业步骤序号", False, 10, note="JHA 必填 1–10，每个风险点最多 10 个步骤；SCL 留空"),
    Column("step_name", "作业步骤/检查项目", False, 20),
    Column("description", "危险源或潜在事件", True, 30),
    Column("category", "类别（GB/T 13861）", True, 14, note="见代码表"),
    Column("accident_types", "事故类型（GB 6441）", False, 20, note="见代码表；多个用“、”分隔"),
    Column("consequences", "可能后果", False, 20),
    Column("existing_controls", "现有管控措施", False, 24),
    *_assessment_columns("initial", "初始", True),
    *_assessment_columns("residual", "剩余", False),
)
MEASURE_COLUMNS: tuple[Column, ...] = (
    Column("point", "风险点编号", True, 14, True, "须在“风险点”表中列出，或系统中已有"),
    Column("factor", "对应危险源", False, 16, True, "可空；填该风险点危险源的步骤序号、项目名称或危险源描述"),
    Column("kind", "措施类别", True, 12, note="见代码表（六类）"),
    Column("classify1", "管控方式一级", True, 12, note="见代码表"),
    Column("classify2", "管控方式二级代码", True, 12, True, "如 1-4，须属于所填一级分类"),
    Column("classify3", "管控方式三级", False, 14),
    Column("description", "管控措施", True, 30),
    Column("check_content", "排查内容", True, 30),
    Column("check_cycle", "排查周期", True, 9, note="正整数"),
    Column("check_cycle_unit", "周期单位", True, 9, note="小时、天、月、年"),
    Column("work_day_type", "工作日类型", False, 12, note="空为“每天”"),
    Column("data_src", "数据来源", False, 12, note="空为“隐患排查”"),
    Column(
        "responsible_post", "责任岗位", True, 30, True, "岗位的组织架构路径，如：合成车间/甲班/反应釜操作岗"
    ),
)
TIER_COLUMNS: tuple[Column, ...] = (
    Column("point", "风险点编号", True, 14, True, "须在“风险点”表中列出，或系统中已有"),
    Column("tier", "管控层级", True, 10, note="公司级、车间级、班组级、岗位级"),
    Column("person", "责任人", True, 12, note="本企业人员姓名；同名时用责任单位区分"),
    Column("org_unit", "责任单位", False, 30, True, "组织架构路径，层级须与管控层级一致；公司级填公司名称"),
)
SHEETS: dict[str, tuple[Column, ...]] = {
    POINTS_SHEET: POINT_COLUMNS,
    FACTORS_SHEET: FACTOR_COLUMNS,
    MEASURES_SHEET: MEASURE_COLUMNS,
    TIERS_SHEET: TIER_COLUMNS,
}


def _header(sheet: str, key: str) -> str:
    return next((c.header for c in SHEETS[sheet] if c.key == key), "")


def _labels(choices: Iterable[tuple[Any, Any]]) -> dict[str, Any]:
    """Chinese label -> stored value, whatever the active UI language."""
    with translation.override("zh-hans"):
        return {str(label): value for value, label in choices}


def _label_of(choices: Iterable[tuple[Any, Any]], value: Any) -> str:
    with translation.override("zh-hans"):
        return next((str(label) for v, label in choices if v == value), str(value))


def _max_length(model: Any, name: str) -> int:
    return int(model._meta.get_field(name).max_length or 10_000)


# ---------------------------------------------------------------------------------------------
# Problems and rows.


@dataclass(frozen=True)
class RegisterError:
    sheet: str
    row: int
    column: str
    value: str
    message: str


@dataclass
class Row:
    sheet: str
    number: int  # the Excel row number, as the user sees it
    values: dict[str, Any]


class Checker:
    """Collects the problems of one row, each named by its sheet, row and column."""

    def __init__(self, row: Row, errors: list[RegisterError]) -> None:
        self.row = row
        self.errors = errors
        self.failed = False

    def raw(self, key: str) -> Any:
        return self.row.values.get(key)

    def text(self, key: str) -> str:
        return cell_text(self.raw(key))

    def error(self, key: str, message: str, value: Any = None) -> None:
        shown = cell_text(self.raw(key) if value is None else value)
        self.errors.append(
            RegisterError(self.row.sheet, self.row.number, _header(self.row.sheet, key), shown[:100], message)
        )
        self.failed = True

    def string(self, key: str, max_length: int, *, required: bool = False) -> str:
        value = self.text(key)
        if required and not value:
            self.error(key, _("必填项不能为空"))
        elif len(value) > max_length:
            self.error(key, _("不能超过 %(n)s 个字（实际 %(m)s 个）") % {"n": max_length, "m": len(value)})
        return value

    def choice(self, key: str, by_label: Mapping[str, Any], *, default: Any = None) -> Any:
        """A value given by its Chinese label (or by its stored value); '' gives `default`."""
        value = self.text(key)
        if not value:
            if default is None:
                self.error(key, _("必填项不能为空"))
            return default
        if value in by_label:
            return by_label[value]
        for stored in by_label.values():
            if value == str(stored):
                return stored
        self.error(key, _("不是有效选项，可选：%(options)s") % {"options": "、".join(by_label)})
        return default

    def integer(self, key: str, low: int, high: int) -> int | None:
        raw, value = self.raw(key), self.text(key)
        if not value:
            return None
        try:
            number = float(raw) if isinstance(raw, int | float) else float(value)
        except ValueError:
            self.error(key, _("应为整数"))
            return None
        if not number.is_integer() or not low <= number <= high:
            self.error(key, _("应为 %(low)s 到 %(high)s 之间的整数") % {"low": low, "high": high})
            return None
        return int(number)

    def decimal(self, key: str, low: float, high: float) -> float | None:
        raw, value = self.raw(key), self.text(key)
        if not value:
            return None
        try:
            number = float(raw) if isinstance(raw, int | float) else float(value)
        except ValueError:
            self.error(key, _("应为数字"))
            return None
        if not low <= number <= high:
            self.error(key, _("应在 %(low)s 到 %(high)s 之间") % {"low": low, "high": high})
            return None
        return number


def _normal_header(value: Any) -> str:
    return re.sub(r"[\s*＊]", "", cell_text(value))


def read_workbook(content: bytes) -> tuple[dict[str, list[Row]], str, list[RegisterError]]:
    """The data rows of each sheet (blank and example rows skipped), the file's USCC, header problems."""
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many types for a file that is not an xlsx
        raise SheetError(_("文件无法读取，请上传由模板或导出文件填写的 .xlsx 格式 Excel 文件")) from exc
    try:
        uscc = ""
        if HELP_SHEET in workbook.sheetnames:
            for line in workbook[HELP_SHEET].iter_rows(max_row=10, max_col=2, values_only=True):
                if line and cell_text(line[0]) == USCC_LABEL and len(line) > 1:
                    uscc = cell_text(line[1]).upper()
        problems: list[RegisterError] = []
        sheets: dict[str, list[Row]] = {}
        for name, columns in SHEETS.items():
            sheets[name] = []
            if name not in workbook.sheetnames:
                problems.append(RegisterError(name, 0, "", "", _("缺少工作表，请使用导入模板或导出文件")))
                continue
            lines = workbook[name].iter_rows(values_only=True)
            header = next(lines, None) or ()
            by_header = {_normal_header(c.header): c for c in columns}
            positions: dict[str, int] = {}
            for index, raw in enumerate(header):
                column = by_header.get(_normal_header(raw))
                if column is None:
                    continue
                if column.key in positions:
                    problems.append(RegisterError(name, 1, column.header, column.header, _("列重复出现")))
                positions[column.key] = index
            missing = [c for c in columns if c.key not in positions]
            for column in missing:
                problems.append(RegisterError(name, 1, column.header, "", _("缺少此列，请使用导入模板")))
            if missing:
                continue
            for number, line in enumerate(lines, start=2):
                if line is None or all(cell_text(v) == "" for v in line):
                    continue
                if any(isinstance(v, str) and v.strip().startswith(EXAMPLE_MARK) for v in line):
                    continue
                values = {key: (line[pos] if pos < len(line) else None) for key, pos in positions.items()}
                sheets[name].append(Row(name, number, values))
                if len(sheets[name]) > MAX_ROWS_PER_SHEET:
                    raise SheetError(
                        _("工作表“%(sheet)s”超过 %(max)s 行，请拆分后分批导入")
                        % {"sheet": name, "max": MAX_ROWS_PER_SHEET}
                    )
        return sheets, uscc, problems
    finally:
        workbook.close()


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
# Checking the whole file.


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


@dataclass
class Plan:
    enterprise: Enterprise
    points: dict[str, PointPlan]


def _coordinates(c: Checker) -> tuple[float | None, float | None]:
    lat_given, lon_given = c.text("lat") != "", c.text("lon") != ""
    if lat_given != lon_given:
        c.error("lon" if lat_given else "lat", _("经度和纬度须同时填写或同时留空"))
        return None, None
    return c.decimal("lat", -90, 90), c.decimal("lon", -180, 180)


def _check_points(
    rows: Sequence[Row], tree: OrgTree, existing: Mapping[str, RiskPoint], errors: list[RegisterError]
) -> dict[str, PointPlan]:
    types = _labels(RiskPointType.choices)
    plans: dict[str, PointPlan] = {}
    seen: dict[str, int] = {}
    for row in rows:
        c = Checker(row, errors)
        code = c.string("code", _max_length(RiskPoint, "code"), required=True)
        if code in seen:
            c.error("code", _("与本表第 %(row)s 行的风险点编号重复") % {"row": seen[code]})
        data: dict[str, Any] = {
            "code": code,
            "name": c.string("name", _max_length(RiskPoint, "name"), required=True),
            "type": c.choice("type", types),
            "location": c.string("location", _max_length(RiskPoint, "location")),
            "org_unit": None,
        }
        path = c.text("org_unit")
        if path:
            data["org_unit"] = tree.find(path)
            if data["org_unit"] is None:
                c.error("org_unit", _("本企业组织架构中没有这个车间/部门，请按代码表中的路径填写"))
        data["lat"], data["lon"] = _coordinates(c)
        if code and code not in seen:
            seen[code] = row.number
            if not c.failed:
                plans[code] = PointPlan(code, row.number, data, existing.get(code))
    return plans


def _point_for(
    c: Checker,
    plans: dict[str, PointPlan],
    listed: set[str],
    existing: Mapping[str, RiskPoint],
) -> PointPlan | None:
    """The plan of the point a row refers to; an existing point not listed in 风险点 joins the plan."""
    code = c.text("point")
    if not code:
        c.error("point", _("必填项不能为空"))
        return None
    if code in plans:
        return plans[code]
    if code in listed:  # listed, but its 风险点 row has errors (reported there)
        return None
    point = existing.get(code)
    if point is None:
        c.error("point", _("“风险点”表中没有这个编号，系统中也没有该企业的这个风险点"))
        return None
    if not point.active:
        c.error("point", _("该风险点已停用；如需恢复，请在“风险点”表中列出它"))
        return None
    plans[code] = PointPlan(code, None, None, point)
    return plans[code]


def _check_assessment(
    c: Checker, prefix: str, config: rules.RiskConfig, *, required: bool
) -> tuple[str, dict[str, Any]] | None:
    method = c.text(f"{prefix}_method").upper()
    given = {name: c.raw(f"{prefix}_{name}") for name in INPUT_NAMES if c.text(f"{prefix}_{name}")}
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
        key = f"{prefix}_{exc.field}" if exc.field in INPUT_NAMES else f"{prefix}_method"
        c.error(key, exc.message)
        return None
    return method, {name: cell_text(value) for name, value in inputs.items()}


def _check_factors(
    rows: Sequence[Row],
    plans: dict[str, PointPlan],
    listed: set[str],
    existing: Mapping[str, RiskPoint],
    config: rules.RiskConfig,
    errors: list[RegisterError],
) -> None:
    methods_by_label = _labels(IdentificationMethod.choices)
    methods_by_label.update({value: value for value in IdentificationMethod.values})
    categories = _labels(HazardCategory.choices)
    accident_types = _labels(AccidentType.choices)
    steps: dict[str, list[int]] = {}
    seen: dict[tuple[Any, ...], int] = {}
    for row in rows:
        c = Checker(row, errors)
        plan = _point_for(c, plans, listed, existing)
        method = c.choice("method", methods_by_label)
        step_no = c.integer("step_no", 1, 10_000)
        if method == IdentificationMethod.JHA and plan is not None:
            if c.text("step_no") == "":
                c.error(
                    "step_no",
                    _("JHA 辨识的危险源须填写作业步骤序号（1–%(n)s）") % {"n": methods.JHA_MAX_STEPS},
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
        codes: list[str] = []
        for name in (n.strip() for n in _LIST_SPLIT.split(c.text("accident_types"))):
            if not name:
                continue
            code = accident_types.get(name, name if name in AccidentType.values else None)
            if code is None:
                c.error("accident_types", _("没有名为“%(name)s”的事故类型，请按代码表填写") % {"name": name})
            elif code in codes:
                c.error("accident_types", _("事故类型“%(name)s”重复") % {"name": name})
            else:
                codes.append(code)
        data = {
            "method": method,
            "step_no": step_no if method == IdentificationMethod.JHA else None,
            "step_name": c.string("step_name", _max_length(HazardFactor, "step_name")),
            "description": c.string("description", 5_000, required=True),
            "category": c.choice("category", categories),
            "accident_types": codes,
            "consequences": c.string("consequences", 5_000),
            "existing_controls": c.string("existing_controls", 5_000),
        }
        assessments: list[tuple[str, str, dict[str, Any]]] = []
        initial = _check_assessment(c, "initial", config, required=True)
        if initial is not None:
            assessments.append((AssessmentKind.INITIAL, *initial))
        residual = _check_assessment(c, "residual", config, required=False)
        if residual is not None:
            assessments.append((AssessmentKind.RESIDUAL, *residual))
        if plan is None:
            continue
        key = (plan.code, method, data["step_no"], data["step_name"], data["description"])
        if key in seen:
            c.error("description", _("与本表第 %(row)s 行的危险源重复") % {"row": seen[key]})
        seen.setdefault(key, row.number)
        if c.failed:
            plan.factor_rows_failed += 1
        else:
            plan.factors.append(FactorPlan(row.number, data, assessments))


def _factor_index(c: Checker, plan: PointPlan, reference: str) -> int | None:
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


def _check_measures(
    rows: Sequence[Row],
    plans: dict[str, PointPlan],
    listed: set[str],
    existing: Mapping[str, RiskPoint],
    tree: OrgTree,
    errors: list[RegisterError],
) -> None:
    kinds = _labels(MeasureKind.choices)
    classify1 = _labels(Classify1.choices)
    classify2 = _labels(Classify2.choices)
    units = _labels(CheckCycleUnit.choices)
    work_days = _labels(WorkDayType.choices)
    sources = _labels(DataSource.choices)
    seen: dict[tuple[str, str, str], int] = {}
    for row in rows:
        c = Checker(row, errors)
        plan = _point_for(c, plans, listed, existing)
        c1 = c.choice("classify1", classify1)
        c2_text = c.text("classify2")
        match = _CLASSIFY2_CODE.match(c2_text)
        c2 = match.group(1) if match else classify2.get(c2_text, "")
        if not c2_text:
            c.error("classify2", _("必填项不能为空"))
        elif c2 not in Classify2.values:
            c.error("classify2", _("不是有效的二级分类代码，请按代码表填写（如 1-4）"))
        elif c1 is not None and classify2_parent(c2) != c1:
            c.error(
                "classify2",
                _("二级分类 %(c2)s 不属于一级分类“%(c1)s”")
                % {"c2": c2, "c1": _label_of(Classify1.choices, c1)},
            )
        post_path = c.text("responsible_post")
        post = tree.find(post_path) if post_path else None
        if not post_path:
            c.error("responsible_post", _("必填项不能为空"))
        elif post is None:
            c.error("responsible_post", _("本企业组织架构中没有这个岗位，请按代码表中的岗位路径填写"))
        elif post.kind != OrgUnitKind.POST:
            c.error(
                "responsible_post",
                _("责任岗位须是“岗位”层级的组织单元（这是%(kind)s）") % {"kind": post.get_kind_display()},
            )
        data = {
            "kind": c.choice("kind", kinds),
            "classify1": c1,
            "classify2": c2,
            "classify3": c.string("classify3", _max_length(ControlMeasure, "classify3")),
            "description": c.string("description", 5_000, required=True),
            "check_content": c.string("check_content", 5_000, required=True),
            "check_cycle": c.integer("check_cycle", 1, 1_000_000),
            "check_cycle_unit": c.choice("check_cycle_unit", units),
            "work_day_type": c.choice("work_day_type", work_days, default=WorkDayType.EVERY_DAY),
            "data_src": c.choice("data_src", sources, default=DataSource.INSPECTION),
            "responsible_post": post,
        }
        if c.text("check_cycle") == "":
            c.error("check_cycle", _("必填项不能为空"))
        if plan is None:
            continue
        factor_index = None
        reference = c.text("factor")
        if reference:
            factor_index = _factor_index(c, plan, reference)
        key = (plan.code, data["description"], data["check_content"])
        if key in seen:
            c.error("description", _("与本表第 %(row)s 行的管控措施重复") % {"row": seen[key]})
        seen.setdefault(key, row.number)
        if not c.failed:
            plan.measures.append(MeasurePlan(row.number, data, factor_index))


def _check_tiers(
    rows: Sequence[Row],
    plans: dict[str, PointPlan],
    listed: set[str],
    existing: Mapping[str, RiskPoint],
    tree: OrgTree,
    people: Mapping[str, list[Person]],
    errors: list[RegisterError],
) -> None:
    tiers = _labels(ControlTier.choices)
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        c = Checker(row, errors)
        plan = _point_for(c, plans, listed, existing)
        tier = c.choice("tier", tiers)
        unit: OrgUnit | None = None
        path = c.text("org_unit")
        if path:
            unit = tree.find(path)
            if unit is None:
                c.error("org_unit", _("本企业组织架构中没有这个单位，请按代码表中的路径填写"))
            elif tier is not None and unit.kind != TIER_UNIT_KIND[ControlTier(tier)]:
                c.error(
                    "org_unit",
                    _("%(tier)s的责任单位须是“%(kind)s”层级（这是%(actual)s）")
                    % {
                        "tier": _label_of(ControlTier.choices, tier),
                        "kind": _label_of(OrgUnitKind.choices, TIER_UNIT_KIND[ControlTier(tier)]),
                        "actual": unit.get_kind_display(),
                    },
                )
                unit = None
        name = c.text("person")
        person: Person | None = None
        if not name:
            c.error("person", _("必填项不能为空"))
        else:
            candidates = people.get(name, [])
            if len(candidates) > 1 and unit is not None:
                candidates = [p for p in candidates if tree.within(p.org_unit, unit)]
            if not candidates:
                c.error("person", _("本企业没有这个人员（或不在所填责任单位内），请先在人员名单中登记"))
            elif len(candidates) > 1:
                c.error(
                    "person", _("本企业有 %(n)s 位同名人员，请填写责任单位以区分") % {"n": len(candidates)}
                )
            else:
                person = candidates[0]
        if plan is None or tier is None:
            continue
        if (plan.code, tier) in seen:
            c.error(
                "tier",
                _("该风险点的这一管控层级已在本表第 %(row)s 行填写") % {"row": seen[(plan.code, tier)]},
            )
        seen.setdefault((plan.code, tier), row.number)
        if not c.failed and person is not None:
            plan.tiers.append(TierPlan(row.number, tier, person, unit))


@dataclass
class CheckResult:
    plan: Plan | None
    errors: list[RegisterError]
    message: str = ""


_SHEET_ORDER = {name: i for i, name in enumerate(SHEETS)}


def _sorted(errors: list[RegisterError]) -> list[RegisterError]:
    def column_index(error: RegisterError) -> int:
        headers = [c.header for c in SHEETS.get(error.sheet, ())]
        return headers.index(error.column) if error.column in headers else -1

    return sorted(errors, key=lambda e: (_SHEET_ORDER.get(e.sheet, 9), e.row, column_index(e)))


def check_file(user: Any, enterprise: Enterprise, content: bytes) -> CheckResult:
    """Read and check EVERY row of every sheet; a plan to write only when nothing is wrong."""
    try:
        sheets, uscc, problems = read_workbook(content)
    except SheetError as exc:
        return CheckResult(None, [], str(exc))
    if uscc and uscc != enterprise.uscc:
        return CheckResult(
            None,
            [
                RegisterError(
                    HELP_SHEET,
                    0,
                    USCC_LABEL,
                    uscc,
                    _("该文件属于另一家企业，不能导入到“%(name)s”") % {"name": enterprise.name},
                )
            ],
            _("文件与所选企业不符，未导入任何数据"),
        )
    if problems:
        return CheckResult(None, _sorted(problems), _("工作表或表头与模板不一致，未导入任何数据"))
    if not any(sheets.values()):
        return CheckResult(None, [], _("文件中没有数据行（示例行不会导入）"))

    tree = OrgTree.load(user, enterprise)
    existing = {p.code: p for p in selectors.risk_point_list(user).filter(enterprise=enterprise)}
    people: dict[str, list[Person]] = {}
    for person in ent_selectors.person_list(user).filter(enterprise=enterprise, active=True):
        people.setdefault(person.name, []).append(person)
    config = services.config_for_enterprise(enterprise)

    errors: list[RegisterError] = []
    listed = {cell_text(r.values.get("code")) for r in sheets[POINTS_SHEET]} - {""}
    plans = _check_points(sheets[POINTS_SHEET], tree, existing, errors)
    _check_factors(sheets[FACTORS_SHEET], plans, listed, existing, config, errors)
    _check_measures(sheets[MEASURES_SHEET], plans, listed, existing, tree, errors)
    _check_tiers(sheets[TIERS_SHEET], plans, listed, existing, tree, people, errors)
    if errors:
        return CheckResult(None, _sorted(errors), _("发现 %(n)s 处错误，未导入任何数据") % {"n": len(errors)})
    return CheckResult(Plan(enterprise, plans), [])


# ---------------------------------------------------------------------------------------------
# Writing.


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


class ImportRefused(Exception):
    """A service refused a row after the checks passed; the transaction is rolled back."""

    def __init__(self, errors: list[RegisterError]) -> None:
        super().__init__(errors)
        self.errors = errors


_FIELD_COLUMNS = {
    POINTS_SHEET: {
        "code": "code",
        "name": "name",
        "type": "type",
        "org_unit": "org_unit",
        "location": "location",
        "lat": "lat",
        "lon": "lon",
    },
    FACTORS_SHEET: {
        name: name
        for name in (
            "method",
            "step_no",
            "step_name",
            "description",
            "category",
            "accident_types",
            "consequences",
            "existing_controls",
        )
    },
    MEASURES_SHEET: {
        name: name
        for name in (
            "kind",
            "classify1",
            "classify2",
            "classify3",
            "description",
            "check_content",
            "check_cycle",
            "check_cycle_unit",
            "work_day_type",
            "responsible_post",
        )
    }
    | {"data_src": "data_src", "hazard_factor": "factor"},
    TIERS_SHEET: {"tier": "tier", "person": "person", "org_unit": "org_unit"},
}


def _refused(
    sheet: str, row: int | None, exc: ValidationError, *, assessment_prefix: str = ""
) -> ImportRefused:
    """A service's field-named refusal as errors on the row's columns."""
    found: list[RegisterError] = []
    if hasattr(exc, "error_dict"):
        for name, messages in exc.message_dict.items():
            if assessment_prefix:
                key = f"{assessment_prefix}_{name if name in INPUT_NAMES else 'method'}"
            else:
                key = _FIELD_COLUMNS.get(sheet, {}).get(name, "")
            header = "" if name == NON_FIELD_ERRORS else (_header(sheet, key) or name)
            found.extend(RegisterError(sheet, row or 0, header, "", str(m)) for m in messages)
    else:
        found.extend(RegisterError(sheet, row or 0, "", "", str(m)) for m in exc.messages)
    return ImportRefused(found)


def _write_point(actor: Actor, enterprise: Enterprise, plan: PointPlan, summary: ImportSummary) -> None:
    point = plan.existing
    try:
        if point is None:
            assert plan.data is not None
            point = services.risk_point_create(actor=actor, enterprise=enterprise, data=plan.data)
            summary.points_created += 1
        else:
            if plan.data is not None:
                if not point.active:
                    point = services.risk_point_reactivate(actor=actor, point=point)
                point = services.risk_point_update(actor=actor, point=point, data=plan.data)
                summary.points_updated += 1
            for measure in list(point.measures.all()):
                services.measure_remove(actor=actor, measure=measure)
                summary.measures_removed += 1
            for assignment in list(point.tiers.all()):
                services.tier_unassign(actor=actor, assignment=assignment)
                summary.tiers_removed += 1
            for old in list(point.factors.all()):
                services.hazard_factor_remove(actor=actor, factor=old)
                summary.factors_removed += 1
            point.refresh_from_db()
    except ValidationError as exc:
        raise _refused(POINTS_SHEET, plan.row, exc) from exc

    factors: list[HazardFactor] = []
    for item in plan.factors:
        try:
            factor = services.hazard_factor_add(actor=actor, point=point, data=item.data)
        except ValidationError as exc:
            raise _refused(FACTORS_SHEET, item.row, exc) from exc
        factors.append(factor)
        summary.factors += 1
        for kind, method, inputs in item.assessments:
            try:
                services.assess(actor=actor, factor=factor, kind=kind, method=method, inputs=inputs)
            except ValidationError as exc:
                raise _refused(FACTORS_SHEET, item.row, exc, assessment_prefix=kind) from exc
            summary.assessments += 1
    for measure_plan in plan.measures:
        data = dict(measure_plan.data)
        if measure_plan.factor_index is not None:
            data["hazard_factor"] = factors[measure_plan.factor_index]
        try:
            services.measure_add(actor=actor, point=point, data=data)
        except ValidationError as exc:
            raise _refused(MEASURES_SHEET, measure_plan.row, exc) from exc
        summary.measures += 1
    for tier in plan.tiers:
        try:
            services.tier_assign(
                actor=actor, point=point, tier=tier.tier, person=tier.person, org_unit=tier.org_unit
            )
        except ValidationError as exc:
            raise _refused(TIERS_SHEET, tier.row, exc) from exc
        summary.tiers += 1


def write_plan(actor: Actor, plan: Plan, *, file_name: str, sha256: str) -> ImportSummary:
    """Write a checked plan in one transaction through the services; one summary audit entry."""
    summary = ImportSummary()
    with transaction.atomic():
        for point_plan in plan.points.values():
            _write_point(actor, plan.enterprise, point_plan, summary)
        audit.record(
            actor=actor,
            action=AuditAction.IMPORT,
            obj=plan.enterprise,
            object_type="risks.register_import",
            object_id=str(plan.enterprise.pk),
            after={
                "file_name": file_name,
                "sha256": sha256,
                "points": sorted(plan.points),
                **summary.as_dict(),
            },
            comment=_("Excel 导入风险清单：%(file)s（%(n)s 个风险点）")
            % {"file": file_name, "n": len(plan.points)},
        )
    return summary


@dataclass
class ImportOutcome:
    ok: bool
    message: str
    errors: list[RegisterError]
    summary: ImportSummary | None = None


def import_register(*, user: Any, enterprise: Enterprise, file_name: str, content: bytes) -> ImportOutcome:
    """Check the whole file, then write it all or nothing. The caller has checked `can_edit_register`."""
    checked = check_file(user, enterprise, content)
    if checked.plan is None:
        return ImportOutcome(False, checked.message, checked.errors)
    try:
        summary = write_plan(
            user, checked.plan, file_name=file_name[:200], sha256=hashlib.sha256(content).hexdigest()
        )
    except ImportRefused as exc:
        return ImportOutcome(False, _("写入时被拒绝，已全部回滚，未导入任何数据"), _sorted(exc.errors))
    return ImportOutcome(True, _("导入完成"), [], summary)


# ---------------------------------------------------------------------------------------------
# Writing the workbook: the template is the export of an empty register.


@dataclass
class _CodeList:
    key: str
    header: str
    values: list[str]


def _code_lists(tree: OrgTree, people: Sequence[Person]) -> list[_CodeList]:
    with translation.override("zh-hans"):
        lists = [
            _CodeList("type", "风险点类型", [str(label) for label in RiskPointType.labels]),
            _CodeList("method", "辨识方法", list(IdentificationMethod.values)),
            _CodeList(
                "category", "危险源类别（GB/T 13861）", [str(label) for label in HazardCategory.labels]
            ),
            _CodeList("accident_types", "事故类型（GB 6441）", [str(label) for label in AccidentType.labels]),
            _CodeList("assessment", "评价方法", list(rules.METHODS)),
            _CodeList("lec_l", "LEC：L", [_fmt(v) for v in methods.LEC_L]),
            _CodeList("lec_e", "LEC：E", [_fmt(v) for v in methods.LEC_E]),
            _CodeList("lec_c", "LEC：C", [_fmt(v) for v in methods.LEC_C]),
            _CodeList("ls_l", "LS：L", [str(v) for v in methods.LS_L]),
            _CodeList("ls_s", "LS：S", [str(v) for v in methods.LS_S]),
            _CodeList("mes_m", "MES：M", [str(v) for v in methods.MES_M]),
            _CodeList("mes_e", "MES：E", [_fmt(v) for v in methods.MES_E]),
            _CodeList("mes_s", "MES：S", [str(v) for v in methods.MES_S]),
            _CodeList("kind", "措施类别", [str(label) for label in MeasureKind.labels]),
            _CodeList("classify1", "管控方式一级", [str(label) for label in Classify1.labels]),
            _CodeList("classify2", "管控方式二级代码", list(Classify2.values)),
            _CodeList("classify2_name", "二级分类名称", [str(label) for label in Classify2.labels]),
            _CodeList("check_cycle_unit", "周期单位", [str(label) for label in CheckCycleUnit.labels]),
            _CodeList("work_day_type", "工作日类型", [str(label) for label in WorkDayType.labels]),
            _CodeList("data_src", "数据来源", [str(label) for label in DataSource.labels]),
            _CodeList("tier", "管控层级", [str(label) for label in ControlTier.labels]),
        ]
    units = sorted(tree.units.values(), key=lambda u: u.path)
    company = [tree.company.name] if tree.company is not None else []
    lists += [
        _CodeList("org_unit", "组织单元路径", company + [tree.path(u) for u in units]),
        _CodeList(
            "responsible_post", "岗位路径", [tree.path(u) for u in units if u.kind == OrgUnitKind.POST]
        ),
        _CodeList("person", "人员姓名", [p.name for p in people]),
        _CodeList("person_unit", "人员所在岗位/部门", [tree.path(p.org_unit) for p in people]),
    ]
    return lists


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f")


# Which code list feeds each column's drop-down (strict: only listed values are accepted by Excel).
_DROPDOWNS: dict[str, dict[str, tuple[str, bool]]] = {
    POINTS_SHEET: {"type": ("type", True), "org_unit": ("org_unit", False)},
    FACTORS_SHEET: {
        "method": ("method", True),
        "category": ("category", True),
        "accident_types": ("accident_types", False),
        "initial_method": ("assessment", True),
        "residual_method": ("assessment", True),
    },
    MEASURES_SHEET: {
        "kind": ("kind", True),
        "classify1": ("classify1", True),
        "classify2": ("classify2", True),
        "check_cycle_unit": ("check_cycle_unit", True),
        "work_day_type": ("work_day_type", True),
        "data_src": ("data_src", True),
        "responsible_post": ("responsible_post", True),
    },
    TIERS_SHEET: {"tier": ("tier", True), "person": ("person", False), "org_unit": ("org_unit", False)},
}


def _dropdown(sheet: Worksheet, column: int, codes_column: int, count: int, strict: bool) -> None:
    if count == 0:
        return
    letter = get_column_letter(codes_column)
    validation = DataValidation(
        type="list",
        formula1=f"'{CODES_SHEET}'!${letter}$2:${letter}${count + 1}",
        allow_blank=True,
        showErrorMessage=strict,
        errorTitle="输入有误" if strict else None,
        error="请从下拉列表中选择" if strict else None,
    )
    target = get_column_letter(column)
    validation.add(f"{target}2:{target}{VALIDATION_ROWS + 1}")
    sheet.add_data_validation(validation)


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


def _register_rows(points: Sequence[RiskPoint], tree: OrgTree) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in SHEETS}
    with translation.override("zh-hans"):
        for point in points:
            rows[POINTS_SHEET].append(
                {
                    "code": point.code,
                    "name": point.name,
                    "type": point.get_type_display(),
                    "org_unit": tree.path(point.org_unit),
                    "location": point.location,
                    "lat": point.lat,
                    "lon": point.lon,
                }
            )
            views = selectors.factor_views(point)
            factors = [view.factor for view in views]
            for view in views:
                factor = view.factor
                rows[FACTORS_SHEET].append(
                    {
                        "point": point.code,
                        "method": factor.method,
                        "step_no": factor.step_no,
                        "step_name": factor.step_name,
                        "description": factor.description,
                        "category": factor.get_category_display(),
                        "accident_types": "、".join(factor.accident_type_labels()),
                        "consequences": factor.consequences,
                        "existing_controls": factor.existing_controls,
                        **_assessment_cells("initial", view.initial),
                        **_assessment_cells("residual", view.residual),
                    }
                )
            for measure in point.measures.all():
                if not measure.active:
                    continue
                reference = ""
                if measure.hazard_factor is not None:
                    reference = _unique_reference(measure.hazard_factor, factors)
                rows[MEASURES_SHEET].append(
                    {
                        "point": point.code,
                        "factor": reference,
                        "kind": measure.get_kind_display(),
                        "classify1": measure.get_classify1_display(),
                        "classify2": measure.classify2,
                        "classify3": measure.classify3,
                        "description": measure.description,
                        "check_content": measure.check_content,
                        "check_cycle": measure.check_cycle,
                        "check_cycle_unit": measure.get_check_cycle_unit_display(),
                        "work_day_type": measure.get_work_day_type_display(),
                        "data_src": measure.get_data_src_display(),
                        "responsible_post": tree.path(measure.responsible_post),
                    }
                )
            order = {tier: i for i, tier in enumerate(methods.TIERS)}
            for assignment in sorted(point.tiers.all(), key=lambda a: order.get(a.tier, 9)):
                rows[TIERS_SHEET].append(
                    {
                        "point": point.code,
                        "tier": assignment.get_tier_display(),
                        "person": assignment.person.name,
                        "org_unit": tree.path(assignment.org_unit),
                    }
                )
    return rows


_EXAMPLES: dict[str, dict[str, Any]] = {
    POINTS_SHEET: {
        "code": f"{EXAMPLE_MARK}RP-001",
        "name": "氯乙烯合成反应釜（示例行不会导入）",
        "type": "设施/部位/场所/区域",
        "org_unit": "合成车间",
        "location": "合成车间一楼",
    },
    FACTORS_SHEET: {
        "point": f"{EXAMPLE_MARK}RP-001",
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
        "point": f"{EXAMPLE_MARK}RP-001",
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
    TIERS_SHEET: {"point": f"{EXAMPLE_MARK}RP-001", "tier": "岗位级", "person": "王操作", "org_unit": ""},
}


def _help_lines(enterprise: Enterprise) -> list[tuple[str, str]]:
    lines = [
        ("风险清单导入导出说明", ""),
        ("企业名称", enterprise.name),
        (USCC_LABEL, enterprise.uscc),
        ("", ""),
        ("1", "本文件的格式同时用于模板、导出和导入；请勿修改工作表名称和表头文字，红色带 * 的列为必填。"),
        ("2", f"以“{EXAMPLE_MARK}”开头的示例行不会导入，可保留或删除。可选值见“{CODES_SHEET}”工作表。"),
        ("3", "风险点按“风险点编号”对应：编号已存在的风险点按本文件更新，新编号新建。"),
        (
            "4",
            "本文件中出现的每个风险点，其危险源（含评价）、管控措施和管控责任全部以本文件为准："
            "文件中没有的将被删除；文件中没有出现的风险点保持不变。",
        ),
        ("5", "危险源：JHA 须填作业步骤序号（1–10），每个风险点最多 10 个步骤；SCL 不填步骤序号。"),
        (
            "6",
            "评价：LEC 填 L、E、C；LS 填 L、S；MES 填 M、E、S；取值须为代码表中的数值，"
            "等级按本县风险分级设置计算。剩余评价可空。",
        ),
        ("7", "管控措施的“对应危险源”填该风险点危险源的步骤序号、项目名称或危险源描述；可空。"),
        ("8", "组织架构路径用“/”连接公司以下各级名称，如：合成车间/甲班/反应釜操作岗；公司本级填公司名称。"),
        ("9", "全部行校验通过才会导入；任何一处有错都不会导入任何数据，并列出工作表、行号、列名和原因。"),
        ("", ""),
        ("列说明", ""),
    ]
    for sheet, columns in SHEETS.items():
        for column in columns:
            lines.append((f"{sheet}·{column.header}", ("（必填）" if column.required else "") + column.note))
    return lines


def build_workbook(user: Any, enterprise: Enterprise, points: Sequence[RiskPoint] | None) -> bytes:
    """The register workbook: the template when `points` is None, else the export of those points."""
    tree = OrgTree.load(user, enterprise)
    people = list(
        ent_selectors.person_list(user)
        .filter(enterprise=enterprise, active=True)
        .select_related("org_unit")
        .order_by("name", "id")
    )
    lists = _code_lists(tree, people)
    rows = _register_rows(points, tree) if points is not None else None

    workbook = Workbook()
    help_sheet = workbook.worksheets[0]
    help_sheet.title = HELP_SHEET
    for number, (label, text) in enumerate(_help_lines(enterprise), start=1):
        first = help_sheet.cell(row=number, column=1, value=label)
        help_sheet.cell(row=number, column=2, value=text)
        if label in {"风险清单导入导出说明", "列说明"}:
            first.font = Font(bold=True, size=12)
        elif label in {"企业名称", USCC_LABEL}:
            first.font = Font(bold=True)
    help_sheet["B3"].number_format = "@"
    help_sheet.column_dimensions["A"].width = 28
    help_sheet.column_dimensions["B"].width = 100

    data_sheets: dict[str, Worksheet] = {}
    for name, columns in SHEETS.items():
        sheet = workbook.create_sheet(name)
        data_sheets[name] = sheet
        for index, column in enumerate(columns, start=1):
            cell = sheet.cell(
                row=1, column=index, value=f"{column.header}*" if column.required else column.header
            )
            cell.font = Font(bold=True, color="C00000" if column.required else "000000")
            cell.fill = _HEADER_FILL
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        values_list = rows[name] if rows is not None else [_EXAMPLES[name]]
        for number, values in enumerate(values_list, start=2):
            for index, column in enumerate(columns, start=1):
                value = values.get(column.key)
                cell = sheet.cell(row=number, column=index, value=value if value != "" else None)
                if column.text:
                    cell.number_format = "@"
                if rows is None:
                    cell.font = _EXAMPLE_FONT
        # Text format for the code and path columns on the rows still to be filled, so Excel keeps "001".
        for index, column in enumerate(columns, start=1):
            if column.text:
                sheet.column_dimensions[get_column_letter(index)].number_format = "@"
        sheet.freeze_panes = "A2"

    codes = workbook.create_sheet(CODES_SHEET)
    code_columns: dict[str, tuple[int, int]] = {}
    for index, code_list in enumerate(lists, start=1):
        code_columns[code_list.key] = (index, len(code_list.values))
        head = codes.cell(row=1, column=index, value=code_list.header)
        head.font = Font(bold=True)
        head.fill = _HEADER_FILL
        codes.column_dimensions[get_column_letter(index)].width = 18
        for offset, value in enumerate(code_list.values, start=2):
            cell = codes.cell(row=offset, column=index, value=value)
            cell.number_format = "@"
    codes.freeze_panes = "A2"

    for name, dropdowns in _DROPDOWNS.items():
        columns = SHEETS[name]
        for index, column in enumerate(columns, start=1):
            if column.key in dropdowns:
                key, strict = dropdowns[column.key]
                codes_index, count = code_columns[key]
                _dropdown(data_sheets[name], index, codes_index, count, strict)

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def build_template(user: Any, enterprise: Enterprise) -> bytes:
    return build_workbook(user, enterprise, None)


def build_export(user: Any, enterprise: Enterprise) -> bytes:
    """The enterprise's current register (active points, current assessments) in the import format."""
    _enterprise, points = selectors.register(user, enterprise.pk)
    return build_workbook(user, enterprise, points)
