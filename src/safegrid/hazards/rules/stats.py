"""Hidden-hazard statistics: what one hazard or one inspection occurrence adds to the rollups, and the rates.

The rollups (`hazards.rollups`) hold, per enterprise, sums of *contributions*: a hazard contributes to the
row of its enterprise, the month it was reported (county time) and its level; an occurrence to the row of
its enterprise and the month its window starts. When a hazard or an occurrence changes, its old
contribution is taken away and the new one added, in the same transaction; a rebuild sums the
contributions of every row from scratch, and the two agree by construction (tested after random moves).

Rates (percent with one decimal, `None` when the denominator is zero — "no data", never 0 % or 100 %):
- rectification rate (整改率) = closed / confirmed; confirmed means accepted into governance (every state
  but reported-pending and rejected, closed included);
- overdue rate (逾期率) = (closed after the deadline + open past the deadline) / hazards with a deadline
  (closed by a deadline + open with one); hazards fixed on the spot have no deadline and do not count;
- average days to close (平均整改天数) = total days to close / closed (fixed on the spot = 0 days);
- on-time inspection rate (按时排查率) = done on time / (done on time + done late + missed); suspended
  occurrences (停用检修) are not due, and occurrences still open are not decided yet.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from . import codes

# Hazard states (the values of hazards.choices.HazardStatus, kept here so the rules need no Django model).
REPORTED: Final = "reported"
CONFIRMED: Final = "confirmed"
REJECTED: Final = "rejected"
RECTIFYING: Final = "rectifying"
EXTENSION: Final = "extension"
AWAITING: Final = "awaiting"
CLOSED: Final = "closed"
OPEN_STATES: Final = (REPORTED, CONFIRMED, RECTIFYING, EXTENSION, AWAITING)
DEADLINE_STATES: Final = frozenset({RECTIFYING, EXTENSION, AWAITING})

# The counters of a hazard month row (HazardMonthStat), in display order.
HAZARD_COUNTERS: Final = (
    "reported",
    "rejected",
    "confirmed",
    "closed",
    "closed_on_spot",
    "closed_on_time",
    "closed_late",
    "days_to_close",
    "open_with_deadline",
    *(f"open_{state}" for state in OPEN_STATES),
)
# The counters of an inspection month row (InspectionMonthStat).
INSPECTION_COUNTERS: Final = ("pending", "suspended", "on_time", "late", "missed")

# Occurrence states (hazards.choices.OccurrenceStatus values).
OCC_DUE: Final = "due"
OCC_DONE: Final = "done"
OCC_MISSED: Final = "missed"
OCC_SUSPENDED: Final = "suspended"

Counts = dict[str, int]


def month_of(day: dt.date) -> dt.date:
    """The first day of the day's month: the key of a month row."""
    return day.replace(day=1)


@dataclass(frozen=True)
class HazardFacts:
    """What the statistics read of one hazard (dates are county-local)."""

    enterprise_id: int
    reported_on: dt.date
    level: str
    status: str
    handling: str = codes.BY_DEADLINE
    deadline: dt.date | None = None
    closed_on: dt.date | None = None
    days_to_close: int | None = None

    @property
    def month_key(self) -> tuple[int, dt.date, str]:
        return (self.enterprise_id, month_of(self.reported_on), self.level)

    @property
    def deadline_key(self) -> tuple[int, dt.date, str, dt.date] | None:
        """The open-deadline row this hazard counts in (None when its deadline is not running)."""
        if self.status in DEADLINE_STATES and self.deadline is not None:
            return (self.enterprise_id, month_of(self.reported_on), self.level, self.deadline)
        return None


def hazard_counts(facts: HazardFacts) -> Counts:
    """The counters one hazard adds to its month row (only the non-zero ones)."""
    out: Counts = {"reported": 1}
    if facts.status == REJECTED:
        out["rejected"] = 1
        return out
    if facts.status != REPORTED:
        out["confirmed"] = 1
    if facts.status == CLOSED:
        out["closed"] = 1
        out["days_to_close"] = facts.days_to_close or 0
        if facts.handling == codes.ON_THE_SPOT or facts.deadline is None:
            out["closed_on_spot"] = 1
        elif facts.closed_on is not None and facts.closed_on > facts.deadline:
            out["closed_late"] = 1
        else:
            out["closed_on_time"] = 1
        return {k: v for k, v in out.items() if v}
    if facts.status in OPEN_STATES:
        out[f"open_{facts.status}"] = 1
    if facts.deadline_key is not None:
        out["open_with_deadline"] = 1
    return {k: v for k, v in out.items() if v}


@dataclass(frozen=True)
class OccurrenceFacts:
    """What the statistics read of one inspection occurrence."""

    enterprise_id: int
    window_start_on: dt.date  # county-local day the window starts
    status: str
    on_time: bool = False  # done before the window's end

    @property
    def key(self) -> tuple[int, dt.date]:
        return (self.enterprise_id, month_of(self.window_start_on))


def occurrence_counter(facts: OccurrenceFacts) -> str:
    """The one counter an occurrence adds 1 to."""
    if facts.status == OCC_DONE:
        return "on_time" if facts.on_time else "late"
    if facts.status == OCC_MISSED:
        return "missed"
    if facts.status == OCC_SUSPENDED:
        return "suspended"
    return "pending"


def difference(old: Mapping[str, int], new: Mapping[str, int]) -> Counts:
    """new − old, keeping only the counters that change."""
    keys = set(old) | set(new)
    return {k: new.get(k, 0) - old.get(k, 0) for k in sorted(keys) if new.get(k, 0) != old.get(k, 0)}


# ---- rates ------------------------------------------------------------------------------------------

_TENTH: Final = Decimal("0.1")


def percent(numerator: int, denominator: int) -> Decimal | None:
    """numerator / denominator in percent with one decimal; None when there is nothing to divide by."""
    if numerator < 0 or denominator < 0:
        raise ValueError("counts cannot be negative")
    if denominator == 0:
        return None
    if numerator > denominator:
        raise ValueError("the numerator cannot exceed the denominator")
    return (Decimal(100) * numerator / denominator).quantize(_TENTH, ROUND_HALF_UP)


def rectification_rate(closed: int, confirmed: int) -> Decimal | None:
    """整改率: closed / confirmed hazards."""
    return percent(closed, confirmed)


def overdue_rate(
    closed_late: int, open_overdue: int, closed_with_deadline: int, open_with_deadline: int
) -> Decimal | None:
    """逾期率: (closed late + open past the deadline) / hazards with a running or met deadline."""
    if open_overdue > open_with_deadline or closed_late > closed_with_deadline:
        raise ValueError("overdue counts cannot exceed the hazards with a deadline")
    return percent(closed_late + open_overdue, closed_with_deadline + open_with_deadline)


def average_days(total_days: int, closed: int) -> Decimal | None:
    """平均整改天数: total days to close / closed hazards, one decimal."""
    if total_days < 0 or closed < 0:
        raise ValueError("counts cannot be negative")
    if closed == 0:
        return None
    return (Decimal(total_days) / closed).quantize(_TENTH, ROUND_HALF_UP)


def on_time_inspection_rate(on_time: int, late: int, missed: int) -> Decimal | None:
    """按时排查率: done on time / occurrences that were due and are decided (suspended ones excluded)."""
    return percent(on_time, on_time + late + missed)
