"""Major-hidden-hazard criteria (重大事故隐患判定标准): a finding that matches one is major by rule.

Shipped: the 20 hazardous-chemicals items of 安监总管三〔2017〕121号 (REFERENCE §4). The list is data: the
data migration copies it into `hazards.MajorCriterion`, where the county adds the lists of other sectors
(fireworks, industry and trade 应急管理部令第10号, non-coal mines) as their texts arrive; `propose_major`
works on whatever criteria it is given.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final

HAZCHEM_SECTOR: Final = "hazardous_chemicals"
HAZCHEM_STANDARD: Final = "安监总管三〔2017〕121号"


@dataclass(frozen=True)
class Criterion:
    code: str  # stable, e.g. "HC-01"
    sector: str  # regions.Sector.code the criterion applies to
    number: int  # item number in its standard
    text: str
    standard: str


_HAZCHEM_TEXTS: Final = (
    "危险化学品生产、经营单位主要负责人和安全生产管理人员未依法经考核合格",
    "特种作业人员未持证上岗",
    "涉及“两重点一重大”的生产装置、储存设施外部安全防护距离不符合国家标准要求",
    "涉及重点监管危险化工工艺的装置未实现自动化控制，系统未实现紧急停车功能，装备的自动化控制系统、紧急停车系统未投入使用",
    "构成一级、二级重大危险源的危险化学品罐区未实现紧急切断功能；涉及毒性气体、液化气体、剧毒液体的一级、二级重大危险源的危险化学品罐区未配备独立的安全仪表系统",
    "全压力式液化烃储罐未按国家标准设置注水措施",
    "液化烃、液氨、液氯等易燃易爆、有毒有害液化气体的充装未使用万向管道充装系统",
    "光气、氯气等剧毒气体及硫化氢气体管道穿越除厂区（包括化工园区、工业园区）外的公共区域",
    "地区架空电力线路穿越生产区且不符合国家标准要求",
    "在役化工装置未经正规设计且未进行安全设计诊断",
    "使用淘汰落后安全技术工艺、设备目录列出的工艺、设备",
    "涉及可燃和有毒有害气体泄漏的场所未按国家标准设置检测报警装置，爆炸危险场所未按国家标准安装使用防爆电气设备",
    "控制室或机柜间面向具有火灾、爆炸危险性装置一侧不满足国家标准关于防火防爆的要求",
    "化工生产装置未按国家标准要求设置双重电源供电，自动化控制系统未设置不间断电源",
    "安全阀、爆破片等安全附件未正常投用",
    "未建立与岗位相匹配的全员安全生产责任制或者未制定实施生产安全事故隐患排查治理制度",
    "未制定操作规程和工艺控制指标",
    "未按照国家标准制定动火、进入受限空间等特殊作业管理制度，或者制度未有效执行",
    "新开发的危险化学品生产工艺未经小试、中试、工业化试验直接进行工业化生产；国内首次使用的化工工艺未经过省级人民政府有关部门组织的安全可靠性论证；新建装置未制定试生产方案投料开车；精细化工企业未按规范性文件要求开展反应安全风险评估",
    "未按国家标准分区分类储存危险化学品，超量、超品种储存危险化学品，相互禁配物质混放混存",
)

HAZCHEM_CRITERIA: Final = tuple(
    Criterion(f"HC-{n:02d}", HAZCHEM_SECTOR, n, text, HAZCHEM_STANDARD)
    for n, text in enumerate(_HAZCHEM_TEXTS, start=1)
)
SHIPPED_CRITERIA: Final = HAZCHEM_CRITERIA


@dataclass(frozen=True)
class MajorProposal:
    major: bool
    matched: tuple[str, ...]  # codes of the criteria that apply to the enterprise's sectors
    not_applicable: tuple[str, ...]  # codes given that belong to another sector (or are unknown)


def propose_major(
    sectors: Iterable[str], matched: Iterable[str], criteria: Iterable[Criterion] = SHIPPED_CRITERIA
) -> MajorProposal:
    """Whether a finding is proposed as major: it matches at least one criterion of the enterprise's sectors.

    Codes of another sector's list (or unknown codes) do not make it major and are returned separately so
    the form can say so; a regulator may still set the level by hand.
    """
    sector_set = frozenset(sectors)
    applicable = {c.code for c in criteria if c.sector in sector_set}
    given = list(dict.fromkeys(matched))
    hits = tuple(code for code in given if code in applicable)
    other = tuple(code for code in given if code not in applicable)
    return MajorProposal(major=bool(hits), matched=hits, not_applicable=other)
