"""The lifecycle of a major hazard source and its three responsible persons (包保), as pure rules.

Sources (REFERENCE §5): 危险化学品重大危险源监督管理暂行规定 (原安监总局40号令) — filing (备案) with the county
after the assessment, re-identification and re-assessment every 3 years or at once on a trigger, deregistration
(核销) on application after review, drills of the specialist plan and the on-site plan; 危险化学品企业重大危险源
安全包保责任制办法（试行）(应急厅〔2021〕12号) — the principal, technical and operational responsible persons,
their duties and check frequencies (national `workType` 1/2/3; what they find carries `hazardCategory` 1/2/3).

Figures REFERENCE marks **L** (the 15 days, the drill intervals, the operational weekly check) and the
principal's frequency (the rule sets none) are defaults of `LifecycleConfig`, each with its source in
`SOURCES`; a deployment overrides them with `SAFEGRID_MAJOR_HAZARD_LIFECYCLE` (see `majorhazards.config`).
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import IntEnum, StrEnum
from typing import Any, Final

# ---- configuration ------------------------------------------------------------------------------------

WEEK: Final = "周"  # the hazards app's cycle units (hazards.choices.CycleUnit values)
MONTH: Final = "月"
CYCLE_UNITS: Final = (WEEK, MONTH)


@dataclass(frozen=True)
class Frequency:
    """How often a check falls due: every `every` `unit` (周 or 月)."""

    every: int
    unit: str

    def label(self) -> str:
        if self.unit == MONTH and self.every == 3:
            return "每季度至少一次"
        if self.unit == MONTH and self.every == 12:
            return "每年至少一次"
        if self.every == 1:
            return f"每{'周' if self.unit == WEEK else '月'}至少一次"
        return f"每{self.every}{'周' if self.unit == WEEK else '个月'}至少一次"


@dataclass(frozen=True)
class LifecycleConfig:
    filing_days: int = 15  # filing with the county within this many days after the assessment
    reassessment_years: int = 3  # re-identification and re-assessment every this many years
    specialist_drill_months: int = 12  # 专项应急预案 drill
    onsite_drill_months: int = 6  # 现场处置方案 drill
    reminder_days: tuple[int, ...] = (90, 30, 0)  # re-assessment reminders, days before it is due
    principal_check: Frequency = Frequency(3, MONTH)
    technical_check: Frequency = Frequency(3, MONTH)
    operational_check: Frequency = Frequency(1, WEEK)


SOURCES: Final[Mapping[str, str]] = {
    "filing_days": "40号令：辨识、评估后向县级应急管理部门备案；“15日内”依据待核实，县级可调整",
    "reassessment_years": "40号令第十二条：重大危险源每三年应当进行一次辨识、分级和安全评估",
    "specialist_drill_months": "40号令第二十一条：专项应急预案每年至少演练一次（依据待核实），县级可调整",
    "onsite_drill_months": "40号令第二十一条：现场处置方案每半年至少演练一次（依据待核实），县级可调整",
    "reminder_days": "县级设置：重新评估到期前提醒天数",
    "principal_check": "平台默认值：应急厅〔2021〕12号未规定主要负责人的检查频次，默认每季度一次，县级可调整",
    "technical_check": "应急厅〔2021〕12号第九条：技术负责人每季度至少组织一次针对性排查，重大活动、重点时段和节假日前必须排查",
    "operational_check": "应急厅〔2021〕12号第十条：操作负责人每周至少组织一次排查（依据待核实），县级可调整",
}


def _frequency(value: Any, name: str) -> Frequency:
    if isinstance(value, Frequency):
        found = value
    elif isinstance(value, Mapping):
        found = Frequency(int(value["every"]), str(value["unit"]))
    else:
        every, unit = value
        found = Frequency(int(every), str(unit))
    if found.every < 1 or found.unit not in CYCLE_UNITS:
        raise ValueError(f"major hazard lifecycle setting {name}: every ≥ 1 and unit 周 or 月")
    return found


def config_from(overrides: Mapping[str, Any] | None) -> LifecycleConfig:
    """The defaults with `overrides` applied; an unknown name, a number below 1 or a bad frequency is refused."""
    if not overrides:
        return LifecycleConfig()
    names = {f.name for f in dataclasses.fields(LifecycleConfig)}
    unknown = sorted(set(overrides) - names)
    if unknown:
        raise ValueError(f"unknown major hazard lifecycle settings: {', '.join(unknown)}")
    values = dict(overrides)
    for name in ("principal_check", "technical_check", "operational_check"):
        if name in values:
            values[name] = _frequency(values[name], name)
    if "reminder_days" in values:
        values["reminder_days"] = tuple(sorted({int(d) for d in values["reminder_days"]}, reverse=True))
        if any(d < 0 for d in values["reminder_days"]):
            raise ValueError("major hazard lifecycle setting reminder_days must not be negative")
    for name in ("filing_days", "reassessment_years", "specialist_drill_months", "onsite_drill_months"):
        if name in values and int(values[name]) < 1:
            raise ValueError(f"major hazard lifecycle setting {name} must be at least 1")
    return dataclasses.replace(LifecycleConfig(), **values)


# ---- calendar arithmetic ------------------------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months later; the month's last day when it has no such day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


def add_years(day: dt.date, years: int) -> dt.date:
    """The same date `years` later; 29 February becomes 28 February in a common year."""
    return add_months(day, 12 * years)


# ---- filing and re-assessment -------------------------------------------------------------------------


def filing_due(assessed_on: dt.date, config: LifecycleConfig) -> dt.date:
    """The last day to file after the assessment (the assessment day + `filing_days`)."""
    return assessed_on + dt.timedelta(days=config.filing_days)


def filing_late(assessed_on: dt.date, filed_on: dt.date, config: LifecycleConfig) -> bool:
    """Whether a filing submitted on `filed_on` missed its due date (day 15 is on time, day 16 is late)."""
    return filed_on > filing_due(assessed_on, config)


def filing_overdue(assessed_on: dt.date, today: dt.date, config: LifecycleConfig) -> bool:
    """Whether a filing not yet submitted is past its due date on `today`."""
    return today > filing_due(assessed_on, config)


class TriggerKind(StrEnum):
    """What makes a re-identification and re-assessment due at once (40号令; REFERENCE §5)."""

    NEW_UNIT = "new_unit"
    REBUILT = "rebuilt"
    EXPANDED = "expanded"
    SUBSTANCES = "substances"
    QUANTITIES = "quantities"
    PROCESS = "process"
    KEY_EQUIPMENT = "key_equipment"
    SURROUNDINGS = "surroundings"
    ACCIDENT = "accident"
    STANDARD = "standard"


TRIGGER_LABELS: Final[Mapping[TriggerKind, str]] = {
    TriggerKind.NEW_UNIT: "新建单元",
    TriggerKind.REBUILT: "改建",
    TriggerKind.EXPANDED: "扩建",
    TriggerKind.SUBSTANCES: "危险化学品种类变化",
    TriggerKind.QUANTITIES: "危险化学品数量变化",
    TriggerKind.PROCESS: "工艺变化",
    TriggerKind.KEY_EQUIPMENT: "关键设备变化",
    TriggerKind.SURROUNDINGS: "周边环境变化",
    TriggerKind.ACCIDENT: "发生死亡或10人以上受伤事故",
    TriggerKind.STANDARD: "有关标准变化",
}

ACCIDENT_MIN_DEATHS: Final = 1
ACCIDENT_MIN_INJURIES: Final = 10


def trigger_problems(kind: str, deaths: int | None, injuries: int | None) -> dict[str, str]:
    """What is wrong with a trigger as recorded, by field (empty: it may be recorded).

    An accident triggers only when it killed at least one person or injured at least ten; the counts are
    only for accidents and never negative."""
    problems: dict[str, str] = {}
    if kind not in TriggerKind.__members__.values():
        return {"kind": "未知的重新评估情形"}
    for name, value in (("deaths", deaths), ("injuries", injuries)):
        if value is not None and value < 0:
            problems[name] = "人数不能为负数"
    if problems:
        return problems
    if kind == TriggerKind.ACCIDENT:
        if (deaths or 0) < ACCIDENT_MIN_DEATHS and (injuries or 0) < ACCIDENT_MIN_INJURIES:
            problems["injuries"] = "事故须造成死亡 1 人以上或受伤 10 人以上，才须重新评估"
    elif deaths or injuries:
        problems["deaths"] = "只有事故情形需要填写伤亡人数"
    return problems


def reassessment_due(
    assessed_on: dt.date, config: LifecycleConfig, triggers: Iterable[dt.date] = ()
) -> dt.date:
    """When the next re-assessment is due: `reassessment_years` after the assessment, or at once (the day it
    happened) when a trigger recorded after the assessment day has happened."""
    due = add_years(assessed_on, config.reassessment_years)
    open_ = [day for day in triggers if day > assessed_on]
    return min([due, *open_])


class DueState(StrEnum):
    OK = "ok"
    SOON = "soon"  # within the widest reminder
    DUE = "due"  # due today
    OVERDUE = "overdue"


def due_state(due: dt.date, today: dt.date, config: LifecycleConfig) -> DueState:
    left = (due - today).days
    if left < 0:
        return DueState.OVERDUE
    if left == 0:
        return DueState.DUE
    widest = max(config.reminder_days, default=0)
    return DueState.SOON if left <= widest else DueState.OK


def reminder_threshold(days_left: int, reminder_days: Sequence[int]) -> int | None:
    """Which "n days before" re-assessment reminder is due with `days_left` to go (None: none).

    The smallest threshold not below `days_left`, so a missed run still sends the nearest one once; on the
    due day and after it (overdue) the smallest threshold (0: "due now") once."""
    if not reminder_days:
        return None
    if days_left <= 0:
        return min(reminder_days)
    due = [d for d in reminder_days if d >= days_left]
    return min(due) if due else None


# ---- drills and facility tests ------------------------------------------------------------------------


class PlanKind(StrEnum):
    SPECIALIST = "specialist"  # 专项应急预案
    ONSITE = "onsite"  # 现场处置方案


PLAN_LABELS: Final[Mapping[PlanKind, str]] = {
    PlanKind.SPECIALIST: "专项应急预案",
    PlanKind.ONSITE: "现场处置方案",
}


def drill_interval_months(kind: str, config: LifecycleConfig) -> int:
    if kind == PlanKind.SPECIALIST:
        return config.specialist_drill_months
    if kind == PlanKind.ONSITE:
        return config.onsite_drill_months
    raise ValueError(f"unknown plan kind {kind!r}")


def drill_due(last_held_on: dt.date | None, since: dt.date, kind: str, config: LifecycleConfig) -> dt.date:
    """The next drill of plan `kind`: one interval after the last; without any drill, one interval after
    `since` (the day the unit became a major hazard source on record, e.g. its first assessment)."""
    return add_months(last_held_on or since, drill_interval_months(kind, config))


def test_next_due(tested_on: dt.date, cycle_months: int) -> dt.date:
    """The next periodic test of a safety facility after one on `tested_on` (every `cycle_months`)."""
    if cycle_months < 1:
        raise ValueError("cycle_months must be at least 1")
    return add_months(tested_on, cycle_months)


def overdue(due: dt.date, today: dt.date) -> bool:
    return today > due


# ---- the three responsible persons (包保) ---------------------------------------------------------------


class ResponsibleRole(IntEnum):
    """The national `workType` of a responsible person's check task (0 is a routine task)."""

    PRINCIPAL = 1
    TECHNICAL = 2
    OPERATIONAL = 3


