"""Deadline reminders and the step-by-step escalation of an overdue hazard (pure; the scan applies them).

The chain (issue 9): the enterprise's safety manager → its principal → the town → the county's sector
regulator. A hazard climbs one step per scan at most, so every level hears of it in turn even after a
missed day; how fast the target step rises with the days overdue is `closure.escalation_step`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from django.utils.translation import gettext_lazy as _

from .closure import escalation_step

SAFETY_MANAGER: Final = 0
PRINCIPAL: Final = 1
TOWN: Final = 2
COUNTY_DEPARTMENT: Final = 3

# (step, who is told) in escalation order; the step number is what HiddenHazard.escalation_step stores.
CHAIN: Final = (
    (SAFETY_MANAGER, _("企业安全管理人员")),
    (PRINCIPAL, _("企业主要负责人")),
    (TOWN, _("属地镇街")),
    (COUNTY_DEPARTMENT, _("县行业主管部门")),
)


def step_label(step: int) -> str:
    """Who a hazard at `step` has been escalated to ("" when not escalated)."""
    for number, label in CHAIN:
        if number == step:
            return str(label)
    return ""


def next_escalation(current: int, overdue_days: int, step_days: int) -> int | None:
    """The step to escalate to now, or None: one above `current` when the days overdue have reached it."""
    target = escalation_step(overdue_days, step_days, len(CHAIN))
    if target <= current:
        return None
    return current + 1


def reminder_threshold(days_left: int, reminder_days: Sequence[int]) -> int | None:
    """Which "n days before the deadline" reminder is due with `days_left` to go (None: none).

    The smallest threshold not below `days_left`, so a missed day (or a deadline set closer than the
    first threshold) still gets the nearest reminder once. On the deadline day only a configured 0
    reminds; none once it has passed.
    """
    if days_left < 0:
        return None
    if days_left == 0:
        return 0 if 0 in reminder_days else None
    due = [d for d in reminder_days if d >= days_left]
    return min(due) if due else None
