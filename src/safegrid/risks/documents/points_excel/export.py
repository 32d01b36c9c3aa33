"""Writing the register workbook (the kit writes drop-downs, 代码表, 说明 and formula-neutralised
cells): the template is the export of an empty register, and an export imports back unchanged."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils import translation

from safegrid.core import excel
from safegrid.core.excel import (
    CODES_SHEET,
    EXAMPLE_MARK,
    CodeList,
    HelpText,
    SheetData,
)
from safegrid.enterprises import selectors as ent_selectors
from safegrid.enterprises.choices import OrgUnitKind
from safegrid.enterprises.models import Enterprise, Person

from ...choices import (
    AccidentType,
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
)
from ...models import RiskPoint
from ...rules import assessment as rules
from ...rules import methods
from ...selectors import points as selectors
from .columns import FACTORS_SHEET, MEASURES_SHEET, POINTS_SHEET, SPECS, TIERS_SHEET, USCC_LABEL
from .org_paths import OrgTree


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


_FACTOR_FIELDS = (
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
_MEASURE_FIELDS = (
    "code",
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
        for view in selectors.factor_views(point):
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
                    "factor": factor.code if factor is not None and factor.active else "",
                    **{name: getattr(measure, name) for name in _MEASURE_FIELDS},
                    "responsible_post": tree.path(measure.responsible_post),
                }
            )
        for assignment in sorted(
            (a for a in point.tiers.all() if a.active), key=lambda a: order.get(a.tier, 9)
        ):
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
        "code": "H01",
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
        "code": "M01",
        "factor": "H01",
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
    "3. 按编号原地更新：风险点按“风险点编号”，危险源和管控措施按该风险点内的“危险源编号”“措施编号”，"
    "管控责任按管控层级对应。已有的按本文件更新（编号和链接不变），新的新建——新增的危险源、措施编号留空，"
    "由系统编号。",
    "4. 本文件中出现的每个风险点，其危险源（含评价）、管控措施和管控责任以本文件为准：文件中没有的将停用"
    "（保留记录，不删除）。文件中没有出现的风险点保持不变；上传时选择“文件是完整的风险清单”则将其停用。",
    "5. 上传后先显示将要新建、更新、停用和不变的条目，确认后才写入；未确认不会改动任何数据。",
    "6. 危险源：JHA 须填作业步骤序号（1–10），每个风险点最多 10 个步骤；SCL 不填步骤序号。",
    "7. 评价：LEC 填 L、E、C；LS 填 L、S；MES 填 M、E、S；取值须为代码表中的数值。取值有变化时新增一次评价，"
    "等级按本县风险分级设置计算；取值不变的保留原评价。剩余评价可空，但已有的剩余评价不能删除。",
    "8. 管控措施的“对应危险源”填该风险点危险源的编号（也可填步骤序号、项目名称或危险源描述）；可空。",
    "9. 组织架构路径用“/”连接公司以下各级名称，如：合成车间/甲班/反应釜操作岗；公司本级填公司名称。",
    "10. 全部行校验通过才会导入；任何一处有错都不会导入任何数据，并列出工作表、行号、列名和原因。",
    "11. 文件在后台校验和导入，页面显示进度；预览生成、导入完成或失败时会收到通知。",
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