ROLE_LABELS: Final[Mapping[ResponsibleRole, str]] = {
    ResponsibleRole.PRINCIPAL: "主要负责人",
    ResponsibleRole.TECHNICAL: "技术负责人",
    ResponsibleRole.OPERATIONAL: "操作负责人",
}

DUTIES_SOURCE: Final = (
    "《危险化学品企业重大危险源安全包保责任制办法（试行）》（应急厅〔2021〕12号）第八、九、十条"
)

DUTIES: Final[Mapping[ResponsibleRole, tuple[str, ...]]] = {
    ResponsibleRole.PRINCIPAL: (
        "组织建立重大危险源安全包保责任制并指定对重大危险源负有安全包保责任的技术负责人、操作负责人",
        "组织制定重大危险源安全生产规章制度和操作规程，并采取有效措施保证其得到执行",
        "组织对重大危险源的管理和操作岗位人员进行安全技能培训",
        "保证重大危险源安全生产所必需的安全投入",
        "督促、检查重大危险源安全生产工作",
        "组织制定并实施重大危险源生产安全事故应急救援预案",
        "组织通过危险化学品登记信息管理系统填报重大危险源有关信息，保证重大危险源安全监测监控有关数据接入危险化学品安全生产风险监测预警系统",
    ),
    ResponsibleRole.TECHNICAL: (
        "组织实施重大危险源的安全监测监控体系建设，完善控制措施，保证安全监测监控系统符合国家标准或者行业标准的规定",
        "组织定期对安全设施和监测监控系统进行检测、检验，并进行经常性维护、保养，保证有效、可靠运行",
        "对于超过个人和社会可容许风险值限值标准的重大危险源，组织采取相应的降低风险措施，直至风险满足可容许风险标准要求",
        "组织审查涉及重大危险源的外来施工单位及人员的相关资质、安全管理等情况，审查涉及重大危险源的变更管理",
        "每季度至少组织对重大危险源进行一次针对性安全风险隐患排查，重大活动、重点时段和节假日前必须进行重大危险源安全风险隐患排查，制定管控措施和治理方案并监督落实",
        "组织演练重大危险源专项应急预案和现场处置方案",
    ),
    ResponsibleRole.OPERATIONAL: (
        "负责督促检查各岗位严格执行重大危险源安全生产规章制度和操作规程",
        "对涉及重大危险源的特殊作业、检维修作业等进行监督检查，督促落实作业安全管控措施",
        "每周至少组织一次重大危险源安全风险隐患排查",
        "及时采取措施消除重大危险源事故隐患",
    ),
}

