"""Regional risk (区域风险): how a town's or village's proposed level follows from what lies in it.

Pure Python (no ORM), fully typed and table-tested. The method is versioned: every RegionalRisk row
stores its `method_version` and a basis (inputs, index, thresholds, deciding clause), so a proposal
can be explained and recomputed. Rows proposed by an older method keep their basis as it was.

Method "REGIONAL/2" (seed §二(二)3; REFERENCE.md §3 — the same four colours as risk points)
-------------------------------------------------------------------------------------------
Why not REGIONAL/1: it made a division red as soon as ONE enterprise in it was level 1. A town
holds dozens (at scale 30: thousands) of enterprises, so every town and nearly every village was
red and the map told a county officer nothing. REGIONAL/2 weighs how many and how severe the risks
are relative to the size of the division:

1. An enterprise's level is the most dangerous level of its active risk points (1 is the most
   dangerous); an enterprise with no graded active point is "not assessed" and counts nowhere.
2. Risk index of a division (its whole subtree), over its assessed enterprises n₁…n₄ per level:

       index = (w₁·n₁ + w₂·n₂ + w₃·n₃ + w₄·n₄ + Σ extra terms) / max(n₁+n₂+n₃+n₄, base floor)

   i.e. "equivalent major-risk enterprises per assessed enterprise". Default weights 1 / 0.5 /
   0.2 / 0 are the LEC band floors relative to the major band (320 : 160 : 70, REFERENCE.md §3,
   70/320 rounded to 0.2) and 0 for low risk, which is acceptable risk. The base floor (default 5)
   keeps a village with one or two enterprises from swinging to 0 or 1 on a single enterprise:
   one level-1 enterprise alone in a large village stays far below the red threshold, a cluster
   of level-1 enterprises does not. The index is rounded to 4 decimals, and that rounded number
   (the one shown) is compared.
3. Colour by thresholds (a value exactly on a threshold goes to the more dangerous colour, as with
   LEC): index ≥ red → 1 red (重大); ≥ orange → 2 orange (较大); ≥ yellow → 3 yellow (一般);
   else 4 blue (低).
4. Floor: a division holding at least one level-1 or level-2 enterprise is never blue (at least
   yellow): blue says "only general and low risks here", so a major or large risk is never hidden
   by many low-risk neighbours or by the base floor.
5. No assessed enterprise and no extra term: 4 blue with the basis "no data".

Weights, thresholds and the base floor are county configuration (RiskSettings, edited by the
county admin on the regional settings page). The defaults below are *configurable defaults*, not
statutory figures: no standard fixes regional thresholds; they were chosen so that, on a county
whose enterprise mix is like the demo county's, towns with a chemical park stand out.

Extension point: major hazard sources (重大危险源) and accident history (事故) are named terms
(`ExtraTerm`) that are recorded in every basis as "not connected" until the app that owns the data
supplies per-division counts (`services.regional.register_term_source`) and a weight. A term adds
weight × count to the numerator; nothing is invented while no app supplies it.

Review: blue and yellow regions once a year; red and orange regions get a periodic analysis (early
warning) every `ALERT_REVIEW_MONTHS` months.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Final

METHOD_VERSION: Final = "REGIONAL/2"
METHOD_V1: Final = "REGIONAL/1"
"""The first method (red when any enterprise is level 1); its rows are shown with their own basis."""

LEVELS: Final = (1, 2, 3, 4)
INDEX_PLACES: Final = Decimal("0.0001")

# Configurable defaults (not statutory; see the module doc). Weights per enterprise level 1–4.
DEFAULT_WEIGHTS: Final = (Decimal("1"), Decimal("0.5"), Decimal("0.2"), Decimal("0"))
# Minimum index for levels 1 (red), 2 (orange), 3 (yellow), set for a county a year into the programme
# (enterprises' highest levels about red 2 %, orange 10 %, yellow 35 %, blue 53 %): such a county's index is
# about 0.14, a town whose enterprises lean to chemicals or mines reaches 0.18–0.22 (orange), a village
# built around a chemical park or a cluster of major-risk plants 0.3 and more (red); a village of low-risk
# workshops stays under 0.1 (blue). The first defaults (0.47 / 0.4 / 0.2) were set on a demo where one
# enterprise in eight was major-risk; on a realistic mix they coloured every town the same.
DEFAULT_THRESHOLDS: Final = (Decimal("0.3"), Decimal("0.18"), Decimal("0.1"))
DEFAULT_MIN_BASE: Final = 5
DEFAULTS_SOURCE: Final = "configurable default"

ROUTINE_REVIEW_MONTHS: Final = 12  # blue and yellow regions
ALERT_REVIEW_MONTHS: Final = 3  # red and orange regions: quarterly periodic analysis
ALERT_LEVELS: Final = frozenset({1, 2})  # on the early-warning list


class Rule(StrEnum):
    """Which clause of the method decided the proposal (stored in the basis)."""

    # REGIONAL/2
    INDEX_RED = "index_red"
    INDEX_ORANGE = "index_orange"
    INDEX_YELLOW = "index_yellow"
    INDEX_BLUE = "index_blue"
    SERIOUS_PRESENT = "serious_present"  # the floor: a level-1 or level-2 enterprise keeps it off blue
    NO_DATA = "no_data"
    # REGIONAL/1 (kept so that old rows can be read)
    LEVEL1_PRESENT = "level1_present"
    LEVEL2_PRESENT = "level2_present"
    LEVEL3_MANY = "level3_many"
    LEVEL3_PRESENT = "level3_present"
    LOW_ONLY = "low_only"


INDEX_RULES: Final = {1: Rule.INDEX_RED, 2: Rule.INDEX_ORANGE, 3: Rule.INDEX_YELLOW, 4: Rule.INDEX_BLUE}


class ExtraTerm(StrEnum):
    """Inputs that other apps will supply per division; absent (not connected) until they do."""

    MAJOR_HAZARD_SOURCES = "major_hazard_sources"  # 重大危险源 (hazards app)
    ACCIDENTS = "accidents"  # 生产安全事故 in the review period (accident history)


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
class RegionalConfig:
    """A county's REGIONAL/2 configuration (RiskSettings as a plain value)."""

    weights: tuple[Decimal, Decimal, Decimal, Decimal] = DEFAULT_WEIGHTS
    thresholds: tuple[Decimal, Decimal, Decimal] = DEFAULT_THRESHOLDS  # red, orange, yellow
    min_base: int = DEFAULT_MIN_BASE
    extra_weights: Mapping[ExtraTerm, Decimal] = field(default_factory=dict)

    def check(self) -> tuple[str, str] | None:
        """(part, message) for what is wrong — part is "weights", "thresholds" or "min_base" — or None.

        Messages are Chinese, for the settings form.
        """
        weights = (*self.weights, *self.extra_weights.values())
        if any(w < 0 for w in weights) or not self.weights[0] > 0:
            return "weights", "区域风险权重不能为负数，重大风险企业权重须大于 0"
        if not (self.weights[0] >= self.weights[1] >= self.weights[2] >= self.weights[3]):
            return "weights", "区域风险权重须满足：重大 ≥ 较大 ≥ 一般 ≥ 低"
        red, orange, yellow = self.thresholds
        if not (red > orange > yellow > 0):
            return "thresholds", "区域风险指数阈值须满足：红 > 橙 > 黄 > 0"
        if self.min_base < 1:
            return "min_base", "计算基数下限须至少为 1 家"
        return None

    def problem(self) -> str | None:
        found = self.check()
        return found[1] if found else None

    @property
    def is_default(self) -> bool:
        return (
            self.weights == DEFAULT_WEIGHTS
            and self.thresholds == DEFAULT_THRESHOLDS
            and self.min_base == DEFAULT_MIN_BASE
            and not any(self.extra_weights.values())
        )


