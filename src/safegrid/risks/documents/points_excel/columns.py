"""The register workbook's sheets and columns: fixed Chinese headers (a data format), so a file
imports under either UI language. One format serves the template, the export and the import."""

from __future__ import annotations

from typing import Any

from safegrid.core.excel import (
    Column,
    Kind,
    SheetSpec,
)

from ...choices import (
    AccidentType,
    CheckCycleUnit,
    Classify1,
    ControlTier,
    DataSource,
    HazardCategory,
    IdentificationMethod,
    MeasureKind,
    RiskPointType,
    WorkDayType,
)
from ...models import ControlMeasure, HazardFactor, RiskPoint
from ...rules import register_diff

MAX_ROWS_PER_SHEET = 5_000
POINTS_SHEET = "风险点"
FACTORS_SHEET = "危险源"
MEASURES_SHEET = "管控措施"
TIERS_SHEET = "管控责任"
USCC_LABEL = "企业统一社会信用代码"
INPUT_NAMES = ("L", "E", "C", "S", "M")
LONG_TEXT = 5_000


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


def _item_code(header: str, model: Any, prefix: str, noun: str) -> Column:
    """A factor's or measure's stable code within its point: how an import finds it again."""
    return _text(
        "code",
        header,
        10,
        model,
        text_format=True,
        note=f"同一风险点内唯一；有编号的按编号更新原有{noun}，新增的留空，由系统编号（{prefix}01、{prefix}02…）",
        check=register_diff.code_problem,
    )


FACTORS = SheetSpec(
    FACTORS_SHEET,
    (
        POINT_REF,
        _item_code("危险源编号", HazardFactor, register_diff.FACTOR_PREFIX, "危险源"),
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
        _item_code("措施编号", ControlMeasure, register_diff.MEASURE_PREFIX, "管控措施"),
        _ref("factor", "对应危险源", 16, "可空；填该风险点危险源的编号（或步骤序号、项目名称、危险源描述）"),
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
