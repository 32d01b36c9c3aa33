"""Checklists as data (检查表): the shipped lists and the rules every checklist obeys.

Shipped (copied into `hazards.ChecklistTemplate`/`ChecklistItem` by migration, owned by the county,
read-only there; the county and enterprises add their own):

- the 20 hazardous-chemicals major-hidden-hazard criteria of 安监总管三〔2017〕121号 (REFERENCE §4), each
  item mapped to its criterion (`HC-01`…), so an item ticked "not OK" proposes a major hazard;
- the defects of the fire key places (seed 二(三), REFERENCE §7): blocked exits, locked doors, disabled
  fire systems, combustible decoration, illegal dormitories;
- a general industry-and-trade list built from the control-measure classes of the national upload format
  (`classify1`/`classify2`, REFERENCE §3). It is *not* the 64 items of 应急管理部令第10号, whose texts are
  not at hand; the county imports that list when it has them (Excel, `checklist_excel.py`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from django.utils.translation import gettext as _

from .criteria import HAZCHEM_CRITERIA, HAZCHEM_SECTOR, HAZCHEM_STANDARD

MAX_ITEMS: Final = 200
MAX_TEXT: Final = 500


@dataclass(frozen=True)
class ShippedItem:
    code: str
    text: str
    basis: str = ""
    criterion: str = ""  # MajorCriterion.code when the item is a major-hazard criterion


@dataclass(frozen=True)
class ShippedChecklist:
    code: str
    name: str
    sector: str  # "" = every sector
    kind: int  # dangerSrc: 2 comprehensive, 3 specialist, …
    basis: str
    description: str
    items: tuple[ShippedItem, ...]


HAZCHEM_LIST: Final = ShippedChecklist(
    code="SHIP-HC121",
    name="危险化学品重大事故隐患判定标准检查表",
    sector=HAZCHEM_SECTOR,
    kind=3,
    basis=HAZCHEM_STANDARD,
    description="逐条核查化工和危险化学品生产经营单位是否存在 20 项重大事故隐患情形；存在即判定为重大事故隐患。",
    items=tuple(
        ShippedItem(c.code, c.text, f"{HAZCHEM_STANDARD} 第{c.number}条", c.code) for c in HAZCHEM_CRITERIA
    ),
)

FIRE_BASIS: Final = "实施意见 二(三) 消防重点场所"
FIRE_LIST: Final = ShippedChecklist(
    code="SHIP-FIRE-KP",
    name="消防重点场所检查表",
    sector="",
    kind=3,
    basis=FIRE_BASIS,
    description=(
        "适用于人员密集场所、福利机构和幼儿园、劳动密集型企业、公众聚集场所、易燃易爆场所、"
        "高层和地下建筑、大型城市综合体。"
    ),
    items=(
        ShippedItem("FK-01", "疏散通道、安全出口堵塞", FIRE_BASIS),
        ShippedItem("FK-02", "安全出口、疏散门锁闭", FIRE_BASIS),
        ShippedItem("FK-03", "消防设施停用、损坏", FIRE_BASIS),
        ShippedItem("FK-04", "使用易燃可燃材料装修", FIRE_BASIS),
        ShippedItem("FK-05", "违规设置员工宿舍（住人）", FIRE_BASIS),
    ),
)

GENERAL_BASIS: Final = "国家上报格式管控措施分类 classify2"
GENERAL_LIST: Final = ShippedChecklist(
    code="SHIP-IT-GEN",
    name="工贸企业通用综合检查表",
    sector="industry_trade",
    kind=2,
    basis=GENERAL_BASIS,
    description=(
        "按管控措施分类（工程技术、维护保养、操作行为、应急措施）编制的通用检查表；"
        "不是应急管理部令第10号的判定标准条文，县里可导入该标准的检查表。"
    ),
    items=(
        ShippedItem("GEN-1-1", "工艺控制：工艺参数在控制指标范围内", f"{GENERAL_BASIS} 1-1"),
        ShippedItem("GEN-1-2", "关键设备：关键设备运行正常、无异常", f"{GENERAL_BASIS} 1-2"),
        ShippedItem("GEN-1-3", "安全附件：安全附件完好、在检验有效期内并投用", f"{GENERAL_BASIS} 1-3"),
        ShippedItem("GEN-1-4", "安全仪表：安全仪表、报警装置完好并投用", f"{GENERAL_BASIS} 1-4"),
        ShippedItem("GEN-2-1", "动设备：转动设备运行平稳，防护罩完好", f"{GENERAL_BASIS} 2-1"),
        ShippedItem("GEN-2-2", "静设备：容器、管道无泄漏、腐蚀、变形", f"{GENERAL_BASIS} 2-2"),
        ShippedItem("GEN-3-1", "人员资质：作业人员持证上岗", f"{GENERAL_BASIS} 3-1"),
        ShippedItem("GEN-3-2", "操作记录：操作记录完整、真实", f"{GENERAL_BASIS} 3-2"),
        ShippedItem("GEN-3-3", "交接班：交接班记录完整", f"{GENERAL_BASIS} 3-3"),
        ShippedItem("GEN-4-1", "应急设施：应急设施完好可用", f"{GENERAL_BASIS} 4-1"),
        ShippedItem("GEN-4-2", "个体防护：个体防护装备配备齐全并正确佩戴", f"{GENERAL_BASIS} 4-2"),
        ShippedItem("GEN-4-3", "消防设施：消防设施完好，消防通道畅通", f"{GENERAL_BASIS} 4-3"),
        ShippedItem("GEN-4-4", "应急预案：应急预案在有效期内，按计划演练", f"{GENERAL_BASIS} 4-4"),
    ),
)

SHIPPED_CHECKLISTS: Final = (HAZCHEM_LIST, FIRE_LIST, GENERAL_LIST)


@dataclass(frozen=True)
class ItemIn:
    """An item as entered (form or Excel row)."""

    code: str
    text: str
    basis: str = ""
    criterion: str = ""


def item_problems(items: Sequence[ItemIn], known_criteria: frozenset[str]) -> dict[int, list[str]]:
    """Problems by item index (0-based); {-1: [...]} for the list as a whole. Messages are Chinese."""
    found: dict[int, list[str]] = {}
    if not items:
        found[-1] = [_("检查表至少需要一个检查项")]
    if len(items) > MAX_ITEMS:
        found[-1] = [_("检查项不能超过 %(n)s 个") % {"n": MAX_ITEMS}]
    codes: set[str] = set()
    texts: set[str] = set()
    for index, item in enumerate(items):
        problems: list[str] = []
        if not item.code.strip():
            problems.append(_("编号不能为空"))
        elif item.code in codes:
            problems.append(_("编号 %(code)s 重复") % {"code": item.code})
        if not item.text.strip():
            problems.append(_("检查内容不能为空"))
        elif item.text in texts:
            problems.append(_("检查内容重复"))
        elif len(item.text) > MAX_TEXT:
            problems.append(_("检查内容不能超过 %(n)s 字") % {"n": MAX_TEXT})
        if item.criterion and item.criterion not in known_criteria:
            problems.append(_("重大隐患判定标准 %(code)s 不存在") % {"code": item.criterion})
        codes.add(item.code)
        texts.add(item.text)
        if problems:
            found[index] = problems
    return found


def failed_criteria(items: dict[str, bool], item_criteria: dict[str, str]) -> tuple[str, ...]:
    """Major-hazard criterion codes of the items ticked "not OK" (a checklist item that is a criterion)."""
    return tuple(
        dict.fromkeys(item_criteria[item] for item, ok in items.items() if not ok and item in item_criteria)
    )