DEFAULT_CONFIG: Final = RegionalConfig()


def _text(value: Decimal) -> str:
    """A Decimal for the JSON basis: exact, without trailing zeros (0.50 → "0.5", 1.00 → "1")."""
    return format(value.normalize(), "f")


def index_level(index: Decimal, thresholds: tuple[Decimal, Decimal, Decimal]) -> int:
    """The colour an index alone gives; a value on a threshold goes to the more dangerous colour."""
    for level, minimum in zip((1, 2, 3), thresholds, strict=True):
        if index >= minimum:
            return level
    return 4


@dataclass(frozen=True)
class Proposal:
    level: int
    rule: Rule
    counts: Mapping[int, int]  # assessed enterprises per level 1–4
    unassessed: int
    index: Decimal
    base: int
    config: RegionalConfig
    extra: Mapping[ExtraTerm, int]  # only the terms an app supplied

    @property
    def assessed(self) -> int:
        return sum(self.counts.values())

    @property
    def index_level(self) -> int:
        return index_level(self.index, self.config.thresholds)

    def basis(self) -> dict[str, object]:
        """The JSON stored in RegionalRisk.proposal_basis (numbers as exact decimal strings)."""
        terms: dict[str, object] = {}
        for term in ExtraTerm:
            if term in self.extra:
                weight = self.config.extra_weights.get(term, Decimal(0))
                terms[term.value] = {"count": self.extra[term], "weight": _text(weight)}
            else:
                terms[term.value] = None  # not connected: no app supplies it yet
        return {
            "method": METHOD_VERSION,
            "rule": self.rule.value,
            "enterprises": {str(level): self.counts.get(level, 0) for level in LEVELS},
            "assessed": self.assessed,
            "unassessed": self.unassessed,
            "weights": {str(level): _text(w) for level, w in zip(LEVELS, self.config.weights, strict=True)},
            "min_base": self.config.min_base,
            "base": self.base,
            "index": _text(self.index),
            "thresholds": {
                str(level): _text(t) for level, t in zip((1, 2, 3), self.config.thresholds, strict=True)
            },
            "index_level": self.index_level,
            "terms": terms,
        }


