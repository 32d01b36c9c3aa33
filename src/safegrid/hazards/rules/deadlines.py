"""Statutory and county deadlines of hazard governance, as configuration with their source.

Every value here is a default taken from REFERENCE §4 (16号令, the Work Safety Law, 安监总管三〔2017〕121号
practice) and is *configurable*: the deployment overrides any of them with the setting
`SAFEGRID_HAZARD_DEADLINES = {"review_days": 7, …}` (read by `hazards.config.deadlines()`), because 16号令
may be revised and counties set their own reminders. Each value records where it comes from.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final


@dataclass(frozen=True)
class Deadlines:
    # Suspension order (停产停业整改) for a major hazard: normally at most 6 calendar months.
    suspension_max_months: int = 6
    # The regulator's on-site review after a written application to resume: within 10 days.
    review_days: int = 10
    # Quarterly self-report: by the 15th of the month after the quarter; annual: by 31 January.
    quarterly_report_day: int = 15
    annual_report_month: int = 1
    annual_report_day: int = 31
    # Reporting a confirmed major hazard to the regulator: the law says "promptly" (及时) without an hour
    # limit; the county sets one (0 = no limit set).
    major_report_hours: int = 0
    # Reminders before a rectification deadline, in days (county setting).
    reminder_days: tuple[int, ...] = (3, 1)
    # Overdue escalation: one more step per this many days overdue (county setting).
    escalation_step_days: int = 1
    # Reminders before a self-report's due date, in days (county setting).
    self_report_reminder_days: tuple[int, ...] = (7, 3, 1)


SOURCES: Final[Mapping[str, str]] = {
    "suspension_max_months": "REFERENCE §4（16号令第二十三条配套执法实务）：责令停产停业整改一般不超过6个月，县级可调整",
    "review_days": "16号令第二十三条：收到恢复生产申请报告后10日内现场审查",
    "quarterly_report_day": "16号令第十四条：每季度结束后次月15日前报送隐患排查治理统计分析表",
    "annual_report_month": "16号令第十四条：次年1月31日前报送年度统计",
    "annual_report_day": "16号令第十四条：次年1月31日前报送年度统计",
    "major_report_hours": "《安全生产法》（2021）第四十一条：及时报告，无时限规定，由县里设置（0 为未设置）",
    "reminder_days": "县级设置：整改期限前提醒天数",
    "escalation_step_days": "县级设置：逾期后每隔多少天升级一级",
    "self_report_reminder_days": "县级设置：自查自报截止日前提醒天数",
}


def deadlines_from(overrides: Mapping[str, Any] | None) -> Deadlines:
    """The defaults with `overrides` applied; an unknown name or a negative number is refused."""
    if not overrides:
        return Deadlines()
    names = {f.name for f in dataclasses.fields(Deadlines)}
    unknown = sorted(set(overrides) - names)
    if unknown:
        raise ValueError(f"unknown hazard deadline settings: {', '.join(unknown)}")
    values = dict(overrides)
    for name in ("reminder_days", "self_report_reminder_days"):
        if name in values:
            values[name] = tuple(sorted({int(d) for d in values[name]}, reverse=True))
    for name, value in values.items():
        numbers = value if isinstance(value, tuple) else (value,)
        if any(int(n) < 0 for n in numbers):
            raise ValueError(f"hazard deadline setting {name} must not be negative")
    return dataclasses.replace(Deadlines(), **values)


def review_due(application_date: dt.date, config: Deadlines) -> dt.date:
    """The last day for the regulator's on-site review after the written application to resume."""
    return application_date + dt.timedelta(days=config.review_days)


def quarterly_report_due(year: int, quarter: int, config: Deadlines) -> dt.date:
    """The due date of the enterprise's self-report for `quarter` (1–4) of `year`."""
    if quarter not in (1, 2, 3, 4):
        raise ValueError("quarter must be 1–4")
    month = quarter * 3 + 1
    return dt.date(year + (month > 12), (month - 1) % 12 + 1, config.quarterly_report_day)


def annual_report_due(year: int, config: Deadlines) -> dt.date:
    return dt.date(year + 1, config.annual_report_month, config.annual_report_day)
