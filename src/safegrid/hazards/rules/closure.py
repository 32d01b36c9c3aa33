"""The closed loop's rules: the five in place (五落实), the deadline, overdue days and days to close."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Final

from django.utils.translation import gettext_lazy as _

# The five things a hazard fixed by a deadline needs before rectification starts (REFERENCE §4 五落实).
FIVE_IN_PLACE: Final = (
    ("responsible_person", _("整改责任人")),
    ("measures", _("整改措施")),
    ("funds", _("整改资金")),
    ("deadline", _("整改期限")),
    ("plan", _("应急预案")),
)


@dataclass(frozen=True)
class FiveInPlace:
    responsible_person: object | None
    measures: str
    funds: Decimal | None
    deadline: dt.date | None
    plan: str


def missing_five(values: FiveInPlace) -> tuple[str, ...]:
    """The names (in FIVE_IN_PLACE order) of the five that are not in place; empty when all are.

    Funds of 0 are in place (a fix without cost is stated as such); funds not stated are missing.
    """
    missing: list[str] = []
    if values.responsible_person is None:
        missing.append("responsible_person")
    if not (values.measures or "").strip():
        missing.append("measures")
    if values.funds is None:
        missing.append("funds")
    if values.deadline is None:
        missing.append("deadline")
    if not (values.plan or "").strip():
        missing.append("plan")
    return tuple(missing)


def deadline_problem(deadline: dt.date | None, today: dt.date) -> str | None:
    """Why a rectification deadline cannot be set (None when it can): it must not be in the past."""
    if deadline is None:
        return None
    if deadline < today:
        return str(_("整改期限不能早于今天"))
    return None


def days_overdue(deadline: dt.date | None, today: dt.date, closed: bool) -> int:
    """Whole days past the deadline (0 when not overdue, closed, or without a deadline)."""
    if closed or deadline is None or today <= deadline:
        return 0
    return (today - deadline).days


def days_to_close(reported: dt.date, closed: dt.date) -> int:
    """Calendar days from registration to close-out (0 when closed the same day)."""
    if closed < reported:
        raise ValueError("a hazard cannot close before it was reported")
    return (closed - reported).days


def escalation_step(overdue_days: int, step_days: int, steps: int) -> int:
    """Which escalation step (0-based, capped at `steps - 1`) an overdue hazard has reached.

    Day 1 overdue → step 0 (the enterprise's safety manager); every `step_days` more → one step up.
    Not overdue → -1.
    """
    if overdue_days <= 0 or steps <= 0:
        return -1
    return min((overdue_days - 1) // max(step_days, 1), steps - 1)