def propose(
    counts: Mapping[int, int],
    *,
    unassessed: int = 0,
    config: RegionalConfig = DEFAULT_CONFIG,
    extra: Mapping[ExtraTerm, int] | None = None,
) -> Proposal:
    """The proposed level of a division from its enterprise counts per level (see the module doc)."""
    problem = config.problem()
    if problem:
        raise InvalidInput(problem)
    if unassessed < 0:
        raise InvalidInput("unassessed must not be negative")
    full = dict.fromkeys(LEVELS, 0)
    for level, n in counts.items():
        if level not in LEVELS:
            raise InvalidInput(f"risk level must be 1–4, got {level!r}")
        if n < 0:
            raise InvalidInput(f"count for level {level} must not be negative")
        full[level] = n
    supplied = dict(extra or {})
    for term, n in supplied.items():
        if term not in ExtraTerm or n < 0:
            raise InvalidInput(f"extra term {term!r} must be a known term with a count ≥ 0")
    assessed = sum(full.values())
    numerator = sum((w * full[level] for level, w in zip(LEVELS, config.weights, strict=True)), Decimal(0))
    numerator += sum(
        (config.extra_weights.get(term, Decimal(0)) * n for term, n in supplied.items()), Decimal(0)
    )
    base = max(assessed, config.min_base)
    index = (numerator / base).quantize(INDEX_PLACES, rounding=ROUND_HALF_UP)
    if assessed == 0 and not any(supplied.values()):
        level, rule = 4, Rule.NO_DATA
    else:
        level = index_level(index, config.thresholds)
        rule = INDEX_RULES[level]
        if level == 4 and (full[1] or full[2]):
            level, rule = 3, Rule.SERIOUS_PRESENT
    return Proposal(level, rule, full, unassessed, index, base, config, supplied)


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


REVIEW_REMINDER_DAYS: Final = (14, 0)  # before a red/orange region's review date; 0 = due (or overdue)


def review_reminder(days_left: int, thresholds: tuple[int, ...] = REVIEW_REMINDER_DAYS) -> int | None:
    """The review reminder due `days_left` days before a review date: the nearest threshold at or above
    it (a scan that missed a day catches up); a review already overdue gets the "due" reminder. None
    while the date is further off than the widest threshold."""
    if days_left < 0:
        return min(thresholds)
    return min((t for t in thresholds if days_left <= t), default=None)
