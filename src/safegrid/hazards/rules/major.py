"""Major hidden hazards (重大事故隐患), 16号令 art. 14–23: the six-part treatment plan, the three parts of
the report to the regulator, the interim measures, and the suspension order's dates and close-out checks.

Pure functions on plain values; the services feed them and turn their answers into field-named refusals.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from django.utils.translation import gettext_lazy as _

from .deadlines import Deadlines, review_due

# The treatment plan of a major hazard (16号令 art. 20): the six parts, in the law's order.
PLAN_PARTS: Final = (
    ("targets", _("目标和任务")),
    ("methods", _("方法和措施")),
    ("funds_materials", _("经费和物资")),
    ("organisation", _("机构和人员")),
    ("time_requirements", _("时限和要求")),
    ("safety_emergency", _("安全措施和应急预案")),
)
PLAN_FIELDS: Final = tuple(name for name, _label in PLAN_PARTS)

# The report to the regulator (16号令 art. 14): its three parts; the third is the treatment plan.
REPORT_PARTS: Final = (
    ("state_and_cause", _("现状及其产生原因")),
    ("severity_and_difficulty", _("危害程度和整改难易程度分析")),
    ("plan", _("治理方案")),
)

# Interim measures while a major hazard is rectified (16号令 art. 16): the three the law names.
INTERIM_MEASURES: Final = (
    ("withdraw_workers", _("撤出作业人员")),
    ("cordon_area", _("设置警戒区域")),
    ("stop_equipment", _("停止使用相关设备设施")),
)
INTERIM_CODES: Final = frozenset(code for code, _label in INTERIM_MEASURES)


def missing_plan_parts(parts: Mapping[str, str | None] | None) -> tuple[str, ...]:
    """The names (in the law's order) of the plan's parts that are empty; all six when there is no plan."""
    given = parts or {}
    return tuple(name for name in PLAN_FIELDS if not (given.get(name) or "").strip())


def report_due(confirmed_at: dt.datetime | None, config: Deadlines) -> dt.datetime | None:
    """When the report to the regulator is due: the law says "promptly" with no hour limit, so only when the
    county sets `major_report_hours` (0 = not set, None returned)."""
    if confirmed_at is None or config.major_report_hours <= 0:
        return None
    return confirmed_at + dt.timedelta(hours=config.major_report_hours)


def interim_problem(codes: list[str] | tuple[str, ...], other: str) -> str | None:
    """Why the interim measures cannot be recorded (None when they can): at least one measure, known codes."""
    unknown = sorted(set(codes) - INTERIM_CODES)
    if unknown:
        return str(_("未知的临时管控措施：%(codes)s")) % {"codes": "、".join(unknown)}
    if not codes and not (other or "").strip():
        return str(_("请至少选择一项临时管控措施，或填写其他措施"))
    return None


def interim_text(codes: list[str] | tuple[str, ...], other: str) -> str:
    """The measures in words, in the law's order, the free text last (for the notice board and the PDF)."""
    labels = [str(label) for code, label in INTERIM_MEASURES if code in codes]
    if (other or "").strip():
        labels.append(other.strip())
    return "；".join(labels)


# ---- suspension order (责令停产停业整改) --------------------------------------------------------------


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus whole calendar months; the day is clamped to the target month's end (8-31 + 6 → 2-28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def suspension_latest_end(ordered_on: dt.date, config: Deadlines) -> dt.date:
    """The last day a suspension ordered on `ordered_on` may run to (6 months by default)."""
    return add_months(ordered_on, config.suspension_max_months)


def suspension_end_problem(ordered_on: dt.date, ends_on: dt.date, config: Deadlines) -> str | None:
    """Why the order's end date is not allowed (None when it is): after the order, within the limit."""
    if ends_on <= ordered_on:
        return str(_("停产停业整改期限须晚于责令日期"))
    latest = suspension_latest_end(ordered_on, config)
    if ends_on > latest:
        return str(_("停产停业整改期限一般不超过%(months)s个月（最迟 %(latest)s）")) % {
            "months": config.suspension_max_months,
            "latest": latest.isoformat(),
        }
    return None


def review_overdue(applied_on: dt.date | None, today: dt.date, reviewed: bool, config: Deadlines) -> int:
    """Days the regulator's on-site review is late (0 when on time, done, or not yet applied for).

    Applied on day 0: due on day `review_days` (10); day 11 is one day late.
    """
    if reviewed or applied_on is None:
        return 0
    due = review_due(applied_on, config)
    return max((today - due).days, 0)


@dataclass(frozen=True)
class SuspensionState:
    """What the close-out check needs to know about a hazard's suspension order (None: there is none)."""

    status: str  # the suspension workflow's state
    review_passed: bool


def close_problem(suspension: SuspensionState | None) -> str | None:
    """Why a major hazard under a suspension order cannot be accepted and closed yet (None when it can).

    16号令 art. 23: evaluation report → written application to resume → the regulator's on-site review;
    only a passed review lets the hazard close (核销) and the enterprise resume.
    """
    if suspension is None or suspension.status == "resumed":
        return None
    if not suspension.review_passed:
        return str(
            _(
                "该重大隐患处于停产停业整改中：须经评估报告、书面申请恢复生产、监管部门现场审查合格后方可验收销号"
            )
        )
    return None


EVALUATION_EXTENSIONS: Final = ("pdf", "jpg", "jpeg", "png")
EVALUATION_MAX_BYTES: Final = 20 * 1024 * 1024
_MAGIC: Final = {
    "pdf": (b"%PDF-",),
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}


def evaluation_file_problem(name: str, head: bytes, size: int) -> str | None:
    """Why an uploaded evaluation report is refused (None for a PDF/JPG/PNG of at most 20 MB whose first
    bytes match its extension)."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension not in EVALUATION_EXTENSIONS:
        return str(_("评估报告须为 PDF、JPG 或 PNG 文件"))
    if size <= 0:
        return str(_("评估报告是空文件"))
    if size > EVALUATION_MAX_BYTES:
        return str(_("评估报告不能超过 20 MB"))
    if not head.startswith(_MAGIC[extension]):
        return str(_("文件内容与扩展名不符，请上传评估报告原件"))
    return None
