"""Regional risk (区域风险): how a town's or village's proposed level follows from its enterprises.

Pure Python (no ORM), fully typed and table-tested. The method is versioned: every RegionalRisk row
stores `METHOD_VERSION` and the basis counts, so a proposal can be explained and recomputed.

Method "REGIONAL/1" (seed §二(二)3; REFERENCE.md §3 — the same four colours as risk points):

1. An enterprise's level is the most dangerous level of its active risk points (1 is the most
   dangerous); an enterprise with no graded active point is "not assessed".
2. A division's proposed level, over the assessed enterprises inside it (its whole subtree):
   - 1 red (重大)    if any enterprise is level 1;
   - 2 orange (较大) if any enterprise is level 2, or at least N enterprises are level 3
     (N = `DEFAULT_LEVEL3_FOR_ORANGE`, configurable per run);
   - 3 yellow (一般) if any enterprise is level 3;
   - 4 blue (低)     otherwise;
   - 4 blue with the basis "no data" when no enterprise in it is assessed.
3. Review: blue and yellow regions once a year; red and orange regions get a periodic analysis
   (early warning) every `ALERT_REVIEW_MONTHS` months.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

METHOD_VERSION: Final = "REGIONAL/1"
LEVELS: Final = (1, 2, 3, 4)
DEFAULT_LEVEL3_FOR_ORANGE: Final = 3
"""How many level-3 (yellow) enterprises make a division orange when none is level 1 or 2."""
ROUTINE_REVIEW_MONTHS: Final = 12  # blue and yellow regions
ALERT_REVIEW_MONTHS: Final = 3  # red and orange regions: quarterly periodic analysis
ALERT_LEVELS: Final = frozenset({1, 2})  # on the early-warning list


class Rule(StrEnum):
    """Which clause of the method decided the proposal (stored in the basis)."""

    LEVEL1_PRESENT = "level1_present"
    LEVEL2_PRESENT = "level2_present"
    LEVEL3_MANY = "level3_many"
    LEVEL3_PRESENT = "level3_present"
    LOW_ONLY = "low_only"
    NO_DATA = "no_data"


class InvalidInput(ValueError):
    pass


def enterprise_level(point_levels: Iterable[int | None]) -> int | None:
    """The most dangerous level among an enterprise's active risk points (None: not assessed)."""
    graded = [level for level in point_levels if level is not None]
    for level in graded:
        if level not in LEVELS:
            raise InvalidInput(f"risk level must be 1–4, got {level!r}")
    return min(graded) if graded else None


@dataclass(frozen=True)
class Proposal:
    level: int
    rule: Rule
    counts: Mapping[int, int]  # assessed enterprises per level 1–4
    unassessed: int
    level3_for_orange: int

    @property
    def assessed(self) -> int:
        return sum(self.counts.values())

    def basis(self) -> dict[str, object]:
        """The JSON stored in RegionalRisk.proposal_basis."""
        return {
            "method": METHOD_VERSION,
            "rule": self.rule.value,
            "enterprises": {str(level): self.counts.get(level, 0) for level in LEVELS},
            "assessed": self.assessed,
            "unassessed": self.unassessed,
            "level3_for_orange": self.level3_for_orange,
        }


def propose(
    counts: Mapping[int, int],
    *,
    unassessed: int = 0,
    level3_for_orange: int = DEFAULT_LEVEL3_FOR_ORANGE,
) -> Proposal:
    """The proposed level of a division from its enterprise counts per level (see the module doc)."""
    if level3_for_orange < 1:
        raise InvalidInput("level3_for_orange must be at least 1")
    if unassessed < 0:
        raise InvalidInput("unassessed must not be negative")
    clean: dict[int, int] = {}
    for level, n in counts.items():
        if level not in LEVELS:
            raise InvalidInput(f"risk level must be 1–4, got {level!r}")
        if n < 0:
            raise InvalidInput(f"count for level {level} must not be negative")
        if n:
            clean[level] = n
    full = {level: clean.get(level, 0) for level in LEVELS}
    if full[1]:
        level, rule = 1, Rule.LEVEL1_PRESENT
    elif full[2]:
        level, rule = 2, Rule.LEVEL2_PRESENT
    elif full[3] >= level3_for_orange:
        level, rule = 2, Rule.LEVEL3_MANY
    elif full[3]:
        level, rule = 3, Rule.LEVEL3_PRESENT
    elif full[4]:
        level, rule = 4, Rule.LOW_ONLY
    else:
        level, rule = 4, Rule.NO_DATA
    return Proposal(level, rule, full, unassessed, level3_for_orange)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def review_months(level: int) -> int:
    if level not in LEVELS:
        raise InvalidInput(f"risk level must be 1–4, got {level!r}")
    return ALERT_REVIEW_MONTHS if level in ALERT_LEVELS else ROUTINE_REVIEW_MONTHS


def next_review(level: int, decided_on: dt.date) -> dt.date:
    """When a regional level must be looked at again: quarterly for red/orange, yearly otherwise."""
    return add_months(decided_on, review_months(level))


def is_overdue(next_review_on: dt.date | None, today: dt.date) -> bool:
    return next_review_on is not None and next_review_on < today


def is_alert(level: int | None) -> bool:
    """Red and orange regions are on the early-warning list."""
    return level in ALERT_LEVELS
