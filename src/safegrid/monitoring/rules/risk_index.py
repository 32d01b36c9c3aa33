"""The enterprise dynamic risk index (企业动态风险指数), method RISKINDEX/1: a pure, documented formula.

    index = min(100, static + hazards + alarms + overdue + enforcement)

    static      = points of the enterprise's static risk level, i.e. its most dangerous active risk
                  point in the register (level 1 重大 40, 2 较大 25, 3 一般 10, 4 低 5; not graded 0)
    hazards     = min(hazard_cap, 3 × open general hidden hazards + 12 × open major hidden hazards)
    alarms      = min(alarm_cap, 2 × active alarms + 3 × unacknowledged alarms)
                  (an active unacknowledged alarm counts in both: it is happening and nobody answered)
    overdue     = min(overdue_cap, 6 × open hidden hazards past their rectification deadline)
    enforcement = min(enforcement_cap, 5 × enforcement cases of the last 12 months) — there is no
                  enforcement (执法) app yet: the count passed in is 0, so the term is 0; the term, its
                  weight and its cap are already here so the day the app exists its count is all it needs.

Colours (red/orange/yellow/blue like the four-colour map): red ≥ 70, orange ≥ 50, yellow ≥ 30, else blue.

Why these numbers (**L**: no statute fixes a dynamic index; they are the county's to tune through the
setting SAFEGRID_RISK_INDEX): a 重大风险 enterprise starts at 40 — yellow — and one open major hazard (12)
and a few unanswered alarms bring it to orange; an enterprise with 低风险 only reaches red with several
major hazards, overdue rectifications and unanswered alarms together. Each dynamic term is capped so one
noisy input (an alarm flood) cannot make an enterprise red on its own.

Every weight, cap and threshold is configuration: `config_from(settings.SAFEGRID_RISK_INDEX)` applies a
JSON object of overrides to the defaults of `RiskIndexConfig` (unknown names and bad values refused).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Final

from django.utils.translation import gettext_noop

VERSION: Final = "RISKINDEX/1"

RED, ORANGE, YELLOW, BLUE = "red", "orange", "yellow", "blue"
COLOUR_HEX: Final = {RED: "#d63939", ORANGE: "#f76707", YELLOW: "#f5c400", BLUE: "#206bc4"}
COLOUR_NAMES: Final = {
    RED: gettext_noop("红色（高）"),
    ORANGE: gettext_noop("橙色（较高）"),
    YELLOW: gettext_noop("黄色（一般）"),
    BLUE: gettext_noop("蓝色（低）"),
}
COLOURS: Final = (RED, ORANGE, YELLOW, BLUE)

# the terms, in the order the explanation lists them
STATIC, HAZARDS, ALARMS, OVERDUE, ENFORCEMENT = "static", "hazards", "alarms", "overdue", "enforcement"
TERM_LABELS: Final = {
    STATIC: gettext_noop("固有风险（风险清单最高等级）"),
    HAZARDS: gettext_noop("未销号隐患"),
    ALARMS: gettext_noop("报警中和未确认的报警"),
    OVERDUE: gettext_noop("逾期未整改隐患"),
    ENFORCEMENT: gettext_noop("执法记录"),
}


@dataclass(frozen=True)
class RiskIndexConfig:
    version: str = VERSION
    # points of the static level 1–4 (重大, 较大, 一般, 低); an enterprise not graded takes `ungraded`
    level_points: tuple[int, int, int, int] = (40, 25, 10, 5)
    ungraded: int = 0
    general_hazard: int = 3
    major_hazard: int = 12
    hazard_cap: int = 30
    active_alarm: int = 2
    unacknowledged_alarm: int = 3
    alarm_cap: int = 20
    overdue_hazard: int = 6
    overdue_cap: int = 20
    enforcement_case: int = 5
    enforcement_cap: int = 10
    red: int = 70
    orange: int = 50
    yellow: int = 30
    maximum: int = field(default=100)

    def problems(self) -> list[str]:
        found = [
            f.name
            for f in fields(self)
            if f.name not in ("version", "level_points") and int(getattr(self, f.name)) < 0
        ]
        if len(self.level_points) != 4 or any(p < 0 for p in self.level_points):
            found.append("level_points")
        if not (0 < self.yellow < self.orange < self.red <= self.maximum):
            found.append("thresholds")
        if not self.version:
            found.append("version")
        return found


_INT_NAMES: Final = frozenset(f.name for f in fields(RiskIndexConfig)) - {"version", "level_points"}


def config_from(overrides: Mapping[str, object] | None) -> RiskIndexConfig:
    """The defaults with `overrides` applied (the SAFEGRID_RISK_INDEX setting); ValueError when wrong."""
    if not overrides:
        return RiskIndexConfig()
    unknown = sorted(set(overrides) - _INT_NAMES - {"version", "level_points"})
    if unknown:
        raise ValueError(f"unknown risk index settings: {', '.join(unknown)}")
    values: dict[str, object] = {}
    for name, value in overrides.items():
        if name == "version":
            if not isinstance(value, str):
                raise ValueError("risk index setting version must be a string")
            values[name] = value
        elif name == "level_points":
            if not isinstance(value, list | tuple) or not all(
                isinstance(v, int) and not isinstance(v, bool) for v in value
            ):
                raise ValueError("risk index setting level_points must be four whole numbers")
            values[name] = tuple(value)
        else:
            if not isinstance(value, int) or isinstance(value, bool):
                raise ValueError(f"risk index setting {name} must be a whole number")
            values[name] = value
    config = replace(RiskIndexConfig(), **values)  # type: ignore[arg-type]
    if config.problems():
        raise ValueError(f"risk index settings out of range: {', '.join(config.problems())}")
    return config


@dataclass(frozen=True)
class Inputs:
    static_level: int | None  # 1 (most dangerous) … 4, None when not graded
    open_general: int = 0
    open_major: int = 0
    active_alarms: int = 0
    unacknowledged_alarms: int = 0
    overdue: int = 0
    enforcement_cases: int = 0  # no enforcement app yet: always 0


@dataclass(frozen=True)
class Term:
    key: str
    raw: int  # before the cap
    points: int  # after the cap
    cap: int | None
    detail: str  # how `raw` was reached, e.g. "3×2 + 12×1"

    @property
    def capped(self) -> bool:
        return self.cap is not None and self.raw > self.cap


@dataclass(frozen=True)
class RiskIndex:
    value: int
    colour: str
    terms: tuple[Term, ...]
    version: str


def colour_of(value: int, config: RiskIndexConfig) -> str:
    if value >= config.red:
        return RED
    if value >= config.orange:
        return ORANGE
    if value >= config.yellow:
        return YELLOW
    return BLUE


def _capped(key: str, parts: list[tuple[int, int]], cap: int) -> Term:
    raw = sum(weight * count for weight, count in parts)
    detail = " + ".join(f"{weight}×{count}" for weight, count in parts)
    return Term(key, raw, min(raw, cap), cap, detail)


def compute(inputs: Inputs, config: RiskIndexConfig | None = None) -> RiskIndex:
    config = config or RiskIndexConfig()
    counts = (
        inputs.open_general,
        inputs.open_major,
        inputs.active_alarms,
        inputs.unacknowledged_alarms,
        inputs.overdue,
        inputs.enforcement_cases,
    )
    if any(n < 0 for n in counts):
        raise ValueError("risk index inputs cannot be negative")
    level = inputs.static_level
    if level is not None and not 1 <= level <= 4:
        raise ValueError("static risk level must be 1–4 or None")
    static = config.level_points[level - 1] if level else config.ungraded
    terms = (
        Term(STATIC, static, static, None, f"L{level}" if level else "—"),
        _capped(
            HAZARDS,
            [(config.general_hazard, inputs.open_general), (config.major_hazard, inputs.open_major)],
            config.hazard_cap,
        ),
        _capped(
            ALARMS,
            [
                (config.active_alarm, inputs.active_alarms),
                (config.unacknowledged_alarm, inputs.unacknowledged_alarms),
            ],
            config.alarm_cap,
        ),
        _capped(OVERDUE, [(config.overdue_hazard, inputs.overdue)], config.overdue_cap),
        _capped(ENFORCEMENT, [(config.enforcement_case, inputs.enforcement_cases)], config.enforcement_cap),
    )
    value = min(config.maximum, sum(t.points for t in terms))
    return RiskIndex(value, colour_of(value, config), terms, config.version)