# The items a responsible person's check ticks (the hazards app's check form asks each one).
CHECK_ITEMS: Final[Mapping[ResponsibleRole, tuple[str, ...]]] = {
    ResponsibleRole.PRINCIPAL: (
        "安全包保责任制及技术、操作负责人落实情况",
        "安全生产规章制度和操作规程执行情况",
        "安全投入保障情况",
        "应急救援预案制定和演练情况",
        "监测监控数据接入预警系统情况",
    ),
    ResponsibleRole.TECHNICAL: (
        "安全监测监控系统运行情况",
        "安全设施和监测监控系统检测、检验及维护保养情况",
        "外来施工单位资质和变更管理情况",
        "隐患管控措施和治理方案落实情况",
    ),
    ResponsibleRole.OPERATIONAL: (
        "各岗位执行规章制度和操作规程情况",
        "特殊作业、检维修作业安全管控措施落实情况",
        "现场事故隐患及时消除情况",
    ),
}

# Where a responsible person's finding comes from (national dangerSrc): the principal's check is a
# comprehensive one, the technical person's a targeted (specialist) one, the operational person's daily.
DANGER_SOURCES: Final[Mapping[ResponsibleRole, int]] = {
    ResponsibleRole.PRINCIPAL: 2,
    ResponsibleRole.TECHNICAL: 3,
    ResponsibleRole.OPERATIONAL: 1,
}


def check_frequency(role: int, config: LifecycleConfig) -> Frequency:
    return {
        ResponsibleRole.PRINCIPAL: config.principal_check,
        ResponsibleRole.TECHNICAL: config.technical_check,
        ResponsibleRole.OPERATIONAL: config.operational_check,
    }[ResponsibleRole(role)]


def frequency_source(role: int) -> str:
    return SOURCES[
        {
            ResponsibleRole.PRINCIPAL: "principal_check",
            ResponsibleRole.TECHNICAL: "technical_check",
            ResponsibleRole.OPERATIONAL: "operational_check",
        }[ResponsibleRole(role)]
    ]


def duties_text(role: int) -> str:
    """The role's duties as numbered lines (the notice board's and the person's default text)."""
    return "\n".join(f"{i}. {duty}" for i, duty in enumerate(DUTIES[ResponsibleRole(role)], start=1))


def term_problem(valid_from: dt.date, valid_to: dt.date | None) -> str | None:
    if valid_to is not None and valid_to < valid_from:
        return "任职截止日期不能早于起始日期"
    return None
